// Package tidy holds the text clean-up every extractor applies alike, so
// that the PDF reader in extract/internal/pdf and the extractors of
// package extract agree on it.
package tidy

import (
	"strings"
	"unicode"
)

// Spaces folds odd spaces and invisible characters that extraction
// leaves behind, and collapses runs of spaces inside a line.
func Spaces(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteRune(r)
			space = false
			continue
		case r == '\u00AD' || r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF':
			continue // soft hyphen, zero-width characters
		case unicode.IsSpace(r):
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		b.WriteRune(r)
		space = false
	}
	return b.String()
}
