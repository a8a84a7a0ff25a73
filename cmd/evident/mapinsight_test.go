package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/evident/evident/maps"
)

// insightTour goes on from mapTour's map ("CFO map": PAINS q1 q2, SAY q3)
// with the header, themes, needs and assumptions, as a person would; a
// server may or may not hold the folder.
func insightTour(t *testing.T, data string) {
	t.Helper()
	run := func(args ...string) string { return mustRun(t, append(args, "--data", data)...) }
	show := func() maps.Map { return mapJSON(t, "map", "show", "CFO map", "--json", "--data", data) }

	run("map", "edit", "CFO map", "--title", "Finance director", "--situation", "Month-end close with a small team", "--priority", "Numbers the board trusts")
	m := show()
	if m.Title != "Finance director" || m.Situation != "Month-end close with a small team" || m.Priority != "Numbers the board trusts" || m.Goal != "Adopt rolling forecasts" {
		t.Errorf("header: %+v", m.Info)
	}
	if out := run("map", "show", "CFO map"); !strings.Contains(out, "Title: Finance director\nSituation: Month-end close") {
		t.Errorf("show lacks the header:\n%s", out)
	}

	// Themes: two quotes are too few to propose; a person groups them.
	var th struct {
		Cells []struct {
			Category string
			Themes   []maps.Theme
			Proposed *maps.ThemeProposal
		}
	}
	if err := json.Unmarshal([]byte(run("map", "themes", "CFO map", "--cell", "pains", "--json")), &th); err != nil {
		t.Fatal(err)
	}
	if len(th.Cells) != 1 || th.Cells[0].Category != "PAINS" || th.Cells[0].Proposed == nil || len(th.Cells[0].Proposed.Themes) != 0 {
		t.Errorf("themes --json: %+v", th)
	}
	if out := run("map", "themes", "CFO map", "--add", "Month-end", "--quotes", "q1,q2", "--cell", "PAINS"); !strings.Contains(out, "t1 “Month-end” (2 quotes)") {
		t.Errorf("themes --add:\n%s", out)
	}
	run("map", "themes", "CFO map", "--split", "t1", "--quotes", "q2", "--name", "Tools")
	run("map", "themes", "CFO map", "--rename", "t2", "--name", "The tools")
	out := run("map", "themes", "CFO map", "--move", "q2", "--to", "t1")
	if !strings.Contains(out, "t1 “Month-end” (2 quotes)") || !strings.Contains(out, "t2 “The tools” (0 quotes)") {
		t.Errorf("after split, rename and move:\n%s", out)
	}
	run("map", "themes", "CFO map", "--drop", "t2")
	m = show()
	if c := m.Cell("PAINS"); len(c.Themes) != 1 || strings.Join(c.Themes[0].Quotes, " ") != "q1 q2" {
		t.Errorf("PAINS themes: %+v", c.Themes)
	}

	// Needs, with their evidence and its roles.
	if out := run("map", "need", "add", "CFO map", "Numbers the board can trust", "--evidence", "q1,q3"); !strings.Contains(out, "n1 “Numbers the board can trust”") ||
		!strings.Contains(out, "evidence: 2 quotes, from cfo") {
		t.Errorf("need add:\n%s", out)
	}
	var needs struct {
		Needs       []maps.Need
		Suggestions []maps.NeedSuggestion
	}
	if err := json.Unmarshal([]byte(run("map", "needs", "CFO map", "--suggest", "--json")), &needs); err != nil {
		t.Fatal(err)
	}
	if len(needs.Needs) != 1 || needs.Needs[0].Count != 2 || strings.Join(needs.Needs[0].Roles, ",") != "cfo" || needs.Suggestions != nil && len(needs.Suggestions) > 0 {
		t.Errorf("needs: %+v", needs)
	}

	// An assumption, confirmed then contradicted; undo takes one back.
	if out := run("map", "assume", "CFO map", "hear", "CFOs hear about us from their auditors"); !strings.Contains(out, "as a1") {
		t.Errorf("assume: %q", out)
	}
	run("map", "assumption", "CFO map", "a1", "--supports", "q3")
	if out := run("map", "assumption", "CFO map", "a1", "--contradicts", "q1"); !strings.Contains(out, "— mixed") || !strings.Contains(out, "q1 contradicts") {
		t.Errorf("assumption:\n%s", out)
	}
	if out := run("map", "assumption", "CFO map", "a1", "--find"); !strings.Contains(out, "Passages that may bear on it") {
		t.Errorf("assumption --find:\n%s", out)
	}
	run("map", "undo", "CFO map")
	m = show()
	if as := m.Cell("HEAR").Assumptions; len(as) != 1 || as[0].Verdict != maps.Supported {
		t.Errorf("HEAR assumptions after undo: %+v", as)
	}
	out = run("map", "show", "CFO map")
	for _, want := range []string{"theme t1 “Month-end”: q1 q2", "assumption a1 “CFOs hear about us from their auditors” — supported: q3 supports", "NEEDS\n  n1 “Numbers the board can trust” — 2 quotes (q1 q3), from cfo"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}

	// Every export carries them; the JSON one comes back whole.
	md := run("map", "export", "CFO map", "--format", "md")
	for _, want := range []string{"- **Title:** Finance director", "### Theme: Month-end", "- **Assumption a1** (supported)", "## Needs", "- **n1** Numbers the board can trust — 2 quotes, from cfo"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if csv := run("map", "export", "CFO map", "--format", "csv"); !strings.Contains(csv, ",t1,Month-end,n1,,quote") || !strings.Contains(csv, ",need\n") {
		t.Errorf("CSV:\n%s", csv)
	}
	if html := run("map", "export", "CFO map", "--format", "html"); !strings.Contains(html, `<h3 class="theme" id="t1">Month-end`) || !strings.Contains(html, `class="badge badge-supported"`) {
		t.Errorf("HTML lacks the theme or the assumption")
	}
	js := run("map", "export", "CFO map", "--format", "json")
	path := t.TempDir() + "/cfo.json"
	if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	run("map", "import", path, "--name", "CFO insight copy")
	cp := mapJSON(t, "map", "show", "CFO insight copy", "--json", "--data", data)
	if cp.Title != "Finance director" || len(cp.Needs) != 1 || cp.Needs[0].Count != 2 || len(cp.Cell("PAINS").Themes) != 1 || cp.Cell("HEAR").Assumptions[0].Verdict != maps.Supported {
		t.Errorf("imported copy: %+v", cp)
	}
	run("map", "delete", "CFO insight copy")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"map", "themes", "CFO map", "--merge", "t1"}, "--merge needs two themes or more"},
		{[]string{"map", "themes", "CFO map", "--accept"}, "--accept needs --cell"},
		{[]string{"map", "themes", "CFO map", "--move", "q3", "--to", "t1"}, "q3 is in SAY, not PAINS"},
		{[]string{"map", "need", "add", "CFO map", "", "--evidence", "q1"}, "the need is empty"},
		{[]string{"map", "need", "link", "CFO map", "n7", "--evidence", "q1"}, `no need "n7"`},
		{[]string{"map", "assumption", "CFO map", "a1", "--supports", "q99"}, "no quote q99"},
		{[]string{"map", "assume", "CFO map", "FEELS", "x"}, `category "FEELS" is not in the rules`},
	} {
		r := runCLI(t, "", append(c.args, "--data", data)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("evident %s: exit %d, stderr %q, want one line saying %q", strings.Join(c.args, " "), r.code, r.stderr, c.want)
		}
	}
}
