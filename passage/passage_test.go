package passage

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current output")

// golden is the part of a passage the golden files pin down.
type golden struct {
	Text    string            `json:"text"`
	Speaker string            `json:"speaker,omitempty"`
	Section string            `json:"section,omitempty"`
	Context string            `json:"context,omitempty"`
	Attrs   map[string]string `json:"attrs,omitempty"`
	Locator evident.Locator   `json:"locator"`
}

func fixtures(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	for _, pattern := range []string{"testdata/*.txt", "testdata/*.md"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		tb.Fatal("no fixtures in testdata")
	}
	return paths
}

// build extracts a fixture the way a worker does and cuts it into passages.
func build(t *testing.T, path string) []evident.Passage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: filepath.Base(path), Data: data})
	if err != nil {
		t.Fatalf("extract %s: %v", path, err)
	}
	return Build(doc, Options{})
}

func TestBuildGolden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		t.Run(name, func(t *testing.T) {
			var got []golden
			for _, p := range build(t, path) {
				got = append(got, golden{p.Text, p.Speaker, p.Section, p.Context, p.Attrs, p.Locator})
			}
			out, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			file := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(file, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("passages differ from %s (go test -update rewrites it; read the diff first):\n%s", file, out)
			}
		})
	}
}

// find returns the passage whose text contains s.
func find(t *testing.T, ps []evident.Passage, s string) evident.Passage {
	t.Helper()
	for _, p := range ps {
		if strings.Contains(p.Text, s) {
			return p
		}
	}
	t.Fatalf("no passage contains %q", s)
	return evident.Passage{}
}

