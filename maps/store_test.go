package maps

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/store"
)

var defaultCells = []Category{
	{"SEE", "What do they see?"}, {"HEAR", "What do they hear?"}, {"SAY", "What do they say?"},
	{"DO", "What do they do?"}, {"PAINS", "What hurts?"}, {"GAINS", "What do they want?"},
}

// testbed is a real SQLite store with a maps store on it, and a clock
// that moves one second per reading.
type testbed struct {
	t     testing.TB
	st    *store.Store
	maps  *Store
	clock time.Time
}

func newTestbed(t testing.TB) *testbed {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "evident.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tb := &testbed{t: t, st: st, clock: time.Date(2026, 10, 15, 9, 0, 0, 0, time.UTC)}
	tb.maps, err = Open(context.Background(), st.DB(), Config{Sources: st, Categories: defaultCells, Roles: roles.Default(),
		Now: func() time.Time { tb.clock = tb.clock.Add(time.Second); return tb.clock }})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// ingest stores a document at origin with one passage per paragraph, as
// the pipeline would: Register, then Save. Passages are tagged with the
// categories given for them ("PAINS" for the paragraph at that index).
func (tb *testbed) ingest(origin string, paragraphs []string, tags map[int][]string) *evident.Document {
	tb.t.Helper()
	ctx := context.Background()
	body := strings.Join(paragraphs, "\n\n")
	sum := sha256.Sum256([]byte(body))
	sha := hex.EncodeToString(sum[:])
	_, doc, err := tb.st.Register(ctx, store.Submission{Origin: origin, File: filepath.Base(origin), SHA256: sha, Size: int64(len(body))})
	if err != nil {
		tb.t.Fatal(err)
	}
	doc.Title, doc.Kind = "Interview "+filepath.Base(origin), evident.Interview
	var ps []evident.Passage
	for i, text := range paragraphs {
		p := evident.Passage{ID: evident.PassageID(sha, i), Seq: i, Text: text, Speaker: "Priya Raman", Role: "cfo",
			Locator: evident.Locator{Paragraph: i + 1}, Categories: tags[i]}
		for _, c := range tags[i] {
			p.Tags = append(p.Tags, evident.Match{Category: c, Rule: strings.ToLower(c) + ".test", Text: strings.Fields(text)[0], Weight: 1})
		}
		ps = append(ps, p)
	}
	if _, err := tb.st.Save(ctx, doc, nil, ps); err != nil {
		tb.t.Fatal(err)
	}
	return doc
}

func (tb *testbed) get(name string) *Map {
	tb.t.Helper()
	m, err := tb.maps.Get(context.Background(), name)
	if err != nil {
		tb.t.Fatal(err)
	}
	return m
}

// cells shows a map's quotes as "PAINS: q1 q2 | GAINS: q3", with notes.
func cells(m *Map) string {
	var parts []string
	for _, c := range m.Cells {
		if len(c.Quotes) == 0 {
			continue
		}
		var ids []string
		for i, q := range c.Quotes {
			id := q.ID
			if q.Note != "" {
				id += "(" + q.Note + ")"
			}
			if q.Position != i {
				id += "!pos"
			}
			ids = append(ids, id)
		}
		parts = append(parts, c.Category+": "+strings.Join(ids, " "))
	}
	return strings.Join(parts, " | ")
}

func (tb *testbed) attach(name, cat, pid, note string) *Quote {
	tb.t.Helper()
	q, err := tb.maps.Attach(context.Background(), name, Attachment{Category: cat, PassageID: pid, Note: note}, "alice")
	if err != nil {
		tb.t.Fatalf("attach %s to %s: %v", pid, cat, err)
	}
	return q
}

func ptr[T any](v T) *T { return &v }

// Every change is undone in turn, back to the empty map; each undo gives
// back exactly the map as it was before the change.
func TestAttachDetachUndoRoundTrip(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/cfo.txt", []string{"Reconciling takes forever.", "I want one place for spend.", "We use NetSuite.",
		"Closing the books is slow."}, map[int][]string{0: {"PAINS"}, 1: {"GAINS"}, 2: {"DO"}, 3: {"PAINS", "GAINS"}})
	p := func(i int) string { return evident.PassageID(doc.SHA256, i) }

	m, err := tb.maps.Create(ctx, Info{Name: "CFO", Role: "CFOs", Goal: "Adopt rolling forecasts"}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != "cfo" || len(m.Cells) != 6 || m.Cells[4].Category != "PAINS" || m.Cells[4].Question != "What hurts?" {
		t.Fatalf("new map: role %q, cells %+v", m.Role, m.Cells)
	}
	states := []string{cells(m)}
	step := func(what string, fn func() error) {
		t.Helper()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		states = append(states, cells(tb.get("cfo"))) // names fold case
	}
	q1 := tb.attach("CFO", "pains", p(0), "")
	states = append(states, cells(tb.get("CFO")))
	if q1.ID != "q1" || q1.Status != Current || q1.Rule != `pains.test ("Reconciling")` || q1.Citation == "" || q1.Source.SHA256 != doc.SHA256 {
		t.Errorf("attached quote: %+v", q1)
	}
	step("attach q2", func() error {
		_, err := tb.maps.Attach(ctx, "CFO", Attachment{Category: "PAINS", PassageID: p(2)}, "bob")
		return err
	})
	step("attach q3", func() error {
		_, err := tb.maps.Attach(ctx, "CFO", Attachment{Category: "GAINS", PassageID: p(3)}, "bob")
		return err
	})
	step("attach q4 first", func() error {
		_, err := tb.maps.Attach(ctx, "CFO", Attachment{Category: "PAINS", PassageID: p(1), Position: ptr(0)}, "bob")
		return err
	})
	step("note q2", func() error {
		_, err := tb.maps.Update(ctx, "CFO", "q2", QuoteUpdate{Note: ptr("weak")}, "bob")
		return err
	})
	step("move q3", func() error {
		_, err := tb.maps.Update(ctx, "CFO", "q3", QuoteUpdate{Category: ptr("pains"), Position: ptr(1)}, "bob")
		return err
	})
	step("reorder q2", func() error {
		_, err := tb.maps.Update(ctx, "CFO", "q2", QuoteUpdate{Position: ptr(0)}, "bob")
		return err
	})
	step("note and move q1", func() error {
		_, err := tb.maps.Update(ctx, "CFO", "q1", QuoteUpdate{Note: ptr("key"), Category: ptr("SAY")}, "bob")
		return err
	})
	step("detach q4", func() error { _, err := tb.maps.Detach(ctx, "CFO", "q4", "bob"); return err })
	step("edit", func() error {
		_, err := tb.maps.Edit(ctx, "CFO", Edit{Goal: ptr("Champion forecasts")}, "bob")
		return err
	})

	want := []string{
		"",
		"PAINS: q1",
		"PAINS: q1 q2",
		"PAINS: q1 q2 | GAINS: q3",
		"PAINS: q4 q1 q2 | GAINS: q3",
		"PAINS: q4 q1 q2(weak)",
		"PAINS: q4 q3 q1 q2(weak)",
		"PAINS: q2(weak) q4 q3 q1",
		"SAY: q1(key) | PAINS: q2(weak) q4 q3",
		"SAY: q1(key) | PAINS: q2(weak) q3",
		"SAY: q1(key) | PAINS: q2(weak) q3",
	}
	want[5] += " | GAINS: q3"
	for i := range want {
		if i >= len(states) || states[i] != want[i] {
			t.Fatalf("after step %d: %q, want %q (all: %q)", i, states[min(i, len(states)-1)], want[i], states)
		}
	}
	if g := tb.get("CFO").Goal; g != "Champion forecasts" {
		t.Errorf("goal %q", g)
	}
	// Undo everything, newest first: each undo restores the state before.
	for i := len(states) - 1; i > 0; i-- {
		u, err := tb.maps.Undo(ctx, "cfo", "carol")
		if err != nil {
			t.Fatalf("undo %d: %v", i, err)
		}
		if got := cells(u.Map); got != states[i-1] {
			t.Fatalf("undo of %q: %q, want %q", u.Undone.Summary, got, states[i-1])
		}
	}
	if g := tb.get("CFO").Goal; g != "Adopt rolling forecasts" {
		t.Errorf("goal after undoing the edit: %q", g)
	}
	if _, err := tb.maps.Undo(ctx, "CFO", "carol"); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "no change left to undo") {
		t.Errorf("undo past the creation: %v", err)
	}
	// A new change after undos: ids are never reused.
	if q := tb.attach("CFO", "DO", p(2), ""); q.ID != "q5" {
		t.Errorf("next quote id %s, want q5", q.ID)
	}

	hist, err := tb.maps.History(ctx, "CFO")
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, c := range hist {
		ops = append(ops, c.Op)
	}
	if got := strings.Join(ops, " "); got != "create attach attach attach attach note move move update detach edit "+
		strings.TrimSpace(strings.Repeat("undo ", 10))+" attach" {
		t.Errorf("history ops: %s", got)
	}
	if hist[1].By != "alice" || hist[2].By != "bob" || hist[11].By != "carol" || hist[11].Undoes != hist[10].Seq {
		t.Errorf("history: %+v", hist[:12])
	}
	if !strings.Contains(hist[6].Summary, "moved q3 from GAINS #1 to PAINS #2") {
		t.Errorf("summary of the move: %q", hist[6].Summary)
	}
	// The history cannot be rewritten.
	if _, err := tb.st.DB().Exec(`UPDATE map_history SET by = 'mallory'`); err == nil {
		t.Error("the history accepted an UPDATE")
	}
	if _, err := tb.st.DB().Exec(`DELETE FROM map_history`); err == nil {
		t.Error("the history accepted a DELETE")
	}
}

