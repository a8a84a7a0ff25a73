package maps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/roles"
)

// insight shows a map's header, themes, needs and assumptions in one
// line: "title=CFO | PAINS: t1 Cost[q1 q2] | n1 Speed[q1 q7]=2 cfo | a1 HEAR mixed[q1+ q2-]".
func insight(m *Map) string {
	parts := []string{fmt.Sprintf("title=%s situation=%s priority=%s", m.Title, m.Situation, m.Priority)}
	for _, c := range m.Cells {
		var ts []string
		for _, t := range c.Themes {
			ts = append(ts, fmt.Sprintf("%s %s%v", t.ID, t.Name, t.Quotes))
		}
		if len(ts) > 0 {
			parts = append(parts, c.Category+": "+strings.Join(ts, " "))
		}
		for _, a := range c.Assumptions {
			var ev []string
			for _, e := range a.Evidence {
				sign := "+"
				if e.Stance == Contradicts {
					sign = "-"
				}
				ev = append(ev, e.Quote+sign)
			}
			parts = append(parts, fmt.Sprintf("%s %s %s %q %v", a.ID, a.Category, a.Verdict, a.Text, ev))
		}
	}
	for _, n := range m.Needs {
		parts = append(parts, fmt.Sprintf("%s %q %v=%d %v", n.ID, n.Text, n.Evidence, n.Count, n.Roles))
	}
	return strings.Join(parts, " | ")
}

