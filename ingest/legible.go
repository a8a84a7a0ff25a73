package ingest

import (
	"fmt"
	"strings"
	"unicode"
)

// legibility tallies the characters of a document's passages, to tell
// text from what a broken font or encoding leaves behind: replacement
// characters, private-use characters (glyphs a PDF font names with no
// Unicode meaning), "(cid:12)" placeholders, runs of symbols. No search
// matches such text, so a document made of it should say so rather than
// look indexed.
type legibility struct {
	letters  int // letters and digits
	replaced int // U+FFFD: bytes that did not decode
	private  int // private-use characters
	cids     int // (cid:N) placeholders for glyphs with no character
	other    int // other characters but spaces: punctuation, symbols, controls
}

func (l *legibility) add(s string) {
	l.cids += strings.Count(s, "(cid:")
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			l.letters++
		case r == '\uFFFD':
			l.replaced++
		case unicode.Is(unicode.Co, r):
			l.private++
		case unicode.IsSpace(r):
		default:
			l.other++
		}
	}
}

func (l *legibility) total() int { return l.letters + l.replaced + l.private + l.other }

// junk is what no search can match, in characters.
func (l *legibility) junk() int { return l.replaced + l.private + 7*l.cids }

// Thresholds, as shares of a document's characters (spaces aside).
const (
	minLetters   = 0.05 // fewer letters and digits than this: nothing readable
	maxJunk      = 0.20 // more unreadable characters than this: a warning
	minReadShare = 0.50 // fewer letters and digits than this: a warning
)

// verdict says what the tally means: an error when nothing readable
// remains, a warning when much of the text is not, nothing otherwise.
func (l *legibility) verdict() (warning string, err error) {
	total := l.total()
	if total == 0 {
		return "", nil
	}
	share := func(n int) int { return (n*100 + total/2) / total }
	letters := float64(l.letters) / float64(total)
	what := l.describe(share)
	switch {
	case letters < minLetters:
		return "", fmt.Errorf("nothing readable: only %d%% of the text is letters or digits%s; the file's fonts or encoding did not convert to text (a PDF font without a Unicode map, say)", share(l.letters), what)
	case float64(l.junk()) > maxJunk*float64(total):
		return fmt.Sprintf("much of the text is unreadable%s: search will not find words there; the file's fonts or encoding did not fully convert to text (a PDF font without a Unicode map, say)", what), nil
	case letters < minReadShare:
		return fmt.Sprintf("only %d%% of the text is letters or digits%s: it may be symbols, markup or a font that did not convert to text", share(l.letters), what), nil
	}
	return "", nil
}

// describe names the unreadable characters found, with their shares.
func (l *legibility) describe(share func(int) int) string {
	var parts []string
	if l.replaced > 0 {
		parts = append(parts, fmt.Sprintf("%d%% replacement characters (U+FFFD)", share(l.replaced)))
	}
	if l.private > 0 {
		parts = append(parts, fmt.Sprintf("%d%% private-use characters", share(l.private)))
	}
	if l.cids > 0 {
		parts = append(parts, fmt.Sprintf("%d glyphs left as (cid:N)", l.cids))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}
