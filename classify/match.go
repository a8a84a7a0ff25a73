package classify

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A matcher finds what a phrase rule's regexp (bounded over phraseRegexp
// fragments) finds, without the regexp engine. The regexp tries every byte
// of a sentence against every phrase and backtracks; the matcher looks up
// the word at each word start in an index of the phrases' first words and
// runs only the phrases that can start there, each by a small backtracking
// walk that enumerates its choices in the regexp's own order: greedy runs
// longest first, the lazy "..." gap shortest first, alternatives in order.
// So a match is the one leftmost-first matching gives, with the same
// group 1, and successive matches are the same non-overlapping ones
// FindAll gives (each consumes the non-word character on either side).
// TestGoldenClassify and TestPrefilterEquivalent compare it with the
// regexps on real and generated passages.

type elemKind uint8

const (
	eLit    elemKind = iota // the literal text
	ePrefix                 // the literal, then any word characters (greedy)
	eSuffix                 // one or more word characters (greedy), then the literal
	eWord                   // "_": one or more word characters (greedy)
	eGap                    // "...": up to three words, each followed by separators (lazy)
	eSep                    // [\s,]+ (greedy)
	eSet                    // one of a set's entries, in order
)

type elem struct {
	kind elemKind
	s    string
	set  *alternation
}

// alternation is an ordered list of sequences indexed by the word each can
// start with, so that only the ones that can match at a place are tried.
type alternation struct {
	alts       [][]elem
	exact      map[string][]int32 // head word of a literal start → alts
	prefix     map[string][]int32 // "word*" start → alts
	prefixLens []int
	wild       []int32 // alts that can start anywhere
}

func newAlternation(alts [][]elem) *alternation {
	a := &alternation{alts: alts, exact: map[string][]int32{}, prefix: map[string][]int32{}}
	for i, s := range alts {
		first := s[0]
		head := wordHead(first.s)
		switch {
		case first.kind == eLit && head != "":
			a.exact[head] = append(a.exact[head], int32(i))
		case first.kind == ePrefix && head != "" && head == first.s:
			a.prefix[head] = append(a.prefix[head], int32(i))
		case first.kind == ePrefix && head != "":
			// The text's word ends where the prefix has a non-word character.
			a.exact[head] = append(a.exact[head], int32(i))
		default:
			a.wild = append(a.wild, int32(i))
		}
	}
	a.prefixLens = lengths(a.prefix)
	return a
}

// candidates appends to buf, in order, the alts that can start at pos of
// text; head is the run of letters, digits and "_" that starts there.
func (a *alternation) candidates(buf []int32, head string) []int32 {
	buf = append(buf, a.exact[head]...)
	for _, l := range a.prefixLens {
		if l > len(head) {
			break
		}
		buf = append(buf, a.prefix[head[:l]]...)
	}
	buf = append(buf, a.wild...)
	if len(buf) > 1 {
		slices.Sort(buf)
	}
	return buf
}

// isBoundaryRune reports whether r is what the regexps frame a match with:
// [^\p{L}\p{N}_].
func isBoundaryRune(r rune) bool {
	return !(unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_')
}

// wordHead returns the longest prefix of s made of letters, digits and "_".
func wordHead(s string) string {
	for i, r := range s {
		if isBoundaryRune(r) {
			return s[:i]
		}
	}
	return s
}

func wordRunEnd(text string, pos int) int {
	for pos < len(text) {
		r, size := utf8.DecodeRuneInString(text[pos:])
		if !isWordRune(r) {
			break
		}
		pos += size
	}
	return pos
}

func sepRunEnd(text string, pos int) int {
	for pos < len(text) {
		switch text[pos] {
		case ' ', '\t', '\n', '\f', '\r', ',':
			pos++
			continue
		}
		break
	}
	return pos
}

func lastRuneSize(s string) int {
	_, size := utf8.DecodeLastRuneInString(s)
	return size
}

// phraseElems mirrors phraseRegexp: the elements of a phrase, with the
// separators the regexp puts between them. ok is false for what the
// matcher leaves to the regexp: a phrase that could match nothing at all.
func phraseElems(phrase string, sets map[string]*alternation) (out []elem, ok bool) {
	words := strings.Fields(normalize(phrase))
	nonEmpty := false
	for i, w := range words {
		if i > 0 && words[i-1] != "..." {
			out = append(out, elem{kind: eSep})
		}
		switch {
		case w == "_":
			out = append(out, elem{kind: eWord})
		case w == "...":
			out = append(out, elem{kind: eGap})
			continue
		case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}"):
			set, found := sets[strings.ToLower(w[1:len(w)-1])]
			if !found {
				return nil, false
			}
			out = append(out, elem{kind: eSet, set: set})
		case strings.HasPrefix(w, "*") && len(w) > 1:
			out = append(out, elem{kind: eSuffix, s: w[1:]})
		case strings.HasSuffix(w, "*") && len(w) > 1:
			out = append(out, elem{kind: ePrefix, s: strings.TrimSuffix(w, "*")})
		default:
			out = append(out, elem{kind: eLit, s: w})
		}
		nonEmpty = true
	}
	return out, nonEmpty
}

