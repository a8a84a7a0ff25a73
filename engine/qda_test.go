package engine

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/maps"
)

// dropExample copies an example file (and its sidecar) into the inbox.
func (r *running) dropExample(name string) {
	r.t.Helper()
	for _, n := range []string{name, name + evident.SidecarSuffix} {
		data, err := os.ReadFile(filepath.Join("..", "examples", n))
		if err != nil {
			if n != name {
				continue
			}
			r.t.Fatal(err)
		}
		writeFile(r.t, r.inbox(n), data)
	}
}

// passageSaying returns the passage of a document that contains words.
func (r *running) passageSaying(doc, words string) evident.Passage {
	r.t.Helper()
	s, err := r.Show(context.Background(), doc)
	if err != nil {
		r.t.Fatal(err)
	}
	for _, p := range s.Passages {
		if strings.Contains(p.Text, words) {
			return p
		}
	}
	r.t.Fatalf("%s has no passage saying %q", doc, words)
	return evident.Passage{}
}

type quoteSeen struct{ Cell, Text, Note, By, Speaker string }

func quotesOf(t *testing.T, m *maps.Map) []quoteSeen {
	t.Helper()
	var out []quoteSeen
	for _, c := range m.Cells {
		for _, q := range c.Quotes {
			out = append(out, quoteSeen{c.Category, q.Text, q.Note, q.AddedBy, q.Speaker})
		}
	}
	return out
}

