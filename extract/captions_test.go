package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// captionGolden is what a golden file pins down of an extracted caption file.
type captionGolden struct {
	Format   string         `json:"format"`
	Title    string         `json:"title,omitempty"`
	Warnings []string       `json:"warnings,omitempty"`
	Blocks   []captionBlock `json:"blocks"`
}

type captionBlock struct {
	Time    string `json:"time,omitempty"`
	Line    int    `json:"line,omitempty"`
	Speaker string `json:"speaker,omitempty"`
	Text    string `json:"text"`
}

func TestCaptionsGolden(t *testing.T) {
	tests := []struct {
		fixture string
		name    string // the name the file is submitted under: the content decides
		format  string
	}{
		{"voices.vtt", "call.vtt", "vtt"},        // voice tags, styling, NOTE/STYLE/REGION, ruby, entities
		{"names.vtt", "names.vtt", "vtt"},        // Name: inside cues, "- Name:", ">> NAME:", bad timings
		{"youtube.vtt", "auto.vtt", "vtt"},       // rolling auto-captions with word timestamps
		{"bom-crlf.srt", "interview.srt", "srt"}, // BOM, CRLF, {\an8}, <font>, missing blank lines, dashes
		{"rolling.srt", "rolling.txt", "srt"},    // roll-up captions, named .txt
		{"chinese.srt", "chinese.srt", "srt"},    // bilingual Chinese and English
		{"utf16.srt", "relances.srt", "srt"},     // UTF-16 with a BOM, CRLF
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "captions", tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Default().Extract(context.Background(), Input{Name: tt.name, Data: data})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			if doc.Format != tt.format || !doc.Structured {
				t.Errorf("Format = %q, Structured = %v; want %q and structured", doc.Format, doc.Structured, tt.format)
			}
			got := captionGolden{Format: doc.Format, Title: doc.Title, Warnings: doc.Warnings}
			for _, b := range doc.Blocks {
				got.Blocks = append(got.Blocks, captionBlock{b.Loc.Time, b.Loc.Line, b.Speaker, b.Text})
			}
			file := filepath.Join("testdata", "captions", strings.TrimSuffix(tt.fixture, filepath.Ext(tt.fixture))+".golden.json")
			checkGolden(t, file, goldenJSON(t, got, false))
		})
	}
}

