package persona

import (
	"regexp"
	"strings"
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
