package persona

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// literal is a case-insensitive pattern behind a cheaper test: it can only
// match a text that holds one of its words. Most passages hold none, and
// skip the backtracking matcher.
type literal struct {
	*regexp.Regexp
	words []string // lower case ASCII; every match holds one
}

func withWords(re *regexp.Regexp, words ...string) literal { return literal{re, words} }

// may reports whether s could match: it holds one of the words, compared
// ASCII case-insensitively. The two letters outside ASCII that fold to
// ASCII ones (ſ to s, the Kelvin sign to k) leave it to the pattern.
func (l literal) may(s string) bool {
	if strings.ContainsRune(s, 'ſ') || strings.ContainsRune(s, '\u212A') {
		return true
	}
	lower := strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
	for _, w := range l.words {
		if strings.Contains(lower, w) {
			return true
		}
	}
	return false
}

func (l literal) MatchString(s string) bool { return l.may(s) && l.Regexp.MatchString(s) }

func (l literal) FindStringIndex(s string) []int {
	if !l.may(s) {
		return nil
	}
	return l.Regexp.FindStringIndex(s)
}

func (l literal) FindAllStringSubmatch(s string, n int) [][]string {
	if !l.may(s) {
		return nil
	}
	return l.Regexp.FindAllStringSubmatch(s, n)
}

func (l literal) FindAllStringSubmatchIndex(s string, n int) [][]int {
	if !l.may(s) {
		return nil
	}
	return l.Regexp.FindAllStringSubmatchIndex(s, n)
}

// nameFirst is a pattern that begins with a name (introName) and asserts
// nothing of the text before it. The regexp engine would try it at every
// byte; nameFirst tries it, anchored, only where a name can begin (an
// upper-case letter followed by a letter, an apostrophe, a hyphen or the
// full stop of an initial), on no more of the text than a match can span.
// The first place it matches is where the unanchored pattern's leftmost
// match begins, and the match is the same.
type nameFirst struct {
	*regexp.Regexp // the pattern as written: tests compare with it
	at             *regexp.Regexp
	// tail is how many runes a match may run past the words, spaces,
	// commas, apostrophes, hyphens and initials it begins with, plus one
	// for an assertion at its end (\b).
	tail int
	// words, when given, are as literal's: every match holds one.
	words literal
}

// nameFirstPattern compiles a pattern that begins with introName, is made
// of words, spaces, commas, apostrophes, hyphens and the full stops of
// initials up to a last part that matches at most tail-1 runes.
func nameFirstPattern(pattern string, tail int, words ...string) nameFirst {
	return nameFirst{regexp.MustCompile(pattern), regexp.MustCompile(`^(?:` + pattern + `)`), tail, literal{nil, words}}
}

func (f nameFirst) may(s string) bool { return len(f.words.words) == 0 || f.words.may(s) }

func (f nameFirst) FindStringSubmatchIndex(s string) []int {
	if !f.may(s) {
		return nil
	}
	return f.from(s, 0)
}

func (f nameFirst) FindAllStringSubmatchIndex(s string, n int) [][]int {
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
		pos = m[1] // a name is never empty, so neither is a match
	}
	return out
}

func (f nameFirst) FindAllStringSubmatch(s string, n int) [][]string {
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
// submatches, as FindStringSubmatchIndex(s[pos:]) would, offset by pos.
func (f nameFirst) from(s string, pos int) []int {
	run := -1 // where the run of name-like text the last place began in ends
	for p := pos; p < len(s); {
		r, w := utf8.DecodeRuneInString(s[p:])
		if !unicode.IsUpper(r) || !nameNext(s[p+w:]) {
			p += w
			continue
		}
		if p >= run {
			run = nameRun(s, p)
		}
		end := run
		for k := 0; k < f.tail && end < len(s); k++ {
			_, w := utf8.DecodeRuneInString(s[end:])
			end += w
		}
		if m := f.at.FindStringSubmatchIndex(s[p:end]); m != nil {
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

// nameNext reports whether s begins with what may follow a name's first
// letter: a letter, an apostrophe, a hyphen, or an initial's full stop.
func nameNext(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == '.' || r == '\'' || r == '’' || r == '-' || unicode.IsLetter(r)
}

// nameRun is where the text from p stops being made of letters, spaces,
// commas, apostrophes, hyphens and full stops after a capital (initials):
// the part of a nameFirst pattern before its last, bounded, part.
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
