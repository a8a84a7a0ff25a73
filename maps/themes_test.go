package maps

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// themeFixture is a cell's quotes with the group a person put each in.
type themeFixture struct {
	About  string `json:"about"`
	Quotes []struct {
		ID    string `json:"id"`
		Group string `json:"group"`
		Text  string `json:"text"`
	} `json:"quotes"`
}

func loadThemeFixture(t testing.TB, name string) ([]Quote, map[string]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "themes", name))
	if err != nil {
		t.Fatal(err)
	}
	var f themeFixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var qs []Quote
	group := map[string]string{}
	for i, q := range f.Quotes {
		qs = append(qs, Quote{ID: q.ID, Category: "PAINS", Position: i, Snapshot: Snapshot{Text: q.Text}})
		group[q.ID] = q.Group
	}
	return qs, group
}

// The proposal finds the groups a person makes of a cell's quotes, names
// them by their words, and is the same every time and whatever the
// order of the quotes.
func TestProposeThemes(t *testing.T) {
	qs, group := loadThemeFixture(t, "pains.json")
	p := ProposeThemes(qs)
	b, _ := json.MarshalIndent(p, "", "  ")
	golden(t, "themes-pains.json", append(b, '\n'))

	// Each proposed theme holds quotes of one of the person's groups,
	// and every group is proposed.
	found := map[string]bool{}
	for _, th := range p.Themes {
		g := group[th.Quotes[0]]
		for _, id := range th.Quotes {
			if group[id] != g {
				t.Errorf("theme %q mixes %s (%s) with %s (%s)", th.Name, th.Quotes[0], g, id, group[id])
			}
		}
		found[g] = true
	}
	if len(found) != 3 || len(p.Ungrouped) > 2 {
		t.Errorf("proposal %s, ungrouped %v: want the three groups cost, trust and hiring", p, p.Ungrouped)
	}
	for _, want := range []string{"price", "hiring", "dashboard"} {
		if !strings.Contains(p.String(), want) {
			t.Errorf("no theme is named with %q: %s", want, p)
		}
	}

	// Shuffled, the same partition.
	partition := func(p ThemeProposal) []string {
		var out []string
		for _, th := range p.Themes {
			ids := slices.Clone(th.Quotes)
			slices.Sort(ids)
			out = append(out, strings.Join(ids, ","))
		}
		slices.Sort(out)
		return out
	}
	want := partition(p)
	r := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		shuffled := slices.Clone(qs)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := partition(ProposeThemes(shuffled)); !slices.Equal(got, want) {
			t.Errorf("shuffled quotes give %v, want %v", got, want)
		}
	}
}

// Small and odd cells: nothing to group is no theme, and never a panic.
func TestProposeThemesEdges(t *testing.T) {
	q := func(id, text string) Quote { return Quote{ID: id, Snapshot: Snapshot{Text: text}} }
	for _, tt := range []struct {
		name   string
		quotes []Quote
		themes int
	}{
		{"empty", nil, 0},
		{"one", []Quote{q("q1", "price")}, 0},
		{"three", []Quote{q("q1", "price up"), q("q2", "price up"), q("q3", "hiring")}, 0},
		{"only stop words", []Quote{q("q1", "yeah you know"), q("q2", "I mean, like"), q("q3", "so, um"), q("q4", "right right")}, 0},
		{"the same text four times", []Quote{q("q1", "price rises"), q("q2", "price rises"), q("q3", "price rises"), q("q4", "price rises")}, 0},
		{"two pairs", []Quote{q("q1", "licence price rises"), q("q2", "the price of the licence"), q("q3", "hiring analysts"), q("q4", "analysts we cannot keep hiring")}, 2},
	} {
		p := ProposeThemes(tt.quotes)
		if len(p.Themes) != tt.themes {
			t.Errorf("%s: %d themes (%s), want %d", tt.name, len(p.Themes), p, tt.themes)
		}
		if n := len(p.Ungrouped) + themed(p); n != len(tt.quotes) {
			t.Errorf("%s: %d quotes placed of %d", tt.name, n, len(tt.quotes))
		}
	}
}

func themed(p ThemeProposal) int {
	n := 0
	for _, t := range p.Themes {
		n += len(t.Quotes)
	}
	return n
}

// quotes300 is a 300-quote cell made of the fixture's sentences, two or
// three to a quote, in a fixed pseudo-random order.
func quotes300(b testing.TB) []Quote {
	qs, _ := loadThemeFixture(b, "pains.json")
	r := rand.New(rand.NewPCG(16, 300))
	out := make([]Quote, 300)
	for i := range out {
		var parts []string
		for range 2 + r.IntN(2) {
			parts = append(parts, qs[r.IntN(len(qs))].Text)
		}
		out[i] = Quote{ID: fmt.Sprintf("q%d", i+1), Position: i, Snapshot: Snapshot{Text: strings.Join(parts, " ")}}
	}
	return out
}

// BenchmarkProposeThemes300 proposes themes for a 300-quote cell (the
// aim: under 200 ms).
func BenchmarkProposeThemes300(b *testing.B) {
	qs := quotes300(b)
	for b.Loop() {
		ProposeThemes(qs)
	}
}

// The 300-quote proposal stays well within its time, even on a busy
// machine (the benchmark gives the figure).
func TestProposeThemes300InTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	qs := quotes300(t)
	start := time.Now()
	p := ProposeThemes(qs)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("300 quotes took %v", d)
	}
	if len(p.Themes) == 0 || len(p.Themes) > maxThemes {
		t.Errorf("300 quotes: %d themes", len(p.Themes))
	}
}

// BenchmarkProposeThemesMap proposes themes for the biggest cell of a
// map's JSON export named by EVIDENT_THEMES_MAP (BENCHMARKS.md builds a
// 300-quote map from the podcasts of the training corpus).
func BenchmarkProposeThemesMap(b *testing.B) {
	path := os.Getenv("EVIDENT_THEMES_MAP")
	if path == "" {
		b.Skip("EVIDENT_THEMES_MAP names no map export")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	m, err := ParseJSON(data)
	if err != nil {
		b.Fatal(err)
	}
	var cell Cell
	for _, c := range m.Cells {
		if len(c.Quotes) > len(cell.Quotes) {
			cell = c
		}
	}
	b.Logf("%s: %d quotes", cell.Category, len(cell.Quotes))
	for b.Loop() {
		ProposeThemes(cell.Quotes)
	}
}