// setAlternation builds the alternation of a set's entries (which hold no
// sets themselves), or nil if one of them is beyond the matcher.
func setAlternation(entries []string) *alternation {
	var alts [][]elem
	for _, e := range entries {
		es, ok := phraseElems(e, nil)
		if !ok || !canMatchEmptyFree(es) {
			return nil
		}
		alts = append(alts, es)
	}
	return newAlternation(alts)
}

// canMatchEmptyFree reports whether every match of es takes at least one
// character (a sequence of gaps alone can match nothing).
func canMatchEmptyFree(es []elem) bool {
	for _, e := range es {
		if e.kind != eGap {
			return true
		}
	}
	return false
}

// newMatcher builds the matcher of a rule's phrases, or nil when the rule
// has patterns or a phrase the matcher does not take.
func newMatcher(r Rule, sets map[string]*alternation) *alternation {
	if len(r.Patterns) > 0 || len(r.Phrases) == 0 {
		return nil
	}
	var alts [][]elem
	for _, p := range r.Phrases {
		es, ok := phraseElems(p, sets)
		if !ok || !canMatchEmptyFree(es) {
			return nil
		}
		for _, e := range es {
			if e.kind == eSet && e.set == nil {
				return nil
			}
		}
		if es[0].kind != eSet {
			alts = append(alts, es)
			continue
		}
		// (e1|e2|…) rest is tried as e1 rest, then e2 rest, …: the same
		// order, with each entry's first word in the index.
		for _, entry := range es[0].set.alts {
			alts = append(alts, append(slices.Clip(entry), es[1:]...))
		}
	}
	return newAlternation(alts)
}

// wordStart is a place a match's group can begin, and the end of the run
// of letters, digits and "_" (the head word) that starts there.
type wordStart struct{ at, head int32 }

// starts lists the places a match's group can begin in text: its start and
// after each character that frames a match.
func starts(text string) []wordStart {
	out := make([]wordStart, 1, 16)
	for i, r := range text {
		if isBoundaryRune(r) {
			// The head word that began before this rune ends here.
			out[len(out)-1].head = int32(i)
			out = append(out, wordStart{at: int32(i + utf8.RuneLen(r))})
		}
	}
	out[len(out)-1].head = int32(len(text))
	return out
}

