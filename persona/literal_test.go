package persona

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// corpusGlobs are the real texts the equivalence tests read: the
// transcripts and notes here, and the shared corpora's when present (the
// transcripts first).
var corpusGlobs = []string{"testdata/*.md", "testdata/*.txt",
	"../../shared/corpus/transcripts/*", "../../shared/train-corpus/transcripts/*", "../eval/notes/*",
	"../../shared/corpus/interviews/*", "../../shared/train-corpus/interviews/*", "../../shared/corpus/captions/*"}

// The words in front of a pattern never change what it finds: on every
// line of the real transcripts here (and the shared corpus's, when
// present) and on lines written to sit at the edges of the words.
func TestLiteralsFindWhatTheirPatternsFind(t *testing.T) {
	lines := []string{
		"I'm your HOST, Jo Tanaka.", "Moderated by Dana Lee", "With me, as always, is Sam Ortiz",
		"Joined as usual by my co-host, Ana Ruiz", "THANK YOU FOR HAVING ME", "Glad to be on the show",
		"Dear listeners", "our ſhow", "in EPISODE 12", "a Kelvin sign: \u212A", "we are the new hosts",
		"nothing here at all", "", "to be or not to be", "the hostess", "showing the podcasts",
		"MODERATOR: Dana Lee", "Note-taker: Sam", "Obſerver: Jo", "NOTETAKER: Al",
	}
	var files []string
	for _, glob := range corpusGlobs[:5] {
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
	for name, l := range map[string]literal{"calledHost": calledHost, "selfHost": selfHost, "notesHeader": notesHeader} {
		matched := 0
		for _, s := range lines {
			if got, want := l.MatchString(s), l.re().MatchString(s); got != want {
				t.Errorf("%s on %q: %v, the pattern alone %v", name, s, got, want)
			}
			if got, want := l.FindAllStringSubmatch(s, -1), l.re().FindAllStringSubmatch(s, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %q: %q, the pattern alone %q", name, s, got, want)
			}
			if got, want := l.FindAllStringSubmatchIndex(s, -1), l.re().FindAllStringSubmatchIndex(s, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %q: %v, the pattern alone %v", name, s, got, want)
			}
			if got, want := l.FindStringIndex(s), l.re().FindStringIndex(s); !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %q: %v, the pattern alone %v", name, s, got, want)
			}
			if l.re().MatchString(s) {
				matched++
			}
		}
		if matched == 0 {
			t.Errorf("%s matched none of %d lines: the test shows nothing", name, len(lines))
		}
	}
}

