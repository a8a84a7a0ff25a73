// Package classify tags passages with the empathy-map categories using
// explainable keyword rules loaded from a YAML file (configs/rules.yaml).
// Every tag carries the rule and the words that fired it.
package classify

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
)

// Input is one passage to classify.
type Input struct {
	Text        string
	Context     string // survey question or heading the text answers
	Interviewer bool   // interviewer, host or moderator turn
}

// Result is what the rules made of a passage.
type Result struct {
	Categories []string           `json:"categories"`
	Scores     map[string]float64 `json:"scores"`
	Matches    []evident.Match    `json:"matches"`
	// Suppressed lists cues that were found but did not count, and why.
	Suppressed []evident.Match `json:"suppressed,omitempty"`
}

// Classifier applies one compiled rules file. It is safe for concurrent use.
type Classifier struct {
	file            *File
	categories      []compiledCategory
	negation        negation
	skipQuestions   bool
	skipInterviewer bool
	// anchors index the words the rules' prefilter conds test; see prefilter.go.
	anchors *anchors
	reduced *reducedCache
	// noPrefilter runs every rule's regexp on every passage, for tests that
	// check the prefilter changes nothing.
	noPrefilter bool
	// noMatcher keeps the prefilter but runs the regexps where the rules'
	// matchers would run, for tests that compare the two.
	noMatcher bool
}

type compiledCategory struct {
	name      string
	threshold float64
	rules     []compiledRule
}

type compiledRule struct {
	id        string
	category  string
	weight    float64
	negatable bool
	onContext bool
	// re is the rule's regexp: compiled by Compile when the rule has no
	// matcher, else left nil and compiled from src by lazyRe on first use
	// (see regexp).
	re     *regexp.Regexp
	src    string
	lazyRe func() *regexp.Regexp
	unless *regexp.Regexp
	except *regexp.Regexp // a match that is exactly one of these does not count
	// pre must hold for re to match a text (words it needs); nil if unknown.
	pre *cond
	// sentenceLocal: re matches a sentence only where it matches the whole
	// text, so the whole-text test can be left to the prefilter.
	sentenceLocal bool
	// phraseConds[i] must hold for phrase i (phraseAlts[i], a fragment of re)
	// to match; nil when pre is.
	phraseConds []*cond
	phraseAlts  []string
	// m finds what re finds without the regexp engine (match.go); nil for
	// rules with patterns.
	m *alternation
	// lits must hold in a text for re to match there; for rules with
	// patterns, which have no matcher.
	lits *litCond
}

type negation struct {
	window      int
	cues        map[string]bool
	prefixes    []string
	suffixes    []string // "*n't" style: any word ending so
	terminators map[string]bool
	// except matches, anchored at a cue, the phrases in which the cue does
	// not negate ("not only", "no doubt", "couldn't be happier").
	except *regexp.Regexp
}

// Categories returns the category names in the order the rules file gives them.
func (c *Classifier) Categories() []string {
	out := make([]string, len(c.categories))
	for i, cat := range c.categories {
		out[i] = cat.name
	}
	return out
}

// QueryWords maps each word that names a category in a search ("heard",
// "frustrations") to the category, lower-cased.
func (c *Classifier) QueryWords() map[string]string { return c.file.QueryWords() }

// Rules returns the file the classifier was compiled from.
func (c *Classifier) Rules() *File { return c.file }

// Classify tags one passage.
func (c *Classifier) Classify(in Input) Result {
	res := Result{Categories: []string{}, Scores: map[string]float64{}, Matches: []evident.Match{}}
	if in.Interviewer && c.skipInterviewer {
		return res
	}
	text, sentences, context, hits := c.prepare(in)
	for _, cat := range c.categories {
		var score float64
		var fired []evident.Match
		for i := range cat.rules {
			ms, sup := c.apply(&cat.rules[i], text, sentences, context, hits)
			res.Suppressed = append(res.Suppressed, sup...)
			if len(ms) > 0 {
				score += cat.rules[i].weight
				fired = append(fired, ms...)
			}
		}
		if score == 0 {
			continue
		}
		res.Scores[cat.name] = round(score)
		if score+1e-9 < cat.threshold {
			for _, m := range fired {
				m.Reason = fmt.Sprintf("score %.2f below threshold %.2f", score, cat.threshold)
				res.Suppressed = append(res.Suppressed, m)
			}
			continue
		}
		res.Categories = append(res.Categories, cat.name)
		res.Matches = append(res.Matches, fired...)
	}
	return res
}

// prepare normalises a passage and its context, splits it into sentences
// and looks up the prefilter's words: what every rule's apply reads.
func (c *Classifier) prepare(in Input) (text *normalized, sentences []span, context *normalized, hits *passageHits) {
	text = newNormalized(in.Text)
	sentences = text.sentences()
	if in.Context != "" {
		context = newNormalized(in.Context)
	}
	if c.anchors != nil && !c.noPrefilter {
		hits = c.anchors.hits(text, sentences)
		if !c.noMatcher {
			hits.starts = make([][]wordStart, len(sentences))
		}
	}
	return text, sentences, context, hits
}

