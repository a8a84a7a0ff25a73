package maps

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/evident/evident"
)

func TestSafeFileName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Pricing Q&A / CFO round-table", "Pricing Q&A - CFO round-table"},
		{`Q3: "What" <now>? a\b|c*d`, "Q3- -What- -now-- a-b-c-d"},
		{"tabs\tand\nnew  lines\x00here", "tabs and new lines here"},
		{"ends with dots... ", "ends with dots"},
		{"  ", "source"},
		{"CON", "_CON"},
		{"nul.txt", "_nul.txt"},
		{"Console", "Console"},
		{"Entretien avec une directrice financière", "Entretien avec une directrice financière"},
		{strings.Repeat("é", 80), strings.Repeat("é", 50)},
	} {
		got := SafeFileName(tt.in)
		if got != tt.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !utf8.ValidString(got) || len(got) > maxFileName || strings.ContainsAny(got, `/\:*?"<>|`) {
			t.Errorf("SafeFileName(%q) = %q is not safe", tt.in, got)
		}
	}
	names := fileNames{}
	long := strings.Repeat("x", 200)
	for _, tt := range []struct{ in, want string }{
		{"Call / notes", "Call - notes"},
		{"call - NOTES", "call - NOTES (2)"},
		{"Call : notes", "Call - notes (3)"},
		{long, strings.Repeat("x", 100)},
		{long + "y", strings.Repeat("x", 96) + " (2)"},
	} {
		if got := names.unique(tt.in); got != tt.want {
			t.Errorf("unique(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A project for each tool: selections point at the quotes' text in
// UTF-16 units or code points, in texts with CRLF or LF line endings, and
// stay valid against the schema.
func TestQDPXOptions(t *testing.T) {
	sha := "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"
	src := evident.Source{Title: "Pricing Q&A / CFO round-table", File: "pricing.txt", SHA256: sha, Kind: "interview"}
	quotes := []Quote{
		{ID: "q1", Category: "PAINS", PassageID: "f00dfeedf00d-1", Snapshot: Snapshot{Text: "The price 💸 hurts.\n\nEvery quarter 😩.", Speaker: "RK", Source: src, Seq: 1}},
		{ID: "q2", Category: "GAINS", PassageID: "f00dfeedf00d-3", Snapshot: Snapshot{Text: "Après la clôture, c'est mieux.", Speaker: "RK", Source: src, Seq: 3}},
	}
	m := &Map{Info: Info{Name: "cfo"}, Cells: arrange(quotes, []Category{{Name: "PAINS"}, {Name: "GAINS"}})}
	text, offsets := joinPassages([]passageText{
		{id: "f00dfeedf00d-0", text: "What hurts? 🤔", speaker: "JT", time: "00:00:10"},
		{id: "f00dfeedf00d-1", text: quotes[0].Text, speaker: "RK", time: "00:01:34"},
		{id: "f00dfeedf00d-2", text: "And after?", speaker: "JT", time: "00:02:00"},
		{id: "f00dfeedf00d-3", text: quotes[1].Text, speaker: "RK", time: "00:02:05"},
	})
	texts := []SourceText{{SHA256: sha, Text: text, Offsets: offsets,
		Speakers: []evident.Person{{Name: "RK", FullName: "Ravi Kumar", Role: "cfo"}, {Name: "JT", FullName: "Jo Tanaka", Interviewer: true}}}}
	for _, tt := range []struct {
		lineEndings, offsets string
		q1Start              int
	}{
		// "[00:00:10] JT: What hurts? 🤔" is 28 code points, 29 UTF-16
		// units; then "\n\n" (or "\r\n\r\n") and "[00:01:34] RK: ".
		{"", "", 45},
		{"lf", "codepoints", 45},
		{"crlf", "", 47},
		{"", "utf16", 46},
		{"crlf", "utf16", 48},
	} {
		t.Run(tt.lineEndings+"/"+tt.offsets, func(t *testing.T) {
			opts, err := ParseQDPXOptions(tt.lineEndings, tt.offsets)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := QDPX(&b, m, texts, opts); err != nil {
				t.Fatal(err)
			}
			checkQDPXWith(t, m, b.Bytes(), opts)
			var p qdeRead
			if err := xml.Unmarshal(qdpxFiles(t, b.Bytes())["project.qde"], &p); err != nil {
				t.Fatal(err)
			}
			if got := p.Sources[0].Selections[0].Start; got != tt.q1Start {
				t.Errorf("q1 starts at %d, want %d", got, tt.q1Start)
			}
		})
	}
	for _, bad := range [][2]string{{"cr", ""}, {"", "bytes"}} {
		if _, err := ParseQDPXOptions(bad[0], bad[1]); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// The source is the document as a transcript, and its name is safe as a
// file name; cases carry speakers' full names, with the label as a
// variable and in the description.
func TestQDPXFaithfulSources(t *testing.T) {
	sha := "f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed"
	src := evident.Source{Title: "Pricing Q&A / CFO round-table", File: "pricing.txt", SHA256: sha}
	q := Quote{ID: "q1", Category: "HEAR", PassageID: "f00dfeedf00d-1", Snapshot: Snapshot{Text: "The auditors keep asking.", Speaker: "RK", Role: "cfo", Source: src, Seq: 1}}
	m := &Map{Info: Info{Name: "cfo"}, Cells: arrange([]Quote{q}, []Category{{Name: "HEAR"}})}
	text, offsets := joinPassages([]passageText{
		{id: "n", text: "Show notes: Ravi joins us.", notes: true},
		{id: "f00dfeedf00d-0", text: "Welcome, Ravi.", speaker: "JT", time: "00:00:10"},
		{id: "f00dfeedf00d-1", text: q.Text, speaker: "RK", time: "00:01:34"},
	})
	var b bytes.Buffer
	err := QDPX(&b, m, []SourceText{{SHA256: sha, Text: text, Offsets: offsets, Speakers: []evident.Person{{Name: "RK", FullName: "Ravi Kumar"}}}}, QDPXOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkQDPX(t, m, b.Bytes())
	files := qdpxFiles(t, b.Bytes())
	want := "Show notes: Ravi joins us.\n\n[00:00:10] JT: Welcome, Ravi.\n\n[00:01:34] RK: The auditors keep asking."
	var got string
	for name, body := range files {
		if strings.HasPrefix(name, "sources/") {
			got = string(body)
		}
	}
	if got != want {
		t.Errorf("source text\n%q\nwant\n%q", got, want)
	}
	var p struct {
		Sources []struct {
			Name        string `xml:"name,attr"`
			Description string `xml:"Description"`
		} `xml:"Sources>TextSource"`
		Cases []struct {
			Name        string   `xml:"name,attr"`
			Description string   `xml:"Description"`
			Values      []string `xml:"VariableValue>TextValue"`
		} `xml:"Cases>Case"`
	}
	if err := xml.Unmarshal(files["project.qde"], &p); err != nil {
		t.Fatal(err)
	}
	if s := p.Sources[0]; s.Name != "Pricing Q&A - CFO round-table" || !strings.Contains(s.Description, "Title: Pricing Q&A / CFO round-table") {
		t.Errorf("source %+v: want a safe name and the title as written in the description", s)
	}
	if len(p.Cases) != 1 {
		t.Fatalf("cases %+v", p.Cases)
	}
	c := p.Cases[0]
	if c.Name != "Ravi Kumar" || c.Description != `Labelled "RK" in pricing.txt.` || strings.Join(c.Values, ",") != "cfo,RK" {
		t.Errorf("case %+v: want Ravi Kumar, labelled RK, role cfo", c)
	}
}
