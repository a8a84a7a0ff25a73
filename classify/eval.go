package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Gold is one labelled passage: the shape of ../shared/eval/dev.jsonl and
// of a team's own gold file.
type Gold struct {
	ID          string   `json:"id"`
	Text        string   `json:"text"`
	Labels      []string `json:"labels"`
	Speaker     string   `json:"speaker,omitempty"`
	Interviewer bool     `json:"interviewer,omitempty"`
	Question    string   `json:"question,omitempty"` // the survey question or prompt it answers
	Kind        string   `json:"kind,omitempty"`
	Source      string   `json:"source,omitempty"`
	// Group names the documents that share a questionnaire, a study or a
	// show: learning holds out whole groups and wants cues that hold in
	// several. Empty means the source alone.
	Group string `json:"group,omitempty"`
}

// ReadGold reads JSON lines of labelled passages; errors name the line.
func ReadGold(r io.Reader) ([]Gold, error) {
	var out []Gold
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var g Gold
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if g.ID == "" {
			g.ID = fmt.Sprintf("line-%d", n)
		}
		for i, l := range g.Labels {
			g.Labels[i] = strings.ToUpper(strings.TrimSpace(l))
		}
		out = append(out, g)
	}
	return out, sc.Err()
}

// WriteGold writes labelled passages as JSON lines, one per passage, in
// the shape ReadGold reads.
func WriteGold(w io.Writer, gold []Gold) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, g := range gold {
		if g.Labels == nil {
			g.Labels = []string{} // "no category applies" is a label too
		}
		if err := enc.Encode(g); err != nil {
			return fmt.Errorf("gold passage %s: %w", g.ID, err)
		}
	}
	return nil
}

// Report measures rules against gold labels.
type Report struct {
	Passages   int             `json:"passages"`
	Categories []CategoryScore `json:"categories"`
	MacroF1    float64         `json:"macro_f1"`
	Rules      []RuleScore     `json:"rules"`
	Conflicts  []Conflict      `json:"conflicts"`
	Errors     []Error         `json:"errors"`
	Unknown    map[string]int  `json:"unknown_labels,omitempty"` // gold labels no category of the rules has
}

