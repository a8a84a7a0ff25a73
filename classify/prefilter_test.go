package classify

import (
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// prefilterInputs gathers the passages the equivalence tests run on: the gold
// file, the shared dev set when it is checked out next to the repository,
// and sentences generated from the rules themselves.
func prefilterInputs(t *testing.T, c *Classifier) []Input {
	t.Helper()
	var ins []Input
	add := func(gold []Gold) {
		for _, g := range gold {
			ins = append(ins, Input{Text: g.Text, Context: g.Question, Interviewer: g.Interviewer})
			if g.Interviewer {
				// Classify interviewer turns as answers too, so that their
				// text is not skipped.
				ins = append(ins, Input{Text: g.Text, Context: g.Question})
			}
		}
	}
	add(readGoldFile(t))
	if f, err := os.Open("../../shared/eval/dev.jsonl"); err == nil {
		gold, err := ReadGold(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		add(gold)
		t.Logf("%d passages from ../../shared/eval/dev.jsonl", len(gold))
	} else {
		t.Logf("no dev set: %v", err)
	}
	for _, text := range generatePassages(c.Rules(), 600) {
		ins = append(ins, Input{Text: text})
	}
	return ins
}

// TestPrefilterEquivalent classifies every input with the regexps alone
// (the code before the prefilter) and with the word prefilter and the rules'
// matchers, and requires identical results. The prefilter also runs with
// the regexps instead of the matchers, its cache of cut-down regexps as
// shipped, unbounded, and disabled.
func TestPrefilterEquivalent(t *testing.T) {
	off := defaultRules(t)
	off.noPrefilter = true
	on := defaultRules(t)
	regexps := defaultRules(t)
	regexps.noMatcher = true
	unbounded := defaultRules(t)
	unbounded.noMatcher = true
	unbounded.reduced.limit = 1 << 40
	unreduced := defaultRules(t)
	unreduced.noMatcher = true
	unreduced.reduced.limit = 0
	ins := prefilterInputs(t, off)
	fired := 0
	for i, in := range ins {
		want := off.Classify(in)
		for _, v := range []struct {
			name string
			c    *Classifier
		}{{"prefilter and matchers", on}, {"prefilter and regexps", regexps}, {"unbounded cache", unbounded}, {"no cache", unreduced}} {
			if got := v.c.Classify(in); !reflect.DeepEqual(got, want) {
				t.Errorf("input %d %q (context %q):\n%s %+v\nno prefilter %+v", i, in.Text, in.Context, v.name, got, want)
			}
		}
		if len(want.Matches)+len(want.Suppressed) > 0 {
			fired++
		}
	}
	t.Logf("%d inputs, %d with matches or suppressed cues; %d cut-down regexps cached (%d unbounded)",
		len(ins), fired, regexps.reduced.n.Load(), unbounded.reduced.n.Load())
	if fired < len(ins)/2 {
		t.Errorf("only %d of %d inputs fire any rule: the inputs test little", fired, len(ins))
	}
	if unbounded.reduced.n.Load() <= regexps.reduced.limit {
		t.Errorf("%d cut-down regexps: the inputs do not fill the cache", unbounded.reduced.n.Load())
	}
	if on.reduced.n.Load() != 0 {
		t.Errorf("%d cut-down regexps compiled with the matchers on", on.reduced.n.Load())
	}
}

// TestMatcherEquivalentSeedRules compares the matchers with the regexps on
// the hand-written seed rules, whose phrases use every notation (gaps,
// wildcards, sets, unless and except phrases, context rules), over
// passages generated from them and the training passages.
func TestMatcherEquivalentSeedRules(t *testing.T) {
	off := seedRules(t)
	off.noPrefilter = true
	on := seedRules(t)
	var ins []Input
	for _, text := range generatePassages(on.Rules(), 2000) {
		ins = append(ins, Input{Text: text})
	}
	// TestGoldenClassify has all of them; a third keeps this test short.
	for i, g := range readGoldPath(t, "../eval/train.jsonl") {
		if i%3 == 0 {
			ins = append(ins, Input{Text: g.Text, Context: g.Question})
		}
	}
	matchers, rules := 0, 0
	for _, cat := range on.categories {
		for _, r := range cat.rules {
			rules++
			if r.m != nil {
				matchers++
			}
		}
	}
	t.Logf("%d of %d seed rules have a matcher", matchers, rules)
	fired := 0
	for i, in := range ins {
		want := off.Classify(in)
		if got := on.Classify(in); !reflect.DeepEqual(got, want) {
			t.Errorf("input %d %q (context %q):\nmatchers %+v\nregexps  %+v", i, in.Text, in.Context, got, want)
		}
		if len(want.Matches)+len(want.Suppressed) > 0 {
			fired++
		}
	}
	t.Logf("%d inputs, %d with matches or suppressed cues", len(ins), fired)
}

// TestPrefilterSound checks the prefilter's promise rule by rule: when it
// says a text or sentence lacks a rule's words, the rule's regexp finds
// nothing there.
func TestPrefilterSound(t *testing.T) {
	c := defaultRules(t)
	filterable, rules := 0, 0
	for _, cat := range c.categories {
		for _, r := range cat.rules {
			if r.onContext {
				continue
			}
			rules++
			if r.pre != nil {
				filterable++
			}
		}
	}
	t.Logf("%d of %d text rules filterable, %d anchors", filterable, rules, c.anchors.n)
	if filterable < rules/2 {
		t.Errorf("only %d of %d text rules filterable", filterable, rules)
	}
	// Each phrase on its own, for the check that a phrase ruled out in a
	// sentence does not match there (what the cut-down regexps rely on).
	phraseRes := map[string][]*regexp.Regexp{}
	for _, cat := range c.categories {
		for _, r := range cat.rules {
			for _, alt := range r.phraseAlts {
				if r.pre == nil {
					break
				}
				re, err := bounded([]string{alt})
				if err != nil {
					t.Fatal(err)
				}
				phraseRes[r.id] = append(phraseRes[r.id], re)
			}
		}
	}
	skipped, checked, phrasesOut := 0, 0, 0
	for n, in := range prefilterInputs(t, c) {
		text := newNormalized(in.Text)
		sentences := text.sentences()
		hits := c.anchors.hits(text, sentences)
		for _, cat := range c.categories {
			for _, r := range cat.rules {
				if r.onContext || r.pre == nil {
					whole := r.regexp().MatchString(text.norm)
					if r.lits != nil && whole && !r.lits.holds(text.norm) {
						t.Errorf("rule %s matches %q, which lacks its literals", r.id, text.norm)
					}
					for _, s := range sentences {
						if sentence := text.norm[s.start:s.end]; r.sentenceLocal && !whole && r.regexp().MatchString(sentence) {
							t.Errorf("sentence-local rule %s matches sentence %q but not its text %q", r.id, sentence, text.norm)
						}
					}
					continue
				}
				checked++
				if r.lits != nil && r.regexp().MatchString(text.norm) && !r.lits.holds(text.norm) {
					t.Errorf("rule %s matches %q, which lacks its literals", r.id, text.norm)
				}
				if !r.pre.eval(hits.text) {
					skipped++
					if r.regexp().MatchString(text.norm) {
						t.Errorf("rule %s skipped but matches %q", r.id, text.norm)
					}
				}
				whole := r.regexp().MatchString(text.norm)
				for i, s := range sentences {
					sentence := text.norm[s.start:s.end]
					in := r.regexp().MatchString(sentence)
					if !r.pre.eval(hits.sentences[i]) && in {
						t.Errorf("rule %s skipped but matches sentence %q", r.id, sentence)
					}
					if r.sentenceLocal && in && !whole {
						t.Errorf("sentence-local rule %s matches sentence %q but not its text %q", r.id, sentence, text.norm)
					}
					if len(r.phraseConds) != len(r.phraseAlts) {
						t.Fatalf("rule %s: %d phrase conds for %d phrases", r.id, len(r.phraseConds), len(r.phraseAlts))
					}
					for k, pc := range r.phraseConds {
						if n%10 == 0 && !pc.eval(hits.sentences[i]) { // every phrase of every input takes long
							phrasesOut++
							if phraseRes[r.id][k].MatchString(sentence) {
								t.Errorf("rule %s phrase %q ruled out but matches sentence %q", r.id, r.phraseAlts[k], sentence)
							}
						}
					}
				}
			}
		}
	}
	t.Logf("prefilter skipped %d of %d rule runs and ruled out %d phrases in sentences", skipped, checked, phrasesOut)
}

// generatePassages writes passages from the rules' own phrases, with their
// sets, wildcards and gaps filled in and near misses mixed in: apostrophes,
// hyphens, commas, line breaks, capitals, curly quotes, negations and
// questions.
func generatePassages(f *File, n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	sets := map[string][]string{}
	for name, entries := range f.Sets {
		sets[strings.ToLower(name)] = entries
	}
	var phrases []string
	for _, cat := range f.Categories {
		for _, r := range cat.Rules {
			phrases = append(phrases, r.Phrases...)
			phrases = append(phrases, r.Unless...)
			phrases = append(phrases, r.Except...)
		}
	}
	phrases = append(phrases, f.Negation.Except...)
	filler := []string{"the", "product", "we", "it", "really", "team", "x", "a", "data", "and", "so",
		"ok", "kind", "well", "then", "report", "42", "über", "naïve", "co", "re", "don't", "isn't", "we're",
		"o'clock", "self-serve", "e-mail", "i", "you", "not", "but", "like", "said", "people", "is"}
	pick := func(list []string) string { return list[rng.IntN(len(list))] }
	word := func() string { return pick(filler) }
	suffixes := []string{"", "ing", "ed", "s", "'s", "-based", "er", "'"}
	var expand func(phrase string, sets map[string][]string) []string
	expand = func(phrase string, sets map[string][]string) []string {
		var out []string
		for _, w := range strings.Fields(phrase) {
			switch {
			case w == "_":
				out = append(out, word())
			case w == "...":
				for k := rng.IntN(4); k > 0; k-- {
					out = append(out, word())
				}
			case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}"):
				entries := sets[strings.ToLower(w[1:len(w)-1])]
				if len(entries) == 0 {
					out = append(out, w)
					continue
				}
				out = append(out, expand(pick(entries), nil)...)
			case strings.HasPrefix(w, "*") && len(w) > 1:
				out = append(out, word()+w[1:])
			case strings.HasSuffix(w, "*") && len(w) > 1:
				out = append(out, strings.TrimSuffix(w, "*")+pick(suffixes))
			default:
				out = append(out, w)
			}
		}
		return out
	}
	mutate := func(w string) string {
		switch rng.IntN(14) {
		case 0:
			return strings.ToUpper(w)
		case 1:
			return strings.ReplaceAll(w, "'", "\u2019")
		case 2:
			return w + "'s"
		case 3:
			return "re-" + w
		case 4:
			return w + "-" + word()
		case 5:
			if len(w) > 2 {
				return w[:len(w)-1] // a near miss
			}
		case 6:
			return w + "x"
		case 7:
			return "_" + w
		}
		return w
	}
	seps := []string{" ", " ", " ", " ", ", ", " ,", "\n", "  ", "\t", ". ", "! ", "? ", " - ", " (", ") "}
	var out []string
	for len(out) < n {
		var b strings.Builder
		for clauses := 1 + rng.IntN(4); clauses > 0; clauses-- {
			if rng.IntN(4) == 0 {
				b.WriteString(pick([]string{"I don't think ", "Not ", "we never ", "But ", "However, ", "\"", "He said \""}))
			}
			for k := rng.IntN(4); k > 0; k-- {
				b.WriteString(word() + pick(seps))
			}
			ws := expand(normalize(pick(phrases)), sets)
			for i, w := range ws {
				if i > 0 {
					b.WriteString(pick(seps[:7]))
				}
				if rng.IntN(3) == 0 {
					w = mutate(w)
				}
				if i == 0 && rng.IntN(3) == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
			}
			for k := rng.IntN(3); k > 0; k-- {
				b.WriteString(pick(seps) + word())
			}
			b.WriteString(pick([]string{".", ". ", "? ", "!\n", ", ", " ", "?\" she said. ", "...", "'"}))
		}
		out = append(out, b.String())
	}
	return out
}

// A pattern is sentence-local only if it asserts nothing of its context
// and cannot match a line break.
func TestPatternLocal(t *testing.T) {
	tests := []struct {
		pattern string
		want    bool
	}{
		{`[a-z']+ said,? "`, true},
		{`(?:he|she) (?:said|told (?:me|us))`, true},
		{`like.? "`, true}, // . does not match \n without (?s)
		{`\bsaid`, false},
		{`said$`, false},
		{`^said`, false},
		{`(?m)said$`, false},
		{`said\s+that`, false},
		{`said[^a-z]that`, false},
		{"said\nthat", false},
		{`(?s)said.that`, false},
		{`said(`, false}, // does not parse
	}
	for _, tt := range tests {
		if got := patternLocal(tt.pattern); got != tt.want {
			t.Errorf("patternLocal(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}