// Evident → .qdpx → Evident gives the same map: the same quotes in the
// same cells, with their notes, authors and speakers, and the map's
// persona, goal and description.
func TestQDPXRoundTrip(t *testing.T) {
	ctx := context.Background()
	a := start(t, Options{})
	a.dropExample("podcast-ledger-lines.txt")
	a.dropExample("interview-cfo-northwind.txt")
	a.waitIndexed(wait, "podcast-ledger-lines.txt", "interview-cfo-northwind.txt")
	if _, err := a.CreateMap(ctx, maps.Info{Name: "cfo", Role: "cfo", Goal: "Choose a planning tool this year", Description: "Finance leads\nat logistics firms"}, "dana"); err != nil {
		t.Fatal(err)
	}
	for _, at := range []struct{ doc, words, cell, note, by string }{
		{"podcast-ledger-lines.txt", "Our auditors keep telling us", "HEAR", "board pressure", "dana"},
		{"interview-cfo-northwind.txt", "chasing spreadsheets", "PAINS", "", "lee"},
		{"podcast-ledger-lines.txt", "LinkedIn", "SEE", "peers\nmove first", "dana"},
		{"interview-cfo-northwind.txt", "rolling forecasts", "GAINS", "lead with this", "lee"},
		{"podcast-ledger-lines.txt", "Our auditors keep telling us", "PAINS", "", "dana"},
	} {
		p := a.passageSaying(at.doc, at.words)
		if _, err := a.AttachQuote(ctx, "cfo", maps.Attachment{Category: at.cell, PassageID: p.ID, Note: at.note}, at.by); err != nil {
			t.Fatalf("attach %q: %v", at.words, err)
		}
	}
	before, err := a.GetMap(ctx, "cfo")
	if err != nil {
		t.Fatal(err)
	}
	exp, err := a.ExportMap(ctx, "cfo", "qdpx", maps.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkExportedTranscript(t, exp.Data)

	b := start(t, Options{})
	rep, err := b.ImportQDA(ctx, exp.Data, api.ImportOptions{File: "cfo.qdpx", By: "importer"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Map != "cfo" || rep.Quotes != 5 || len(rep.Documents) != 2 || len(rep.Skipped) != 0 {
		t.Errorf("report %+v", rep)
	}
	after, err := b.GetMap(ctx, "cfo")
	if err != nil {
		t.Fatal(err)
	}
	if after.Info != before.Info {
		t.Errorf("map info %+v, want %+v", after.Info, before.Info)
	}
	if got, want := quotesOf(t, after), quotesOf(t, before); !reflect.DeepEqual(got, want) {
		t.Errorf("quotes after the round trip:\n%+v\nwant\n%+v", got, want)
	}
	// The podcast's guest is still Ravi Kumar, labelled RK, with his role.
	for _, d := range rep.Documents {
		if d.State != evident.Indexed {
			t.Errorf("%s: %s %s", d.File, d.State, d.Error)
		}
	}
	var q *maps.Quote
	for _, x := range after.Quotes() {
		if strings.Contains(x.Text, "auditors") {
			q = x
		}
	}
	if q == nil || !strings.Contains(q.Citation, "Ravi Kumar (RK") || q.Locator.Time != "00:01:34" {
		t.Errorf("the imported quote's citation: %+v", q)
	}
	// And the same project exported again reads the same.
	again, err := b.ExportMap(ctx, "cfo", "qdpx", maps.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkExportedTranscript(t, again.Data)
}

// checkExportedTranscript: the podcast's source is its transcript, with
// times and labels, and Ravi Kumar is a case by his full name.
func checkExportedTranscript(t *testing.T, data []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var texts, qde string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "project.qde" {
			qde = string(b)
		} else {
			texts += string(b)
		}
	}
	for _, want := range []string{"[00:01:34] RK: Our auditors keep telling us", "[00:00:41] JT: Ravi, thanks", "Priya Raman: Every month-end"} {
		if !strings.Contains(texts, want) {
			t.Errorf("the sources lack %q:\n%s", want, texts)
		}
	}
	var p struct {
		Cases []struct {
			Name   string   `xml:"name,attr"`
			Values []string `xml:"VariableValue>TextValue"`
		} `xml:"Cases>Case"`
	}
	if err := xml.Unmarshal([]byte(qde), &p); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range p.Cases {
		names = append(names, c.Name+"="+strings.Join(c.Values, ","))
	}
	// Each case carries the speaker's role, label and attributes (the
	// company read from the transcript's speaker label).
	if !slices.Contains(names, "Ravi Kumar=cfo,RK,Halden Freight") || !slices.Contains(names, "Priya Raman=cfo,Northwind Logistics") {
		t.Errorf("cases %v: want Ravi Kumar (cfo, labelled RK) and Priya Raman (cfo)", names)
	}
}

// zipProject packs a hand-written project folder of qda/testdata.
func zipProject(t *testing.T, dir string) []byte {
	t.Helper()
	root := filepath.Join("..", "qda", "testdata", dir)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, err := zw.Create(filepath.ToSlash(rel))
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
	if err != nil || zw.Close() != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A project from QualCoder: codes of cells (and codes under them) become
// quotes with their notes, other codes stay on the passages and are
// searchable, the case's role reaches the speaker, and what cannot come
// in is listed.
func TestImportQualCoderProject(t *testing.T) {
	ctx := context.Background()
	e := start(t, Options{})
	rep, err := e.ImportQDA(ctx, zipProject(t, "qualcoder"), api.ImportOptions{File: "planning.qdpx", By: "importer"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Map != "Planning interviews" || rep.Quotes != 2 || rep.Coded != 2 || len(rep.Documents) != 1 {
		t.Errorf("report %+v", rep)
	}
	if d := rep.Documents[0]; d.File != "Interview Maria - Halden.txt" || d.State != evident.Indexed || d.Selections != 4 {
		t.Errorf("document %+v", d)
	}
	for _, part := range []string{"focus group.m4a", "selections by region", `set "Finance"`} {
		if !slices.ContainsFunc(rep.Skipped, func(s string) bool { return strings.Contains(s, part) }) {
			t.Errorf("the report does not say %q was left out: %q", part, rep.Skipped)
		}
	}
	m, err := e.GetMap(ctx, "Planning interviews")
	if err != nil {
		t.Fatal(err)
	}
	got := quotesOf(t, m)
	want := []quoteSeen{
		{"HEAR", "My peers at other logistics firms keep recommending rolling forecasts.", "Word of mouth beats analysts.", "ana", "Maria Garcia"},
		{"PAINS", "Our budget spreadsheets break every quarter and reconciling them takes forever.", "Lead with this in the deck.", "ana", "Maria Garcia"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("quotes\n%+v\nwant\n%+v", got, want)
	}
	if q := m.Cell("PAINS").Quotes[0]; q.Role != "cfo" {
		t.Errorf("the case's role did not reach the speaker: %+v", q)
	}
	for _, tt := range []struct{ query, words string }{
		{"code:trust", "If one tool gave the board"},
		{`code:"slow close"`, "Our budget spreadsheets"},
		{"code:Tools budget", "Our budget spreadsheets"},
	} {
		hits := e.search(tt.query).Hits
		if len(hits) != 1 || !strings.Contains(hits[0].Text, tt.words) {
			t.Errorf("search %s: %+v", tt.query, hits)
		}
	}
	// A case's other variables become the speaker's attributes.
	if hits := e.search("company-size:200").Hits; len(hits) == 0 || hits[0].Speaker != "Maria Garcia" {
		t.Errorf("search company-size:200: %+v", hits)
	}
	p := e.passageSaying(rep.Documents[0].SHA256, "Our budget spreadsheets")
	if !slices.Equal(p.Codes, []string{"slow close", "Tools"}) {
		t.Errorf("codes %v", p.Codes)
	}
	// Imported again: the same documents, no second quotes.
	again, err := e.ImportQDA(ctx, zipProject(t, "qualcoder"), api.ImportOptions{File: "planning.qdpx"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Quotes != 0 || again.Documents[0].SHA256 != rep.Documents[0].SHA256 {
		t.Errorf("again: %+v", again)
	}
}

// A project from ATLAS.ti on Windows (UTF-16 positions, CRLF texts), with
// a code mapped to a cell by --cells.
func TestImportATLASProject(t *testing.T) {
	ctx := context.Background()
	e := start(t, Options{})
	rep, err := e.ImportQDA(ctx, zipProject(t, "atlasti"), api.ImportOptions{File: "landscape.qdpx", Map: "landscape", Cells: map[string]string{"cloud move": "DO"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.GetMap(ctx, "landscape")
	if err != nil {
		t.Fatal(err)
	}
	got := quotesOf(t, m)
	want := []quoteSeen{
		{"SEE", "Our competitors moved their planning to the cloud last year.", "Everyone is going to the cloud.", "Tomasz", "Tom Nowak"},
		{"DO", "Our competitors moved their planning to the cloud last year.", "Everyone is going to the cloud.", "Tomasz", "Tom Nowak"},
		{"PAINS", "Closing the books still takes us nine days, which is painful.", "", "Tomasz", "Tom Nowak"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("quotes\n%+v\nwant\n%+v\nreport %+v", got, want, rep)
	}
	if d, _ := e.Show(ctx, rep.Documents[0].SHA256); d == nil || d.Document.Kind != evident.Interview {
		t.Errorf("the source's kind variable: %+v", d)
	}
	if _, err := e.ImportQDA(ctx, zipProject(t, "atlasti"), api.ImportOptions{Cells: map[string]string{"x": "THINK"}}); !errors.Is(err, maps.ErrInvalid) {
		t.Errorf("a cell that is not one: %v", err)
	}
	if _, err := e.ImportQDA(ctx, []byte(`{"name": "a map"}`), api.ImportOptions{}); !errors.Is(err, maps.ErrInvalid) {
		t.Errorf("a JSON map as a project: %v", err)
	}
}
