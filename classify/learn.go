package classify

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// LearnOptions tunes how rules are mined and fitted from labelled passages.
// The zero value gives the defaults noted on each field.
type LearnOptions struct {
	Folds      int     // cross-validation folds, grouped by source document (default 5; 1 skips CV)
	MinSources int     // a cue must occur in at least this many groups of documents (default 3)
	MinGroups  int     // ... and beat the category's base rate within at least this many (default 2)
	MinSupport int     // ... and in at least this many passages (default 4)
	MinPos     int     // ... of which this many carry the category, within the data it is fitted on (default 3)
	MaxN       int     // longest word n-gram (default 3)
	MaxCues    int     // cues per category kept for fitting, the most informative first (default 300)
	L1         float64 // sparsity of the fitted weights (default 0.004)
	// BaseRules makes the base file's own rules candidates too, each kept
	// only where the data support it. Off, the rules come from the data
	// alone: a base written by reading some test set's misses would
	// otherwise carry that set into the learned rules.
	BaseRules bool
	// Alone is the precision (on the data fitted) at which a cue tags a
	// passage by itself: its weight is raised to 1. 0 leaves weights as fitted.
	Alone float64
	Seed  uint64
}

func (o LearnOptions) withDefaults() LearnOptions {
	if o.Folds == 0 {
		o.Folds = 5
	}
	if o.MinSources == 0 {
		o.MinSources = 3
	}
	if o.MinGroups == 0 {
		o.MinGroups = 2
	}
	if o.MinSupport == 0 {
		o.MinSupport = 4
	}
	if o.MinPos == 0 {
		o.MinPos = 3
	}
	if o.MaxN == 0 {
		o.MaxN = 3
	}
	if o.MaxCues == 0 {
		o.MaxCues = 300
	}
	if o.L1 == 0 {
		o.L1 = 0.004
	}
	return o
}

// Learned is what Learn proposes: a rules file and the evidence for each rule.
type Learned struct {
	File  *File         `json:"-"`
	Rules []LearnedRule `json:"rules"`
	// CV is the cross-validated score of the learning procedure itself:
	// rules re-learned on each fold's training part and measured on the
	// documents it held out. Nil with one fold.
	CV *Report `json:"cross_validation,omitempty"`
	// Fit is the proposed rules measured on the data they were learned
	// from; the gap to CV is how much they fit rather than generalise.
	Fit        Report `json:"fit"`
	Passages   int    `json:"passages"`
	Candidates int    `json:"candidates"` // cues that occurred often enough to be tried
}

// LearnedRule is one proposed rule with its evidence.
type LearnedRule struct {
	ID        string  `json:"id"`
	Category  string  `json:"category"`
	Cue       string  `json:"cue"` // the phrase, or "rule ID" for a rule of the base file
	Field     string  `json:"field,omitempty"`
	Weight    float64 `json:"weight"`
	Support   int     `json:"support"`   // training passages it fires on
	Precision float64 `json:"precision"` // share of those labelled with the category
	// Adds is the held-out F1 of the category lost when the rule is removed
	// from the model of each fold that kept it, averaged over all folds.
	Adds  float64 `json:"adds"`
	Folds int     `json:"folds"` // folds whose model kept the rule
}

// feature is a cue the learner can weigh: a rule of the base file (for its
// own category only) or a mined phrase (for any category).
type feature struct {
	id       string // rule id in the feature classifier
	category string // "" when any category may use it
	rule     Rule   // the rule as it will be written
	cue      string
}

