package classify

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evident/evident"
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

// seedRules are the hand-written rules the built-in ones were learned from;
// their cues exercise every mechanic of the engine (negation and its
// exceptions, questions, quotes, unless and except phrases, context rules).
func seedRules(t testing.TB) *Classifier {
	t.Helper()
	c, err := Parse(configs.SeedRules())
	if err != nil {
		t.Fatalf("seed rules: %v", err)
	}
	return c
}

func TestClassifyCases(t *testing.T) {
	c := seedRules(t)
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
		{"need is not a past tense", Input{Text: "We need a forecast the board can trust."}, []string{"GAINS"}, []string{"DO"}},
		{"curly apostrophe", Input{Text: "We’re seeing more teams go remote."}, []string{"SEE"}, nil},
		// Negation and its exceptions.
		{"no issues", Input{Text: "We had no issues with the export."}, nil, []string{"PAINS"}},
		{"wasn't hard", Input{Text: "Setting it up wasn't hard."}, nil, []string{"PAINS"}},
		{"not only is no negation", Input{Text: "It is not only frustrating, it also costs us a day."}, []string{"PAINS"}, nil},
		{"not just is no negation", Input{Text: "The tool is not just painful, it is slow."}, []string{"PAINS"}, nil},
		{"can't get is a pain", Input{Text: "We can't get the regions to report on time."}, []string{"PAINS"}, nil},
		{"couldn't be happier is a gain", Input{Text: "I couldn't be happier with the new portal."}, []string{"GAINS"}, []string{"PAINS"}},
		{"negated positive is a pain", Input{Text: "The setup is not straightforward for new staff."}, []string{"PAINS"}, nil},
		{"too + adjective", Input{Text: "The approval flow is too rigid for small purchases."}, []string{"PAINS"}, nil},
		// Reported speech versus the speaker's own words.
		{"customers tell us", Input{Text: "Customers tell us the invoices arrive late."}, []string{"HEAR"}, nil},
		{"people say", Input{Text: "People say the new rules will raise prices."}, []string{"HEAR"}, nil},
		{"heard from", Input{Text: "I heard from a peer that their audit went badly."}, []string{"HEAR"}, nil},
		{"quoted third person", Input{Text: `My manager was like, "ship it and we'll fix it later."`}, []string{"HEAR"}, nil},
		{"quoted with attribution", Input{Text: `"Budgets are frozen until March," the controller said.`}, []string{"HEAR"}, nil},
		{"own quoted thought is not HEAR", Input{Text: `I was like, "we can do this in a week."`}, []string{"SAY"}, []string{"HEAR"}},
		{"my view is", Input{Text: "My view is that finance should own the tooling."}, []string{"SAY"}, nil},
		{"I'd say", Input{Text: "I'd say most dashboards go unread."}, []string{"SAY"}, nil},
		{"hedge plus stance", Input{Text: "I think you have to start with the data."}, []string{"SAY"}, nil},
		{"hedge alone is not SAY", Input{Text: "I think we started in March."}, nil, []string{"SAY"}},
		// First-person action versus desire.
		{"habitual first person", Input{Text: "I spend my mornings answering approval emails."}, []string{"DO"}, nil},
		{"past first person", Input{Text: "We moved the close process to a shared ledger."}, []string{"DO"}, nil},
		{"desire is not action", Input{Text: "We wanted a faster close."}, []string{"GAINS"}, []string{"DO"}},
		{"third-party behaviour", Input{Text: "Competitors are bundling analytics for free."}, []string{"SEE"}, nil},
		// Questions inside quotes are reported, not asked.
		{"quoted question still tagged", Input{Text: `I was nervous, like "will anyone ever pay for this?"`}, []string{"PAINS"}, nil},
		// Survey context.
		{"N/A under a pain question", Input{Text: "N/A", Context: "What hinders you from adopting FinOps?"}, nil, []string{"PAINS"}},
		{"answer to a wish question", Input{Text: "One report for every entity", Context: "What would you like the tool to do?"}, []string{"GAINS"}, nil},
		{"answer to an opinion question", Input{Text: "Fair, if a little slow.", Context: "How do you feel about the review process?"}, []string{"SAY"}, nil},
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

// TestSuppressedReasons checks that every cancelled cue says why.
func TestSuppressedReasons(t *testing.T) {
	c := seedRules(t)
	tests := []struct {
		name, rule, reason string
		in                 Input
	}{
		{"negation", "pains.affect", `negated by "not"`, Input{Text: "It's not frustrating at all."}},
		{"question", "pains.affect", "in a question", Input{Text: "Is it frustrating?"}},
		{"context unless", "pains.context", "the answer is only an unless phrase of the rule", Input{Text: "n/a", Context: "What hinders you?"}},
		{"rule except", "do.past-action", "an except phrase of the rule", Input{Text: "We wanted more time."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := c.Classify(tt.in)
			for _, m := range res.Suppressed {
				if m.Rule == tt.rule && m.Reason == tt.reason {
					return
				}
			}
			t.Errorf("no suppressed %s with reason %q in %+v", tt.rule, tt.reason, res.Suppressed)
		})
	}
}

// TestNegationExcept covers negation.except on its own, with a tiny rules file.
func TestNegationExcept(t *testing.T) {
	const rules = `
negation:
  cues: [not, "*n't"]
  except: ["not only", "couldn't be {more}"]
sets:
  more: [happier, better]
categories:
  - name: PAINS
    rules:
      - id: p
        phrases: [slow, happier]
`
	c, err := Parse([]byte(rules))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		text string
		want bool
	}{
		{"it is slow", true},
		{"it is not slow", false},
		{"it is not only slow", true},
		{"it isn't slow", false},
		{"i couldn't be happier", true},
		{"i couldn't feel happier", false},
	}
	for _, tt := range tests {
		got := slices.Contains(c.Classify(Input{Text: tt.text}).Categories, "PAINS")
		if got != tt.want {
			t.Errorf("%q: PAINS %v, want %v", tt.text, got, tt.want)
		}
	}
}