// TestBuildConventions states outright what the goldens hold, so that a
// careless -update cannot bless a regression in the rules that matter most.
func TestBuildConventions(t *testing.T) {
	tests := []struct {
		file, text  string // the fixture, and words of the passage to check
		speaker     string
		section     string
		context     string
		line, para  int
		time        string
		notSpeakers []string // labels that must not appear as speakers anywhere in the file
	}{
		// A named CFO with her title in the label.
		{file: "interview-cfo.txt", text: "mostly reconciliation", speaker: "Dana Whitfield", line: 3, para: 2},
		// Second paragraph of her turn: still hers.
		{file: "interview-cfo.txt", text: "It's frustrating", speaker: "Dana Whitfield", line: 5, para: 3},
		// Turns on consecutive lines of one paragraph are split at each label.
		{file: "interview-cfo.txt", text: "The audit committee", speaker: "Dana Whitfield", line: 8},
		// The turn goes on after the transcriber's note.
		{file: "interview-cfo.txt", text: "Sorry, you cut out", speaker: "Dana Whitfield", line: 10},
		// "Note:" is the transcriber, not a speaker, and not part of the
		// turn it interrupts.
		{file: "interview-cfo.txt", text: "Note: the line dropped", section: SectionNotes, line: 9, notSpeakers: []string{"Note"}},
		{file: "interview-cfo.txt", text: "Note: the recording", section: SectionNotes, line: 12},
		{file: "interview-cfo.txt", text: "If you could fix", speaker: "Interviewer", line: 14},
		{file: "markdown-bold.md", text: "Six to eight weeks", speaker: "Maya Chen", context: "Security reviews", line: 7},
		{file: "markdown-bold.md", text: "pen-test summary", speaker: "Maya Chen", context: "Wishes", line: 13},
		// Show notes and the pull quote above the first turn.
		{file: "podcast-timestamps.txt", text: "In this episode", section: SectionNotes, line: 3},
		// A pull quote keeps its time: where in the recording to hear it.
		{file: "podcast-timestamps.txt", text: "— Ravi Kumar", section: SectionNotes, line: 5, time: "00:04:12"},
		{file: "podcast-timestamps.txt", text: "never agree on revenue", section: SectionNotes, line: 9},
		{file: "podcast-timestamps.txt", text: "on LinkedIn", section: SectionNotes, line: 14},
		{file: "podcast-timestamps.txt", text: "Welcome to Ledger Lines", speaker: "ANNOUNCER", line: 16, time: "00:00:03"},
		{file: "podcast-timestamps.txt", text: "Audit prep", speaker: "RK", line: 20, time: "00:00:45"},
		// A continuation paragraph keeps the speaker and the turn's time.
		{file: "podcast-timestamps.txt", text: "every Monday", speaker: "RK", line: 22, time: "00:00:45"},
		{file: "speaker-paren.txt", text: "three-quote process", speaker: "Speaker 2", line: 4, time: "00:00:11"},
		// Label and text separated by a blank line.
		{file: "speaker-paren.txt", text: "final say", speaker: "Speaker 1", line: 9, time: "00:00:37"},
		{file: "notetaker.txt", text: "nobody updated", speaker: "Priya Nair", line: 1, time: "00:00:03"},
		// A turn of several lines is one passage, located at its label.
		{file: "notetaker.txt", text: "commission reports", speaker: "Priya Nair", line: 7, time: "00:00:24"},
		// An article: paragraphs, no speakers, no notes section.
		{file: "article.txt", text: "Most teams", para: 2, line: 3, notSpeakers: []string{"Note", "Monday", "Tuesday"}},
		{file: "article.txt", text: "Note: the examples", para: 3, line: 5},
		{file: "article.txt", text: "Monday: the team", para: 4, line: 7},
		// Someone who speaks once inside a conversation is a speaker, not
		// part of the turn before.
		{file: "one-turn-speaker.txt", text: "I sign off on anything", speaker: "Jane Ortiz", line: 8},
		{file: "one-turn-speaker.txt", text: "Our CFO joined", speaker: "Sam Lee", line: 7},
		// After front matter, lines still count from the top of the file.
		{file: "frontmatter.md", text: "Cash runway", speaker: "Lena Park", line: 13},
	}
	cache := map[string][]evident.Passage{}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.text, func(t *testing.T) {
			ps, ok := cache[tt.file]
			if !ok {
				ps = build(t, filepath.Join("testdata", tt.file))
				cache[tt.file] = ps
			}
			p := find(t, ps, tt.text)
			if p.Speaker != tt.speaker || p.Section != tt.section || p.Context != tt.context {
				t.Errorf("speaker %q, section %q, context %q; want %q, %q, %q", p.Speaker, p.Section, p.Context, tt.speaker, tt.section, tt.context)
			}
			if p.Locator.Line != tt.line || p.Locator.Time != tt.time || (tt.para != 0 && p.Locator.Paragraph != tt.para) {
				t.Errorf("locator %+v; want line %d, time %q, paragraph %d", p.Locator, tt.line, tt.time, tt.para)
			}
			for _, q := range ps {
				for _, bad := range tt.notSpeakers {
					if q.Speaker == bad {
						t.Errorf("%q became a speaker: %q", bad, q.Text)
					}
				}
			}
		})
	}
}

// TestBuildLineLocators checks every line locator of every fixture against
// the file itself: the passage's first words sit on that line.
func TestBuildLineLocators(t *testing.T) {
	for _, path := range fixtures(t) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(data), "\n")
		for _, p := range build(t, path) {
			if p.Locator.Line < 1 || p.Locator.Line > len(lines) {
				t.Errorf("%s: line %d out of range for %q", path, p.Locator.Line, p.Text)
				continue
			}
			// Markup and labels differ between file and passage; the first
			// word of the passage is on the line either way, or on the next
			// one when the line is only a speaker label.
			first := strings.Trim(strings.Fields(p.Text)[0], `"“*.,:`)
			at := lines[p.Locator.Line-1]
			if l, ok := parseLabel(at); ok && l.only && p.Locator.Line < len(lines) {
				at += "\n" + lines[p.Locator.Line]
			}
			if !strings.Contains(at, first) {
				t.Errorf("%s: passage %q says line %d, which is %q", path, p.Text, p.Locator.Line, lines[p.Locator.Line-1])
			}
		}
	}
}