// Learn mines candidate cues from labelled passages, picks and weighs them
// per category by evidence, and returns a rules file whose categories fire
// when the sum of their fired rules' weights reaches 1. base gives the sets,
// negation, skip settings, category questions and search words; its rules
// are candidates only with opt.BaseRules.
func Learn(ctx context.Context, base *File, gold []Gold, opt LearnOptions) (*Learned, error) {
	opt = opt.withDefaults()
	if len(gold) == 0 {
		return nil, fmt.Errorf("learn: no labelled passages")
	}
	cats := categoryNames(base)
	m, err := newMatrix(ctx, base, gold, opt)
	if err != nil {
		return nil, err
	}
	out := &Learned{Passages: len(gold), Candidates: len(m.features)}

	all := make([]int, len(gold))
	for i := range all {
		all[i] = i
	}
	final := m.fit(cats, all, opt)

	if opt.Folds > 1 {
		folds := groupFolds(gold, opt.Folds, opt.Seed)
		pred := make([][]string, len(gold))
		adds := map[string]float64{}
		kept := map[string]int{}
		for k := range folds {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var train []int
			for j, f := range folds {
				if j != k {
					train = append(train, f...)
				}
			}
			model := m.fit(cats, train, opt)
			for _, i := range folds[k] {
				pred[i] = model.predict(m.rows[i])
			}
			for cat, ws := range model.weights {
				base := m.heldOutF1(model, cat, folds[k], -1)
				for f := range ws {
					id := cat + "\x00" + m.features[f].id
					kept[id]++
					adds[id] += base - m.heldOutF1(model, cat, folds[k], f)
				}
			}
		}
		next := 0 // Evaluate asks for the passages in order
		rep := Evaluate(cats, gold, func(Gold) Result { next++; return Result{Categories: pred[next-1]} })
		rep.Rules, rep.Conflicts = nil, nil
		out.CV = &rep
		for i := range final.rules {
			r := &final.rules[i]
			id := r.Category + "\x00" + r.featureID
			r.Adds = round4(adds[id] / float64(opt.Folds))
			r.Folds = kept[id]
		}
	}
	out.File = final.file(base, cats, m)
	for _, r := range final.rules {
		out.Rules = append(out.Rules, r.LearnedRule)
	}
	c, err := Compile(out.File)
	if err != nil {
		return nil, fmt.Errorf("learn: the proposed rules do not compile: %w", err)
	}
	out.Fit = Evaluate(cats, gold, func(g Gold) Result {
		return c.Classify(Input{Text: g.Text, Context: g.Question, Interviewer: g.Interviewer})
	})
	out.Fit.Errors = nil
	return out, nil
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

func categoryNames(f *File) []string {
	out := make([]string, len(f.Categories))
	for i, c := range f.Categories {
		out[i] = strings.ToUpper(strings.TrimSpace(c.Name))
	}
	return out
}

// matrix holds which candidate cues fire on which passage, computed once by
// the real classifier so that negation, questions and unless phrases count
// exactly as they will when the rules run.
type matrix struct {
	features []feature
	rows     [][]int // rows[i]: features firing on passage i, sorted
	labels   []map[string]bool
	skip     []bool // interviewer turns: never tagged, so not learned from
	group    []int  // each passage's group (groupOf), numbered

}

func newMatrix(ctx context.Context, base *File, gold []Gold, opt LearnOptions) (*matrix, error) {
	sets := map[string][]string{}
	for name, entries := range base.Sets {
		sets[strings.ToLower(name)] = entries
	}
	m := &matrix{labels: make([]map[string]bool, len(gold)), skip: make([]bool, len(gold)), group: make([]int, len(gold))}
	groups := map[string]int{}
	for i, g := range gold {
		id, ok := groups[groupOf(g)]
		if !ok {
			id = len(groups)
			groups[groupOf(g)] = id
		}
		m.group[i] = id
	}
	for i, g := range gold {
		m.labels[i] = map[string]bool{}
		for _, l := range g.Labels {
			m.labels[i][l] = true
		}
		m.skip[i] = g.Interviewer && base.Skip.Interviewer
	}
	probe := &File{Version: base.Version, Language: base.Language, Sets: base.Sets, Negation: base.Negation, Skip: base.Skip}
	for _, cat := range base.Categories {
		name := strings.ToUpper(strings.TrimSpace(cat.Name))
		if !opt.BaseRules {
			continue
		}
		probe.Categories = append(probe.Categories, Category{Name: name, Threshold: cat.Threshold, Rules: cat.Rules})
		for _, r := range cat.Rules {
			m.features = append(m.features, feature{id: r.ID, category: name, rule: r, cue: "rule " + r.ID})
		}
	}
	mined := mineCues(gold, sets, opt)
	var cues Category
	cues.Name = "\x00CUES"
	for _, c := range mined {
		id := fmt.Sprintf("cue%d", len(cues.Rules))
		r := Rule{ID: id, Phrases: []string{c.phrase}, Field: c.field}
		cues.Rules = append(cues.Rules, r)
		m.features = append(m.features, feature{id: id, rule: Rule{Phrases: []string{c.phrase}, Field: c.field}, cue: c.phrase})
	}
	if len(cues.Rules) > 0 {
		probe.Categories = append(probe.Categories, cues)
	}
	c, err := Compile(probe)
	if err != nil {
		return nil, fmt.Errorf("learn: %w", err)
	}
	index := map[string]int{}
	for i, f := range m.features {
		index[f.id] = i
	}
	m.rows = make([][]int, len(gold))
	for i, g := range gold {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if m.skip[i] {
			continue
		}
		for _, id := range c.firedRules(Input{Text: g.Text, Context: g.Question}) {
			m.rows[i] = append(m.rows[i], index[id])
		}
		slices.Sort(m.rows[i])
	}
	return m, nil
}

// firedRules lists the rules with at least one counted match, in any
// category, whatever the category's threshold.
func (c *Classifier) firedRules(in Input) []string {
	text, sentences, context, hits := c.prepare(in)
	var out []string
	for _, cat := range c.categories {
		for i := range cat.rules {
			if ms, _ := c.apply(&cat.rules[i], text, sentences, context, hits); len(ms) > 0 {
				out = append(out, cat.rules[i].id)
			}
		}
	}
	return out
}

type minedCue struct {
	phrase string
	field  string // "" or "context"
}

// mineCues lists word n-grams, stems ("frustrat*") and pronoun frames
// ("{we} use") of the passages, and n-grams of survey questions, that occur
// in enough passages of enough source documents. Labels are not looked at:
// the same candidates serve every fold.
func mineCues(gold []Gold, sets map[string][]string, opt LearnOptions) []minedCue {
	frames := map[string]map[string]bool{} // set name → its one-word entries
	for _, name := range []string{"we", "others", "crowd"} {
		if entries, ok := sets[name]; ok {
			frames[name] = map[string]bool{}
			for _, e := range entries {
				if !strings.ContainsAny(e, " *{") {
					frames[name][strings.ToLower(e)] = true
				}
			}
		}
	}
	stem := func(w string) string {
		env := snowballstem.NewEnv(w)
		english.Stem(env)
		return env.Current()
	}
	// Word classes (the file's sets: pronouns, speech verbs, sentiment
	// lexicons) generalise where single words are too rare to count.
	var setNames []string
	compiledSets := map[string]*regexp.Regexp{}
	for name := range sets {
		re, err := phraseRegexp("{"+name+"}", sets)
		if err != nil {
			continue
		}
		if b, err := bounded([]string{re}); err == nil {
			compiledSets[name] = b
			setNames = append(setNames, name)
		}
	}
	sort.Strings(setNames)
	type seen struct {
		passages int
		sources  map[string]bool
		last     int
	}
	counts := map[minedCue]*seen{}
	add := func(c minedCue, i int, source string) {
		s := counts[c]
		if s == nil {
			s = &seen{sources: map[string]bool{}, last: -1}
			counts[c] = s
		}
		if s.last != i {
			s.passages++
			s.last = i
		}
		s.sources[source] = true
	}
	for i, g := range gold {
		if g.Interviewer {
			continue
		}
		source := groupOf(g)
		for _, run := range wordRuns(g.Text) {
			for j, w := range run {
				for n := 1; n <= opt.MaxN && j+n <= len(run); n++ {
					if !allFunctionWords(run[j : j+n]) {
						add(minedCue{phrase: strings.Join(run[j:j+n], " ")}, i, source)
					}
				}
				if s := stem(w); len(s) >= 4 && s != w && strings.HasPrefix(w, s) && !functionWords[w] {
					add(minedCue{phrase: s + "*"}, i, source)
				}
				if j+1 < len(run) {
					for name, entries := range frames {
						if entries[w] {
							add(minedCue{phrase: "{" + name + "} " + run[j+1]}, i, source)
						}
					}
				}
			}
		}
		if len(setNames) > 0 {
			for _, c := range setCues(g.Text, compiledSets, frames, setNames) {
				add(c, i, source)
			}
		}
		if g.Question != "" {
			qnorm := newNormalized(g.Question).norm
			for _, name := range setNames {
				if compiledSets[name].MatchString(qnorm) {
					add(minedCue{phrase: "{" + name + "}", field: "context"}, i, source)
				}
			}
			for _, run := range wordRuns(g.Question) {
				for j := range run {
					for n := 1; n <= opt.MaxN && j+n <= len(run); n++ {
						if !allFunctionWords(run[j:j+n]) && !allPronouns(run[j:j+n]) {
							add(minedCue{phrase: strings.Join(run[j:j+n], " "), field: "context"}, i, source)
						}
					}
				}
			}
		}
	}
	// A cue in a large share of passages says more about a passage's length
	// than its content ("in", "is"); question cues need two surveys at least.
	common := max(opt.MinSupport, len(gold)/5)
	var out []minedCue
	for c, s := range counts {
		need := opt.MinSources
		if c.field == "context" {
			need = min(need, 2)
		}
		if s.passages >= opt.MinSupport && s.passages <= common && len(s.sources) >= need {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].field != out[j].field {
			return out[i].field < out[j].field
		}
		return out[i].phrase < out[j].phrase
	})
	return out
}

