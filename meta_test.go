package evident

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseMeta(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Meta
		wantErr string // a substring of the error; "" means success
	}{
		{name: "empty", in: "", want: Meta{}},
		{name: "comment only", in: "# nothing yet\n", want: Meta{}},
		{
			name: "full",
			in: "title: Call with Lena\nkind: interview\nurl: https://example.com/x\nauthor: Jo\ndate: 2024-03-01\nrole: CFO\n" +
				"speakers:\n  Lena Park:\n    role: CFO\n    title: Chief Financial Officer\n    company: Brightwater\n  Tom:\n    interviewer: true\n",
			want: Meta{Title: "Call with Lena", Kind: Interview, URL: "https://example.com/x", Author: "Jo", Date: "2024-03-01", Role: "CFO",
				Speakers: map[string]SpeakerMeta{
					"Lena Park": {Role: "CFO", Title: "Chief Financial Officer", Company: "Brightwater"},
					"Tom":       {Interviewer: true},
				}},
		},
		{name: "kind case folded", in: "kind: Podcast", want: Meta{Kind: Podcast}},
		{name: "CRLF", in: "title: x\r\nkind: survey\r\n", want: Meta{Title: "x", Kind: Survey}},
		{name: "password", in: "password: s3cret", want: Meta{Password: "s3cret"}},
		// Keys Evident does not know are kept as attributes, never
		// refused: `evident show` lists them, so a typo is visible.
		{name: "unknown key", in: "speaker: Jane\n", want: Meta{Attrs: map[string]string{"speaker": "Jane"}}},
		{name: "unknown speaker key", in: "speakers:\n  Jane:\n    rol: CFO\n",
			want: Meta{Speakers: map[string]SpeakerMeta{"Jane": {Attrs: map[string]string{"rol": "CFO"}}}}},
		{
			name: "attributes of the document and of speakers",
			in: "title: Call\ncompany: Northwind\nindustry: fintech\nsegment: \"mid-market\"\nnote: second call, after the demo\n" +
				"evidence: [call notes, CRM]\nseats: 120\nfollow_up: 2024-05-02\nempty:\n" +
				"speakers:\n  Dana Lee: {role: ceo, company: Northwind, region: EMEA, tenure: 3}\n  Interviewer: {interviewer: true}\n",
			want: Meta{Title: "Call",
				Attrs: map[string]string{"company": "Northwind", "industry": "fintech", "segment": "mid-market",
					"note": "second call, after the demo", "evidence": "call notes, CRM", "seats": "120", "follow_up": "2024-05-02"},
				Speakers: map[string]SpeakerMeta{
					"Dana Lee":    {Role: "ceo", Company: "Northwind", Attrs: map[string]string{"region": "EMEA", "tenure": "3"}},
					"Interviewer": {Interviewer: true},
				}},
		},
		{name: "nested value kept as one line", in: "source:\n  crm: hubspot\n  id: 42\n",
			want: Meta{Attrs: map[string]string{"source": "{crm: hubspot, id: 42}"}}},
		{name: "known keys fold case", in: "Title: Call\nKIND: Interview\n", want: Meta{Title: "Call", Kind: Interview}},
		{name: "speaker with nothing said", in: "speakers:\n  Jane:\n", want: Meta{Speakers: map[string]SpeakerMeta{"Jane": {}}}},
		{name: "bad kind", in: "kind: webinar", wantErr: `kind "webinar"`},
		{name: "not a mapping", in: "just a sentence", wantErr: "metadata"},
		{name: "broken YAML", in: "title: [unclosed", wantErr: "line 1"},
		{name: "broken YAML later", in: "title: Call\ncompany: Northwind\n  note: x\n", wantErr: "line 3"},
		{name: "title that is a list", in: "title: Call\ntitle2: x\nauthor: [a, b]\n", wantErr: "line 3"},
		{name: "speakers as a list", in: "speakers: [Jane, Tom]\n", wantErr: "line 1: speakers must map"},
		{name: "a speaker as a word", in: "speakers:\n  Jane: cfo\n", wantErr: "line 2"},
		{name: "a key twice", in: "company: A\nnote: x\nCompany: B\n", wantErr: "line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMeta([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMeta error = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseMeta: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseMeta = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFrontMatter(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Meta
		body    string
		lines   int
		ok      bool
		wantErr bool
	}{
		{name: "none", in: "Jane: hello\n", body: "Jane: hello\n"},
		{name: "rule later in the text", in: "Intro\n---\ntitle: x\n---\n", body: "Intro\n---\ntitle: x\n---\n"},
		{name: "simple", in: "---\ntitle: Call\n---\nJane: hello\n", want: Meta{Title: "Call"}, body: "Jane: hello\n", lines: 3, ok: true},
		{name: "dots close it", in: "---\nkind: notes\n...\nbody", want: Meta{Kind: Notes}, body: "body", lines: 3, ok: true},
		{name: "CRLF", in: "---\r\ntitle: Call\r\n---\r\nbody\r\n", want: Meta{Title: "Call"}, body: "body\r\n", lines: 3, ok: true},
		{name: "trailing spaces on the closing line", in: "---\ntitle: Call\n---  \nbody", want: Meta{Title: "Call"}, body: "body", lines: 3, ok: true},
		{name: "empty front matter", in: "---\n---\nbody", body: "body", lines: 2, ok: true},
		{name: "nothing after it", in: "---\ntitle: Call\n---", want: Meta{Title: "Call"}, body: "", lines: 2, ok: true},
		{name: "blank lines inside", in: "---\n\ntitle: Call\n\n---\n\nbody", want: Meta{Title: "Call"}, body: "\nbody", lines: 5, ok: true},
		// An opening rule with no closing one is a Markdown rule, not a header.
		{name: "unterminated", in: "---\ntitle: Call\nbody\n", body: "---\ntitle: Call\nbody\n"},
		{name: "unknown key kept", in: "---\nspeaker: Jane\n---\nbody", want: Meta{Attrs: map[string]string{"speaker": "Jane"}}, body: "body", lines: 3, ok: true},
		{name: "broken", in: "---\ntitle: [x\n---\nbody", body: "---\ntitle: [x\n---\nbody", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta, body, lines, ok, err := FrontMatter(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("FrontMatter error = %v, want error %v", err, tt.wantErr)
			}
			if !reflect.DeepEqual(meta, tt.want) || body != tt.body || lines != tt.lines || ok != tt.ok {
				t.Errorf("FrontMatter = %+v, %q, %d, %v; want %+v, %q, %d, %v", meta, body, lines, ok, tt.want, tt.body, tt.lines, tt.ok)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	base := Meta{Title: "From the file", Kind: Interview, Author: "Jo", Redact: []string{"Lena Park"},
		Speakers: map[string]SpeakerMeta{"Lena": {Role: "CFO"}, "Tom": {Interviewer: true}}}
	base.Attrs = map[string]string{"company": "Acme", "note": "from the file"}
	over := Meta{Title: "From the sidecar", URL: "https://example.com", Role: "CFO", Password: "pw", Date: "2024-01-02", Kind: Podcast,
		Redact: []string{"Ravi Kumar", "Lena Park"}, Speakers: map[string]SpeakerMeta{"Lena": {Role: "VP Finance"}, "Ravi": {Role: "controller"}}, Attrs: map[string]string{"note": "from the sidecar"}}
	got := base.Merge(over)
	want := Meta{Title: "From the sidecar", Kind: Podcast, URL: "https://example.com", Author: "Jo", Date: "2024-01-02", Role: "CFO", Password: "pw",
		Redact: []string{"Lena Park", "Ravi Kumar"}, Speakers: map[string]SpeakerMeta{"Lena": {Role: "VP Finance"}, "Tom": {Interviewer: true}, "Ravi": {Role: "controller"}},
		Attrs: map[string]string{"company": "Acme", "note": "from the sidecar"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge = %+v, want %+v", got, want)
	}
	// Merging must not write into either side's speaker map: metas are
	// shared between documents of one folder.
	if len(base.Speakers) != 2 || base.Speakers["Lena"].Role != "CFO" || len(over.Speakers) != 2 || len(base.Redact) != 1 || base.Attrs["note"] != "from the file" {
		t.Errorf("Merge changed its inputs: %+v, %+v", base.Speakers, over.Speakers)
	}
	if got := base.Merge(Meta{}); !reflect.DeepEqual(got, base) {
		t.Errorf("Merge with nothing = %+v, want %+v", got, base)
	}
	if !(Meta{}).IsZero() || base.IsZero() || !(Meta{Speakers: map[string]SpeakerMeta{}}).IsZero() || (Meta{Redact: []string{"Jo"}}).IsZero() ||
		(Meta{Attrs: map[string]string{"company": "Acme"}}).IsZero() {
		t.Error("IsZero is wrong")
	}
}

func FuzzFrontMatter(f *testing.F) {
	// The Markdown fixtures of the passage step carry real front matter.
	paths, _ := filepath.Glob("passage/testdata/*.md")
	more, _ := filepath.Glob("extract/testdata/text/*.md")
	for _, p := range append(paths, more...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("---\ntitle: x\n---\nbody")
	f.Add("---\r\nkind: Interview\r\n...\r\n")
	f.Add("---\nspeakers:\n  A: {role: CFO}\n---")
	f.Add("---\n&a [*a]\n---\n")
	f.Fuzz(func(t *testing.T, text string) {
		meta, body, lines, ok, err := FrontMatter(text)
		if err != nil || !ok {
			if ok || body != text || lines != 0 || !reflect.DeepEqual(meta, Meta{}) {
				t.Fatalf("no front matter, yet FrontMatter = %+v, %q, %d, %v, %v", meta, body, lines, ok, err)
			}
			return
		}
		if !strings.HasSuffix(text, body) {
			t.Fatalf("body %q is not the end of the text", body)
		}
		if lines > strings.Count(text, "\n")+1 {
			t.Errorf("front matter of %d lines in a text of %d", lines, strings.Count(text, "\n")+1)
		}
		// The line count is what makes locators true: the body starts on
		// line lines+1 of the text.
		if n := strings.Count(text[:len(text)-len(body)], "\n"); n != lines {
			t.Errorf("front matter said %d lines, the text above the body has %d", lines, n)
		}
		// Two rules take two lines, unless the text ends on the second.
		if lines < 1 || body != "" && lines < 2 {
			t.Errorf("front matter of %d lines cannot hold two rules", lines)
		}
		checkMeta(t, meta)
	})
}

func FuzzParseMeta(f *testing.F) {
	f.Add([]byte("title: Call with Lena\nkind: interview\nspeakers:\n  Lena Park:\n    role: CFO\n"))
	f.Add([]byte("kind: PODCAST\nspeakers: {}\n"))
	f.Add([]byte("speaker: Jane"))
	f.Add([]byte("a: &a [*a, *a]\nb: *a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMeta(data)
		if err != nil {
			if !reflect.DeepEqual(m, Meta{}) {
				t.Errorf("error %v with a non-zero Meta %+v", err, m)
			}
			return
		}
		checkMeta(t, m)
	})
}

func checkMeta(t *testing.T, m Meta) {
	t.Helper()
	if m.Kind != "" && !slices.Contains(kinds, m.Kind) {
		t.Errorf("kind %q is not a known kind", m.Kind)
	}
	if got := m.Merge(Meta{}); !reflect.DeepEqual(got, m) {
		t.Errorf("Merge with nothing changed %+v into %+v", m, got)
	}
	if got := m.Merge(m); !reflect.DeepEqual(got, m) {
		t.Errorf("Merge with itself changed %+v into %+v", m, got)
	}
}
