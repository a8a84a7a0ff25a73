package classify

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/evident/evident"
)

func TestEvaluateArithmetic(t *testing.T) {
	gold := []Gold{
		{ID: "1", Labels: []string{"PAINS"}},
		{ID: "2", Labels: []string{"PAINS", "HEAR"}},
		{ID: "3", Labels: []string{}},
		{ID: "4", Labels: []string{"HEAR", "THINK"}},
	}
	// What the rules "said" for each passage, with the rules that fired.
	said := map[string]Result{
		"1": {Categories: []string{"PAINS"}, Matches: []evident.Match{{Category: "PAINS", Rule: "p.a"}, {Category: "PAINS", Rule: "p.b"}}},
		"2": {Categories: []string{"PAINS"}, Matches: []evident.Match{{Category: "PAINS", Rule: "p.a"}}},
		"3": {Categories: []string{"PAINS", "HEAR"}, Matches: []evident.Match{{Category: "PAINS", Rule: "p.b"}, {Category: "HEAR", Rule: "h.a"}}},
		"4": {Categories: []string{"HEAR", "PAINS"}, Matches: []evident.Match{{Category: "HEAR", Rule: "h.a"}, {Category: "PAINS", Rule: "p.a"}}},
	}
	rep := Evaluate([]string{"HEAR", "PAINS"}, gold, func(g Gold) Result { return said[g.ID] })

	want := map[string]CategoryScore{
		// PAINS: predicted 1,2,3,4; gold 1,2 → P 2/4, R 2/2.
		"PAINS": {Support: 2, Predicted: 4, TP: 2, Precision: 0.5, Recall: 1, F1: 2 * 0.5 / 1.5},
		// HEAR: predicted 3,4; gold 2,4 → P 1/2, R 1/2.
		"HEAR": {Support: 2, Predicted: 2, TP: 1, Precision: 0.5, Recall: 0.5, F1: 0.5},
	}
	for _, s := range rep.Categories {
		w := want[s.Category]
		if s.Support != w.Support || s.Predicted != w.Predicted || s.TP != w.TP || !near(s.Precision, w.Precision) || !near(s.Recall, w.Recall) || !near(s.F1, w.F1) {
			t.Errorf("%s = %+v, want %+v", s.Category, s, w)
		}
	}
	if !near(rep.MacroF1, (want["PAINS"].F1+want["HEAR"].F1)/2) {
		t.Errorf("macro-F1 %v", rep.MacroF1)
	}
	if rep.Unknown["THINK"] != 1 {
		t.Errorf("unknown labels %v, want THINK once", rep.Unknown)
	}

	rules := map[string]RuleScore{}
	for _, r := range rep.Rules {
		rules[r.Rule] = r
	}
	if r := rules["p.a"]; r.Fired != 3 || r.Correct != 2 || r.Alone != 2 || r.Overlaps["p.b"] != 1 {
		t.Errorf("p.a = %+v", r)
	}
	if r := rules["h.a"]; r.Fired != 2 || r.Correct != 1 || !near(r.Accuracy, 0.5) {
		t.Errorf("h.a = %+v", r)
	}
	// Passage 4: gold HEAR, not PAINS; h.a and p.a fired together.
	found := false
	for _, c := range rep.Conflicts {
		if c.Right == "h.a" && c.Wrong == "p.a" && c.Passages == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("conflict h.a vs p.a missing: %+v", rep.Conflicts)
	}
	// Passages 2, 3 and 4 are wrong; 1 is right.
	if len(rep.Errors) != 3 || rep.Errors[0].ID != "2" || strings.Join(rep.Errors[0].Missed, ",") != "HEAR" {
		t.Errorf("errors %+v", rep.Errors)
	}
}

func TestReadGold(t *testing.T) {
	in := `{"id":"a","text":"x","labels":["pains"," gains "]}

{"text":"no id","labels":[]}
`
	gold, err := ReadGold(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(gold) != 2 || gold[0].Labels[0] != "PAINS" || gold[0].Labels[1] != "GAINS" || gold[1].ID != "line-3" {
		t.Errorf("gold %+v", gold)
	}
	if _, err := ReadGold(strings.NewReader("{\"id\":\"a\"}\n{broken\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err %v, want one naming line 2", err)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// What WriteGold writes, ReadGold reads back as it was.
func TestWriteGoldRoundTrip(t *testing.T) {
	gold := []Gold{
		{ID: "b15e520f5400-1", Text: "Reconciling the two takes forever <really>.", Labels: []string{"PAINS", "GAINS"}, Speaker: "Priya Raman", Kind: "interview", Source: "interview.txt"},
		{ID: "b15e520f5400-2", Text: "Who do you hear from?", Labels: nil, Speaker: "Interviewer", Interviewer: true, Question: "About budgets"},
	}
	var b strings.Builder
	if err := WriteGold(&b, gold); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(b.String(), "\n"); lines != 2 || !strings.Contains(b.String(), `"labels":[]`) || !strings.Contains(b.String(), "<really>") {
		t.Errorf("written:\n%s", b.String())
	}
	back, err := ReadGold(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	gold[1].Labels = []string{}
	if fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", gold) {
		t.Errorf("read back %+v, want %+v", back, gold)
	}
}
