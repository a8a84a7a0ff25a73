package qda

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// zipDir packs a hand-written project folder as a .qdpx.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: filepath.ToSlash(rel), Method: zip.Deflate, Modified: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func read(t *testing.T, dir string) *Project {
	t.Helper()
	p, err := ReadFile(zipDir(t, filepath.Join("testdata", dir)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func has(list []string, part string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, part) })
}

// A project in the shape QualCoder writes: nested codes, internal text,
// memos, cases with variables, sets, and media it cannot read.
func TestQualCoderProject(t *testing.T) {
	p := read(t, "qualcoder")
	if p.Name != "Planning interviews" || p.Origin != "QualCoder 3.5" || len(p.Sources) != 1 {
		t.Fatalf("project %+v", p)
	}
	s := p.Sources[0]
	if s.Name != "Interview Maria / Halden" || !strings.HasPrefix(s.Text, "Interviewer: Thanks") {
		t.Errorf("source %q: %.40q", s.Name, s.Text)
	}
	want := []struct{ text, code, path, note string }{
		{"Our budget spreadsheets break every quarter and reconciling them takes forever.", "slow close", "PAINS/slow close", "Lead with this in the deck."},
		{"My peers at other logistics firms keep recommending rolling forecasts.", "HEAR", "HEAR", ""},
		{"If one tool gave the board a number they trust, I would sign this year.", "Trust", "Trust", ""},
		{"budget spreadsheets", "Tools", "Topics/Tools", ""},
	}
	if len(s.Selections) != len(want) {
		t.Fatalf("%d selections, want %d", len(s.Selections), len(want))
	}
	for i, w := range want {
		sel := s.Selections[i]
		if sel.Text != w.text || len(sel.Codes) != 1 || sel.Codes[0].Name != w.code || strings.Join(sel.Codes[0].Path(), "/") != w.path {
			t.Errorf("selection %d: %q coded %v", i, sel.Text, sel.Codes)
		}
		if w.note != "" && !slices.Contains(sel.Notes, w.note) {
			t.Errorf("selection %d: notes %v, want %q", i, sel.Notes, w.note)
		}
		if sel.User != "ana" || sel.Created.IsZero() {
			t.Errorf("selection %d: by %q at %v", i, sel.User, sel.Created)
		}
	}
	if s.Selections[1].Description != "Word of mouth beats analysts." {
		t.Errorf("description %q", s.Selections[1].Description)
	}
	if len(p.Cases) != 1 || p.Cases[0].Name != "Maria Garcia" || p.Cases[0].Variables["role"] != "CFO" || p.Cases[0].Variables["Company size"] != "200" {
		t.Errorf("cases %+v", p.Cases)
	}
	if len(p.Sets) != 1 || p.Sets[0].Name != "Finance" || !slices.Equal(p.Sets[0].Codes, []string{"PAINS"}) {
		t.Errorf("sets %+v", p.Sets)
	}
	for _, part := range []string{`PDF source "Board deck.pdf": 1 selections by region`, `PDF source "Board deck.pdf": no text representation`, `audio source "focus group.m4a" with 1 selections`} {
		if !has(p.Skipped, part) {
			t.Errorf("skipped %q lacks %q", p.Skipped, part)
		}
	}
}

// A project in the shape ATLAS.ti writes on Windows: CRLF texts whose
// positions count UTF-16 units (an emoji is two).
func TestATLASProject(t *testing.T) {
	p := read(t, "atlasti")
	s := p.Sources[0]
	if strings.Contains(s.Text, "\r") {
		t.Errorf("the text keeps CRs: %q", s.Text)
	}
	got := []string{s.Selections[0].Text, s.Selections[1].Text}
	want := []string{"Our competitors moved their planning to the cloud last year.", "Closing the books still takes us nine days, which is painful."}
	if !slices.Equal(got, want) {
		t.Errorf("selections %q, want %q", got, want)
	}
	if c := s.Selections[0].Codes; len(c) != 2 || c[0].Parent == nil || c[0].Parent.Name != "SEE" {
		t.Errorf("codes %+v", c)
	}
	if s.Variables["kind"] != "interview" {
		t.Errorf("source variables %v", s.Variables)
	}
	// Read as code points, the same positions miss by the emoji and the CRs.
	cp, err := ReadFile(zipDir(t, filepath.Join("testdata", "atlasti")), Options{Units: CodePoints})
	if err != nil {
		t.Fatal(err)
	}
	if cp.Sources[0].Selections[0].Text == want[0] {
		t.Error("code points and UTF-16 units read the same")
	}
}

func TestNotAProject(t *testing.T) {
	for _, data := range [][]byte{
		[]byte(`{"name": "a map"}`),
		[]byte("PK\x03\x04 broken"),
		zipOf(t, map[string]string{"readme.txt": "hi"}),
		[]byte(`<?xml version="1.0"?><Other/>`),
	} {
		if _, err := ReadFile(data, Options{}); err == nil {
			t.Errorf("%.30q: no error", data)
		}
	}
	// A selection beyond its text is listed, not fatal.
	p, err := ReadFile(zipOf(t, map[string]string{
		"project.qde": `<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="a" name="s" plainTextPath="internal://a.txt">` +
			`<PlainTextSelection guid="b" name="far" startPosition="5" endPosition="500"/></TextSource></Sources></Project>`,
		"sources/a.txt": "short",
	}), Options{})
	if err != nil || len(p.Sources) != 1 || !has(p.Skipped, "outside its text") {
		t.Errorf("%+v %v", p, err)
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return b.Bytes()
}

// FuzzReadFile: any bytes are read or refused without a panic, and every
// selection read is the stretch of its source's text it says.
func FuzzReadFile(f *testing.F) {
	for _, dir := range []string{"qualcoder", "atlasti"} {
		f.Add(zipDir(f, filepath.Join("testdata", dir)))
		qde, err := os.ReadFile(filepath.Join("testdata", dir, "project.qde"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(qde)
	}
	if golden, err := os.ReadFile(filepath.Join("..", "maps", "testdata", "golden", "project.qde")); err == nil {
		f.Add(golden)
	}
	f.Add([]byte(`<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources><TextSource guid="a"><PlainTextContent>a😀b` + "\r\n" + `c</PlainTextContent><PlainTextSelection guid="b" startPosition="1" endPosition="4"/></TextSource></Sources></Project>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, u := range []Units{Auto, UTF16} {
			p, err := ReadFile(data, Options{Units: u})
			if err != nil {
				continue
			}
			for _, s := range p.Sources {
				for _, sel := range s.Selections {
					if sel.Start < 0 || sel.End < sel.Start || sel.End > len(s.Text) || sel.Text != s.Text[sel.Start:sel.End] {
						t.Fatalf("selection %+v outside or unlike its text of %d bytes", sel, len(s.Text))
					}
				}
			}
		}
	})
}
