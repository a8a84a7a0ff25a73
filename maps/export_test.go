package maps

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/evident/evident"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixture is the fixed map every export is rendered from.
func fixture(t *testing.T) *Map {
	t.Helper()
	b, err := os.ReadFile("testdata/map.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseJSON(b)
	if err != nil {
		t.Fatalf("testdata/map.json: %v", err)
	}
	return m
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./maps -run Golden -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is meant):\n%s", name, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + strconv.Quote(w) + "\n  got  " + strconv.Quote(g)
		}
	}
	return "(same lines, different bytes)"
}

func render(t *testing.T, m *Map, format string) []byte {
	t.Helper()
	f, err := FormatOf(format)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, m, f, nil, QDPXOptions{}); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return b.Bytes()
}

func TestGoldenExports(t *testing.T) {
	m := fixture(t)
	for _, f := range []struct{ format, file string }{
		{"md", "map.md"}, {"csv", "map.csv"}, {"html", "map.html"}, {"json", "map.json"},
	} {
		t.Run(f.format, func(t *testing.T) {
			golden(t, f.file, render(t, m, f.format))
		})
	}
}

// The JSON export reads back as the same map, and writes the same bytes.
func TestJSONRoundTrip(t *testing.T) {
	m := fixture(t)
	first := render(t, m, "json")
	back, err := ParseJSON(first)
	if err != nil {
		t.Fatal(err)
	}
	if again := render(t, back, "json"); !bytes.Equal(first, again) {
		t.Errorf("re-read map differs:\n%s", firstDiff(string(first), string(again)))
	}
	if back.QuoteCount() != 7 || back.Cell("PAINS").Quotes[1].Attrs != nil || back.Cell("PAINS").Quotes[0].Attrs["Company size"] != "200-500" {
		t.Errorf("quotes lost on the way: %+v", back.Cell("PAINS"))
	}
}

func TestParseJSONErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"name": "x", "cells": [}`, "line 1"},
		{"{\n\"name\": 3,\n\"cells\": []}", `"name" on line 2 should be a string`},
		{`{"name": "x"}`, `no "cells"`},
		{`{"format": "something-else", "cells": []}`, `"something-else"`},
		{`{"format": "evident-map", "version": 9, "cells": []}`, "version 9"},
		{`[1, 2]`, "should be"},
	} {
		_, err := ParseJSON([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseJSON(%s): %v, want an error saying %q", c.in, err, c.want)
		}
	}
}

// The CSV parses back: one row per quote, the text intact (newlines,
// quotes, commas), one column per attribute, formulas defused.
func TestCSVParsesBack(t *testing.T) {
	m := fixture(t)
	rows, err := csv.NewReader(bytes.NewReader(render(t, m, "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := rows[0]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	// A survey respondent's answers, a document's and a speaker's
	// attributes: one column each, sorted.
	wantHeader := []string{"cell", "text", "speaker", "role", "Company size", "attribute: Role", "Timestamp",
		"company", "industry", "region", "segment", "source_title", "file", "sha256", "locator", "rule", "note"}
	if got := header[:len(wantHeader)]; strings.Join(got, "|") != strings.Join(wantHeader, "|") {
		t.Errorf("header starts %q, want %q", got, wantHeader)
	}
	quotes := m.Quotes()
	cards := len(m.Needs)
	for _, c := range m.Cells {
		cards += len(c.Assumptions)
	}
	if len(rows) != 1+len(quotes)+cards {
		t.Fatalf("%d rows, want a header, %d quotes and %d assumptions and needs", len(rows), len(quotes), cards)
	}
	for _, row := range rows[1:] {
		if len(row) != len(header) {
			t.Fatalf("a row of %d columns under a header of %d: %q", len(row), len(header), row)
		}
	}
	// The last rows are the cards: assumptions, then needs.
	if last := rows[len(rows)-1]; last[col["card"]] != "need" || last[col["quote_id"]] != "n2" || last[col["note"]] != "q5" {
		t.Errorf("last row: %q", last)
	}
	if a1 := rows[1+len(quotes)]; a1[col["card"]] != "assumption" || a1[col["status"]] != "contradicted" || a1[col["note"]] != "q1 contradicts" || a1[col["cell"]] != "HEAR" {
		t.Errorf("first assumption row: %q", a1)
	}
	for i, q := range quotes {
		row := rows[i+1]
		text := row[col["text"]]
		if strings.HasPrefix(q.Text, "=") {
			if text != "'"+q.Text {
				t.Errorf("%s: a formula is not defused: %q", q.ID, text)
			}
			text = strings.TrimPrefix(text, "'")
		}
		for name, want := range map[string]string{"text": q.Text, "cell": q.Category, "speaker": q.Speaker,
			"role": q.Role, "sha256": q.Source.SHA256, "note": q.Note, "rule": q.Rule, "locator": q.Locator.String(),
			"Company size": q.Attrs["Company size"], "attribute: Role": q.Attrs["Role"], "quote_id": q.ID, "card": "quote"} {
			got := row[col[name]]
			if name == "text" {
				got = text
			}
			if got != want {
				t.Errorf("%s: column %s = %q, want %q", q.ID, name, got, want)
			}
		}
	}
}

// Every text from a source or a person is escaped: a <script> in a quote
// shows as text, and the page loads nothing from elsewhere.
func TestHTMLEscapesAndStandsAlone(t *testing.T) {
	page := string(render(t, fixture(t), "html"))
	if strings.Contains(page, "<script") || strings.Contains(page, "<b>not bold") {
		t.Error("markup from the map reached the page unescaped")
	}
	if !strings.Contains(page, "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;") {
		t.Error("the quote with a <script> is not shown as text")
	}
	if regexp.MustCompile(`(?i)\bsrc\s*=|@import|url\(|<link`).MatchString(page) {
		t.Error("the page refers to an outside resource")
	}
	// A source's address is a link, and only a web address is.
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		if !strings.HasPrefix(m[1], "https://") && !strings.HasPrefix(m[1], "http://") {
			t.Errorf("a link to %q", m[1])
		}
	}
	// A card says who, their title, the source and the place in one line;
	// the citation and the rules are behind a toggle.
	for _, want := range []string{
		`— Priya Raman, Chief Financial Officer · <cite>Interview with the CFO of Northwind Logistics</cite> · ¶ 3</figcaption>`,
		`— Respondent 1 (cfo) · <cite>survey-finance-tools.csv</cite> · row 1</figcaption>`,
		`<cite>Why rolling forecasts fail</cite> · ¶ 4 · <a href="https://example.com/rolling?a=1&amp;b=2">`,
		`<details class="meta"><summary>citation and rules</summary>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, area := range []string{"area-hear", "area-see", "area-say", "area-do", "area-pains", "area-gains", `class="head"`} {
		if !strings.Contains(page, area) {
			t.Errorf("the canvas lacks %s", area)
		}
	}
	if i, j := strings.Index(page, "<h2>GAINS</h2>"), strings.Index(page, "<h2>THINK</h2>"); i < 0 || j < i {
		t.Error("a category outside the six should follow the canvas")
	}
}

func TestMarkdownEscapes(t *testing.T) {
	md := string(render(t, fixture(t), "md"))
	for _, want := range []string{
		"## PAINS", "\\<script\\>", "\\*weeks\\*", "Source gone", "Source changed",
		"> Every month-end I spend", "> We use NetSuite", "— Priya Raman (cfo)",
		"**Note:** Board pressure: open the deck with this.", "placed by hand",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "<script>") {
		t.Error("raw HTML from a quote reached the Markdown")
	}
}

