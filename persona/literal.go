package persona

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident/internal/lazyregexp"
)

// literal is a case-insensitive pattern behind a cheaper test: it can only
// match a text that holds one of its words. Most passages hold none, and
// skip the backtracking matcher.
type literal struct {
	re    func() *regexp.Regexp
	words []string // lower case ASCII; every match holds one
}

func withWords(pattern string, words ...string) literal {
	return literal{lazyregexp.New(pattern), words}
}

// may reports whether s could match: it holds one of the words, compared
// ASCII case-insensitively. The two letters outside ASCII that fold to
// ASCII ones (ſ to s, the Kelvin sign to k) leave it to the pattern.
func (l literal) may(s string) bool {
	if strings.ContainsRune(s, 'ſ') || strings.ContainsRune(s, '\u212A') {
		return true
	}
	for _, w := range l.words {
		if containsFold(s, w) {
			return true
		}
	}
	return false
}

// containsFold reports whether s holds w, a lower-case ASCII word,
// comparing ASCII letters case-insensitively: strings.Contains of s in
// lower case, without making that copy of every passage for every
// pattern.
func containsFold(s, w string) bool {
	if w == "" {
		return true
	}
	lo, up := w[0], w[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - 'a' + 'A'
	}
	nextLo, nextUp := -1, -1 // where the first byte comes next, either case; -1 when not yet looked for
	for i := 0; i+len(w) <= len(s); {
		if nextLo < i {
			if nextLo = strings.IndexByte(s[i:], lo); nextLo >= 0 {
				nextLo += i
			} else {
				nextLo = len(s)
			}
		}
		if nextUp < i {
			if nextUp = strings.IndexByte(s[i:], up); nextUp >= 0 {
				nextUp += i
			} else {
				nextUp = len(s)
			}
		}
		i = min(nextLo, nextUp)
		if i+len(w) > len(s) {
			return false
		}
		if equalFoldASCII(s[i+1:i+len(w)], w[1:]) {
			return true
		}
		i++
	}
	return false
}

// equalFoldASCII reports whether s is w, a lower-case ASCII string, with
// any of its ASCII letters in upper case.
func equalFoldASCII(s, w string) bool {
	for k := 0; k < len(w); k++ {
		c := s[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[k] {
			return false
		}
	}
	return true
}

func (l literal) MatchString(s string) bool { return l.may(s) && l.re().MatchString(s) }

func (l literal) FindStringIndex(s string) []int {
	if !l.may(s) {
		return nil
	}
	return l.re().FindStringIndex(s)
}

func (l literal) FindAllStringSubmatch(s string, n int) [][]string {
	if !l.may(s) {
		return nil
	}
	return l.re().FindAllStringSubmatch(s, n)
}

func (l literal) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !l.may(s) {
		return nil
	}
	return l.re().FindAllStringSubmatchIndex(s, n)
}

// anchored is a pattern tried only where a match of it may begin, anchored
// there, on no more of the text than a match that begins there can span.
// The regexp engine would try it at every byte; the first place where the
// anchored pattern matches is where the unanchored pattern's leftmost
// match begins, and the match is the same, provided the pattern asserts
// nothing of the text before where it begins beyond what begin checks,
// and no match can end past run's end and tail runes more.
type anchored struct {
	re    func() *regexp.Regexp // the pattern as written: tests compare with it
	at    func() *regexp.Regexp // the pattern anchored at the start of its input
	words literal               // when given, every match holds one of them
	// begin reports whether a match may begin at p.
	begin func(s string, p int) bool
	// run is where the text from p stops being such as a match can hold
	// before its last, bounded part; it is the same from any place
	// between p and it.
	run func(s string, p int) int
	// tail is how many runes a match may run past run's end, plus one for
	// an assertion at its end (\b).
	tail int
}

// nameFirstPattern compiles a pattern that begins with introName, asserts
// nothing of the text before it, and is made of words, spaces, commas,
// apostrophes, hyphens and the full stops of initials up to a last part
// that matches at most tail-1 runes. It is tried only where a name can
// begin: an upper-case letter followed by a letter, an apostrophe, a
// hyphen or the full stop of an initial.
func nameFirstPattern(pattern string, tail int, words ...string) anchored {
	return anchored{lazyregexp.New(pattern), lazyregexp.New(`^(?:` + pattern + `)`), literal{nil, words}, nameBegins, nameRun, tail}
}

