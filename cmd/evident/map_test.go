package main

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/evident/evident/maps"
)

func mapJSON(t *testing.T, args ...string) maps.Map {
	t.Helper()
	var m maps.Map
	out := mustRun(t, args...)
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("%s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return m
}

// mapTour builds a map as a person would, with every map command, on a
// data folder holding the examples; a server may or may not hold it.
func mapTour(t *testing.T, data string) {
	t.Helper()
	pains := searchJSON(t, "--data", data, "role:cfo category:pains")
	hears := searchJSON(t, "--data", data, "role:cfo category:hear")
	if len(pains.Hits) < 2 || len(hears.Hits) == 0 {
		t.Fatalf("the examples have %d CFO pains and %d hears", len(pains.Hits), len(hears.Hits))
	}
	pain, pain2, hear := pains.Hits[0], pains.Hits[1], hears.Hits[0]
	// One passage may be the best of both: take a HEAR that is not a PAINS.
	for _, h := range hears.Hits {
		if h.ID != pain.ID && h.ID != pain2.ID {
			hear = h
			break
		}
	}

	// Flags before and after the arguments; the category in any case.
	out := mustRun(t, "--data", data, "map", "create", "CFO map", "--role", "finance directors", "--goal", "Adopt rolling forecasts", "--by", "alice")
	if !strings.Contains(out, `created map "CFO map" for cfo with cells SEE, HEAR, SAY, DO, PAINS, GAINS`) {
		t.Errorf("create: %q", out)
	}
	out = mustRun(t, "map", "attach", "CFO map", "pains", pain.ID, "--note", "strongest, \"by far\"", "--data", data, "--by", "alice")
	if !strings.HasPrefix(out, `attached q1 to PAINS of "CFO map"`) || !strings.Contains(out, pain.Citation) {
		t.Errorf("attach: %q", out)
	}
	mustRun(t, "map", "attach", "--data", data, "CFO map", "PAINS", pain2.ID, "--position", "1", "--by", "bob")
	mustRun(t, "map", "attach", "--data", data, "CFO map", "HEAR", hear.ID)
	m := mapJSON(t, "map", "show", "CFO map", "--json", "--data", data)
	if ids := quoteIDs(m.Cell("PAINS")); ids != "q2 q1" || quoteIDs(m.Cell("HEAR")) != "q3" {
		t.Fatalf("cells after attaching: PAINS %s, HEAR %s", ids, quoteIDs(m.Cell("HEAR")))
	}
	p := m.Cell("PAINS").Quotes
	if p[1].Note != `strongest, "by far"` || p[1].AddedBy != "alice" || p[0].AddedBy != "bob" || p[1].Status != maps.Current || p[1].Text != pain.Text {
		t.Errorf("PAINS quotes: %+v", p)
	}

	mustRun(t, "map", "move", "CFO map", "q1", "--position", "1", "--data", data)
	mustRun(t, "map", "reorder", "CFO map", "q3", "SAY", "--data", data)
	mustRun(t, "map", "note", "CFO map", "q2", "second best", "--data", data)
	m = mapJSON(t, "map", "show", "CFO map", "--json", "--data", data)
	if quoteIDs(m.Cell("PAINS")) != "q1 q2" || quoteIDs(m.Cell("SAY")) != "q3" || m.Cell("PAINS").Quotes[1].Note != "second best" {
		t.Errorf("after move and note: PAINS %s, SAY %s", quoteIDs(m.Cell("PAINS")), quoteIDs(m.Cell("SAY")))
	}
	// Detach by passage id, then undo it and the note.
	if out := mustRun(t, "map", "detach", "CFO map", hear.ID, "--data", data); !strings.HasPrefix(out, `detached q3 from SAY of "CFO map"`) {
		t.Errorf("detach: %q", out)
	}
	if out := mustRun(t, "map", "undo", "CFO map", "--data", data, "--by", "carol"); !strings.Contains(out, "detached q3 from SAY") {
		t.Errorf("undo: %q", out)
	}
	mustRun(t, "map", "undo", "CFO map", "--data", data)
	m = mapJSON(t, "map", "show", "CFO map", "--json", "--data", data)
	if quoteIDs(m.Cell("SAY")) != "q3" || m.Cell("PAINS").Quotes[1].Note != "" {
		t.Errorf("after two undos: %+v", m.Cells)
	}
	if out := mustRun(t, "map", "show", "CFO map", "--data", data); !strings.Contains(out, "PAINS — ") || !strings.Contains(out, "note: strongest") {
		t.Errorf("show:\n%s", out)
	}
	if out := mustRun(t, "map", "history", "CFO map", "--data", data); !strings.Contains(out, "carol") || strings.Count(out, "\n") != 10 {
		t.Errorf("history:\n%s", out)
	}

	// Suggestions leave out what is in the cell.
	var sug maps.Suggestions
	if err := json.Unmarshal([]byte(mustRun(t, "map", "suggest", "CFO map", "--per-cell", "2", "--json", "--data", data)), &sug); err != nil {
		t.Fatal(err)
	}
	if len(sug.Cells["PAINS"]) == 0 || len(sug.Cells["PAINS"]) > 2 {
		t.Errorf("PAINS suggestions: %+v", sug.Cells["PAINS"])
	}
	for _, h := range sug.Cells["PAINS"] {
		if h.ID == pain.ID || h.ID == pain2.ID || h.Role != "cfo" {
			t.Errorf("suggested %s (%s) for PAINS", h.ID, h.Role)
		}
	}
	if out := mustRun(t, "map", "suggest", "CFO map", "--data", data); !strings.Contains(out, "evident map attach 'CFO map' ") {
		t.Errorf("suggest:\n%s", out)
	}

	// Exports: to files and to standard output.
	dir := t.TempDir()
	for _, f := range []string{"md", "json", "csv", "html", "qdpx"} {
		path := filepath.Join(dir, "cfo."+f)
		r := runCLI(t, "", "map", "export", "CFO map", "--format", f, "-o", path, "--data", data)
		if r.code != 0 || !strings.Contains(r.stderr, "wrote "+path) {
			t.Fatalf("export %s: exit %d, %s", f, r.code, r.stderr)
		}
	}
	md := mustRun(t, "map", "export", "CFO map", "--format", "md", "--data", data)
	if b, _ := os.ReadFile(filepath.Join(dir, "cfo.md")); string(b) != md || !strings.Contains(md, "# Empathy map: CFO map") {
		t.Errorf("Markdown on stdout differs from the file:\n%s", md)
	}
	rows, err := csv.NewReader(strings.NewReader(mustRun(t, "map", "export", "CFO map", "--format", "csv", "--data", data))).ReadAll()
	if err != nil || len(rows) != 4 || rows[0][0] != "cell" {
		t.Errorf("CSV: %v, %d rows", err, len(rows))
	}
	qdpx := mustRun(t, "map", "export", "CFO map", "--format", "qdpx", "--data", data) // a pipe, not a terminal
	if zr, err := zip.NewReader(bytes.NewReader([]byte(qdpx)), int64(len(qdpx))); err != nil || zr.File[0].Name != "project.qde" {
		t.Errorf("qdpx on stdout: %v", err)
	}

	// Import the JSON export under another name: the same quotes.
	if out := mustRun(t, "map", "import", filepath.Join(dir, "cfo.json"), "--name", "CFO copy", "--data", data); !strings.Contains(out, `imported map "CFO copy" with 3 quotes`) {
		t.Errorf("import: %q", out)
	}
	cp := mapJSON(t, "map", "show", "CFO copy", "--json", "--data", data)
	orig := mapJSON(t, "map", "show", "CFO map", "--json", "--data", data)
	cp.Name, cp.Updated, orig.Updated = orig.Name, orig.Updated, cp.Updated
	a, _ := json.Marshal(cp)
	b, _ := json.Marshal(orig)
	if !bytes.Equal(a, b) {
		t.Errorf("imported map differs:\n%s\n%s", a, b)
	}
	var list struct{ Maps []maps.Summary }
	json.Unmarshal([]byte(mustRun(t, "map", "list", "--json", "--data", data)), &list)
	if len(list.Maps) != 2 || list.Maps[0].Name != "CFO copy" || list.Maps[1].Quotes != 3 {
		t.Errorf("list: %+v", list.Maps)
	}
	mustRun(t, "map", "delete", "CFO copy", "--data", data)

	// Mistakes: exit 1 and one sentence naming what is wrong.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"map", "attach", "CFO map", "FEELS", pain.ID}, `category "FEELS" is not in the rules`},
		{[]string{"map", "attach", "CFO map", "SEE", "no-such-passage"}, `no passage has the id "no-such-passage"`},
		{[]string{"map", "attach", "CFO map", "PAINS", pain.ID}, "is already in PAINS"},
		{[]string{"map", "attach", "CFO map", "PAINS"}, "PASSAGE_ID is missing"},
		{[]string{"map", "show", "CFO"}, `no map is called "CFO"`},
		{[]string{"map", "create", "CFO MAP"}, `a map called "CFO MAP" already exists`},
		{[]string{"map", "detach", "CFO map", "q42"}, "has no quote q42"},
		{[]string{"map", "move", "CFO map", "q1", "--position", "0"}, "places in a cell count from 1"},
		{[]string{"map", "move", "CFO map", "q1"}, "say where to"},
		{[]string{"map", "export", "CFO map", "--format", "docx"}, `export format "docx" is not one of`},
		{[]string{"map", "export", "CFO map"}, "--format is needed"},
		{[]string{"map", "import", filepath.Join(dir, "nothing.json")}, "nothing.json"},
		{[]string{"map", "import", filepath.Join(dir, "cfo.md")}, "cfo.md: the file is not valid JSON"},
		{[]string{"map", "suggest", "CFO map", "--per-cell", "0"}, "--per-cell 0"},
	} {
		r := runCLI(t, "", append(c.args, "--data", data)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("evident %s: exit %d, stderr %q, want one line saying %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
}

func quoteIDs(c *maps.Cell) string {
	if c == nil {
		return "(no cell)"
	}
	var ids []string
	for _, q := range c.Quotes {
		ids = append(ids, q.ID)
	}
	return strings.Join(ids, " ")
}

// Without a server: every map command opens the data folder itself.
func TestMapCommandsWithoutServer(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	copyExamples(t, inbox)
	mustRun(t, "ingest", inbox, "--data", data)
	mapTour(t, data)
	insightTour(t, data) // mapinsight_test.go
}

// With a server holding the folder, the same commands go through its
// API and answer the same; the map is there after the server stops.
func TestMapCommandsThroughServer(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "1")
	d.expect(t, `serving (http://127\.0\.0\.1:\d+)`)
	copyExamples(t, inbox)
	docs, _ := filepath.Glob("../../examples/*")
	sidecars, _ := filepath.Glob("../../examples/*.meta.yaml")
	waitIndexed(t, data, len(docs)-len(sidecars))
	mapTour(t, data)
	insightTour(t, data) // mapinsight_test.go
	d.stop(t)
	m := mapJSON(t, "map", "show", "CFO map", "--json", "--data", data)
	if m.QuoteCount() != 3 {
		t.Errorf("after the server stopped: %d quotes", m.QuoteCount())
	}
	// Through the API too, a change is signed by the person, not "web".
	if q := m.Cell("SAY").Quotes; len(q) != 1 || q[0].AddedBy != defaultUser() {
		t.Errorf("quote added through the server: %+v, want added by %q", q, defaultUser())
	}
}

func TestMapHelp(t *testing.T) {
	for _, c := range []string{"create", "list", "show", "edit", "attach", "detach", "note", "move", "undo", "history", "suggest", "export", "import", "delete"} {
		r := runCLI(t, "", "map", c, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("map %s --help: exit %d, %q", c, r.code, r.stdout)
		}
	}
}

// Text in a map never drives the terminal: `map show` drops control
// characters other than line breaks and tabs, whichever field holds them
// (a map stored before the maps package refused them, say).
func TestMapShowDropsControlCharacters(t *testing.T) {
	const evil = "\x1b[2J\x1b]0;owned\x07\u009b31m\r"
	for _, tt := range []struct {
		field string
		set   func(m *maps.Map, q *maps.Quote)
		want  string // what must still show
	}{
		{"name", func(m *maps.Map, q *maps.Quote) { m.Name = "cfo" + evil }, "cfo"},
		{"role", func(m *maps.Map, q *maps.Quote) { m.Role = "cfo" + evil }, "persona cfo"},
		{"goal", func(m *maps.Map, q *maps.Quote) { m.Goal = "win" + evil }, "Goal: win"},
		{"description", func(m *maps.Map, q *maps.Quote) { m.Description = "two\nlines\tand" + evil }, "two\nlines\tand"},
		{"question", func(m *maps.Map, q *maps.Quote) { m.Cells[0].Question = "What hurts?" + evil }, "What hurts?"},
		{"text", func(m *maps.Map, q *maps.Quote) { q.Text = "slow" + evil }, "“slow"},
		{"citation", func(m *maps.Map, q *maps.Quote) { q.Citation = "a.txt ¶1" + evil }, "— a.txt ¶1"},
		{"note", func(m *maps.Map, q *maps.Quote) { q.Note = "key" + evil }, "note: key"},
		{"added_by", func(m *maps.Map, q *maps.Quote) { q.AddedBy = "eve" + evil }, "added by eve"},
		{"passage_id", func(m *maps.Map, q *maps.Quote) { q.PassageID = "abc-1" + evil }, "passage abc-1"},
	} {
		t.Run(tt.field, func(t *testing.T) {
			m := &maps.Map{Info: maps.Info{Name: "cfo"}, Cells: []maps.Cell{{Category: "PAINS", Question: "What hurts?",
				Quotes: []maps.Quote{{ID: "q1", PassageID: "abc-1", Snapshot: maps.Snapshot{Text: "slow", Citation: "a.txt ¶1"}, AddedBy: "eve"}}}}}
			tt.set(m, &m.Cells[0].Quotes[0])
			var b bytes.Buffer
			printMap(&b, m)
			out := b.String()
			if i := strings.IndexFunc(out, func(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }); i >= 0 {
				t.Errorf("a control character reached the terminal at byte %d: %q", i, out)
			}
			if !strings.Contains(out, tt.want) {
				t.Errorf("%q is missing from:\n%s", tt.want, out)
			}
		})
	}
}

func TestMapDeleteHelpIsHonest(t *testing.T) {
	r := runCLI(t, "", "map", "delete", "--help")
	if r.code != 0 || strings.Contains(r.stdout, "keeps a copy") || !strings.Contains(r.stdout, "cannot be undone") || !strings.Contains(r.stdout, "export") {
		t.Errorf("map delete --help promises what it does not do, or does not say to export first:\n%s", r.stdout)
	}
}
