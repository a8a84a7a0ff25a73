package classify

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden-classify.jsonl.gz from the current code")

// goldenPath holds what the classifier made of real passages before the
// matcher rewrite (commit 3679e48, regexps only): any change to categories,
// scores, matches or suppressed cues shows up as a line that differs.
const goldenPath = "testdata/golden-classify.jsonl.gz"

// goldenLines classifies the training passages and the gold file with the
// built-in and the seed rules, one compact JSON line per passage and rule set.
func goldenLines(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	sets := []struct {
		name string
		c    *Classifier
	}{{"rules", defaultRules(t)}, {"seed", seedRules(t)}}
	inputs := append(readGoldPath(t, "../eval/train.jsonl"), readGoldFile(t)...)
	for _, s := range sets {
		for _, g := range inputs {
			for _, interviewer := range []bool{false, true} {
				if interviewer && !g.Interviewer {
					continue
				}
				// Interviewer turns are also classified as answers so that
				// their text is not skipped.
				res := s.c.Classify(Input{Text: g.Text, Context: g.Question, Interviewer: interviewer})
				line := struct {
					Rules      string             `json:"rules"`
					ID         string             `json:"id"`
					Categories []string           `json:"c"`
					Scores     map[string]float64 `json:"s,omitempty"`
					Matches    []string           `json:"m,omitempty"`
					Suppressed []string           `json:"x,omitempty"`
				}{Rules: s.name, ID: g.ID, Categories: res.Categories, Scores: res.Scores}
				for _, m := range res.Matches {
					line.Matches = append(line.Matches, fmt.Sprintf("%s %s %g %q", m.Category, m.Rule, m.Weight, m.Text))
				}
				for _, m := range res.Suppressed {
					line.Suppressed = append(line.Suppressed, fmt.Sprintf("%s %s %q %s", m.Category, m.Rule, m.Text, m.Reason))
				}
				if err := enc.Encode(line); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return b.Bytes()
}

// TestGoldenClassify requires the classifier to tag the real passages
// exactly as the golden file recorded: the same categories, scores, rules,
// words and suppressed cues, in the same order.
func TestGoldenClassify(t *testing.T) {
	got := goldenLines(t)
	if *update {
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		w.Write(got)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	gl, wl := bytes.Split(got, []byte("\n")), bytes.Split(want, []byte("\n"))
	if len(gl) != len(wl) {
		t.Fatalf("%d lines, golden file has %d", len(gl), len(wl))
	}
	diffs := 0
	for i := range gl {
		if !bytes.Equal(gl[i], wl[i]) {
			if diffs++; diffs <= 10 {
				t.Errorf("line %d:\n got  %s\n want %s", i+1, gl[i], wl[i])
			}
		}
	}
	if diffs > 0 {
		t.Errorf("%d of %d lines differ", diffs, len(gl))
	}
}