// Every change to themes, needs, assumptions and the header is undone in
// turn; each undo gives back the map exactly as it was before.
func TestInsightChangesUndo(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/cfo.txt", []string{
		"The licence price is too high for our budget.", "Every renewal the cost goes up again.",
		"I do not trust the numbers in the dashboard.", "Nobody trusts the forecast the tool gives.",
		"Pricing is opaque and the cost keeps rising.", "The data is wrong half the time; trust is gone.",
		"I want one place for spend.", "We need forecasts the board trusts."},
		map[int][]string{0: {"PAINS"}, 1: {"PAINS"}, 2: {"PAINS"}, 3: {"PAINS"}, 4: {"PAINS"}, 5: {"PAINS"}, 6: {"GAINS"}, 7: {"GAINS"}})
	if _, err := tb.maps.Create(ctx, Info{Name: "cfo", Role: "CFO", Title: "Finance director", Situation: "Closing the books monthly"}, "alice"); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		tb.attach("cfo", "PAINS", evident.PassageID(doc.SHA256, i), "")
	}
	tb.attach("cfo", "GAINS", evident.PassageID(doc.SHA256, 6), "")
	tb.attach("cfo", "GAINS", evident.PassageID(doc.SHA256, 7), "")

	str := func(s string) *string { return &s }
	steps := []struct {
		name string
		do   func() (*Map, error)
		want string // in the line insight gives, after the change
	}{
		{"edit header", func() (*Map, error) {
			return tb.maps.Edit(ctx, "cfo", Edit{Priority: str("Trustworthy numbers")}, "bob")
		}, "priority=Trustworthy numbers"},
		{"add theme", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeAdd, Cell: "pains", Name: " Cost ", Quotes: []string{"q1", "q2", "q5"}}, "bob")
		}, "PAINS: t1 Cost[q1 q2 q5]"},
		{"add second, taking q5", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeAdd, Name: "Trust", Quotes: []string{"q3", "q4", "q5"}}, "bob")
		}, "PAINS: t1 Cost[q1 q2] t2 Trust[q3 q4 q5]"},
		{"move q5 back", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeMove, Theme: "t1", Quotes: []string{"q5"}}, "bob")
		}, "PAINS: t1 Cost[q1 q2 q5] t2 Trust[q3 q4]"},
		{"split", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeSplit, Theme: "t2", Quotes: []string{"q4"}, Name: "Forecasts"}, "bob")
		}, "PAINS: t1 Cost[q1 q2 q5] t2 Trust[q3] t3 Forecasts[q4]"},
		{"merge", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeMerge, Theme: "t2", Themes: []string{"t3"}}, "bob")
		}, "PAINS: t1 Cost[q1 q2 q5] t2 Trust[q3 q4]"},
		{"rename", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeRename, Theme: "T2", Name: "Trust in the numbers"}, "bob")
		}, "t2 Trust in the numbers[q3 q4]"},
		{"take out", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeMove, Quotes: []string{"q4"}}, "bob")
		}, "t2 Trust in the numbers[q3]"},
		{"detach leaves the theme", func() (*Map, error) {
			_, err := tb.maps.Detach(ctx, "cfo", "q2", "bob")
			return tb.maps.maps(ctx, err)
		}, "PAINS: t1 Cost[q1 q5]"},
		{"need", func() (*Map, error) {
			return tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedAdd, Text: "Numbers the board can trust", Evidence: []string{"q3", "q8", evident.PassageID(doc.SHA256, 0)}}, "bob")
		}, `n1 "Numbers the board can trust" [q3 q8 q1]=3 [cfo]`},
		{"need unlink", func() (*Map, error) {
			return tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedUnlink, Need: "n1", Evidence: []string{"q1"}}, "bob")
		}, `[q3 q8]=2`},
		{"need edit", func() (*Map, error) {
			return tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedEdit, Need: "n1", Text: "Trusted numbers"}, "bob")
		}, `n1 "Trusted numbers"`},
		{"second need", func() (*Map, error) {
			return tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedAdd, Text: "Lower cost", Evidence: []string{"q1"}}, "bob")
		}, `n2 "Lower cost" [q1]=1`},
		{"delete first need", func() (*Map, error) {
			return tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedDelete, Need: "n1"}, "bob")
		}, `priority=Trustworthy numbers | PAINS: t1 Cost[q1 q5] t2 Trust in the numbers[q3] | n2`},
		{"assume", func() (*Map, error) {
			return tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeAdd, Cell: "HEAR", Text: "CFOs hear about us from their auditors"}, "bob")
		}, `a1 HEAR untested "CFOs hear about us from their auditors" []`},
		{"support", func() (*Map, error) {
			return tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeSupport, Assumption: "a1", Quotes: []string{"q3"}}, "bob")
		}, `a1 HEAR supported`},
		{"contradict", func() (*Map, error) {
			return tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeContradict, Assumption: "a1", Quotes: []string{"q4", "q1"}}, "bob")
		}, `a1 HEAR mixed "CFOs hear about us from their auditors" [q3+ q4- q1-]`},
		{"support instead", func() (*Map, error) {
			return tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeSupport, Assumption: "a1", Quotes: []string{"q4"}}, "bob")
		}, `[q3+ q1- q4+]`},
		{"unlink", func() (*Map, error) {
			return tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeUnlink, Assumption: "a1", Quotes: []string{"q1"}}, "bob")
		}, `a1 HEAR supported "CFOs hear about us from their auditors" [q3+ q4+]`},
		{"delete assumption", func() (*Map, error) {
			return tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeDelete, Assumption: "a1"}, "bob")
		}, `Trust in the numbers[q3] | n2`},
		{"drop theme", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeDrop, Theme: "t1"}, "bob")
		}, `PAINS: t2 Trust in the numbers[q3] | n2`},
		{"accept the proposal", func() (*Map, error) {
			return tb.maps.ChangeThemes(ctx, "cfo", ThemeChange{Op: ThemeAccept, Cell: "PAINS"}, "bob")
		}, `PAINS: t4 `},
	}
	states := []string{insight(tb.get("cfo"))}
	for _, s := range steps {
		m, err := s.do()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got := insight(m)
		if !strings.Contains(got, s.want) {
			t.Fatalf("%s:\n got %s\nwant it to contain %s", s.name, got, s.want)
		}
		if again := insight(tb.get("cfo")); again != got {
			t.Fatalf("%s: the map read again differs:\n%s\n%s", s.name, again, got)
		}
		states = append(states, got)
	}
	for i := len(steps) - 1; i >= 0; i-- {
		u, err := tb.maps.Undo(ctx, "cfo", "carol")
		if err != nil {
			t.Fatalf("undoing %s: %v", steps[i].name, err)
		}
		if got := insight(u.Map); got != states[i] {
			t.Fatalf("undoing %s (%s):\n got %s\nwant %s", steps[i].name, u.Undone.Summary, got, states[i])
		}
	}
	h, err := tb.maps.History(ctx, "cfo")
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, c := range h {
		said = append(said, c.Summary)
	}
	for _, want := range []string{`changed the priority to "Trustworthy numbers"`, `split q4 out of t2 as t3 "Forecasts"`,
		`q4, q1 contradicts a1`, `merged t3 into t2 "Trust"`, "accepted "} {
		if !strings.Contains(strings.Join(said, "\n"), want) {
			t.Errorf("history lacks %q:\n%s", want, strings.Join(said, "\n"))
		}
	}
}

// maps returns the map after a change that returns something else.
func (s *Store) maps(ctx context.Context, err error) (*Map, error) {
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, "cfo")
}

