package classify

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// The prefilter spares the regexp engine most of its work. Every phrase is a
// sequence of tokens, and every token that is a plain word or a "word*"
// prefix must appear in the text as a word: it starts at a word boundary
// (the start of the text or a character that is not a letter, digit or "_")
// and, for a plain word, ends at one. So a phrase cannot match a text that
// lacks one of its words, and a rule cannot match a text in which none of
// its phrases can. A "*suffix" token needs a word that ends so. Rules with
// raw patterns, and phrases with nothing to anchor them ("_ ..."), always
// run.
//
// A word as found in a text is a run of word characters (letters, digits,
// "_", "'" and "-", as wordChars) together with the places inside it where a
// regexp boundary also falls: after each "'" or "-". "we're" offers "we're",
// "we" and "re"; a plain phrase word "we" matches "we're" because "'" ends a
// word for the regexps.

// cond is a necessary condition for a rule (or a phrase, or a token) to
// match: an atom (a word or word prefix present), or an AND or OR of conds.
// A nil *cond is always true.
type cond struct {
	op   condOp
	atom int32
	kids []*cond
}

type condOp uint8

const (
	condAtom condOp = iota
	condAnd
	condOr
)

func (c *cond) eval(hit []bool) bool {
	if c == nil {
		return true
	}
	switch c.op {
	case condAtom:
		return hit[c.atom]
	case condAnd:
		for _, k := range c.kids {
			if !k.eval(hit) {
				return false
			}
		}
		return true
	default:
		for _, k := range c.kids {
			if k.eval(hit) {
				return true
			}
		}
		return false
	}
}