func TestFileName(t *testing.T) {
	for in, want := range map[string]string{
		"CFO — Northwind & co": "CFO-Northwind-co.md",
		"IT director":          "IT-director.md",
		"…":                    "map.md",
		"a.b_c":                "a.b_c.md",
	} {
		if got := FileName(in, "md"); got != want {
			t.Errorf("FileName(%q) = %q, want %q", in, got, want)
		}
	}
}

// qdpxFiles unzips an export.
func qdpxFiles(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// validateQDE checks a project.qde against the REFI-QDA schema with
// xmllint. Without xmllint the check is skipped, except under CI.
func validateQDE(t *testing.T, qde []byte) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is needed to validate the QDPX export (Debian: apt-get install libxml2-utils)")
		}
		t.Skip("xmllint not installed (Debian: libxml2-utils); the schema check is skipped")
	}
	path := filepath.Join(t.TempDir(), "project.qde")
	if err := os.WriteFile(path, qde, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "Project.xsd"), path).CombinedOutput()
	if err != nil {
		t.Fatalf("project.qde is not valid against Project.xsd: %v\n%s", err, out)
	}
}

// qdeSelections reads what the checks need back from project.qde.
// qdeValue is a case's or source's value of a variable.
type qdeValue struct {
	Variable struct {
		GUID string `xml:"targetGUID,attr"`
	} `xml:"VariableRef"`
	Text string `xml:"TextValue"`
}

// values names a case's or source's variable values.
func (p *qdeRead) values(vs []qdeValue) map[string]string {
	out := map[string]string{}
	for _, v := range vs {
		for _, def := range p.Variables {
			if def.GUID == v.Variable.GUID {
				out[def.Name] = v.Text
			}
		}
	}
	return out
}

type qdeRead struct {
	Codes []struct {
		GUID  string `xml:"guid,attr"`
		Name  string `xml:"name,attr"`
		Codes []struct {
			GUID  string `xml:"guid,attr"`
			Name  string `xml:"name,attr"`
			Codes []struct {
				GUID string `xml:"guid,attr"`
				Name string `xml:"name,attr"`
			} `xml:"Code"`
		} `xml:"Code"`
	} `xml:"CodeBook>Codes>Code"`
	Variables []struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
	} `xml:"Variables>Variable"`
	Cases []struct {
		Name   string     `xml:"name,attr"`
		Values []qdeValue `xml:"VariableValue"`
	} `xml:"Cases>Case"`
	Sources []struct {
		GUID       string     `xml:"guid,attr"`
		Name       string     `xml:"name,attr"`
		Path       string     `xml:"plainTextPath,attr"`
		Values     []qdeValue `xml:"VariableValue"`
		Selections []struct {
			Name  string `xml:"name,attr"`
			Start int    `xml:"startPosition,attr"`
			End   int    `xml:"endPosition,attr"`
			Codes []struct {
				GUID string `xml:"targetGUID,attr"`
			} `xml:"Coding>CodeRef"`
			Notes []struct {
				GUID string `xml:"targetGUID,attr"`
			} `xml:"NoteRef"`
		} `xml:"PlainTextSelection"`
	} `xml:"Sources>TextSource"`
	Notes []struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
		Text string `xml:"PlainTextContent"`
	} `xml:"Notes>Note"`
}

// checkQDPX validates an export and checks that every selection points,
// in Unicode code points with an exclusive end, at its quote's text, and
// is coded with its cell.
func checkQDPX(t *testing.T, m *Map, data []byte) {
	t.Helper()
	checkQDPXWith(t, m, data, QDPXOptions{})
}