// wordFirstPattern compiles a case-insensitive pattern whose every match
// begins at a word boundary (\b) with one of starts, in lower case, and
// holds no question mark, exclamation mark or full stop but an initial's;
// words are as literal's.
func wordFirstPattern(pattern string, starts []string, words ...string) anchored {
	begin := func(s string, p int) bool {
		if p > 0 && isWordByte(s[p-1]) {
			return false
		}
		for _, w := range starts {
			if len(s)-p >= len(w) && strings.EqualFold(s[p:p+len(w)], w) {
				return true
			}
		}
		return false
	}
	return anchored{lazyregexp.New(pattern), lazyregexp.New(`^(?:` + pattern + `)`), literal{nil, words}, begin, sentenceEnd, 1}
}

// isWordByte is regexp's \w.
func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}

// sentenceEnd is where the next question mark, exclamation mark or full
// stop at or after p stands, but for the full stop of an initial (after
// an upper-case letter, "J. R. Smith").
func sentenceEnd(s string, p int) int {
	for q := p; q < len(s); {
		i := strings.IndexAny(s[q:], ".?!")
		if i < 0 {
			break
		}
		q += i
		if s[q] != '.' || q == p {
			return q
		}
		if r, _ := utf8.DecodeLastRuneInString(s[:q]); !unicode.IsUpper(r) {
			return q
		}
		q++
	}
	return len(s)
}

func (f anchored) may(s string) bool { return len(f.words.words) == 0 || f.words.may(s) }

// folds reports whether s holds one of the two letters outside ASCII
// that fold to ASCII ones (ſ to s, the Kelvin sign to k), which begin
// does not look for: such a text is left to the pattern.
func folds(s string) bool { return strings.ContainsRune(s, 'ſ') || strings.ContainsRune(s, '\u212A') }

func (f anchored) MatchString(s string) bool { return f.FindStringSubmatchIndex(s) != nil }

func (f anchored) FindStringSubmatchIndex(s string) []int {
	if folds(s) {
		return f.re().FindStringSubmatchIndex(s)
	}
	if !f.may(s) {
		return nil
	}
	return f.from(s, 0)
}

func (f anchored) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if folds(s) {
		return f.re().FindAllStringSubmatchIndex(s, n)
	}
	if !f.may(s) {
		return nil
	}
	var out [][]int
	for pos := 0; pos < len(s) && (n < 0 || len(out) < n); {
		m := f.from(s, pos)
		if m == nil {
			break
		}
		out = append(out, m)
		if m[1] == m[0] {
			panic("persona: an anchored pattern matched the empty string")
		}
		pos = m[1]
	}
	return out
}

func (f anchored) FindAllStringSubmatch(s string, n int) [][]string {
	var out [][]string
	for _, m := range f.FindAllStringSubmatchIndex(s, n) {
		sub := make([]string, len(m)/2)
		for k := range sub {
			if m[2*k] >= 0 {
				sub[k] = s[m[2*k]:m[2*k+1]]
			}
		}
		out = append(out, sub)
	}
	return out
}

// from returns the leftmost match that begins at pos or later, with its
// submatches, offset in s.
func (f anchored) from(s string, pos int) []int {
	run := -1 // the end of the run the last place tried began in
	for p := pos; p < len(s); {
		_, w := utf8.DecodeRuneInString(s[p:])
		if !f.begin(s, p) {
			p += w
			continue
		}
		if p >= run {
			run = f.run(s, p)
		}
		end := run
		for k := 0; k < f.tail && end < len(s); k++ {
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
		}
		if m := f.at().FindStringSubmatchIndex(s[p:end]); m != nil {
			for k := range m {
				if m[k] >= 0 {
					m[k] += p
				}
			}
			return m
		}
		p += w
	}
	return nil
}

// nameBegins reports whether a name can begin at p: an upper-case letter
// followed by a letter, an apostrophe, a hyphen or an initial's full stop.
func nameBegins(s string, p int) bool {
	r, w := utf8.DecodeRuneInString(s[p:])
	if !unicode.IsUpper(r) {
		return false
	}
	r, _ = utf8.DecodeRuneInString(s[p+w:])
	return r == '.' || r == '\'' || r == '’' || r == '-' || unicode.IsLetter(r)
}

// nameRun is where the text from p stops being made of letters, spaces,
// commas, apostrophes, hyphens and full stops after a capital (initials):
// the part of a name-first pattern before its last, bounded, part.
func nameRun(s string, p int) int {
	prevUpper := false
	for p < len(s) {
		r, w := utf8.DecodeRuneInString(s[p:])
		switch {
		case unicode.IsLetter(r) || unicode.IsSpace(r) || r == ',' || r == '\'' || r == '’' || r == '-':
		case r == '.' && prevUpper:
		default:
			return p
		}
		prevUpper = unicode.IsUpper(r)
		p += w
	}
	return p
}