func TestMistakesGetClearErrors(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/a.txt", []string{"Budgets are frustrating.", "We need speed."}, nil)
	pid := evident.PassageID(doc.SHA256, 0)
	if _, err := tb.maps.Create(ctx, Info{Name: "cfo"}, "alice"); err != nil {
		t.Fatal(err)
	}
	tb.attach("cfo", "PAINS", pid, "")
	tb.attach("cfo", "GAINS", pid, "")
	for _, c := range []struct {
		what string
		err  error
		kind error
		want string
	}{
		{"create twice", func() error { _, err := tb.maps.Create(ctx, Info{Name: "CFO"}, ""); return err }(), ErrConflict, `a map called "CFO" already exists`},
		{"empty name", func() error { _, err := tb.maps.Create(ctx, Info{Name: " "}, ""); return err }(), ErrInvalid, "needs a name"},
		{"slash", func() error { _, err := tb.maps.Create(ctx, Info{Name: "a/b"}, ""); return err }(), ErrInvalid, "slash"},
		{"dash", func() error { _, err := tb.maps.Create(ctx, Info{Name: "-x"}, ""); return err }(), ErrInvalid, "dash"},
		{"no map", func() error { _, err := tb.maps.Get(ctx, "ceo"); return err }(), ErrNotFound, `no map is called "ceo"`},
		{"bad category", func() error {
			_, err := tb.maps.Attach(ctx, "cfo", Attachment{Category: "FEEL", PassageID: pid}, "")
			return err
		}(), ErrInvalid, `category "FEEL" is not in the rules; use one of SEE, HEAR, SAY, DO, PAINS, GAINS`},
		{"bad passage", func() error {
			_, err := tb.maps.Attach(ctx, "cfo", Attachment{Category: "SEE", PassageID: "nope-1"}, "")
			return err
		}(), ErrNotFound, `no passage has the id "nope-1"`},
		{"twice in a cell", func() error {
			_, err := tb.maps.Attach(ctx, "cfo", Attachment{Category: "pains", PassageID: pid}, "")
			return err
		}(), ErrConflict, "is already in PAINS of map \"cfo\" as q1"},
		{"ambiguous detach", func() error { _, err := tb.maps.Detach(ctx, "cfo", pid, ""); return err }(), ErrConflict, "PAINS as q1, GAINS as q2"},
		{"unknown quote", func() error { _, err := tb.maps.Detach(ctx, "cfo", "q9", ""); return err }(), ErrNotFound, `map "cfo" has no quote q9`},
		{"empty update", func() error { _, err := tb.maps.Update(ctx, "cfo", "q1", QuoteUpdate{}, ""); return err }(), ErrInvalid, "nothing to change"},
		{"negative position", func() error {
			_, err := tb.maps.Update(ctx, "cfo", "q1", QuoteUpdate{Position: ptr(-1)}, "")
			return err
		}(), ErrInvalid, "negative"},
		{"long note", func() error {
			_, err := tb.maps.Update(ctx, "cfo", "q1", QuoteUpdate{Note: ptr(strings.Repeat("x", maxText+1))}, "")
			return err
		}(), ErrInvalid, "the note is 10001 characters long"},
	} {
		if c.err == nil || !errors.Is(c.err, c.kind) || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: %v, want a %v error saying %q", c.what, c.err, c.kind, c.want)
		}
	}
	// Detach by passage id when the passage is on the map once.
	if _, err := tb.maps.Detach(ctx, "cfo", "q2", ""); err != nil {
		t.Fatal(err)
	}
	if q, err := tb.maps.Detach(ctx, "cfo", pid, ""); err != nil || q.ID != "q1" {
		t.Errorf("detach by passage id: %v, %v", q, err)
	}
}

