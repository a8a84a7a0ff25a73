package passage

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseLabel(t *testing.T) {
	tests := []struct {
		line string
		want *label // nil: not a label
	}{
		{"Jane: we use spreadsheets", &label{name: "Jane", rest: "we use spreadsheets"}},
		{"Dana Whitfield (CFO, Northwind Freight): Honestly, it's reconciliation.", &label{name: "Dana Whitfield", detail: "CFO, Northwind Freight", rest: "Honestly, it's reconciliation."}},
		{"Interviewer:", &label{name: "Interviewer", only: true}},
		{"BC: Hey, thanks Dave.", &label{name: "BC", rest: "Hey, thanks Dave."}},
		{"[0:02:11.5] BC: So empathy is really two things.", &label{name: "BC", time: "00:02:11", rest: "So empathy is really two things."}},
		{"00:01:23 Jane Doe: hello", &label{name: "Jane Doe", time: "00:01:23", rest: "hello"}},
		{"Speaker 1 (00:01:23):", &label{name: "Speaker 1", time: "00:01:23", only: true}},
		{"Jane Doe [1:02:03,500] so anyway", &label{name: "Jane Doe", time: "01:02:03", rest: "so anyway"}},
		{"Priya Nair  0:03", &label{name: "Priya Nair", time: "00:00:03", only: true}},
		// The text extractor folds the double space; the time must still not
		// be read as "Priya Nair 0" saying "03".
		{"Priya Nair 0:03", &label{name: "Priya Nair", time: "00:00:03", only: true}},
		{"**Maya Chen:** Six to eight weeks.", &label{name: "Maya Chen", rest: "Six to eight weeks."}},
		{"**Maya Chen**: Six to eight weeks.", &label{name: "Maya Chen", rest: "Six to eight weeks."}},
		{"**Mireille Reece, PsyD:** Well, I am so excited.", &label{name: "Mireille Reece", detail: "PsyD", rest: "Well, I am so excited."}},
		{"**Dana Lee, CFO, Acme:** Budgets.", &label{name: "Dana Lee", detail: "CFO, Acme", rest: "Budgets."}},
		{"Paul Frazee✌: Yeah, thanks for having me.", &label{name: "Paul Frazee", rest: "Yeah, thanks for having me."}},
		{"**Paul Frazee✌:** Yeah.", &label{name: "Paul Frazee", rest: "Yeah."}},
		{"Jane: [04:01] we moved on", &label{name: "Jane", time: "00:04:01", rest: "we moved on"}},
		{"[Speaker 2] I'd say pricing.", &label{name: "Speaker 2", rest: "I'd say pricing."}},
		{"• Jane: a list item that quotes Jane", &label{name: "Jane", rest: "a list item that quotes Jane"}},
		{"Ana de la Cruz: hola", &label{name: "Ana de la Cruz", rest: "hola"}},
		{"José Álvarez: sí", &label{name: "José Álvarez", rest: "sí"}},
		{"Participant 12;", &label{name: "Participant 12", only: true, semi: true}},
		// The closing stars went missing in the notes.
		{"**Moderator:Got it. Where are you?", &label{name: "Moderator", rest: "Got it. Where are you?"}},

		// Not labels.
		{"Note: x", nil},
		{"Note 2: the audio cut out", nil},
		{"http://x", nil},
		{"https://example.com/a: b", nil},
		{"Monday: standup", nil},
		{"[laughs] okay", nil},
		{"[inaudible] then we left", nil},
		{"[00:04:01] the audio resumes", nil},
		{"Key Points From This Episode:", nil}, // five capitalised words: a heading, not a name
		{"we said: no", nil},
		{"The budget is 5:1 in favour", nil},
		{"Toronto Empathy Assessmenthttps://markempa.com/empathy-quiz/", nil},
		{"", nil},
		{"**Bold text** without a colon", nil},
		{"For Caregivers:", nil},                        // a heading of notes: names do not open with a preposition
		{"[x] UAT TASK: link works", nil},               // a checkbox
		{"[Participant 5] [March 5, 2020] [2 PM]", nil}, // a session's header
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got, ok := parseLabel(tt.line)
			if tt.want == nil {
				if ok {
					t.Errorf("parseLabel(%q) = %+v, want no label", tt.line, got)
				}
				return
			}
			if !ok {
				t.Fatalf("parseLabel(%q) found no label, want %+v", tt.line, *tt.want)
			}
			if got != *tt.want {
				t.Errorf("parseLabel(%q) = %+v, want %+v", tt.line, got, *tt.want)
			}
		})
	}
}

