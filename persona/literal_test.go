package persona

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The words in front of a pattern never change what it finds: on every
// line of the real transcripts here (and the shared corpus's, when
// present) and on lines written to sit at the edges of the words.
func TestLiteralsFindWhatTheirPatternsFind(t *testing.T) {
	lines := []string{
		"I'm your HOST, Jo Tanaka.", "Moderated by Dana Lee", "With me, as always, is Sam Ortiz",
		"Joined as usual by my co-host, Ana Ruiz", "THANK YOU FOR HAVING ME", "Glad to be on the show",
		"Dear listeners", "our ſhow", "in EPISODE 12", "a Kelvin sign: \u212A", "we are the new hosts",
		"nothing here at all", "", "to be or not to be", "the hostess", "showing the podcasts",
	}
	var files []string
	for _, glob := range []string{"testdata/*.md", "testdata/*.txt", "../../shared/corpus/transcripts/*", "../../shared/train-corpus/transcripts/*"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(data), "\n")...)
	}
	for name, l := range map[string]literal{"calledHost": calledHost, "selfHost": selfHost, "guestThanks": guestThanks, "audience": audience} {
		matched := 0
		for _, s := range lines {
			if got, want := l.MatchString(s), l.Regexp.MatchString(s); got != want {
				t.Errorf("%s on %q: %v, the pattern alone %v", name, s, got, want)
			}
			if got, want := l.FindAllStringSubmatch(s, -1), l.Regexp.FindAllStringSubmatch(s, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %q: %q, the pattern alone %q", name, s, got, want)
			}
			if got, want := l.FindStringIndex(s), l.Regexp.FindStringIndex(s); !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %q: %v, the pattern alone %v", name, s, got, want)
			}
			if l.Regexp.MatchString(s) {
				matched++
			}
		}
		if matched == 0 {
			t.Errorf("%s matched none of %d lines: the test shows nothing", name, len(lines))
		}
	}
}
