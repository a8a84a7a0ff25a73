package classify

import (
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/configs"
)

func defaultRules(t testing.TB) *Classifier {
	t.Helper()
	c, err := Parse(configs.Rules())
	if err != nil {
		t.Fatalf("default rules: %v", err)
	}
	return c
}

func TestClassifyCases(t *testing.T) {
	c := defaultRules(t)
	tests := []struct {
		name        string
		in          Input
		want, never []string
	}{
		{"reported speech is HEAR", Input{Text: "My CEO keeps telling me we need to cut costs."}, []string{"HEAR"}, nil},
		{"according to", Input{Text: "According to Gartner, budgets will shrink next year."}, []string{"HEAR"}, nil},
		{"negated pain", Input{Text: "Honestly it's not frustrating at all."}, nil, []string{"PAINS"}},
		{"never a problem", Input{Text: "That was never a problem for us."}, nil, []string{"PAINS"}},
		{"pain", Input{Text: "It is so frustrating that reconciliation takes forever."}, []string{"PAINS"}, nil},
		{"negation stops at but", Input{Text: "It's not cheap but the real problem is the onboarding."}, []string{"PAINS"}, nil},
		{"desire", Input{Text: "We need a way to see spend by team."}, []string{"GAINS"}, nil},
		{"routine", Input{Text: "Every Monday I review the forecast with my team."}, []string{"DO"}, nil},
		{"tool switch", Input{Text: "We switched to usage-based pricing last year."}, []string{"DO"}, nil},
		{"observation", Input{Text: "We're seeing everyone is moving to the cloud."}, []string{"SEE"}, nil},
		{"message", Input{Text: "I always tell my team to start from the customer."}, []string{"SAY"}, nil},
		{"interviewer gets nothing", Input{Text: "What frustrates you most about budgeting?", Interviewer: true}, nil, []string{"PAINS", "SAY", "HEAR"}},
		{"question gets nothing", Input{Text: "Is it frustrating when the numbers are late?"}, nil, []string{"PAINS"}},
		{"survey context", Input{Text: "Lack of time and budget", Context: "What hinders you from adopting FinOps?"}, []string{"PAINS"}, nil},
		{"curly apostrophe", Input{Text: "We’re seeing more teams go remote."}, []string{"SEE"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(tt.in)
			for _, w := range tt.want {
				if !slices.Contains(got.Categories, w) {
					t.Errorf("want %s in %v; matches %v; suppressed %v", w, got.Categories, got.Matches, got.Suppressed)
				}
			}
			for _, n := range tt.never {
				if slices.Contains(got.Categories, n) {
					t.Errorf("%s must not fire: %v", n, got.Matches)
				}
			}
			for _, m := range got.Matches {
				if m.Rule == "" || m.Text == "" || !strings.Contains(strings.ToLower(tt.in.Text+" context: "+tt.in.Context), strings.ToLower(strings.TrimPrefix(m.Text, "context: "))) {
					t.Errorf("match %+v does not quote the input", m)
				}
			}
		})
	}
}