// Re-ingesting a source with other text, and deleting one, leaves the map
// as it was; the quotes say their source changed or went.
func TestSourcesChangeAndGo(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	a := tb.ingest("inbox/a.txt", []string{"Reconciling the two takes forever.", "I want one place."}, nil)
	b := tb.ingest("inbox/b.txt", []string{"The board wants a forecast they can trust."}, nil)
	c := tb.ingest("inbox/c.txt", []string{"We use Excel for everything."}, nil)
	tb.maps.Create(ctx, Info{Name: "cfo"}, "")
	tb.attach("cfo", "PAINS", evident.PassageID(a.SHA256, 0), "")
	tb.attach("cfo", "GAINS", evident.PassageID(a.SHA256, 1), "")
	tb.attach("cfo", "HEAR", evident.PassageID(b.SHA256, 0), "")
	tb.attach("cfo", "DO", evident.PassageID(c.SHA256, 0), "")
	before := tb.get("cfo")
	for _, q := range before.Quotes() {
		if q.Status != Current {
			t.Fatalf("%s: %s before anything happened", q.ID, q.Status)
		}
	}

	// a.txt saved with new text: new bytes, same origin, new passage ids.
	a2 := tb.ingest("inbox/a.txt", []string{"Reconciling is quick now.", "I want one place."}, nil)
	if a2.ID != a.ID || a2.SHA256 == a.SHA256 {
		t.Fatalf("re-ingest made another document: %+v", a2)
	}
	// b.txt deleted.
	if _, err := tb.st.Delete(ctx, b.SHA256); err != nil {
		t.Fatal(err)
	}
	// c.txt: the same bytes extracted again with other text (a new
	// extractor, say): the passage id stays, its text differs.
	cp := evident.Passage{ID: evident.PassageID(c.SHA256, 0), Text: "We use Excel for almost everything.", Categories: []string{"DO"}}
	if _, err := tb.st.Save(ctx, c, nil, []evident.Passage{cp}); err != nil {
		t.Fatal(err)
	}

	after := tb.get("cfo")
	status := map[string]Status{}
	for _, q := range after.Quotes() {
		status[q.Category] = q.Status
	}
	if status["PAINS"] != Changed || status["GAINS"] != Changed || status["HEAR"] != Gone || status["DO"] != Changed {
		t.Errorf("statuses %v, want PAINS, GAINS and DO changed, HEAR gone", status)
	}
	// Nothing else moved: texts, citations and places are the snapshot's.
	for i, q := range after.Quotes() {
		b := before.Quotes()[i]
		q.Status, b.Status = "", ""
		if q.Text != b.Text || q.Citation != b.Citation || !reflect.DeepEqual(q.Source, b.Source) || q.Position != b.Position || q.ID != b.ID {
			t.Errorf("%s changed with its source:\n before %+v\n after  %+v", q.ID, b, q)
		}
	}
	// Exports still carry every quote, the gone one included.
	exp, err := tb.maps.Export(ctx, "cfo", "qdpx", ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkQDPX(t, after, exp.Data)
}

// A JSON export imported again gives an equal map; names clash clearly.
func TestImportGivesAnEqualMap(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/a.txt", []string{"Reconciling takes forever.", "I want one place.", "We use NetSuite."},
		map[int][]string{0: {"PAINS"}})
	tb.maps.Create(ctx, Info{Name: "CFO map", Role: "cfo", Goal: "g", Description: "d\nmore"}, "")
	tb.attach("CFO map", "PAINS", evident.PassageID(doc.SHA256, 0), "a note, with \"quotes\"")
	tb.attach("CFO map", "GAINS", evident.PassageID(doc.SHA256, 1), "")
	tb.attach("CFO map", "PAINS", evident.PassageID(doc.SHA256, 2), "")
	tb.maps.Detach(ctx, "CFO map", "q2", "")
	// Header, themes, needs and assumptions come along.
	for _, err := range []error{
		errOf(tb.maps.Edit(ctx, "CFO map", Edit{Title: ptr("Controller"), Situation: ptr("Month-end"), Priority: ptr("Speed")}, "")),
		errOf(tb.maps.ChangeThemes(ctx, "CFO map", ThemeChange{Op: ThemeAdd, Cell: "PAINS", Name: "Slow", Quotes: []string{"q3", "q1"}}, "")),
		errOf(tb.maps.ChangeNeeds(ctx, "CFO map", NeedChange{Op: NeedAdd, Text: "Speed", Evidence: []string{"q1", "q3"}}, "")),
		errOf(tb.maps.ChangeAssumptions(ctx, "CFO map", AssumptionChange{Op: AssumeAdd, Cell: "HEAR", Text: "They hear it from auditors"}, "")),
		errOf(tb.maps.ChangeAssumptions(ctx, "CFO map", AssumptionChange{Op: AssumeContradict, Assumption: "a1", Quotes: []string{"q3"}}, "")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	exported, err := tb.maps.Export(ctx, "CFO map", "json", ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if exported.Filename != "CFO-map.json" || !strings.HasPrefix(exported.ContentType, "application/json") {
		t.Errorf("export %q, %q", exported.Filename, exported.ContentType)
	}
	m, err := ParseJSON(exported.Data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tb.maps.Import(ctx, m, "", "bob"); !errors.Is(err, ErrConflict) {
		t.Errorf("import over an existing map: %v", err)
	}
	if err := tb.maps.Delete(ctx, "CFO map", "alice"); err != nil {
		t.Fatal(err)
	}
	m, _ = ParseJSON(exported.Data)
	if _, err := tb.maps.Import(ctx, m, "", "bob"); err != nil {
		t.Fatal(err)
	}
	again, err := tb.maps.Export(ctx, "CFO map", "json", ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(exported.Data, again.Data) {
		t.Errorf("the imported map differs from the exported one:\n%s", firstDiff(string(exported.Data), string(again.Data)))
	}
	if q := tb.attach("CFO map", "DO", evident.PassageID(doc.SHA256, 2), ""); q.ID != "q4" {
		t.Errorf("first quote after the import is %s, want q4", q.ID)
	}
	if m, err := tb.maps.ChangeNeeds(ctx, "CFO map", NeedChange{Op: NeedAdd, Text: "More", Evidence: []string{"q4"}}, ""); err != nil || m.Needs[1].ID != "n2" {
		t.Errorf("first need after the import: %v, %+v", err, m)
	}
	// Under another name, next to the first.
	m, _ = ParseJSON(exported.Data)
	copied, err := tb.maps.Import(ctx, m, "CFO copy", "bob")
	if err != nil || copied.QuoteCount() != 2 {
		t.Fatalf("import under another name: %v", err)
	}
	list, err := tb.maps.List(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "CFO copy" || list[1].Quotes != 3 {
		t.Errorf("list: %+v, %v", list, err)
	}
	if _, err := tb.maps.Undo(ctx, "CFO copy", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("undo of an import: %v", err)
	}
	// The delete is in the history, with the whole map.
	var detail string
	if err := tb.st.DB().QueryRow(`SELECT detail FROM map_history WHERE op = 'delete'`).Scan(&detail); err != nil || !strings.Contains(detail, "a note, with") {
		t.Errorf("delete record: %v %s", err, detail)
	}
}

func TestImportChecksQuotes(t *testing.T) {
	tb := newTestbed(t)
	for _, c := range []struct{ json, want string }{
		{`{"name": "x", "cells": [{"category": "", "quotes": []}]}`, "cell 1 of the map has no category"},
		{`{"name": "x", "cells": [{"category": "PAINS", "quotes": [{"passage_id": "a-1", "text": " "}]}]}`, "quote 1 of cell PAINS has no text"},
		{`{"name": "x", "cells": [{"category": "PAINS", "quotes": [{"text": "t"}]}]}`, "has no passage_id"},
		{`{"name": "x", "cells": [{"category": "PAINS", "quotes": [{"category": "SEE", "passage_id": "a-1", "text": "t"}]}]}`, "belongs to SEE"},
		{`{"name": "", "cells": []}`, "needs a name"},
	} {
		m, err := ParseJSON([]byte(c.json))
		if err == nil {
			_, err = tb.maps.Import(context.Background(), m, "", "")
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("import %s: %v, want %q", c.json, err, c.want)
		}
	}
	// Duplicate or odd quote ids are numbered anew; a category outside
	// the rules is kept, after the rules' cells.
	m, _ := ParseJSON([]byte(`{"name": "y", "cells": [{"category": "think", "quotes": [
		{"id": "q7", "passage_id": "a-1", "text": "one"}, {"id": "q7", "passage_id": "a-2", "text": "two"},
		{"id": "x", "passage_id": "a-3", "text": "three"}]}]}`))
	got, err := tb.maps.Import(context.Background(), m, "", "")
	if err != nil {
		t.Fatal(err)
	}
	last := got.Cells[len(got.Cells)-1]
	if len(got.Cells) != 7 || last.Category != "THINK" || len(last.Quotes) != 3 ||
		last.Quotes[0].ID != "q7" || last.Quotes[1].ID != "q8" || last.Quotes[2].ID != "q9" || last.Quotes[2].Status != Gone {
		t.Errorf("imported cells: %+v", got.Cells)
	}
}

func TestCheckName(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{".", "would read as a folder in a web address"},
		{"..", "would read as a folder in a web address"},
		{"", "needs a name"},
		{"a/b", "slash"},
		{"-x", "dash"},
		{"a\x1bb", "control character"},
		{"...", ""},
		{".cfo", ""},
		{"cfo v1.2", ""},
	} {
		err := CheckName(tt.name)
		if tt.want == "" {
			if err != nil {
				t.Errorf("CheckName(%q) = %v, want nil", tt.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckName(%q) = %v, want an invalid-input error saying %q", tt.name, err, tt.want)
		}
	}
	// Every way in checks it: create and import.
	tb := newTestbed(t)
	if _, err := tb.maps.Create(context.Background(), Info{Name: ".."}, ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("create \"..\": %v", err)
	}
	m, _ := ParseJSON([]byte(`{"name": ".", "cells": []}`))
	if _, err := tb.maps.Import(context.Background(), m, "", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("import \".\": %v", err)
	}
}

// Control characters other than line breaks and tabs are refused wherever
// text comes in, with the field named; line breaks a browser sends (CR LF)
// are kept as LF.
func TestControlCharacters(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/a.txt", []string{"Budgets are frustrating."}, nil)
	pid := evident.PassageID(doc.SHA256, 0)
	if _, err := tb.maps.Create(ctx, Info{Name: "cfo", Description: "line one\r\nline two\ttabbed"}, ""); err != nil {
		t.Fatal(err)
	}
	if d := tb.get("cfo").Description; d != "line one\nline two\ttabbed" {
		t.Errorf("description kept as %q", d)
	}
	q := tb.attach("cfo", "PAINS", pid, "a\r\nb")
	if q.Note != "a\nb" {
		t.Errorf("note kept as %q", q.Note)
	}
	quote := func(field, value string) string {
		b, _ := json.Marshal(value)
		return `{"name": "x", "cells": [{"category": "PAINS", "quotes": [{"passage_id": "a-1", "text": "t", "` + field + `": ` + string(b) + `}]}]}`
	}
	for _, tt := range []struct {
		what string
		err  func() error
		want string
	}{
		{"create", func() error {
			_, err := tb.maps.Create(ctx, Info{Name: "x", Description: "\x1b[2J"}, "")
			return err
		}, "the description contains a control character (U+001B)"},
		{"edit", func() error { _, err := tb.maps.Edit(ctx, "cfo", Edit{Goal: ptr("a\x07b")}, ""); return err }, "the goal contains a control character (U+0007)"},
		{"role", func() error { _, err := tb.maps.Edit(ctx, "cfo", Edit{Role: ptr("c\x00fo")}, ""); return err }, "the role contains a control character"},
		{"attach", func() error {
			_, err := tb.maps.Attach(ctx, "cfo", Attachment{Category: "GAINS", PassageID: pid, Note: "\u009b2J"}, "")
			return err
		}, "the note contains a control character (U+009B)"},
		{"note", func() error {
			_, err := tb.maps.Update(ctx, "cfo", "q1", QuoteUpdate{Note: ptr("\x1b]0;x\x07")}, "")
			return err
		}, "the note contains a control character"},
		{"imported description", func() error { return importJSON(tb, `{"name": "x", "description": "\u001b[2J", "cells": []}`) },
			"the description contains a control character (U+001B)"},
		{"imported citation", func() error { return importJSON(tb, quote("citation", "\x1b[2J")) },
			"the citation of quote 1 of cell PAINS contains a control character"},
		{"imported added_by", func() error { return importJSON(tb, quote("added_by", "eve\x1b[8m")) },
			"the added_by of quote 1 of cell PAINS contains a control character"},
		{"imported text", func() error { return importJSON(tb, quote("text", "t\x1b[2J")) },
			"the text of quote 1 of cell PAINS contains a control character"},
		{"imported note", func() error { return importJSON(tb, quote("note", "\x1b[2J")) },
			"the note of quote 1 of cell PAINS contains a control character"},
		{"imported speaker", func() error { return importJSON(tb, quote("speaker", "\r")) },
			"the speaker of quote 1 of cell PAINS contains a control character (U+000D)"},
		{"imported attribute", func() error {
			return importJSON(tb, `{"name": "x", "cells": [{"category": "PAINS", "quotes": [{"passage_id": "a-1", "text": "t", "attrs": {"Size": "\u001b[2J"}}]}]}`)
		}, `the attribute "Size" of quote 1 of cell PAINS contains a control character`},
		{"imported source", func() error {
			return importJSON(tb, `{"name": "x", "cells": [{"category": "PAINS", "quotes": [{"passage_id": "a-1", "text": "t", "source": {"title": "\u001b[2J"}}]}]}`)
		}, "the source title of quote 1 of cell PAINS contains a control character"},
		{"imported category", func() error {
			return importJSON(tb, `{"name": "x", "cells": [{"category": "PA\u001bINS", "quotes": []}]}`)
		},
			"the category of cell 1 contains a control character"},
	} {
		err := tt.err()
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an invalid-input error saying %q", tt.what, err, tt.want)
		}
	}
	if _, err := tb.maps.Get(ctx, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused map was stored: %v", err)
	}
}

func importJSON(tb *testbed, doc string) error {
	m, err := ParseJSON([]byte(doc))
	if err != nil {
		return err
	}
	_, err = tb.maps.Import(context.Background(), m, "", "")
	return err
}

// Quote ids from a file are kept up to a sane number; larger ones are
// numbered anew, so that the next id never overflows.
func TestImportQuoteIDs(t *testing.T) {
	tb := newTestbed(t)
	doc := tb.ingest("inbox/a.txt", []string{"Budgets are frustrating."}, nil)
	for _, tt := range []struct {
		name string
		ids  []string
		want []string
		next string
	}{
		{"kept", []string{"q3", "q1"}, []string{"q3", "q1"}, "q4"},
		{"largest int", []string{"q9223372036854775807", "q2"}, []string{"q3", "q2"}, "q4"},
		{"past the largest int", []string{"q92233720368547758070"}, []string{"q1"}, "q2"},
		{"at the limit", []string{"q1000000000"}, []string{"q1000000000"}, "q1000000001"},
		{"over the limit", []string{"q1000000001", "q5"}, []string{"q6", "q5"}, "q7"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var qs []string
			for i, id := range tt.ids {
				qs = append(qs, `{"id": "`+id+`", "passage_id": "gone-`+strconv.Itoa(i)+`", "text": "t"}`)
			}
			if err := importJSON(tb, `{"name": "`+tt.name+`", "cells": [{"category": "SAY", "quotes": [`+strings.Join(qs, ",")+`]}]}`); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, q := range tb.get(tt.name).Quotes() {
				got = append(got, q.ID)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("ids %v, want %v", got, tt.want)
			}
			if q := tb.attach(tt.name, "DO", evident.PassageID(doc.SHA256, 0), ""); q.ID != tt.next {
				t.Errorf("next quote %s, want %s", q.ID, tt.next)
			}
		})
	}
}

// A passage is in a cell once, however it gets there: attach, import,
// a move to another cell, or an undo. Otherwise detaching it by passage
// id could not tell the two quotes apart.
func TestOnePassageOncePerCell(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/a.txt", []string{"Budgets are frustrating.", "We need speed."}, nil)
	pid := evident.PassageID(doc.SHA256, 0)
	db := tb.st.DB()
	// sneak moves a quote to another cell behind the store's back, as a
	// version without this rule could have left the database.
	sneak := func(name, id, category string) {
		t.Helper()
		if _, err := db.Exec(`UPDATE map_quotes SET category = ?, position = 99 WHERE id = ? AND map_id = (SELECT id FROM maps WHERE name = ?)`,
			category, id, name); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name  string
		setup func(t *testing.T, name string) error // the step that must be refused
		kind  error
		want  string
	}{
		{"attach", func(t *testing.T, name string) error {
			tb.attach(name, "PAINS", pid, "")
			_, err := tb.maps.Attach(ctx, name, Attachment{Category: "PAINS", PassageID: pid}, "")
			return err
		}, ErrConflict, "is already in PAINS"},
		{"move", func(t *testing.T, name string) error {
			tb.attach(name, "PAINS", pid, "")
			tb.attach(name, "GAINS", pid, "")
			_, err := tb.maps.Update(ctx, name, "q2", QuoteUpdate{Category: ptr("PAINS")}, "")
			return err
		}, ErrConflict, `passage ` + pid + ` is already in PAINS of map "move" as q1`},
		{"move with a note", func(t *testing.T, name string) error {
			tb.attach(name, "PAINS", pid, "")
			tb.attach(name, "GAINS", pid, "")
			_, err := tb.maps.Update(ctx, name, "q2", QuoteUpdate{Category: ptr("pains"), Note: ptr("changed")}, "")
			return err
		}, ErrConflict, "is already in PAINS"},
		{"undo a detach", func(t *testing.T, name string) error {
			tb.attach(name, "PAINS", pid, "")
			tb.attach(name, "GAINS", pid, "")
			if _, err := tb.maps.Detach(ctx, name, "q1", ""); err != nil {
				t.Fatal(err)
			}
			sneak(name, "q2", "PAINS")
			_, err := tb.maps.Undo(ctx, name, "")
			return err
		}, ErrConflict, "is already in PAINS"},
		{"undo a move", func(t *testing.T, name string) error {
			tb.attach(name, "PAINS", pid, "")
			tb.attach(name, "GAINS", pid, "")
			if _, err := tb.maps.Update(ctx, name, "q2", QuoteUpdate{Category: ptr("SAY")}, ""); err != nil {
				t.Fatal(err)
			}
			sneak(name, "q1", "GAINS")
			_, err := tb.maps.Undo(ctx, name, "")
			return err
		}, ErrConflict, "is already in GAINS"},
		{"import", func(t *testing.T, name string) error {
			return importJSON(tb, `{"name": "import", "cells": [{"category": "PAINS", "quotes": [
				{"id": "q1", "passage_id": "a-1", "text": "t", "note": "first"}, {"id": "q2", "passage_id": "b-1", "text": "u"}]},
				{"category": "pains", "quotes": [{"id": "q3", "passage_id": " a-1", "text": "t", "note": "second"}]}]}`)
		}, ErrInvalid, "quote 1 of cell PAINS repeats passage a-1 of quote 1 of cell PAINS"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name != "import" {
				if _, err := tb.maps.Create(ctx, Info{Name: tt.name}, ""); err != nil {
					t.Fatal(err)
				}
			}
			err := tt.setup(t, tt.name)
			if err == nil || !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want a %v error saying %q", err, tt.kind, tt.want)
			}
			m, err := tb.maps.Get(ctx, tt.name)
			if tt.name == "import" {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("the refused import left a map: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Nothing changed: no cell holds the passage twice.
			for _, c := range m.Cells {
				seen := map[string]bool{}
				for _, q := range c.Quotes {
					if seen[q.PassageID] {
						t.Errorf("%s holds passage %s twice: %s", c.Category, q.PassageID, cells(m))
					}
					seen[q.PassageID] = true
				}
			}
		})
	}
}

// errOf keeps the error of a call that returns a value too.
func errOf[T any](_ T, err error) error { return err }
