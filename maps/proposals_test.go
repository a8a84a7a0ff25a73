package maps

import (
	"slices"
	"strings"
	"testing"
)

// Needs are drafted from the themes of PAINS and GAINS: a cell's own
// themes, else the proposal; a theme a need covers gives no draft.
func TestSuggestNeeds(t *testing.T) {
	pains, _ := loadThemeFixture(t, "pains.json")
	for i := range pains {
		pains[i].Role = "cfo"
	}
	gains := []Quote{
		{ID: "g1", Category: "GAINS", Snapshot: Snapshot{Text: "One place for spend.", Role: "cio"}},
		{ID: "g2", Category: "GAINS", Snapshot: Snapshot{Text: "Forecasts I trust."}},
	}
	m := &Map{Cells: []Cell{{Category: "PAINS", Quotes: pains}, {Category: "GAINS", Quotes: gains,
		Themes: []Theme{{ID: "t1", Name: "Trust in the numbers", Quotes: []string{"g1", "g2"}}}}}}
	var got []string
	for _, s := range SuggestNeeds(m) {
		got = append(got, s.Text+" ["+strings.Join(s.Evidence, " ")+"] "+strings.Join(s.Roles, ","))
	}
	for _, want := range []string{
		"Relief from dashboard, numbers and trust [q2 q5 q8 q11] cfo",
		"To get trust in the numbers [g1 g2] cio",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("drafts %q lack %q", got, want)
		}
	}
	// A need that holds half the theme's quotes covers it.
	m.Needs = []Need{{ID: "n1", Evidence: []string{"q2", "q8"}}}
	for _, s := range SuggestNeeds(m) {
		if slices.Contains(s.Evidence, "q2") {
			t.Errorf("a covered theme is drafted again: %+v", s)
		}
	}
	if got := lowerFirst("NPS scores"); got != "NPS scores" {
		t.Errorf("lowerFirst(NPS scores) = %q", got)
	}
}