func TestNormTime(t *testing.T) {
	for in, want := range map[string]string{
		"0:02:11.5":   "00:02:11",
		"04:01":       "00:04:01",
		"1:02:03,500": "01:02:03",
		"0:03":        "00:00:03",
		"12:34:56":    "12:34:56",
	} {
		if got := normTime(in); got != want {
			t.Errorf("normTime(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseLabel(f *testing.F) {
	for _, path := range fixtures(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			f.Add(line)
		}
	}
	f.Fuzz(func(t *testing.T, line string) {
		l, ok := parseLabel(line)
		if !ok {
			if l != (label{}) {
				t.Errorf("no label, but fields set: %+v", l)
			}
			return
		}
		// Bracketed names ("[id1] text") skip the name check; all others pass it.
		bracketed := bracketName().MatchString(strings.TrimSpace(strings.TrimPrefix(line, "• ")))
		if strings.TrimSpace(l.name) == "" || !bracketed && !nameOK(l.name) {
			t.Errorf("label with an unacceptable name %q", l.name)
		}
		if l.time != "" && !isTime(l.time) {
			t.Errorf("time %q is not hh:mm:ss", l.time)
		}
		if l.only && l.rest != "" {
			t.Errorf("only set with rest %q", l.rest)
		}
		// Every part comes from the line; nothing is invented.
		if utf8.ValidString(line) {
			for _, part := range []string{l.name, l.detail, l.rest} {
				if !utf8.ValidString(part) {
					t.Errorf("invalid UTF-8 %q from a valid line", part)
				}
				if !strings.Contains(line, part) {
					t.Errorf("%q is not in the line %q", part, line)
				}
			}
		}
		// The remainder must be shorter than the line: a label took something.
		if len(l.rest) >= len(line) {
			t.Errorf("rest %q is no shorter than the line", l.rest)
		}
	})
}

// The label patterns that end with the rest of the line find, run
// without that last group on a line without a line break, what they find
// whole: on every line and paragraph of the texts here and the shared
// corpora's (when present), and on lines written for the edges.
func TestRestOfLineFindsWhatThePatternFinds(t *testing.T) {
	lines := []string{
		"Ana: hi", "Ana: hi\nthere", "Ana:\n hi", "Ana:\n\n", "Ana: ", "Ana:", "Ana (CFO: x): hi", "Ana (CFO): hi: there",
		"00:01 Ana: hi", "[0:02:11.5] BC: text", "Ana (00:01): x", "Ana [00:01] x\ny", "Ana [00:01]", "Ana\r: x\r",
		"Ana: \xff\xfe", "\xffAna: x", "Speaker 1: yes", "P3 (caregiver):\tok", "Jane Doe  0:03", "jane: x", "",
		"Ana von Trier: " + strings.Repeat("word ", 500), "Ana:  \t x \n", "Ana\n: x",
	}
	for _, glob := range []string{"testdata/*", "../persona/testdata/*", "../eval/notes/*", "../../shared/corpus/transcripts/*",
		"../../shared/corpus/interviews/*", "../../shared/corpus/captions/*", "../../shared/train-corpus/transcripts/*"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				continue // a folder
			}
			s := string(data)
			lines = append(lines, strings.Split(s, "\n")...)
			lines = append(lines, strings.Split(s, "\n\n")...)
		}
	}
	matched := 0
	for name, p := range map[string][2]func() *regexp.Regexp{"timeFirst": {timeFirst, timeFirstHead},
		"nameTimeParen": {nameTimeParen, nameTimeParenHead}, "nameColon": {nameColon, nameColonHead}} {
		for _, l := range lines {
			for _, l := range []string{l, strings.TrimSpace(l)} {
				got, want := restOfLine(p[0], p[1], l), p[0]().FindStringSubmatch(l)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s on %.200q: %q, the pattern %q", name, l, got, want)
				}
				if want != nil {
					matched++
				}
			}
		}
	}
	if matched < 100 {
		t.Errorf("the patterns matched %d lines: the test shows little", matched)
	}
}
