package evident

import (
	"maps"
	"testing"
)

func TestLocatorString(t *testing.T) {
	tests := []struct {
		loc  Locator
		want string
	}{
		{Locator{}, ""},
		{Locator{Page: 3}, "p. 3"},
		{Locator{Time: "00:12:41"}, "00:12:41"},
		{Locator{Row: 17, Column: "What frustrates you?"}, `row 17, "What frustrates you?"`},
		{Locator{Line: 12}, "line 12"},
		// Several turns may share a text file's paragraph: the line tells
		// them apart.
		{Locator{Paragraph: 4, Line: 12}, "line 12"},
		{Locator{Time: "00:00:45", Paragraph: 6, Line: 11}, "00:00:45, line 11"},
		{Locator{Page: 2, Paragraph: 3}, "p. 2, ¶ 3"},
		{Locator{Page: -1, Row: -2, Line: -3}, ""},
	}
	for _, tt := range tests {
		if got := tt.loc.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.loc, got, tt.want)
		}
	}
}

func TestCitation(t *testing.T) {
	tests := []struct {
		name string
		doc  Document
		p    Passage
		want string
	}{
		{
			name: "interview with speaker and role",
			doc:  Document{File: "lena-park.txt", Title: "Interview with Lena Park", Kind: Interview},
			p:    Passage{Speaker: "Lena Park", Role: "CFO", Locator: Locator{Paragraph: 2, Line: 13}},
			want: `Lena Park (CFO), "Interview with Lena Park" [interview], lena-park.txt, line 13`,
		},
		{
			name: "podcast with time and URL",
			doc:  Document{File: "ep14.txt", Title: "Ledger Lines 14", Kind: Podcast, URL: "https://example.com/ep14"},
			p:    Passage{Speaker: "RK", Locator: Locator{Time: "00:00:45"}},
			want: `RK, "Ledger Lines 14" [podcast], ep14.txt, 00:00:45, https://example.com/ep14`,
		},
		{
			name: "initials with the full name the prose gives, and a guessed role",
			doc: Document{File: "ep14.txt", Title: "Ledger Lines 14", Kind: Podcast,
				Speakers: []Person{{Name: "RK", FullName: "Ravi Kumar", Role: "cfo", RoleSource: RoleFromIntro}}},
			p:    Passage{Speaker: "RK", Role: "cfo", RoleSource: RoleFromIntro, Locator: Locator{Time: "00:00:45"}},
			want: `Ravi Kumar (RK; cfo, from an introduction), "Ledger Lines 14" [podcast], ep14.txt, 00:00:45`,
		},
		{
			name: "no title: the file name once",
			doc:  Document{File: "notes.txt"},
			p:    Passage{Locator: Locator{Line: 4}},
			want: `"notes.txt", line 4`,
		},
		{
			name: "title equal to the file name",
			doc:  Document{File: "survey.csv", Title: "survey.csv", Kind: Survey},
			p:    Passage{Locator: Locator{Row: 3, Column: "Role"}},
			want: `"survey.csv" [survey], row 3, "Role"`,
		},
		{
			name: "role without speaker is not shown",
			doc:  Document{File: "a.pdf", Title: "Report"},
			p:    Passage{Role: "CFO", Locator: Locator{Page: 7}},
			want: `"Report", a.pdf, p. 7`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Citation(&tt.doc, &tt.p); got != tt.want {
				t.Errorf("Citation = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPassageID(t *testing.T) {
	const sum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	tests := []struct {
		sha  string
		seq  int
		want string
	}{
		{sum, 0, "9f86d081884c-0"},
		{sum, 41, "9f86d081884c-41"},
		{"abc", 2, "abc-2"},
		{"9f86d081884c", 1, "9f86d081884c-1"},
	}
	for _, tt := range tests {
		if got := PassageID(tt.sha, tt.seq); got != tt.want {
			t.Errorf("PassageID(%q, %d) = %q, want %q", tt.sha, tt.seq, got, tt.want)
		}
	}
	// Same bytes, same ids; another passage, another id.
	if PassageID(sum, 3) != PassageID(sum, 3) || PassageID(sum, 3) == PassageID(sum, 4) {
		t.Error("PassageID is not stable and distinct")
	}
}

// Attributes overlays document, speaker and passage: keys spelt
// differently ("Company size", company_size) are one attribute, and the
// later layer's spelling and value win; blank keys and values are left out.
func TestAttributes(t *testing.T) {
	doc := &Document{
		Attrs: map[string]string{"Company size": "50", "Region": "EU", "plan": "pro", " ": "x", "empty": " "},
		Speakers: []Person{{Name: "Dana", Company: "Acme",
			Attrs: map[string]string{"region": "US", "REGION ": "CA", "tenure": "3y"}}},
	}
	tests := []struct {
		name string
		d    *Document
		p    *Passage
		want map[string]string
	}{
		{"nothing", nil, nil, nil},
		{"document", doc, nil, map[string]string{"Company size": "50", "Region": "EU", "plan": "pro"}},
		// The speaker's keys are taken in order: "REGION" then "region".
		{"speaker", doc, &Passage{Speaker: "Dana"},
			map[string]string{"Company size": "50", "region": "US", "plan": "pro", "company": "Acme", "tenure": "3y"}},
		{"someone else", doc, &Passage{Speaker: "Lee"}, map[string]string{"Company size": "50", "Region": "EU", "plan": "pro"}},
		{"passage", doc, &Passage{Speaker: "Dana", Attrs: map[string]string{"company_size": "200", "Plan": "free", LabelAttr: "CFO"}},
			map[string]string{"company_size": "200", "region": "US", "Plan": "free", "company": "Acme", "tenure": "3y"}},
	}
	for _, tt := range tests {
		if got := Attributes(tt.d, tt.p); !maps.Equal(got, tt.want) {
			t.Errorf("%s: Attributes = %v, want %v", tt.name, got, tt.want)
		}
	}
}