// CategoryScore is precision, recall and F1 of one category.
type CategoryScore struct {
	Category  string  `json:"category"`
	Support   int     `json:"support"` // gold passages with the label
	Predicted int     `json:"predicted"`
	TP        int     `json:"tp"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// RuleScore says how one rule behaves on the gold set.
type RuleScore struct {
	Rule     string `json:"rule"`
	Category string `json:"category"`
	// Fired counts passages where the rule counted towards a tag.
	Fired int `json:"fired"`
	// Correct counts those whose gold labels include the rule's category.
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// Alone counts passages where it was the only rule of its category:
	// the tags that stand or fall with it.
	Alone int `json:"alone"`
	// Overlaps counts, per other rule of the same category, the passages
	// where both fired: a rule that always fires with another adds little.
	Overlaps map[string]int `json:"overlaps,omitempty"`
}

// Conflict is a pair of rules of different categories that fire together
// on passages whose gold labels keep only one of the two categories.
type Conflict struct {
	Right, Wrong string // rule ids: Right's category is in the gold labels, Wrong's is not
	Passages     int
}

// Error is a passage the rules got wrong.
type Error struct {
	ID        string   `json:"id"`
	Text      string   `json:"text"`
	Gold      []string `json:"gold"`
	Predicted []string `json:"predicted"`
	Missed    []string `json:"missed,omitempty"`   // gold labels not predicted
	Spurious  []string `json:"spurious,omitempty"` // predicted labels not in gold
	Matches   []string `json:"matches,omitempty"`  // rule "words" that fired
	Source    string   `json:"source,omitempty"`
}

// Evaluate scores predictions against gold labels over the given
// categories (the rules file's, in its order). predict returns what the
// production code path makes of one gold passage.
func Evaluate(categories []string, gold []Gold, predict func(Gold) Result) Report {
	rep := Report{Passages: len(gold), Unknown: map[string]int{}}
	scores := map[string]*CategoryScore{}
	for _, c := range categories {
		scores[c] = &CategoryScore{Category: c}
	}
	rules := map[string]*RuleScore{}
	conflicts := map[[2]string]int{}
	for _, g := range gold {
		res := predict(g)
		for _, l := range g.Labels {
			if s, ok := scores[l]; ok {
				s.Support++
			} else {
				rep.Unknown[l]++
			}
		}
		for _, c := range res.Categories {
			if s, ok := scores[c]; ok {
				s.Predicted++
				if slices.Contains(g.Labels, c) {
					s.TP++
				}
			}
		}
		// Per rule: which rules counted, once per passage.
		fired := map[string]string{} // rule → category
		for _, m := range res.Matches {
			fired[m.Rule] = m.Category
		}
		perCat := map[string][]string{}
		for r, c := range fired {
			perCat[c] = append(perCat[c], r)
		}
		for r, c := range fired {
			rs := rules[r]
			if rs == nil {
				rs = &RuleScore{Rule: r, Category: c, Overlaps: map[string]int{}}
				rules[r] = rs
			}
			rs.Fired++
			if slices.Contains(g.Labels, c) {
				rs.Correct++
			}
			if len(perCat[c]) == 1 {
				rs.Alone++
			}
			for _, other := range perCat[c] {
				if other != r {
					rs.Overlaps[other]++
				}
			}
			for r2, c2 := range fired {
				if c2 != c && slices.Contains(g.Labels, c) && !slices.Contains(g.Labels, c2) {
					conflicts[[2]string{r, r2}]++
				}
			}
		}
		missed, spurious := diff(g.Labels, res.Categories)
		if len(missed) > 0 || len(spurious) > 0 {
			e := Error{ID: g.ID, Text: g.Text, Gold: nonNil(g.Labels), Predicted: nonNil(res.Categories),
				Missed: missed, Spurious: spurious, Source: g.Source}
			for _, m := range res.Matches {
				e.Matches = append(e.Matches, fmt.Sprintf("%s %s %q", m.Category, m.Rule, m.Text))
			}
			rep.Errors = append(rep.Errors, e)
		}
	}
	var sum float64
	for _, c := range categories {
		s := scores[c]
		s.Precision = ratio(s.TP, s.Predicted)
		s.Recall = ratio(s.TP, s.Support)
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		sum += s.F1
		rep.Categories = append(rep.Categories, *s)
	}
	if len(categories) > 0 {
		rep.MacroF1 = sum / float64(len(categories))
	}
	for _, rs := range rules {
		rs.Accuracy = ratio(rs.Correct, rs.Fired)
		rep.Rules = append(rep.Rules, *rs)
	}
	sort.Slice(rep.Rules, func(i, j int) bool {
		a, b := rep.Rules[i], rep.Rules[j]
		if a.Category != b.Category {
			return slices.Index(categories, a.Category) < slices.Index(categories, b.Category)
		}
		return a.Rule < b.Rule
	})
	for pair, n := range conflicts {
		rep.Conflicts = append(rep.Conflicts, Conflict{Right: pair[0], Wrong: pair[1], Passages: n})
	}
	sort.Slice(rep.Conflicts, func(i, j int) bool {
		a, b := rep.Conflicts[i], rep.Conflicts[j]
		if a.Passages != b.Passages {
			return a.Passages > b.Passages
		}
		return a.Right+a.Wrong < b.Right+b.Wrong
	})
	if len(rep.Unknown) == 0 {
		rep.Unknown = nil
	}
	return rep
}

func diff(gold, predicted []string) (missed, spurious []string) {
	for _, l := range gold {
		if !slices.Contains(predicted, l) {
			missed = append(missed, l)
		}
	}
	for _, c := range predicted {
		if !slices.Contains(gold, c) {
			spurious = append(spurious, c)
		}
	}
	return missed, spurious
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