func TestSplitLongPassage(t *testing.T) {
	sentence := "We rebuild the same report every week by hand. "
	doc := &extract.Doc{Blocks: []extract.Block{{Text: strings.Repeat(sentence, 40), Loc: evident.Locator{Line: 3, Paragraph: 1}}}}
	ps := Build(doc, Options{MaxWords: 30})
	if len(ps) < 2 {
		t.Fatalf("got %d passages, want the long paragraph split", len(ps))
	}
	var words int
	for _, p := range ps {
		n := len(strings.Fields(p.Text))
		words += n
		if n > 30 {
			t.Errorf("passage of %d words exceeds MaxWords 30", n)
		}
		if !strings.HasSuffix(p.Text, ".") {
			t.Errorf("passage not cut at a sentence end: %q", p.Text)
		}
		if p.Locator.Line != 3 {
			t.Errorf("piece lost its locator: %+v", p.Locator)
		}
	}
	if want := 40 * len(strings.Fields(sentence)); words != want {
		t.Errorf("pieces hold %d words, want %d", words, want)
	}
}

// FuzzExtractBuild runs the text extractor and the passage step together.
func FuzzExtractBuild(f *testing.F) {
	for _, path := range fixtures(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(filepath.Base(path), data)
	}
	f.Add("a.md", []byte("---\ntitle: x\n---\n**A:** hi\n\n**A:** there"))
	f.Add("a.txt", []byte("\u200b\nJane: hi\r\n\r\nJane (00:01): yo\rBob  0:03\nok"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		ctx := context.Background()
		doc, err := extract.Text{}.Extract(ctx, extract.Input{Name: name, Data: data})
		if err != nil {
			return
		}
		text, _, _ := extract.DecodeText(data)
		lines := strings.Split(text, "\n")
		nlines := len(lines)
		flat := strings.Join(strings.Fields(visible(text)), " ")
		// Markdown's emphasis may join words as it renders them:
		// "Thanks**Participant:**" reads "ThanksParticipant:".
		plain := strings.NewReplacer("*", "", "_", "").Replace(flat)
		for _, opt := range []Options{{}, {MaxWords: 5}, {MaxChars: 40}} {
			prevLine := 0
			for _, p := range Build(doc, opt) {
				// Speakers come from the text; they are never invented.
				if who := strings.Join(strings.Fields(p.Speaker), " "); who != "" && !strings.Contains(flat, who) && !strings.Contains(plain, who) {
					t.Errorf("speaker %q is not in the text", p.Speaker)
				}
				if p.Section != "" && p.Section != SectionNotes {
					t.Errorf("unknown section %q", p.Section)
				}
				// In plain text, the first word of a passage is in the
				// paragraph its locator's line starts, or in the next one
				// when that paragraph is a label standing alone.
				l := p.Locator.Line
				if doc.Format == "text" && opt.MaxWords == 0 && opt.MaxChars == 0 && l != prevLine && l >= 1 && l <= nlines {
					window := paragraphsFrom(lines, l-1)
					if w := firstWord(p.Text); !strings.Contains(window, w) {
						t.Errorf("passage %q says line %d, but %q is not there: %q", p.Text, l, w, window)
					}
				}
				prevLine = l
				if !utf8.ValidString(p.Text) || !utf8.ValidString(p.Speaker) || !utf8.ValidString(p.Context) {
					t.Errorf("invalid UTF-8 in %+v", p)
				}
				if strings.TrimSpace(p.Text) == "" {
					t.Errorf("blank passage: %+v", p)
				}
				if l := p.Locator.Line; l < 1 || l > nlines {
					t.Errorf("line %d outside the input's %d lines: %q", l, nlines, p.Text)
				}
				if opt.MaxWords > 0 && len(strings.Fields(p.Text)) > opt.MaxWords {
					t.Errorf("passage of %d words, MaxWords %d: %q", len(strings.Fields(p.Text)), opt.MaxWords, p.Text)
				}
				if opt.MaxChars > 0 && utf8.RuneCountInString(p.Text) > opt.MaxChars {
					t.Errorf("passage of %d characters, MaxChars %d: %q", utf8.RuneCountInString(p.Text), opt.MaxChars, p.Text)
				}
				if p.Locator.Time != "" && !isTime(p.Locator.Time) {
					t.Errorf("locator time %q is not a time", p.Locator.Time)
				}
			}
		}
	})
}