func round(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

// apply runs one rule and returns the matches that count and those that were
// cancelled (negated, in a question, excluded by an unless phrase).
func (c *Classifier) apply(r *compiledRule, text *normalized, sentences []span, context *normalized, hits *passageHits) (ms, suppressed []evident.Match) {
	filter := hits != nil && r.pre != nil && !r.onContext
	// fast: the rule's matcher stands in for its regexp.
	fast := hits != nil && hits.starts != nil && r.m != nil
	lits := hits != nil && hits.starts != nil && r.lits != nil && !r.onContext
	if lits && !r.lits.holds(text.norm) {
		return nil, nil // the text lacks literals every match needs
	}
	if lits && !slices.ContainsFunc(sentences, func(s span) bool { return r.lits.holds(text.norm[s.start:s.end]) }) {
		// Matches are found sentence by sentence: with none possible in
		// any sentence, the whole-text test below cannot add one.
		return nil, nil
	}
	if filter && !r.pre.eval(hits.text) {
		return nil, nil // the text lacks words that every match needs
	}
	seen := map[string]bool{}
	add := func(list *[]evident.Match, matched, reason string) {
		key := matched + "\x00" + reason
		if seen[key] {
			return
		}
		seen[key] = true
		*list = append(*list, evident.Match{Category: r.category, Rule: r.id, Text: matched, Weight: r.weight, Reason: reason})
	}
	if r.onContext {
		if context == nil {
			return nil, nil
		}
		locs := r.regexp().FindAllStringSubmatchIndex(context.norm, -1)
		// For a context rule, unless phrases are matched against the whole
		// answer: "N/A" under "What hinders you?" is no obstacle.
		excluded := len(locs) > 0 && r.unless != nil && r.unless.MatchString(text.norm)
		for _, loc := range locs {
			matched := "context: " + context.original(loc[2], loc[3])
			if excluded {
				add(&suppressed, matched, "the answer is only an unless phrase of the rule")
				continue
			}
			add(&ms, matched, "")
		}
		return ms, suppressed
	}
	// Most rules match nowhere: one test over the whole text is cheaper than
	// looking for every match in every sentence. With the prefilter, a
	// sentence-local rule needs no such test: the sentences that lack its
	// words are skipped below, and the rest are where the test would look.
	if !((filter || lits) && r.sentenceLocal) {
		if fast {
			if hits.textStarts == nil {
				hits.textStarts = starts(text.norm)
			}
			if len(r.m.findAll(text.norm, hits.textStarts, 1)) == 0 {
				return nil, nil
			}
		} else if !r.regexp().MatchString(text.norm) {
			return nil, nil
		}
	}
	for i, s := range sentences {
		if filter && !r.pre.eval(hits.sentences[i]) {
			continue // no match in this sentence
		}
		sentence := text.norm[s.start:s.end]
		if lits && !r.lits.holds(sentence) {
			continue
		}
		var locs [][2]int
		if fast {
			if hits.starts[i] == nil {
				hits.starts[i] = starts(sentence)
			}
			locs = r.m.findAll(sentence, hits.starts[i], -1)
		} else {
			re := r.regexp()
			if filter {
				re = c.reduced.get(r, hits.sentences[i])
			}
			for _, loc := range re.FindAllStringSubmatchIndex(sentence, -1) {
				locs = append(locs, [2]int{loc[2], loc[3]})
			}
		}
		if len(locs) == 0 {
			continue
		}
		question := c.skipQuestions && s.question
		excluded := r.unless != nil && r.unless.MatchString(sentence)
		for _, loc := range locs {
			loc := [4]int{0, 0, loc[0], loc[1]}
			start, end := s.start+loc[2], s.start+loc[3]
			matched := text.original(start, end)
			switch {
			case question:
				add(&suppressed, matched, "in a question")
			case excluded:
				add(&suppressed, matched, "excluded by an unless phrase of the rule")
			case r.except != nil && r.except.MatchString(sentence[loc[2]:loc[3]]):
				add(&suppressed, matched, "an except phrase of the rule")
			default:
				if cue := c.negatedBy(sentence, loc[2]); cue != "" && r.negatable {
					add(&suppressed, matched, fmt.Sprintf("negated by %q", cue))
					continue
				}
				add(&ms, matched, "")
			}
		}
	}
	return ms, suppressed
}

// regexp returns the rule's regexp, compiling it on first use for a rule
// with a matcher. Its source is built from phrases that phraseRegexp
// accepted, quoted literals and fixed classes, so it compiles.
func (r *compiledRule) regexp() *regexp.Regexp {
	if r.re != nil {
		return r.re
	}
	return r.lazyRe()
}

// negatedBy looks back from offset at in sentence over the last few words
// of its clause and returns the negation cue found there, if any. A cue that
// begins an exception phrase ("not only", "couldn't be happier") is skipped.
func (c *Classifier) negatedBy(sentence string, at int) string {
	before := sentence[:at]
	words := 0
	end := len(before)
	for end > 0 && words < c.negation.window+1 {
		r, size := utf8.DecodeLastRuneInString(before[:end])
		switch {
		case isWordRune(r):
			start := end
			for start > 0 {
				r, size := utf8.DecodeLastRuneInString(before[:start])
				if !isWordRune(r) {
					break
				}
				start -= size
			}
			w := before[start:end]
			if c.negation.terminators[w] {
				return ""
			}
			if c.isNegation(w) && (c.negation.except == nil || !c.negation.except.MatchString(sentence[start:])) {
				return w
			}
			words++
			end = start
		case strings.ContainsRune(",;:()—–", r):
			return "" // a clause boundary ends the negation's reach
		default:
			end -= size
		}
	}
	return ""
}

func (c *Classifier) isNegation(w string) bool {
	if c.negation.cues[w] {
		return true
	}
	for _, p := range c.negation.prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	for _, s := range c.negation.suffixes {
		if strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || r == '\'' || r == '_' || r == '-'
}

// normalized is a lower-cased copy of a text with typographic quotes and
// spaces folded, and a map back to the original bytes so that a match can be
// reported in the writer's own words.
type normalized struct {
	orig string
	norm string
	back []int // back[i] = offset in orig of norm byte i; len(norm)+1 entries
}

func newNormalized(s string) *normalized {
	n := &normalized{orig: s}
	var b strings.Builder
	b.Grow(len(s))
	n.back = make([]int, 0, len(s)+1)
	for i, r := range s {
		switch r {
		case '\u2019', '\u2018', '\u02bc', '`', '\u00b4':
			r = '\''
		case '\u201c', '\u201d', '\u201e':
			r = '"'
		case '\u00a0', '\u2009', '\u202f', '\u2007', '\t', '\r':
			r = ' '
		case utf8.RuneError:
			r = ' '
		default:
			r = unicode.ToLower(r)
		}
		before := b.Len()
		b.WriteRune(r)
		for j := before; j < b.Len(); j++ {
			n.back = append(n.back, i)
		}
	}
	n.back = append(n.back, len(s))
	n.norm = b.String()
	return n
}

func (n *normalized) original(start, end int) string {
	return strings.TrimSpace(n.orig[n.back[start]:n.back[end]])
}

type span struct {
	start, end int
	question   bool
}

// sentences splits the normalised text at sentence ends and line breaks.
// Good enough for scoping questions, negation and unless phrases; an
// abbreviation that splits a sentence costs little.
func (n *normalized) sentences() []span {
	var out []span
	s := n.norm
	start := 0
	emit := func(end int) {
		t := strings.TrimSpace(s[start:end])
		if t != "" {
			body := strings.TrimRight(t, `"')]`)
			// A question inside a quotation ("I was nervous, like "can we
			// even raise money?"") is reported, not asked: an odd number of
			// quote marks before the final "?" means it is quoted.
			q := strings.HasSuffix(body, "?") && strings.Count(body, `"`)%2 == 0
			out = append(out, span{start: start, end: end, question: q})
		}
		start = end
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			emit(i + 1)
		case '.', '!', '?':
			j := i + 1
			for j < len(s) && strings.IndexByte(`.!?"')]`, s[j]) >= 0 {
				j++
			}
			if j == len(s) || s[j] == ' ' || s[j] == '\n' {
				emit(j)
				i = j - 1
			}
		}
	}
	emit(len(s))
	return out
}

// Explain renders the matches of a result as one line per category, for
// people reading terminal output: each rule once, with the words it found
// and its weight, heaviest first ("hear.reported "CEO tells me" 0.64").
func Explain(matches []evident.Match) []string {
	type fired struct {
		rule   string
		words  []string
		weight float64
		person string
	}
	by := map[string][]*fired{}
	var cats []string
	for _, m := range matches {
		if _, ok := by[m.Category]; !ok {
			cats = append(cats, m.Category)
		}
		if m.ByPerson() {
			by[m.Category] = append(by[m.Category], &fired{person: m.Why(), weight: math.Inf(1)})
			continue
		}
		i := slices.IndexFunc(by[m.Category], func(f *fired) bool { return f.rule == m.Rule })
		if i < 0 {
			by[m.Category] = append(by[m.Category], &fired{rule: m.Rule, weight: m.Weight})
			i = len(by[m.Category]) - 1
		}
		if f := by[m.Category][i]; !slices.Contains(f.words, m.Text) {
			f.words = append(f.words, m.Text)
		}
	}
	sort.Strings(cats)
	out := make([]string, 0, len(cats))
	for _, c := range cats {
		fs := by[c]
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].weight > fs[j].weight })
		parts := make([]string, len(fs))
		for i, f := range fs {
			if f.person != "" {
				parts[i] = f.person
				continue
			}
			quoted := make([]string, len(f.words))
			for j, w := range f.words {
				quoted[j] = fmt.Sprintf("%q", w)
			}
			parts[i] = fmt.Sprintf("%s %s %s", f.rule, strings.Join(quoted, ", "), strconv.FormatFloat(f.weight, 'f', -1, 64))
		}
		out = append(out, c+": "+strings.Join(parts, "; "))
	}
	return out
}