// A pattern tried only where a match can begin (a name, or one of its
// first words) and on no more text than a match can span finds what the
// pattern alone finds: on every line, paragraph and whole file of the
// real texts here (and the shared corpora's, when present), from every
// word, and on texts written to sit at the edges of the bounds.
func TestAnchoredFindWhatTheirPatternsFind(t *testing.T) {
	title := func(n int) string { return strings.Repeat("é", n-1) + "x" }
	texts := []string{
		"Ana Ruiz is the CEO of Velo.", "Ana Ruiz, head of IT at Velo", "J. R. R. Tolkien is the CEO", "J.R. Tolkien, the CFO",
		"Émile Zola, the CEO of Ÿ", "ÉMILE ZOLA, who's the CTO", "McDonald is the CEO", "iPhone is the best", "Ana\nis the CEO",
		"O'Brien, CEO", "O’Brien, founder", "Jean-Luc Picard works as captain", "Ana, welcome", "Ana,welcomed", "Ana, welcome!",
		"Ana Ruiz, and welcome to the show", "Ana, it's great to have you", "ANA, THANKS SO MUCH FOR JOINING", "Ana, welcomeback",
		"Ana Ruiz is the " + title(89), "Ana Ruiz is the " + title(90), "Ana Ruiz is the " + title(91), "Ana Ruiz is the " + title(92) + ".",
		"Ana, " + title(90) + ", Bo, " + title(90), "A. B. C. D. E. F. G. is the CEO", "Ana Bo Cy Di Ed Fa is the CEO", "Ana  ,   the CEO",
		"So I said, Ana is here with us, who is CEO at Outerbounds", "Ville Tuulos joins us, who's the CEO", "I. I. I. I, the CFO",
		"The CEO. Ana, the CTO. Bo, the CFO; Cy, the COO!", "\xffAna, the CEO", "Ana\xff, the CEO", "Ana, the CEO\xff of Velo",
		"Ana Ruiz,\tthe CEO", "ſusan, the CEO", "Ana, the \u212Aing", "", "A", "Ab", "A.", "Ab,",
		"I'M THE CFO", "i’m a founder", "I AM an engineer", "my job TITLE IS VP", "I was promoted to CEO", "I joined as CTO",
		"YOU ARE the CEO", "As CEO of Grafana, YOU said", "WELCOME BACK to the show, Ana", "today WE HAVE Ana Ruiz",
		"today we 've got Ana", "I aſked", "I worK as a nurse", "I'm J. R. Smith's CEO", "welcome J. R. R. Tolkien!",
		"Hi! I'm the CEO. You are the CTO? As CEO, you know", "you're one of the co-founders", "as a CEO of X, young",
		"you went from VP of Product to CEO", "wait...you are the CEO", "x_you are the CEO", "1you are the CEO", "éyou are the CEO",
		"youyou are the CEO", "welcome,Ana", "thanks for joining, Ana", "so I'm the CEO? no, I am a founder!", "I'm\nthe CEO",
		"We’re joined by Ana", "we are here with J. Smith. Bye", "this week on the show, we have Ana", "on today's show we have Bo",
		"I' m the CEO", "Im the CEO", "THANK YOU FOR HAVING ME", "Glad to be on the show", "honoured to be here!",
		"Dear listeners", "our ſhow", "in EPISODE 12", "in episode 12b", "you, the listener", "IF YOU’RE LISTENING", "an earlier episode",
		"a pleasure to be on your podcast", "notour show", "thanks again for inviting us", "as" + strings.Repeat(" x", 40) + ", you", "you are the " + title(90), "you are the " + title(91),
	}
	var files []string
	for _, glob := range corpusGlobs {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		texts = append(texts, s)
		texts = append(texts, strings.Split(s, "\n\n")...)
	}
	for name, f := range map[string]anchored{"thirdPerson": thirdPerson, "apposition": apposition, "welcomedName": welcomedName,
		"welcomesName": welcomesName, "firstPerson": firstPerson, "firstBare": firstBare, "firstSays": firstSays,
		"secondPerson": secondPerson, "secondOneOf": secondOneOf, "asYou": asYou, "guestThanks": guestThanks, "audience": audience} {
		matched := 0
		for _, s := range texts {
			got, want := f.FindAllStringSubmatchIndex(s, -1), f.re().FindAllStringSubmatchIndex(s, -1)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s on %.200q: %v, the pattern alone %v", name, s, got, want)
				continue
			}
			matched += len(want)
			if len(s) > 300 {
				continue // from every word of a whole file would take minutes
			}
			for pos := 0; pos <= len(s); pos++ {
				if pos > 0 && s[pos-1] != ' ' && s[pos-1] != '\n' && pos != len(s) {
					continue
				}
				if pos == 0 {
					if got, want := f.FindAllStringSubmatch(s, -1), f.re().FindAllStringSubmatch(s, -1); !reflect.DeepEqual(got, want) {
						t.Errorf("%s on %.200q: %q, the pattern alone %q", name, s, got, want)
					}
				}
				got, want := f.FindStringSubmatchIndex(s[pos:]), f.re().FindStringSubmatchIndex(s[pos:])
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s on %.200q from %d: %v, the pattern alone %v", name, s, pos, got, want)
				}
			}
		}
		if matched < 10 {
			t.Errorf("%s matched %d times: the test shows little", name, matched)
		}
	}
}

// containsFold finds what strings.Contains finds in the text in lower
// case (ASCII letters only), wherever the word sits.
func TestContainsFold(t *testing.T) {
	lower := func(s string) string {
		return strings.Map(func(r rune) rune {
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return r
		}, s)
	}
	texts := []string{"", "h", "H", "host", "HOST", "hOsT", "the Host.", "hhhost", "hoshost", "xHoSt", "hos", "ho\u212Ast",
		"with me, as ALWAYS", "wITH Me", "I'M here", "i’m", "I’M", "we 've got", "WE 'VE", "Ħost", "éhost", "hostÉ", "to be", "TO  BE"}
	words := []string{"host", "h", "with me", "i'm", "i’m", "we 've", "to be", "t", "é"}
	for _, s := range texts {
		for _, w := range words {
			if got, want := containsFold(s, w), strings.Contains(lower(s), w); got != want {
				t.Errorf("containsFold(%q, %q) = %v, want %v", s, w, got, want)
			}
		}
	}
}