// TestCaptionsRules checks the merging rules one at a time, on cues built
// here, so that a failure names the rule.
func TestCaptionsRules(t *testing.T) {
	type want struct{ time, speaker, text string }
	tests := []struct {
		name string
		in   string
		want []want
	}{
		{
			name: "a pause after a sentence ends the passage",
			in:   "WEBVTT\n\n00:01.000 --> 00:02.000\nWe tried it once.\n\n00:04.500 --> 00:06.000\nThen we stopped.\n",
			want: []want{{"00:00:01", "", "We tried it once."}, {"00:00:04", "", "Then we stopped."}},
		},
		{
			name: "a pause mid-sentence does not",
			in:   "WEBVTT\n\n00:01.000 --> 00:02.000\nWe tried it\n\n00:04.500 --> 00:06.000\nand then we stopped.\n",
			want: []want{{"00:00:01", "", "We tried it and then we stopped."}},
		},
		{
			name: "a long silence ends it anywhere",
			in:   "WEBVTT\n\n00:01.000 --> 00:02.000\nWe tried it\n\n00:09.000 --> 00:10.000\nand then we stopped.\n",
			want: []want{{"00:00:01", "", "We tried it"}, {"00:00:09", "", "and then we stopped."}},
		},
		{
			name: "hours in the time",
			in:   "1\n01:02:03,999 --> 01:02:05,000\nLate in the call.\n",
			want: []want{{"01:02:03", "", "Late in the call."}},
		},
		{
			name: "voices alternate inside one cue",
			in:   "WEBVTT\n\n00:00.000 --> 00:03.000\n<v Ann>Ready?</v> <v Bo>Yes.</v>\n",
			want: []want{{"00:00:00", "Ann", "Ready?"}, {"00:00:00", "Bo", "Yes."}},
		},
		{
			name: "an unlabelled cue continues the speaker before",
			in:   "1\n00:00:00,000 --> 00:00:02,000\nANN: We pay late\n\n2\n00:00:02,000 --> 00:00:04,000\nbecause approvals stall.\n\n3\n00:00:04,000 --> 00:00:05,000\nBO: Why?\n\n4\n00:00:05,000 --> 00:00:06,000\nANN: Nobody owns it.\n",
			want: []want{{"00:00:00", "ANN", "We pay late because approvals stall."}, {"00:00:04", "BO", "Why?"}, {"00:00:05", "ANN", "Nobody owns it."}},
		},
		{
			name: "a single Title: line is not a speaker",
			in:   "WEBVTT\n\n00:00.000 --> 00:03.000\nWeb accessibility: essential for some.\n",
			want: []want{{"00:00:00", "", "Web accessibility: essential for some."}},
		},
		{
			name: "a lone repeat is kept when captions do not roll",
			in:   "1\n00:00:00,000 --> 00:00:01,000\nNo, no.\n\n2\n00:00:01,000 --> 00:00:02,000\nNo, no.\n",
			want: []want{{"00:00:00", "", "No, no. No, no."}},
		},
		{
			name: "a cue with an unreadable time keeps the time before",
			in:   "1\n00:00:03,000 --> 00:00:04,000\nFirst.\n\n2\n00:00:0x,000 --> 00:00:05,000\nSecond.\n",
			want: []want{{"00:00:03", "", "First. Second."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Captions{}.Extract(context.Background(), Input{Name: "t.vtt", Data: []byte(tt.in)})
			if err != nil {
				t.Fatal(err)
			}
			var got []want
			for _, b := range doc.Blocks {
				got = append(got, want{b.Loc.Time, b.Speaker, b.Text})
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d blocks %q, want %q", len(got), got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("block %d = %q, want %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestCaptionsLength(t *testing.T) {
	// One speaker, one cue a second, no punctuation: only the hard limit
	// cuts. With full stops, the run ends at the first one after the soft
	// limit. (Each cue differs: identical cues would be rolling captions.)
	for _, tt := range []struct {
		name    string
		line    string
		maxWant float64
	}{
		{"no sentence ends", "and we keep the numbers in sheet %d", captionHardWords + 8},
		{"sentence ends", "We keep the numbers in sheet %d.", captionSoftWords + 7},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString("WEBVTT\n\n")
			for i := range 60 {
				b.WriteString(clock(int64(i)*1000) + ".000 --> " + clock(int64(i+1)*1000) + ".000\n<v Ann>" + fmt.Sprintf(tt.line, i) + "\n\n")
			}
			doc, err := Captions{}.Extract(context.Background(), Input{Name: "t.vtt", Data: []byte(b.String())})
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Blocks) < 3 {
				t.Fatalf("%d blocks from 60 cues of one speaker: nothing was cut", len(doc.Blocks))
			}
			for i, blk := range doc.Blocks {
				if n := float64(len(strings.Fields(blk.Text))); n > tt.maxWant {
					t.Errorf("block %d has %v words, want at most %v", i, n, tt.maxWant)
				}
				if blk.Speaker != "Ann" {
					t.Errorf("block %d speaker %q", i, blk.Speaker)
				}
			}
		})
	}
}

func TestCaptionsRefuses(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"header only", "WEBVTT\n\nNOTE nothing here\n", "no caption cues found in the file"},
		{"unreadable timings", "WEBVTT\n\nxx:00 --> 00:01.000\nHello\n\n00:99.000 --> 01:00.000\nHi\n", "none of its 2 timing lines can be read"},
		{"only sounds", "1\n00:00:01,000 --> 00:00:02,000\n[MUSIC]\n\n2\n00:00:02,000 --> 00:00:03,000\n♪ la la ♪\n", "no spoken text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Captions{}.Extract(context.Background(), Input{Name: "a.vtt", Data: []byte(tt.in)})
			if err == nil {
				t.Fatalf("Extract = %+v, want an error", doc)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
	// A file named .srt that holds something else says so.
	_, err := Default().Extract(context.Background(), Input{Name: "call.srt", Data: []byte("Jane: hello\n")})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "named .srt") {
		t.Errorf("prose named .srt: %v, want an error saying the content is not SRT", err)
	}
}

func TestSniffCaptions(t *testing.T) {
	utf16 := func(s string) string {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return string(b)
	}
	tests := []struct {
		name, head string
		vtt, srt   bool
	}{
		{"WEBVTT", "WEBVTT\n\n00:01.000 --> 00:02.000\nhi", true, false},
		{"WEBVTT with BOM and title", "\ufeffWEBVTT - call\r\n", true, false},
		{"WEBVTT alone", "WEBVTT", true, false},
		{"WEBVTTX", "WEBVTTX\n", false, false},
		{"WEBVTT in prose", "We exported WEBVTT files.", false, false},
		{"SRT", "1\n00:00:01,000 --> 00:00:04,000\nhi", false, true},
		{"SRT with BOM and CRLF", "\ufeff1\r\n00:00:01,000 --> 00:00:04,000\r\nhi", false, true},
		{"SRT in UTF-16", "\xff\xfe" + utf16("1\r\n00:00:01,000 --> 00:00:04,000\r\nhi"), false, true},
		{"SRT without numbers", "\n00:00:01,000 --> 00:00:04,000\nhi", false, true},
		{"number then prose", "1\nWe met on Monday.", false, false},
		{"prose", "Jane: hello", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffVTT([]byte(tt.head)); got != tt.vtt {
				t.Errorf("sniffVTT = %v, want %v", got, tt.vtt)
			}
			if got := sniffSRT([]byte(tt.head)); got != tt.srt {
				t.Errorf("sniffSRT = %v, want %v", got, tt.srt)
			}
		})
	}
}

func TestParseTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		ms   int64
		fail bool
	}{
		{"00:00:01,000", 1000, false},
		{"00:00:01.5", 1500, false},
		{"01:02:03.004", 3723004, false},
		{"02:03.004", 123004, false},
		{"0:00:07", 7000, false},
		{"100:00:00.000", 360000000, false},
		{"00:60:00.000", 0, true},
		{"00:00:1x.000", 0, true},
		{"00:00:01.", 0, true},
		{"12", 0, true},
		{"", 0, true},
		{"1:2:3:4", 0, true},
	}
	for _, tt := range tests {
		ms, ok := parseTimestamp(tt.in)
		if ok == tt.fail || ms != tt.ms {
			t.Errorf("parseTimestamp(%q) = %d, %v; want %d, %v", tt.in, ms, ok, tt.ms, !tt.fail)
		}
	}
}