// functionWords are closed-class words: alone or only with each other
// ("was", "is that") they fire on most long passages, so as evidence they
// would say "long" rather than "SEE". Inside a phrase with a content word,
// or in a pronoun frame ("{we} use"), they stay; pronouns are not among
// them: who a passage talks about ("they", "my") is evidence.
var functionWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an the and or but if so as of in on at to for from by with about into over
	than then that this these those there here it it's its is are was were be been being am do does did doing
	have has had having will would shall should can could may might must what which who whom whose when where why how not no yes just also very
	really like well oh um uh yeah okay ok all some any more most much many such own same other too
	i'm i've i'd i'll we're we've we'd we'll you're you've that's there's it'll don't didn't doesn't isn't
	wasn't aren't can't won't gonna kind sort lot thing things one up out down off`) {
		m[w] = true
	}
	return m
}()

// allPronouns: every survey question addresses "you"; in a question a
// pronoun tells nothing about the answer.
func allPronouns(ws []string) bool {
	for _, w := range ws {
		if !pronouns[w] && !functionWords[w] {
			return false
		}
	}
	return true
}

var pronouns = map[string]bool{"i": true, "me": true, "my": true, "we": true, "us": true, "our": true, "you": true,
	"your": true, "he": true, "him": true, "his": true, "she": true, "her": true, "they": true, "them": true, "their": true}

func allFunctionWords(ws []string) bool {
	for _, w := range ws {
		if !functionWords[w] {
			return false
		}
	}
	return true
}

// setCues lists the set cues a text matches: "{set}" alone, and each
// pronoun frame followed by a set or a past-tense or -ing word ("{we} {usage}",
// "{others} *ed").
func setCues(text string, sets map[string]*regexp.Regexp, frames map[string]map[string]bool, names []string) []minedCue {
	norm := newNormalized(text).norm
	var out []minedCue
	for _, name := range names {
		if sets[name].MatchString(norm) {
			out = append(out, minedCue{phrase: "{" + name + "}"})
		}
	}
	runs := wordRuns(text)
	for frame, entries := range frames {
		for _, run := range runs {
			for j := 0; j+1 < len(run); j++ {
				if !entries[run[j]] {
					continue
				}
				next := run[j+1]
				if strings.HasSuffix(next, "ed") && len(next) > 4 {
					out = append(out, minedCue{phrase: "{" + frame + "} *ed"})
				}
				if strings.HasSuffix(next, "ing") && len(next) > 5 {
					out = append(out, minedCue{phrase: "{" + frame + "} *ing"})
				}
				for _, name := range names {
					if name != frame && sets[name].MatchString(" "+next+" ") {
						out = append(out, minedCue{phrase: "{" + frame + "} {" + name + "}"})
					}
				}
			}
		}
	}
	return out
}

// isCueWord: a word a cue may be made of. Single letters ("s" of "it's",
// which the rules' word boundaries split off) and numbers are not.
func isCueWord(w string) bool {
	if len(w) < 2 || strings.ContainsAny(w, "_*") {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// wordRuns splits text into runs of words that a phrase can match in a row:
// words separated only by spaces or commas, lower-cased and with quotes
// folded as the classifier folds them.
func wordRuns(s string) [][]string {
	norm := newNormalized(s).norm
	var runs [][]string
	var run []string
	var word strings.Builder
	flushWord := func() {
		if word.Len() > 0 {
			w := strings.Trim(word.String(), "'-")
			if isCueWord(w) {
				run = append(run, w)
			}
			word.Reset()
		}
	}
	flushRun := func() {
		flushWord()
		if len(run) > 0 {
			runs = append(runs, run)
		}
		run = nil
	}
	for _, r := range norm {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '\'' || r == '-' || r == '_':
			word.WriteRune(r)
		case r == ' ' || r == ',' || r == '\n':
			flushWord()
			if r == '\n' {
				flushRun()
			}
		default:
			flushRun()
		}
	}
	flushRun()
	return runs
}

// groupFolds splits passages into k folds, keeping each source document in
// one fold so that held-out scores measure new documents, not new lines of
// known ones.
// groupOf is the unit that cross-validation holds out and that cues must
// recur across: the passage's group, else its source document.
func groupOf(g Gold) string {
	switch {
	case g.Group != "":
		return g.Group
	case g.Source != "":
		return g.Source
	}
	return g.ID
}

func groupFolds(gold []Gold, k int, seed uint64) [][]int {
	bySource := map[string][]int{}
	var sources []string
	for i, g := range gold {
		s := groupOf(g)
		if _, ok := bySource[s]; !ok {
			sources = append(sources, s)
		}
		bySource[s] = append(bySource[s], i)
	}
	sort.Strings(sources)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	rng.Shuffle(len(sources), func(i, j int) { sources[i], sources[j] = sources[j], sources[i] })
	// Largest documents first, each into the smallest fold so far.
	sort.SliceStable(sources, func(i, j int) bool { return len(bySource[sources[i]]) > len(bySource[sources[j]]) })
	folds := make([][]int, k)
	for _, s := range sources {
		small := 0
		for f := range folds {
			if len(folds[f]) < len(folds[small]) {
				small = f
			}
		}
		folds[small] = append(folds[small], bySource[s]...)
	}
	return folds
}

// model is one fitted rule set: per category, feature → weight, scaled so
// that the category fires at a score of 1.
type model struct {
	weights map[string]map[int]float64
	rules   []fittedRule
	order   []string
}

type fittedRule struct {
	LearnedRule
	featureID string
	feature   int
}

func (md *model) predict(row []int) []string {
	var out []string
	for _, cat := range md.order {
		if md.score(cat, row, -1) >= 1-1e-9 {
			out = append(out, cat)
		}
	}
	return out
}

// score sums the weights of a category's features firing in row, leaving
// out feature drop (-1 drops none).
func (md *model) score(cat string, row []int, drop int) float64 {
	ws := md.weights[cat]
	var s float64
	for _, f := range row {
		if f != drop {
			s += ws[f]
		}
	}
	return s
}

func (m *matrix) heldOutF1(md *model, cat string, rows []int, drop int) float64 {
	var tp, fp, fn float64
	for _, i := range rows {
		pred := !m.skip[i] && md.score(cat, m.rows[i], drop) >= 1-1e-9
		gold := m.labels[i][cat]
		switch {
		case pred && gold:
			tp++
		case pred:
			fp++
		case gold:
			fn++
		}
	}
	if tp == 0 {
		return 0
	}
	return 2 * tp / (2*tp + fp + fn)
}

// fit picks and weighs cues per category on the given passages.
func (m *matrix) fit(cats []string, idx []int, opt LearnOptions) *model {
	md := &model{weights: map[string]map[int]float64{}, order: cats}
	var use []int
	for _, i := range idx {
		if !m.skip[i] {
			use = append(use, i)
		}
	}
	for _, cat := range cats {
		ws, rules := m.fitCategory(cat, use, opt)
		md.weights[cat] = ws
		md.rules = append(md.rules, rules...)
	}
	return md
}

func (m *matrix) fitCategory(cat string, use []int, opt LearnOptions) (map[int]float64, []fittedRule) {
	n := float64(len(use))
	var pos float64
	support := map[int]int{}
	posSupport := map[int]int{}
	for _, i := range use {
		y := m.labels[i][cat]
		if y {
			pos++
		}
		for _, f := range m.rows[i] {
			if c := m.features[f].category; c != "" && c != cat {
				continue
			}
			support[f]++
			if y {
				posSupport[f]++
			}
		}
	}
	if pos == 0 {
		return map[int]float64{}, nil
	}
	prior := pos / n
	// A cue must be evidence within several groups on its own: one that
	// only a survey's recurring question or a show's habit makes look good
	// would fool nobody but this data.
	type tally struct{ n, p int }
	perGroup := map[[2]int]*tally{}
	for _, i := range use {
		for _, f := range m.rows[i] {
			k := [2]int{f, m.group[i]}
			t := perGroup[k]
			if t == nil {
				t = &tally{}
				perGroup[k] = t
			}
			t.n++
			if m.labels[i][cat] {
				t.p++
			}
		}
	}
	groupsHolding := map[int]int{}
	for k, t := range perGroup {
		if t.p >= 1 && (float64(t.p)+prior)/(float64(t.n)+1) >= 1.3*prior {
			groupsHolding[k[0]]++
		}
	}
	// Keep cues whose smoothed precision clearly beats the category's
	// base rate, most informative first.
	type cand struct {
		f     int
		score float64
	}
	var cands []cand
	for f, s := range support {
		p := posSupport[f]
		if s < opt.MinSupport {
			continue
		}
		prec := (float64(p) + 5*prior) / (float64(s) + 5)
		if p >= opt.MinPos && prec >= 1.3*prior && groupsHolding[f] >= opt.MinGroups {
			cands = append(cands, cand{f, float64(p) * math.Log(prec/prior)})
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].f < cands[j].f
	})
	cands = distinct(m, cands, use, func(c cand) int { return c.f })
	if len(cands) > opt.MaxCues {
		cands = cands[:opt.MaxCues]
	}
	keep := map[int]int{} // feature → column
	cols := make([]int, len(cands))
	for j, c := range cands {
		keep[c.f] = j
		cols[j] = c.f
	}
	X := make([][]int, len(use))
	y := make([]float64, len(use))
	for r, i := range use {
		for _, f := range m.rows[i] {
			if j, ok := keep[f]; ok {
				X[r] = append(X[r], j)
			}
		}
		if m.labels[i][cat] {
			y[r] = 1
		}
	}
	w, b := logistic(X, y, len(cols), opt.L1)
	// The probability 0.5 boundary is a poor F1 threshold for a rare
	// category: pick the score that maximises F1 on these passages.
	scores := make([]float64, len(X))
	for r, row := range X {
		for _, j := range row {
			scores[r] += w[j]
		}
	}
	t := bestThreshold(scores, y)
	if t <= 0 {
		t = -b
	}
	ws := map[int]float64{}
	var rules []fittedRule
	for j, f := range cols {
		wt := math.Round(w[j]/t*100) / 100
		s, p := support[f], posSupport[f]
		// A cue that is right most of the time on its own is enough on its
		// own: spread over the many weak cues of long passages, its weight
		// would leave a short, plain "we need a way to..." untagged.
		if opt.Alone > 0 && wt > 0 && s >= 2*opt.MinSupport && (float64(p)+1)/(float64(s)+2) >= opt.Alone {
			wt = max(wt, 1)
		}
		if wt < 0.05 {
			continue
		}
		ws[f] = wt
		rules = append(rules, fittedRule{
			LearnedRule: LearnedRule{Category: cat, Cue: m.features[f].cue, Field: m.features[f].rule.Field, Weight: wt,
				Support: s, Precision: round4(float64(p) / float64(s))},
			featureID: m.features[f].id, feature: f,
		})
	}
	sort.Slice(rules, func(i, j int) bool {
		if rules[i].Weight != rules[j].Weight {
			return rules[i].Weight > rules[j].Weight
		}
		return rules[i].Cue < rules[j].Cue
	})
	return ws, rules
}

// distinct keeps one cue of each group that fires on exactly the same
// passages ("nightmare", "nightmar*", "a nightmare"): the data cannot tell
// them apart, and weight shared among copies would leave each too light to
// tag a new passage that has only one of them. The most general cue stays:
// a set, then a stem, then the shortest phrase.
func distinct[T any](m *matrix, cands []T, use []int, feat func(T) int) []T {
	fires := map[int][]int{}
	want := map[int]bool{}
	for _, c := range cands {
		want[feat(c)] = true
	}
	for _, i := range use {
		for _, f := range m.rows[i] {
			if want[f] {
				fires[f] = append(fires[f], i)
			}
		}
	}
	best := map[string]int{} // signature → feature
	for _, c := range cands {
		f := feat(c)
		key := fmt.Sprint(m.features[f].rule.Field, fires[f])
		if prev, ok := best[key]; !ok || m.generality(f) > m.generality(prev) {
			best[key] = f
		}
	}
	keep := map[int]bool{}
	for _, f := range best {
		keep[f] = true
	}
	out := cands[:0:0]
	for _, c := range cands {
		if keep[feat(c)] {
			out = append(out, c)
		}
	}
	return out
}

// generality ranks a feature's cue for distinct: higher is more general.
func (m *matrix) generality(f int) int {
	cue := m.features[f].cue
	score := 100 - 10*len(strings.Fields(cue)) - len(cue)/4
	switch {
	case strings.HasPrefix(cue, "rule "):
		score += 300 // a person's rule, kept as written
	case strings.Contains(cue, "{"):
		score += 200
	case strings.HasSuffix(cue, "*"):
		score += 100
	}
	return score
}

// logistic fits P(y=1) = σ(b + Σ w·x) over binary features with an L1
// penalty and weights kept non-negative (a cue is evidence for a category
// or it is left out), by proximal gradient descent with AdaGrad steps: cue
// frequencies differ by orders of magnitude, so one step size fits none.
func logistic(X [][]int, y []float64, d int, l1 float64) ([]float64, float64) {
	const eta, iters = 0.5, 300
	w := make([]float64, d)
	n := float64(len(X))
	var pos float64
	for _, v := range y {
		pos += v
	}
	b := math.Log((pos + 0.5) / (n - pos + 0.5))
	grad := make([]float64, d)
	hist := make([]float64, d)
	var histB float64
	for iter := 0; iter < iters; iter++ {
		clear(grad)
		var gb float64
		for r, row := range X {
			z := b
			for _, j := range row {
				z += w[j]
			}
			g := 1/(1+math.Exp(-z)) - y[r]
			gb += g
			for _, j := range row {
				grad[j] += g
			}
		}
		gb /= n
		histB += gb * gb
		b -= eta * gb / (math.Sqrt(histB) + 1e-12)
		for j := range w {
			g := grad[j] / n
			hist[j] += g * g
			step := eta / (math.Sqrt(hist[j]) + 1e-12)
			w[j] = max(0, w[j]-step*(g+l1))
		}
	}
	return w, b
}

// bestThreshold returns the positive score cut that maximises F1.
func bestThreshold(scores, y []float64) float64 {
	type sy struct{ s, y float64 }
	all := make([]sy, len(scores))
	var pos float64
	for i := range scores {
		all[i] = sy{scores[i], y[i]}
		pos += y[i]
	}
	sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
	best, bestF1 := 0.0, -1.0
	var tp, fp float64
	for i := 0; i < len(all); i++ {
		if all[i].s <= 0 {
			break
		}
		if all[i].y > 0 {
			tp++
		} else {
			fp++
		}
		if i+1 < len(all) && all[i+1].s == all[i].s {
			continue
		}
		f1 := 2 * tp / (tp + fp + pos)
		if f1 > bestF1 {
			bestF1, best = f1, all[i].s
		}
	}
	return best
}

// file writes a model as a rules file: base's settings and categories, the
// fitted rules in place of base's, threshold 1.
func (md *model) file(base *File, cats []string, m *matrix) *File {
	f := &File{Version: base.Version, Language: base.Language, Sets: base.Sets, Negation: base.Negation, Skip: base.Skip}
	byCat := map[string][]int{}
	for i, r := range md.rules {
		byCat[r.Category] = append(byCat[r.Category], i)
	}
	used := map[string]bool{}
	for ci, cat := range cats {
		bc := base.Categories[ci]
		out := Category{Name: cat, Question: bc.Question, Words: bc.Words, Threshold: 1}
		for _, i := range byCat[cat] {
			r := &md.rules[i]
			feat := m.features[r.feature]
			rule := feat.rule
			rule.Weight = r.Weight
			if feat.category == "" {
				rule.ID = uniqueID(used, cueID(cat, feat))
			} else {
				rule.ID = uniqueID(used, rule.ID)
			}
			r.ID = rule.ID
			rule.Note = fmt.Sprintf("learned: precision %.2f over %d training passages", r.Precision, r.Support)
			if r.Folds > 0 {
				rule.Note += fmt.Sprintf("; removing it costs %+.3f held-out F1 (kept in %d folds)", r.Adds, r.Folds)
			}
			out.Rules = append(out.Rules, rule)
		}
		if len(out.Rules) == 0 {
			// A category must have a rule to compile; keep base's so the
			// file stays usable, and say so.
			for _, r := range bc.Rules {
				r.ID = uniqueID(used, r.ID)
				r.Note = "kept from the base rules: the training data gave no cue"
				out.Rules = append(out.Rules, r)
			}
		}
		f.Categories = append(f.Categories, out)
	}
	return f
}

func cueID(cat string, f feature) string {
	prefix := strings.ToLower(cat) + ".cue."
	if f.rule.Field == "context" {
		prefix = strings.ToLower(cat) + ".q."
	}
	var b strings.Builder
	dash := true // no dash at the start
	for _, r := range f.cue {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(r)
			dash = false
		case r == '*':
			b.WriteRune('*')
			dash = false
		default:
			if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return prefix + strings.TrimRight(b.String(), "-")
}

func uniqueID(used map[string]bool, id string) string {
	out := id
	for n := 2; used[out]; n++ {
		out = fmt.Sprintf("%s-%d", id, n)
	}
	used[out] = true
	return out
}