func and(kids []*cond) *cond {
	var out []*cond
	for _, k := range kids {
		if k != nil {
			out = append(out, k)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return &cond{op: condAnd, kids: out}
}

func or(kids []*cond) *cond {
	if len(kids) == 0 {
		return nil
	}
	for _, k := range kids {
		if k == nil {
			return nil // one alternative can always match
		}
	}
	if len(kids) == 1 {
		return kids[0]
	}
	// Flatten nested ORs of atoms so that a set reads as one list.
	var out []*cond
	for _, k := range kids {
		if k.op == condOr {
			out = append(out, k.kids...)
		} else {
			out = append(out, k)
		}
	}
	return &cond{op: condOr, kids: out}
}

// anchors numbers the words and word prefixes that the rules' conds test.
type anchors struct {
	exact      map[string]int32
	prefix     map[string]int32
	suffix     map[string]int32
	prefixLens []int // distinct byte lengths of the prefixes, ascending
	suffixLens []int // and of the suffixes
	n          int32
	sets       map[string]*cond // memo of {set} conds
	// groups[id] lists the group atoms that atom id makes true: a set's
	// many single-word entries are tested as one atom (see groupAtoms).
	// groupOf is the same by index, once finished.
	groups  map[int32][]int32
	groupOf [][]int32
}

func newAnchors() *anchors {
	return &anchors{exact: map[string]int32{}, prefix: map[string]int32{}, suffix: map[string]int32{}, sets: map[string]*cond{},
		groups: map[int32][]int32{}}
}

func (a *anchors) atom(m map[string]int32, w string) *cond {
	id, ok := m[w]
	if !ok {
		id = a.n
		a.n++
		m[w] = id
	}
	return &cond{op: condAtom, atom: id}
}

func (a *anchors) finish() {
	a.prefixLens = lengths(a.prefix)
	a.suffixLens = lengths(a.suffix)
	a.sets = nil
	a.groupOf = make([][]int32, a.n)
	for id, gs := range a.groups {
		a.groupOf[id] = gs
	}
	a.groups = nil
}

func lengths[V any](m map[string]V) []int {
	seen := map[int]bool{}
	var out []int
	for w := range m {
		if !seen[len(w)] {
			seen[len(w)] = true
			out = append(out, len(w))
		}
	}
	sort.Ints(out)
	return out
}

// groupAtoms replaces the atoms among the alternatives of an OR with one
// atom that any of them makes true, so that a set of a thousand words is
// one test rather than a thousand.
func (a *anchors) groupAtoms(c *cond) *cond {
	if c == nil || c.op != condOr {
		return c
	}
	var atoms, rest []*cond
	for _, k := range c.kids {
		if k.op == condAtom {
			atoms = append(atoms, k)
		} else {
			rest = append(rest, k)
		}
	}
	if len(atoms) < 8 {
		return c
	}
	g := a.n
	a.n++
	for _, k := range atoms {
		a.groups[k.atom] = append(a.groups[k.atom], g)
	}
	return or(append([]*cond{{op: condAtom, atom: g}}, rest...))
}

// mark records that atom id occurs, and so its groups.
func (a *anchors) mark(hit []bool, id int32) {
	hit[id] = true
	for _, g := range a.groupOf[id] {
		hit[g] = true
	}
}

// wordPrefix returns the longest prefix of w made of word characters.
func wordPrefix(w string) string {
	for i, r := range w {
		if !isWordRune(r) {
			return w[:i]
		}
	}
	return w
}

// ruleCond is the condition for a compiled text rule, and the conditions
// of its phrases in order; nil if it cannot be filtered (raw patterns, or a
// phrase with nothing to anchor it).
func (a *anchors) ruleCond(r Rule, sets map[string][]string) (*cond, []*cond) {
	if len(r.Patterns) > 0 || len(r.Phrases) == 0 {
		return nil, nil
	}
	var alts []*cond
	for _, p := range r.Phrases {
		c := a.phraseCond(p, sets)
		if c == nil {
			return nil, nil
		}
		alts = append(alts, c)
	}
	return or(alts), alts
}

// sentenceLocal reports whether a text rule's regexp can match a sentence
// only where it also matches the whole text, so that the whole-text test in
// apply adds nothing to the sentence loop. No phrase may end with "..."
// (its gap can end with the "\n" that closes a sentence, which the whole
// text follows with the next line rather than an end), and no pattern may
// assert anything of its context (^, $, \b) or match a "\n" (see
// patternLocal); phrase regexps hold no anchors. Every other sentence end
// is followed in the text by a space, a line break or the end, and every
// sentence start is preceded by the start, a line break or sentence
// punctuation, which the regexp's word boundary accepts.
func sentenceLocal(r Rule, sets map[string][]string) bool {
	if len(r.Patterns) == 0 && len(r.Phrases) == 0 {
		return false
	}
	for _, p := range r.Patterns {
		if !patternLocal(p) {
			return false
		}
	}
	for _, p := range r.Phrases {
		words := strings.Fields(normalize(p))
		if len(words) == 0 {
			return false
		}
		last := words[len(words)-1]
		if last == "..." {
			return false
		}
		if strings.HasPrefix(last, "{") && strings.HasSuffix(last, "}") && len(last) >= 2 {
			for _, e := range sets[strings.ToLower(last[1:len(last)-1])] {
				ew := strings.Fields(normalize(e))
				if len(ew) == 0 || ew[len(ew)-1] == "..." {
					return false
				}
			}
		}
	}
	return true
}

// phraseCond mirrors phraseRegexp: the words that a match of the phrase
// must contain. Call it only on phrases that phraseRegexp accepts.
func (a *anchors) phraseCond(phrase string, sets map[string][]string) *cond {
	words := strings.Fields(normalize(phrase))
	var parts []*cond
	for _, w := range words {
		switch {
		case w == "_" || w == "...":
			// any word, or none: no anchor
		case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") && len(w) >= 2:
			name := strings.ToLower(w[1 : len(w)-1])
			if sets == nil {
				return nil // phraseRegexp refuses this; stay safe
			}
			if c, ok := a.sets[name]; ok {
				parts = append(parts, c)
				continue
			}
			entries, ok := sets[name]
			if !ok {
				return nil // phraseRegexp refuses this; stay safe
			}
			var alts []*cond
			for _, e := range entries {
				alts = append(alts, a.phraseCond(e, nil))
			}
			c := a.groupAtoms(or(alts))
			a.sets[name] = c
			parts = append(parts, c)
		case strings.HasPrefix(w, "*") && len(w) > 1:
			// "*suffix": a word that ends so, after at least one character.
			if suf := w[1:]; wordPrefix(suf) == suf {
				parts = append(parts, a.atom(a.suffix, suf))
			}
		case strings.HasSuffix(w, "*") && len(w) > 1:
			p := strings.TrimSuffix(w, "*")
			cut := wordPrefix(p)
			switch {
			case cut == "":
			case cut == p:
				parts = append(parts, a.atom(a.prefix, p))
			default:
				// The text's word ends where p has a non-word character.
				parts = append(parts, a.atom(a.exact, cut))
			}
		default:
			if cut := wordPrefix(w); cut != "" {
				parts = append(parts, a.atom(a.exact, cut))
			}
		}
	}
	return and(parts)
}

// scan marks in hit the anchors that occur in s as words.
func (a *anchors) scan(s string, hit []bool) {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !isWordRune(r) {
				break
			}
			j += size
		}
		// Boundaries inside the run: its start and after each "'" or "-".
		run := s[i:j]
		for p := 0; p < len(run); {
			a.lookup(run[p:], hit)
			k := strings.IndexAny(run[p:], "'-")
			if k < 0 {
				break
			}
			p += k + 1
		}
		// A word ends at the end of the run or before a "'" or "-"; a
		// "*suffix" needs at least one character before the suffix.
		if len(a.suffixLens) > 0 {
			for q := 1; q <= len(run); q++ {
				if q < len(run) && run[q] != '\'' && run[q] != '-' {
					continue
				}
				for _, l := range a.suffixLens {
					if l >= q {
						break
					}
					if id, ok := a.suffix[run[q-l:q]]; ok {
						a.mark(hit, id)
					}
				}
			}
		}
		i = j
	}
}