// Mistakes get a sentence and the right kind of error.
func TestInsightMistakes(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	doc := tb.ingest("inbox/cfo.txt", []string{"Too expensive.", "I want speed."}, map[int][]string{0: {"PAINS"}, 1: {"GAINS"}})
	if _, err := tb.maps.Create(ctx, Info{Name: "cfo"}, "alice"); err != nil {
		t.Fatal(err)
	}
	tb.attach("cfo", "PAINS", evident.PassageID(doc.SHA256, 0), "")
	tb.attach("cfo", "GAINS", evident.PassageID(doc.SHA256, 1), "")
	for _, tt := range []struct {
		name string
		err  error
		kind error
		want string
	}{
		{"theme across cells", changeThemes(tb, ThemeChange{Op: ThemeAdd, Cell: "PAINS", Name: "x", Quotes: []string{"q2"}}), ErrInvalid, "q2 is in GAINS, not PAINS"},
		{"theme without quotes", changeThemes(tb, ThemeChange{Op: ThemeAdd, Cell: "PAINS", Name: "x"}), ErrInvalid, "name the quotes"},
		{"theme without a name", changeThemes(tb, ThemeChange{Op: ThemeAdd, Cell: "PAINS", Name: "  ", Quotes: []string{"q1"}}), ErrInvalid, "theme's name is empty"},
		{"no such theme", changeThemes(tb, ThemeChange{Op: ThemeRename, Cell: "PAINS", Theme: "t9", Name: "y"}), ErrNotFound, `no theme "t9"`},
		{"unknown op", changeThemes(tb, ThemeChange{Op: "shuffle", Cell: "PAINS"}), ErrInvalid, "not one of accept"},
		{"accept an empty cell", changeThemes(tb, ThemeChange{Op: ThemeAccept, Cell: "SEE"}), ErrInvalid, "no quotes to group"},
		{"no such quote", func() error {
			_, err := tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedAdd, Text: "Speed", Evidence: []string{"q9"}}, "a")
			return err
		}(), ErrNotFound, "no quote q9"},
		{"empty need", func() error {
			_, err := tb.maps.ChangeNeeds(ctx, "cfo", NeedChange{Op: NeedAdd, Text: " "}, "a")
			return err
		}(), ErrInvalid, "need is empty"},
		{"assumption in no cell", func() error {
			_, err := tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeAdd, Cell: "THINK", Text: "x"}, "a")
			return err
		}(), ErrInvalid, `"THINK" is not in the rules`},
		{"no such assumption", func() error {
			_, err := tb.maps.ChangeAssumptions(ctx, "cfo", AssumptionChange{Op: AssumeSupport, Assumption: "a3", Quotes: []string{"q1"}}, "a")
			return err
		}(), ErrNotFound, `no assumption "a3"`},
	} {
		if tt.err == nil || !errors.Is(tt.err, tt.kind) || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: %v, want %v saying %q", tt.name, tt.err, tt.kind, tt.want)
		}
	}
}

func changeThemes(tb *testbed, c ThemeChange) error {
	_, err := tb.maps.ChangeThemes(context.Background(), "cfo", c, "a")
	return err
}

// A database whose maps tables are version 1 (before themes, needs and
// assumptions) is brought up to date when a writer opens it, keeping its
// maps; until then it is not Upgraded, so readers wait for a writer.
func TestMigrateVersion1(t *testing.T) {
	tb := newTestbed(t)
	ctx := context.Background()
	db := tb.st.DB()
	for _, stmt := range []string{
		`DROP TABLE map_themes`, `DROP TABLE map_needs`, `DROP TABLE map_assumptions`, `DROP TABLE map_schema`,
		`ALTER TABLE maps DROP COLUMN title`, `ALTER TABLE maps DROP COLUMN situation`, `ALTER TABLE maps DROP COLUMN priority`,
		`ALTER TABLE maps DROP COLUMN next_theme`, `ALTER TABLE maps DROP COLUMN next_need`, `ALTER TABLE maps DROP COLUMN next_assumption`,
		`INSERT INTO maps (name, role, goal, created, updated) VALUES ('old', 'cfo', 'Adopt it', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if ok, err := Upgraded(ctx, db); ok || err != nil {
		t.Fatalf("a version 1 database: Upgraded = %v, %v", ok, err)
	}
	s, err := Open(ctx, db, Config{Sources: tb.st, Categories: defaultCells, Roles: roles.Default()})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := Upgraded(ctx, db); !ok || err != nil {
		t.Fatalf("after Open: Upgraded = %v, %v", ok, err)
	}
	m, err := s.Edit(ctx, "old", Edit{Title: ptr("Controller")}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if m.Goal != "Adopt it" || m.Title != "Controller" {
		t.Errorf("migrated map: %+v", m.Info)
	}
	if _, err := s.ChangeAssumptions(ctx, "old", AssumptionChange{Op: AssumeAdd, Cell: "SAY", Text: "They say it is fine"}, "alice"); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT version FROM map_schema`).Scan(&v); err != nil || v != 2 {
		t.Errorf("map_schema: %d, %v", v, err)
	}
}