// TestCaptionsCorpus reads the real caption files of the shared corpus when
// it is there and logs how many cues became how many passages.
func TestCaptionsCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "captions")
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(paths) == 0 {
		t.Skipf("no corpus at %s", dir)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Default().Extract(context.Background(), Input{Name: filepath.Base(p), Data: data})
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			continue
		}
		s, _, _ := DecodeText(data)
		parsed, err := parseCues(context.Background(), s)
		if err != nil {
			t.Fatal(err)
		}
		speakers := map[string]bool{}
		for _, b := range doc.Blocks {
			if !clockPattern.MatchString(b.Loc.Time) {
				t.Errorf("%s: block without a time: %+v", filepath.Base(p), b)
			}
			if b.Speaker != "" {
				speakers[b.Speaker] = true
			}
		}
		t.Logf("%-62s %s %3d cues → %2d passages, %d speakers, %d warnings", filepath.Base(p), doc.Format, len(parsed.cues), len(doc.Blocks), len(speakers), len(doc.Warnings))
	}
}

var clockPattern = regexp.MustCompile(`^\d{2,}:\d{2}:\d{2}$`)

func FuzzCaptions(f *testing.F) {
	addSeedFiles(f, "testdata/captions/*.[sv][rt][tt]")
	f.Add([]byte("WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>x<v B>y</v>\n"))
	f.Add([]byte("1\n00:00:00,000 --> 00:00:01,000\n- [A] x\n- B: y\n2\n00:00:01,000 --> 00:00:02,000\n- B: y\nz\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Captions{}.Extract(context.Background(), Input{Name: "f.vtt", Data: data})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if len(doc.Blocks) == 0 {
			t.Fatal("no error and no blocks")
		}
		for _, b := range doc.Blocks {
			if !utf8.ValidString(b.Text) || !utf8.ValidString(b.Speaker) || strings.TrimSpace(b.Text) == "" {
				t.Fatalf("bad block %+v", b)
			}
			if !clockPattern.MatchString(b.Loc.Time) && b.Loc.Line <= 0 {
				t.Fatalf("block without a locator %+v", b)
			}
		}
		for _, w := range doc.Warnings {
			if !utf8.ValidString(w) {
				t.Fatalf("warning not UTF-8: %q", w)
			}
		}
	})
}
