package engine

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
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
	rep, err := b.ImportQDA(ctx, exp.Data, ImportOptions{File: "cfo.qdpx", By: "importer"})
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
	if !slices.Contains(names, "Ravi Kumar=cfo,RK") || !slices.Contains(names, "Priya Raman=cfo") {
		t.Errorf("cases %v: want Ravi Kumar (cfo, labelled RK) and Priya Raman (cfo)", names)
	}
}