// checkQDPXWith is checkQDPX for a project written with options: the
// positions count UTF-16 units or code points, and the texts' line
// endings are CRLF or LF.
func checkQDPXWith(t *testing.T, m *Map, data []byte, opts QDPXOptions) {
	t.Helper()
	files := qdpxFiles(t, data)
	qde, ok := files["project.qde"]
	if !ok {
		t.Fatalf("no project.qde in %v", keys(files))
	}
	validateQDE(t, qde)
	var p qdeRead
	if err := xml.Unmarshal(qde, &p); err != nil {
		t.Fatal(err)
	}
	if len(p.Codes) != 1 || p.Codes[0].Name != m.Name || len(p.Codes[0].Codes) != len(m.Cells) {
		t.Fatalf("codes: %+v, want one parent named after the map with %d cells", p.Codes, len(m.Cells))
	}
	// Cells are codes under the map's, themes codes under their cell's.
	codeName, themeName := map[string]string{}, map[string]string{}
	for _, c := range p.Codes[0].Codes {
		codeName[c.GUID] = c.Name
		cell := m.Cell(c.Name)
		if cell == nil || len(c.Codes) != len(cell.Themes) {
			t.Errorf("code %s has sub-codes %+v, want the cell's themes", c.Name, c.Codes)
			continue
		}
		for i, sub := range c.Codes {
			if sub.Name != cell.Themes[i].Name {
				t.Errorf("sub-code %q of %s, want theme %q", sub.Name, c.Name, cell.Themes[i].Name)
			}
			themeName[sub.GUID] = c.Name + "/" + sub.Name
		}
	}
	// Needs and assumptions are notes; a quote's selection refers to the
	// notes it is evidence for.
	noteName := map[string]string{}
	for _, n := range p.Notes {
		noteName[n.GUID] = n.Name
	}
	wantNotes := map[string][]string{}
	for _, n := range m.Needs {
		for _, id := range n.Evidence {
			wantNotes[id] = append(wantNotes[id], "Need "+n.ID)
		}
	}
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			for _, e := range a.Evidence {
				wantNotes[e.Quote] = append(wantNotes[e.Quote], "Assumption "+a.ID)
			}
		}
	}
	byID := map[string]*Quote{}
	for _, q := range m.Quotes() {
		byID[q.ID] = q
	}
	seen := 0
	for _, s := range p.Sources {
		name := strings.TrimPrefix(s.Path, "internal://")
		text, ok := files["sources/"+name]
		if !ok || name != s.GUID+".txt" {
			t.Errorf("source %s: plainTextPath %q has no file sources/%s", s.GUID, s.Path, name)
			continue
		}
		if !opts.CRLF && bytes.Contains(text, []byte("\r")) || opts.CRLF && bytes.Count(text, []byte("\n")) != bytes.Count(text, []byte("\r\n")) {
			t.Errorf("source %s: line endings are not all %s", name, map[bool]string{true: "CRLF", false: "LF"}[opts.CRLF])
		}
		units := unitsOf(string(text), opts)
		for _, sel := range s.Selections {
			id, _, _ := strings.Cut(sel.Name, ":")
			q := byID[id]
			if q == nil {
				t.Errorf("selection %q names no quote", sel.Name)
				continue
			}
			seen++
			if sel.Start < 0 || sel.End > len(units) || sel.Start > sel.End {
				t.Errorf("%s: selection %d..%d outside a text of %d units", id, sel.Start, sel.End, len(units))
				continue
			}
			if got, want := stringOf(units[sel.Start:sel.End], opts), opts.encode(q.Text); got != want {
				t.Errorf("%s: selection %d..%d reads %q, want %q", id, sel.Start, sel.End, got, want)
			}
			var coded []string
			for _, c := range sel.Codes {
				coded = append(coded, codeName[c.GUID]+themeName[c.GUID])
			}
			want := []string{q.Category}
			if th := m.Cell(q.Category).ThemeOf(q.ID); th != nil {
				want = append(want, q.Category+"/"+th.Name)
			}
			if strings.Join(coded, "|") != strings.Join(want, "|") {
				t.Errorf("%s: coded %q, want %q", id, coded, want)
			}
			var notes []string
			for _, n := range sel.Notes {
				name, _, _ := strings.Cut(noteName[n.GUID], ":")
				notes = append(notes, name)
			}
			if strings.Join(notes, "|") != strings.Join(wantNotes[id], "|") {
				t.Errorf("%s: notes %q, want %q", id, notes, wantNotes[id])
			}
		}
	}
	if seen != m.QuoteCount() {
		t.Errorf("%d selections, want one per quote (%d)", seen, m.QuoteCount())
	}
}