// visible drops what the extractor drops from a line: invisible and
// control characters.
func visible(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case unicode.IsSpace(r): // before IsControl: a form feed is a space
			return ' '
		case r == '\u00AD' || r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\u2060' || r == '\uFEFF', unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// firstWord is the first run of letters and digits in s.
func firstWord(s string) string {
	w := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(w) == 0 {
		return ""
	}
	return w[0]
}

// paragraphsFrom returns the paragraph that starts at line i and the one
// after it, with invisible characters dropped.
func paragraphsFrom(lines []string, i int) string {
	var out []string
	blank := func(i int) bool { return strings.TrimSpace(visible(lines[i])) == "" }
	for n := 0; n < 2; n++ {
		for i < len(lines) && blank(i) {
			i++
		}
		for i < len(lines) && !blank(i) {
			out = append(out, visible(lines[i]))
			i++
		}
	}
	return strings.Join(out, "\n")
}

func TestMaxChars(t *testing.T) {
	sentence := "We rebuild the same report every week by hand. "
	tests := []struct {
		name     string
		text     string
		maxChars int
		cut      bool // the document gets a warning
	}{
		{"short paragraph stays whole", "We rebuild the report by hand.", 100, false},
		{"sentences grouped under the cap", strings.Repeat(sentence, 200), 500, true},
		{"one line without sentence ends", strings.Repeat("budget ", 20_000), 1000, true},
		{"one word of a megabyte", strings.Repeat("x", 1<<20), 4000, true},
		{"multibyte word cut between characters", strings.Repeat("預算", 5000), 999, true},
		{"default cap", strings.Repeat("y", 10_000), 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := &extract.Doc{Blocks: []extract.Block{{Text: tt.text, Loc: evident.Locator{Line: 7, Paragraph: 1}}}}
			ps := Build(doc, Options{MaxChars: tt.maxChars})
			limit := tt.maxChars
			if limit == 0 {
				limit = DefaultMaxChars
			}
			var kept []string
			for _, p := range ps {
				if n := utf8.RuneCountInString(p.Text); n > limit {
					t.Errorf("passage of %d characters, cap %d", n, limit)
				}
				if !utf8.ValidString(p.Text) {
					t.Errorf("invalid UTF-8 in a piece: %q…", p.Text[:20])
				}
				if p.Locator.Line != 7 {
					t.Errorf("piece lost its locator: %+v", p.Locator)
				}
				kept = append(kept, p.Text)
			}
			// Nothing is lost but the spaces at the cuts.
			if got, want := strings.Join(strings.Fields(strings.Join(kept, "")), ""), strings.Join(strings.Fields(tt.text), ""); got != want {
				t.Errorf("pieces hold %d characters of text, want %d", len(got), len(want))
			}
			warned := len(doc.Warnings) > 0
			if warned != tt.cut {
				t.Errorf("warnings %q, want a warning: %v", doc.Warnings, tt.cut)
			}
			if warned && !strings.Contains(doc.Warnings[0], "line 7") {
				t.Errorf("warning %q does not say where", doc.Warnings[0])
			}
		})
	}
}

// TestSplitLinear checks that cutting a long line takes time in
// proportion to its length: the old split took minutes on a 60 MB line.
func TestSplitLinear(t *testing.T) {
	doc := &extract.Doc{Blocks: []extract.Block{{Text: strings.Repeat("budget ", 2<<20), Loc: evident.Locator{Line: 1}}}}
	start := time.Now()
	ps := Build(doc, Options{})
	if took := time.Since(start); took > 20*time.Second {
		t.Errorf("14 MB line took %s to split", took)
	}
	if want := 2 << 20 / 160; len(ps) < want {
		t.Errorf("%d passages, want at least %d", len(ps), want)
	}
}