// lookup marks the anchors that a word starting at a boundary satisfies:
// w itself or any part of it ending before a "'" or "-" is a whole word,
// and anything it starts with is a prefix.
func (a *anchors) lookup(w string, hit []bool) {
	if id, ok := a.exact[w]; ok {
		a.mark(hit, id)
	}
	for k := 0; k < len(w); k++ {
		if w[k] == '\'' || w[k] == '-' {
			if id, ok := a.exact[w[:k]]; ok {
				a.mark(hit, id)
			}
		}
	}
	for _, l := range a.prefixLens {
		if l > len(w) {
			break
		}
		if id, ok := a.prefix[w[:l]]; ok {
			a.mark(hit, id)
		}
	}
}

// passageHits holds, for one passage, the anchors present in the whole
// text and in each sentence.
type passageHits struct {
	text      []bool
	sentences [][]bool
	// Where matches can begin, for the rules' matchers (match.go): in the
	// whole text, and per sentence; filled as rules first need them.
	textStarts []wordStart
	starts     [][]wordStart
}

func (a *anchors) hits(text *normalized, sentences []span) *passageHits {
	n := int(a.n)
	buf := make([]bool, n*(len(sentences)+1))
	h := &passageHits{text: buf[:n:n], sentences: make([][]bool, len(sentences))}
	a.scan(text.norm, h.text)
	for i, s := range sentences {
		hit := buf[n*(i+1) : n*(i+2) : n*(i+2)]
		a.scan(text.norm[s.start:s.end], hit)
		h.sentences[i] = hit
	}
	return h
}

// reducedCache holds, per rule and set of phrases, the rule's regexp cut
// down to those phrases. A sentence whose words rule out some phrases of a
// rule is searched with the regexp of the others: a phrase that cannot match
// anywhere in the sentence takes no part in any match of the alternation,
// so leftmost-first matching finds the same matches, with the same group 1,
// in a smaller program.
//
// Each regexp takes some tens of KB (the Unicode classes are large), so the
// cache is bounded; once it is full, sentences whose phrases are not in it
// use the full regexp as before.
type reducedCache struct {
	m     sync.Map // string (rule id, NUL, phrase mask) → *regexp.Regexp
	n     atomic.Int64
	limit int64
}

// reducedLimit bounds the regexps one classifier caches: at most some tens
// of MB. A few hundred sentence shapes cover most passages.
const reducedLimit = 512

func (rc *reducedCache) get(r *compiledRule, hit []bool) *regexp.Regexp {
	if len(r.phraseConds) == 0 || len(r.phraseConds) != len(r.phraseAlts) {
		return r.regexp()
	}
	var mask [128]byte
	key := append(mask[:0], r.id...)
	key = append(key, 0)
	all := true
	for _, pc := range r.phraseConds {
		if pc.eval(hit) {
			key = append(key, 1)
		} else {
			key = append(key, 0)
			all = false
		}
	}
	if all {
		return r.regexp()
	}
	if re, ok := rc.m.Load(string(key)); ok {
		return re.(*regexp.Regexp)
	}
	if rc.n.Load() >= rc.limit {
		return r.regexp()
	}
	mask0 := key[len(r.id)+1:]
	var alts []string
	for i, on := range mask0 {
		if on == 1 {
			alts = append(alts, r.phraseAlts[i])
		}
	}
	if len(alts) == 0 {
		return r.regexp()
	}
	re, err := bounded(alts)
	if err != nil {
		return r.regexp()
	}
	if prev, loaded := rc.m.LoadOrStore(string(key), re); loaded {
		return prev.(*regexp.Regexp)
	}
	rc.n.Add(1) // may overshoot the limit by the number of goroutines
	return re
}