// TestCompileErrors checks that the new keys are validated with a line and a reason.
func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, rules, want string
	}{
		{"except without a cue", `
negation:
  cues: [not]
  except: ["only not"]
categories:
  - name: A
    rules: [{id: a, phrases: [x]}]
`, `line 3: negation except "only not" does not start with a negation cue`},
		{"except with unknown set", `
negation:
  cues: [not]
  except: ["not {nope}"]
categories:
  - name: A
    rules: [{id: a, phrases: [x]}]
`, `line 3: negation except "not {nope}": unknown set {nope}`},
		{"underscore suffix is no wildcard", `
categories:
  - name: A
    rules: [{id: a, phrases: ["should be _er"]}]
`, `"_er" is not a wildcard`},
		{"rule except with unknown set", `
categories:
  - name: A
    rules:
      - id: a
        phrases: [x]
        except: ["{nope} x"]
`, `line 5: rule a: except "{nope} x": unknown set {nope}`},
		{"context unless with bad set", `
categories:
  - name: A
    rules:
      - id: a
        field: context
        phrases: [x]
        unless: ["{nope}"]
`, `line 5: rule a: unless "{nope}": unknown set {nope}`},
		{"the id of people's tags", `
categories:
  - name: A
    rules: [{id: person, phrases: [x]}]
`, `line 4: rule id "person" is reserved`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.rules))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func readGoldFile(t testing.TB) []Gold {
	t.Helper()
	return readGoldPath(t, "testdata/gold.jsonl")
}

func readGoldPath(t testing.TB, path string) []Gold {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gold, err := ReadGold(f)
	if err != nil {
		t.Fatal(err)
	}
	return gold
}