// findAll returns the spans of group 1 that FindAllStringSubmatchIndex of the
// rule's regexp would return on text (limit -1 for all), given text's starts.
func (a *alternation) findAll(text string, st []wordStart, limit int) [][2]int {
	var out [][2]int
	var buf [16]int32
	pos := 0
	for _, s := range st {
		g := int(s.at)
		// The regexp's match begins at the framing character before the
		// group, or at the text's start; it must not overlap the last one.
		p := 0
		if g > 0 {
			p = g - lastRuneSize(text[:g])
		}
		if p < pos {
			continue
		}
		for _, i := range a.candidates(buf[:0], text[g:s.head]) {
			end := match(text, a.alts[i], 0, nil, 0, g)
			if end < 0 {
				continue
			}
			out = append(out, [2]int{g, end})
			pos = len(text)
			if end < len(text) {
				_, size := utf8.DecodeRuneInString(text[end:])
				pos = end + size
			}
			break
		}
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out
}

// match tries s[i:] (then outer[oi:], the rest of the sequence a set stands
// in) at pos and returns the end of the group, -1 if it does not match. The
// choices are tried in the order the regexp tries them.
func match(text string, s []elem, i int, outer []elem, oi int, pos int) int {
	if i == len(s) {
		if outer != nil {
			return match(text, outer, oi, nil, 0, pos)
		}
		if pos == len(text) {
			return pos
		}
		if r, _ := utf8.DecodeRuneInString(text[pos:]); isBoundaryRune(r) {
			return pos
		}
		return -1
	}
	e := s[i]
	switch e.kind {
	case eLit:
		if strings.HasPrefix(text[pos:], e.s) {
			return match(text, s, i+1, outer, oi, pos+len(e.s))
		}
	case ePrefix:
		if !strings.HasPrefix(text[pos:], e.s) {
			return -1
		}
		from := pos + len(e.s)
		for q := wordRunEnd(text, from); ; q -= lastRuneSize(text[:q]) {
			if end := match(text, s, i+1, outer, oi, q); end >= 0 {
				return end
			}
			if q == from {
				break
			}
		}
	case eSuffix:
		for q := wordRunEnd(text, pos); q > pos; q -= lastRuneSize(text[:q]) {
			if strings.HasPrefix(text[q:], e.s) {
				if end := match(text, s, i+1, outer, oi, q+len(e.s)); end >= 0 {
					return end
				}
			}
		}
	case eWord:
		for q := wordRunEnd(text, pos); q > pos; q -= lastRuneSize(text[:q]) {
			if end := match(text, s, i+1, outer, oi, q); end >= 0 {
				return end
			}
		}
	case eSep:
		for q := sepRunEnd(text, pos); q > pos; q-- {
			if end := match(text, s, i+1, outer, oi, q); end >= 0 {
				return end
			}
		}
	case eGap:
		return gap(text, s, i, outer, oi, pos, 0)
	case eSet:
		var buf [8]int32
		for _, k := range e.set.candidates(buf[:0], wordHead(text[pos:])) {
			if end := match(text, e.set.alts[k], 0, s, i+1, pos); end >= 0 {
				return end
			}
		}
	}
	return -1
}

// gap is (?:W+[\s,]+){0,3}? followed by the rest: fewer words first.
func gap(text string, s []elem, i int, outer []elem, oi int, pos, n int) int {
	if end := match(text, s, i+1, outer, oi, pos); end >= 0 {
		return end
	}
	if n == 3 {
		return -1
	}
	for q := wordRunEnd(text, pos); q > pos; q -= lastRuneSize(text[:q]) {
		for q2 := sepRunEnd(text, q); q2 > q; q2-- {
			if end := gap(text, s, i, outer, oi, q2, n+1); end >= 0 {
				return end
			}
		}
	}
	return -1
}

// litCond is a necessary condition for a regexp to match a text: a
// literal the text contains, or an AND or OR of such conditions; a nil
// *litCond always holds. It spares the rules with raw patterns, which have
// no matcher, most of their runs.
type litCond struct {
	op   condOp
	lit  string
	kids []*litCond
}

// requiredLits reads the condition off a regexp's syntax tree: the literals
// a match must contain. Case-folded literals and optional parts say nothing.
func requiredLits(re *syntax.Regexp) *litCond {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 || len(re.Rune) == 0 {
			return nil
		}
		return &litCond{op: condAtom, lit: string(re.Rune)}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredLits(re.Sub[0])
		}
	case syntax.OpConcat:
		var kids []*litCond
		for _, sub := range re.Sub {
			if c := requiredLits(sub); c != nil {
				kids = append(kids, c)
			}
		}
		switch len(kids) {
		case 0:
			return nil
		case 1:
			return kids[0]
		}
		return &litCond{op: condAnd, kids: kids}
	case syntax.OpAlternate:
		var kids []*litCond
		for _, sub := range re.Sub {
			c := requiredLits(sub)
			if c == nil {
				return nil // this branch can match without any literal
			}
			kids = append(kids, c)
		}
		return &litCond{op: condOr, kids: kids}
	}
	return nil
}

// holds reports whether text has what the condition requires.
func (lc *litCond) holds(text string) bool {
	if lc == nil {
		return true
	}
	switch lc.op {
	case condAtom:
		return strings.Contains(text, lc.lit)
	case condAnd:
		for _, k := range lc.kids {
			if !k.holds(text) {
				return false
			}
		}
		return true
	default:
		for _, k := range lc.kids {
			if k.holds(text) {
				return true
			}
		}
		return false
	}
}

// patternLits is the literal condition of a compiled rule's regexp, nil if
// it has none.
func patternLits(re *regexp.Regexp) *litCond {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	return requiredLits(tree)
}

// patternLocal reports whether a raw pattern matches the same wherever its
// text sits: it asserts nothing of what surrounds it (no ^, $, \b, \B) and
// matches no "\n", so a match inside a sentence is a match inside the
// whole text (see sentenceLocal).
func patternLocal(p string) bool {
	tree, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return false
	}
	var local func(re *syntax.Regexp) bool
	local = func(re *syntax.Regexp) bool {
		switch re.Op {
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
			syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpAnyChar:
			return false
		case syntax.OpLiteral:
			return !slices.Contains(re.Rune, '\n')
		case syntax.OpCharClass:
			for i := 0; i+1 < len(re.Rune); i += 2 {
				if re.Rune[i] <= '\n' && '\n' <= re.Rune[i+1] {
					return false
				}
			}
		}
		for _, sub := range re.Sub {
			if !local(sub) {
				return false
			}
		}
		return true
	}
	return local(tree)
}