// unitsOf splits a text into what positions count: code points, or
// UTF-16 code units.
func unitsOf(text string, opts QDPXOptions) []rune {
	if !opts.UTF16 {
		return []rune(text)
	}
	var out []rune
	for _, u := range utf16.Encode([]rune(text)) {
		out = append(out, rune(u))
	}
	return out
}

func stringOf(units []rune, opts QDPXOptions) string {
	if !opts.UTF16 {
		return string(units)
	}
	u := make([]uint16, len(units))
	for i, r := range units {
		u[i] = uint16(r)
	}
	return string(utf16.Decode(u))
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestQDPX(t *testing.T) {
	m := fixture(t)
	first := render(t, m, "qdpx")
	checkQDPX(t, m, first)
	if again := render(t, fixture(t), "qdpx"); !bytes.Equal(first, again) {
		t.Error("a second export of the same map differs")
	}
	files := qdpxFiles(t, first)
	golden(t, "project.qde", files["project.qde"])
	var p qdeRead
	xml.Unmarshal(files["project.qde"], &p)
	cases := map[string]map[string]string{}
	for _, c := range p.Cases {
		cases[c.Name] = p.values(c.Values)
	}
	if len(cases) != 2 || cases["Priya Raman"]["role"] != "cfo" || cases["Émilie Laurent"]["role"] != "cfo" {
		t.Errorf("cases %v, want the two named speakers with their role", cases)
	}
	// The speaker's attributes are case variables, the document's source
	// variables.
	if v := cases["Priya Raman"]; v["company"] != "Northwind Logistics" || v["region"] != "EMEA" || len(v) != 3 {
		t.Errorf("Priya Raman's variables: %v", v)
	}
	sources := map[string]map[string]string{}
	for _, s := range p.Sources {
		sources[s.Name] = p.values(s.Values)
	}
	if v := sources["Interview with the CFO of Northwind Logistics"]; v["industry"] != "logistics" || v["segment"] != "mid-market" || len(v) != 2 {
		t.Errorf("the interview's variables: %v (sources %v)", v, sources)
	}
	for name := range files {
		if name != "project.qde" && !strings.HasPrefix(name, "sources/") {
			t.Errorf("unexpected file %s in the zip", name)
		}
	}
}

// With the documents' current texts, selections point into them; a quote
// whose passage now reads differently is added to its source's text.
func TestQDPXWithSourceTexts(t *testing.T) {
	m := fixture(t)
	interview := m.Cell("SEE").Quotes[0].Source.SHA256
	q1, q2, q3 := m.Cell("HEAR").Quotes[0], m.Cell("DO").Quotes[0], m.Cell("SEE").Quotes[0]
	text, offsets := joinPassages([]passageText{
		{id: "a1b2c3d4e5f6-0", text: "Thanks for making time.", speaker: "Interviewer", time: "00:00:05"},
		{id: q2.PassageID, text: "Every month-end I spend my first week on spreadsheets.", speaker: q2.Speaker}, // changed since
		{id: "a1b2c3d4e5f6-2", text: "Who do you hear from?", speaker: "Interviewer"},
		{id: q1.PassageID, text: q1.Text, speaker: q1.Speaker},
		{id: "a1b2c3d4e5f6-4", text: "And the market? 😀", speaker: "Interviewer"},
		{id: q3.PassageID, text: q3.Text, speaker: q3.Speaker},
	})
	if want := "[00:00:05] Interviewer: Thanks for making time.\n\n" + q2.Speaker + ": Every month-end"; !strings.HasPrefix(text, want) {
		t.Fatalf("the source text should read as a transcript, %q..., not %q", want, text[:80])
	}
	var b bytes.Buffer
	if err := QDPX(&b, m, []SourceText{{SHA256: interview, Text: text, Offsets: offsets}}, QDPXOptions{}); err != nil {
		t.Fatal(err)
	}
	checkQDPX(t, m, b.Bytes())
	files := qdpxFiles(t, b.Bytes())
	var src string
	for name, body := range files {
		if strings.HasPrefix(string(body), "[00:00:05] Interviewer: Thanks") {
			src = name
		}
	}
	if src == "" {
		t.Fatal("the interview's current text is not a source")
	}
	body := string(files[src])
	if !strings.HasPrefix(body, text) || !strings.HasSuffix(body, passageSep+q2.Text) {
		t.Errorf("source text should be the document's, with the changed quote added at the end:\n%s", body)
	}
}

// An empty map is a valid project too.
func TestQDPXEmptyMap(t *testing.T) {
	m := &Map{Info: Info{Name: "empty"}, Cells: arrange(nil, []Category{{Name: "SEE"}, {Name: "HEAR"}})}
	checkQDPX(t, m, render(t, m, "qdpx"))
}

func TestUUIDv5(t *testing.T) {
	// RFC 9562 appendix A.4: v5 of "www.example.com" in the DNS namespace.
	dns := [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	if got := formatUUID(uuidV5(dns, "www.example.com")); got != "2ed6657d-e927-568b-95e1-2665a8aea6a2" {
		t.Errorf("uuidV5 = %s", got)
	}
	if guid("a", "code", "SEE") == guid("a", "code", "HEAR") || guid("a", "code", "SEE") != guid("a", "code", "SEE") {
		t.Error("GUIDs are not a function of their keys")
	}
}

// Survey headers name the attribute columns: a header that a spreadsheet
// would run as a formula is defused like any cell.
func TestCSVDefusesHeader(t *testing.T) {
	for _, tt := range []struct{ attr, want string }{
		{`=HYPERLINK("http://evil.example","x")`, `'=HYPERLINK("http://evil.example","x")`},
		{"+1+1", "'+1+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tTab", "'\tTab"},
		{"Company size", "Company size"},
		{"role", "attribute: role"}, // a clash with a fixed column
	} {
		m := &Map{Info: Info{Name: "m"}, Cells: []Cell{{Category: "PAINS", Quotes: []Quote{
			{ID: "q1", Category: "PAINS", Snapshot: Snapshot{Text: "t", Attrs: map[string]string{tt.attr: "v"}}}}}}}
		rows, err := csv.NewReader(bytes.NewReader(render(t, m, "csv"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0][4]; got != tt.want {
			t.Errorf("attribute %q: header %q, want %q", tt.attr, got, tt.want)
		}
		if rows[1][4] != "v" {
			t.Errorf("attribute %q: value %q under it", tt.attr, rows[1][4])
		}
	}
}

// A case is a speaker in one document: "Participant 1" of two transcripts
// is two cases, each with its own role; the names say which is which only
// when they need to.
func TestQDPXCasesPerDocument(t *testing.T) {
	type said struct{ speaker, role, file, sha string }
	for _, tt := range []struct {
		name   string
		quotes []said
		want   map[string]string // case name → role
	}{
		{"one speaker in one document", []said{{"Priya", "cfo", "a.txt", "aaaa"}, {"Priya", "cfo", "a.txt", "aaaa"}},
			map[string]string{"Priya": "cfo"}},
		{"a label in two documents", []said{{"Participant 1", "cfo", "a.txt", "aaaa"}, {"Participant 1", "cio", "b.txt", "bbbb"}},
			map[string]string{"Participant 1 (a.txt)": "cfo", "Participant 1 (b.txt)": "cio"}},
		{"two versions of one file", []said{{"P1", "cfo", "a.txt", "aaaa1111aaaa2222"}, {"P1", "cio", "a.txt", "bbbb1111bbbb2222"}},
			map[string]string{"P1 (a.txt, aaaa1111aaaa)": "cfo", "P1 (a.txt, bbbb1111bbbb)": "cio"}},
		{"others keep their names", []said{{"P1", "cfo", "a.txt", "aaaa"}, {"P1", "cio", "b.txt", "bbbb"}, {"Ana", "ceo", "a.txt", "aaaa"}},
			map[string]string{"P1 (a.txt)": "cfo", "P1 (b.txt)": "cio", "Ana": "ceo"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var qs []Quote
			for i, s := range tt.quotes {
				qs = append(qs, Quote{ID: "q" + strconv.Itoa(i+1), Category: "SAY", PassageID: s.sha + "-" + strconv.Itoa(i), Position: i,
					Snapshot: Snapshot{Text: "words " + strconv.Itoa(i), Speaker: s.speaker, Role: s.role, Seq: i,
						Source: evident.Source{File: s.file, SHA256: s.sha}}})
			}
			m := &Map{Info: Info{Name: "m"}, Cells: arrange(qs, []Category{{Name: "SAY"}})}
			data := render(t, m, "qdpx")
			checkQDPX(t, m, data)
			if again := render(t, m, "qdpx"); !bytes.Equal(data, again) {
				t.Error("a second export of the same map differs")
			}
			var p qdeRead
			if err := xml.Unmarshal(qdpxFiles(t, data)["project.qde"], &p); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, c := range p.Cases {
				got[c.Name] = p.values(c.Values)["role"]
			}
			if len(p.Cases) != len(tt.want) || len(got) != len(tt.want) {
				t.Fatalf("cases %+v, want %v", p.Cases, tt.want)
			}
			for name, role := range tt.want {
				if r, ok := got[name]; !ok || r != role {
					t.Errorf("case %q: role %q (present %v), want %q; all: %v", name, r, ok, role, got)
				}
			}
		})
	}
}

// The HTML export draws the canvas as the web page does: the same cells
// in the same places, in the same colours (and so does the REFI-QDA
// project's code book).
func TestCanvasMatchesThePage(t *testing.T) {
	css, err := os.ReadFile(filepath.Join("..", "web", "static", "style.css"))
	if err != nil {
		t.Skipf("the web page's style sheet: %v", err)
	}
	page := string(render(t, fixture(t), "html"))
	rows := regexp.MustCompile(`"(\w+ \w+ \w+ \w+ \w+ \w+)"`)
	cells := func(s string) []string {
		var out []string
		for _, m := range rows.FindAllStringSubmatch(s, -1) {
			if !strings.Contains(m[1], "persona") {
				out = append(out, m[1])
			}
		}
		return out
	}
	if got, want := cells(page), cells(string(css)); strings.Join(got, "|") != strings.Join(want, "|") || len(want) == 0 {
		t.Errorf("the export's canvas %q, the page's %q", got, want)
	}
	for _, c := range []string{"SEE", "HEAR", "SAY", "DO", "PAINS", "GAINS"} {
		v := regexp.MustCompile(`--` + strings.ToLower(c) + `:\s*(#[0-9a-fA-F]{6})`).FindStringSubmatch(string(css))
		if v == nil {
			t.Fatalf("the page's style sheet has no --%s colour", strings.ToLower(c))
		}
		want := strings.ToLower(v[1])
		if !strings.Contains(page, ".area-"+strings.ToLower(c)+" { grid-area: "+strings.ToLower(c)+"; --accent: "+want+"; }") {
			t.Errorf("%s: the export's colour is not the page's %s", c, want)
		}
		if got := strings.ToLower(cellColor(c)); got != want {
			t.Errorf("%s: the QDPX code's colour %s, the page's %s", c, got, want)
		}
	}
}