// TestGoldFile guards the seed rules against regressions on passages
// written for this purpose (not taken from any corpus).
func TestGoldFile(t *testing.T) {
	c := seedRules(t)
	gold := readGoldFile(t)
	rep := Evaluate(c.Categories(), gold, func(g Gold) Result {
		return c.Classify(Input{Text: g.Text, Context: g.Question, Interviewer: g.Interviewer})
	})
	for _, s := range rep.Categories {
		t.Logf("%-6s P %.2f R %.2f F1 %.2f (support %d)", s.Category, s.Precision, s.Recall, s.F1, s.Support)
		if s.Support == 0 {
			t.Errorf("gold file has no %s passage", s.Category)
		}
	}
	if rep.MacroF1 < 0.8 {
		t.Errorf("macro-F1 %.3f on testdata/gold.jsonl, want >= 0.8", rep.MacroF1)
	}
}

// TestConcurrentClassify runs one classifier from many goroutines; run
// with -race to check that Classify shares no mutable state.
func TestConcurrentClassify(t *testing.T) {
	c := defaultRules(t)
	gold := readGoldFile(t)
	want := make([][]string, len(gold))
	for i, g := range gold {
		want[i] = c.Classify(Input{Text: g.Text, Context: g.Question, Interviewer: g.Interviewer}).Categories
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, g := range gold {
				got := c.Classify(Input{Text: g.Text, Context: g.Question, Interviewer: g.Interviewer}).Categories
				if !slices.Equal(got, want[i]) {
					t.Errorf("%s: %v, want %v", g.ID, got, want[i])
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkClassify measures passages per second on one goroutine over the
// gold file's texts: go test ./classify -run '^$' -bench Classify -cpu 1
func BenchmarkClassify(b *testing.B) {
	c := defaultRules(b)
	gold := readGoldFile(b)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		g := gold[i%len(gold)]
		c.Classify(Input{Text: g.Text, Context: g.Question, Interviewer: g.Interviewer})
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "passages/s")
}

// A person's tag reads as who set it; a rule's as the rule and its words.
func TestExplain(t *testing.T) {
	at := time.Date(2025, 6, 1, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		matches []evident.Match
		want    []string
	}{
		{"none", nil, []string{}},
		{"rules", []evident.Match{{Category: "PAINS", Rule: "pains.slow", Text: "takes forever", Weight: 0.5}, {Category: "HEAR", Rule: "hear.reported", Text: "CEO tells me", Weight: 1},
			{Category: "PAINS", Rule: "pains.worry", Text: "worried", Weight: 0.75}},
			[]string{`HEAR: hear.reported "CEO tells me" 1`, `PAINS: pains.worry "worried" 0.75; pains.slow "takes forever" 0.5`}},
		{"one rule, several words", []evident.Match{{Category: "HEAR", Rule: "hear.cue.telling", Text: "telling", Weight: 0.49}, {Category: "HEAR", Rule: "hear.cue.telling", Text: "tells", Weight: 0.49},
			{Category: "HEAR", Rule: "hear.cue.telling", Text: "telling", Weight: 0.49}},
			[]string{`HEAR: hear.cue.telling "telling", "tells" 0.49`}},
		{"a person", []evident.Match{evident.PersonMatch("GAINS", "dana", at), {Category: "SAY", Rule: "say.opinion", Text: "I believe"}},
			[]string{"GAINS: tagged by dana on 2025-06-01", `SAY: say.opinion "I believe" 0`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Explain(tt.matches); !slices.Equal(got, tt.want) {
				t.Errorf("Explain = %q, want %q", got, tt.want)
			}
		})
	}
}

// BenchmarkParseBuiltin measures decoding and compiling the built-in rules,
// which every writer does once at start:
// go test ./classify -run '^$' -bench ParseBuiltin -benchtime 50x
func BenchmarkParseBuiltin(b *testing.B) {
	data := configs.Rules()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// normalize's shortcut for plain lower-case ASCII returns what the whole
// normalization would.
func TestNormalizeShortcut(t *testing.T) {
	for _, s := range []string{"", "plain words", "Upper Case", "tab\there", "cr\r", "it`s", "it’s", "naïve", "a\u00a0b", "\xff", "{set} ... _ word* *ed", "ÀÉ"} {
		if got, want := normalize(s), newNormalized(s).norm; got != want {
			t.Errorf("normalize(%q) = %q, want %q", s, got, want)
		}
	}
}
