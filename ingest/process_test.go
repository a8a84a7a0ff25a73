package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/roles"
)

func processor(t *testing.T, limits Limits) *Processor {
	t.Helper()
	rules, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	tax, err := roles.Parse(configs.Roles())
	if err != nil {
		t.Fatal(err)
	}
	live := &Live{}
	live.SetClassifier(rules)
	live.SetRoles(tax)
	return &Processor{Formats: extract.Default(), Rules: live, Limits: limits}
}

func inputFor(name string, data []byte) Input {
	sum := sha256.Sum256(data)
	return Input{SHA256: hex.EncodeToString(sum[:]), File: name, Data: data}
}

// readAll reads a payload back the way the indexer does.
func readAll(t *testing.T, payload []byte) *Output {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(payload), Encoding)
	if err != nil {
		t.Fatal(err)
	}
	out := &Output{Document: *rd.Document()}
	for {
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out.Passages = append(out.Passages, *p)
	}
	out.Warnings = rd.Warnings()
	out.Document.Redacted = rd.Redacted()
	return out
}

// bigSurvey is a CSV survey of n answers: longer than the sample that
// plans a survey, it is streamed.
func bigSurvey(n int) []byte {
	var b strings.Builder
	b.WriteString("Respondent,Job title,What slows your month-end close down?\n")
	for i := range n {
		fmt.Fprintf(&b, "%d,%s,\"Approvals for journal %d wait a week in somebody's inbox, and we chase them by hand.\"\n", i+1, []string{"CFO", "Controller"}[i%2], i)
	}
	return []byte(b.String())
}

// TestStream checks that what a worker streams is what the document holds:
// the payload read back gives the document, passages and warnings that
// processing it whole gives.
func TestStream(t *testing.T) {
	files := map[string][]byte{"survey-12k.csv": bigSurvey(12_000)}
	for _, name := range []string{"interview-cfo-northwind.txt", "survey-finance-tools.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = data
	}
	files["long-line.txt"] = []byte(strings.Repeat("We rebuild the same report by hand ", 2000))
	pr := processor(t, Limits{})
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			whole, err := pr.Process(ctx, inputFor(name, data))
			if err != nil {
				t.Fatal(err)
			}
			var payload bytes.Buffer
			if err := pr.Stream(ctx, inputFor(name, data), NewWriter(&payload)); err != nil {
				t.Fatal(err)
			}
			got := readAll(t, payload.Bytes())
			if !sameJSON(got.Document, whole.Document) || !reflect.DeepEqual(got.Warnings, whole.Warnings) {
				t.Errorf("document or warnings differ:\n got %+v %q\nwant %+v %q", got.Document, got.Warnings, whole.Document, whole.Warnings)
			}
			if len(got.Passages) != len(whole.Passages) {
				t.Fatalf("%d passages read back, %d processed", len(got.Passages), len(whole.Passages))
			}
			for i := range got.Passages {
				g, w := got.Passages[i], whole.Passages[i]
				if g.ID != w.ID || g.Seq != i || g.Text != w.Text || g.Role != w.Role || !reflect.DeepEqual(g.Categories, w.Categories) {
					t.Fatalf("passage %d differs:\n got %+v\nwant %+v", i, g, w)
				}
			}
			// Cut short, a payload is refused, not taken for a shorter document.
			cut := payload.Bytes()[:payload.Len()*2/3]
			rd, err := NewReader(bytes.NewReader(cut), Encoding)
			for err == nil {
				_, err = rd.Next()
			}
			if !errors.Is(err, ErrBadResult) {
				t.Errorf("a payload cut short: %v, want ErrBadResult", err)
			}
		})
	}
}

// TestLimits checks that a file over a limit fails with a sentence naming
// the limit, and that a paragraph over the length cap is cut with a
// warning rather than refused.
func TestLimits(t *testing.T) {
	paragraphs := strings.Repeat("We rebuild the same report by hand every week.\n\n", 300)
	tests := []struct {
		name   string
		file   string
		data   []byte
		limits Limits
		err    string // a failure containing it, or "" for none
		warn   string // a warning containing it
	}{
		{"streamed survey over MaxPassages", "big.csv", bigSurvey(12_000), Limits{MaxPassages: 11_000}, "more than 11,000 passages, the most one file may (the MaxPassages limit)", ""},
		{"held survey over MaxPassages", "small.csv", bigSurvey(50), Limits{MaxPassages: 20}, "more than 20 passages", ""},
		{"text over MaxParagraphs", "notes.txt", []byte(paragraphs), Limits{MaxParagraphs: 100}, "more than 100 paragraphs", ""},
		{"text within MaxParagraphs", "notes.txt", []byte(paragraphs), Limits{MaxParagraphs: 300}, "", ""},
		{"long line cut", "line.txt", []byte(strings.Repeat("x", 10_000)), Limits{PassageChars: 3000}, "", "cut into passages of at most 3000"},
		{"long survey answer cut", "answers.csv", []byte("Role,Comments\nCFO,\"" + strings.Repeat("We chase approvals by hand. ", 300) + "\"\nCTO,The forecast is always late and nobody trusts it at all.\n"), Limits{PassageChars: 1000}, "", "cut into passages of at most 1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := processor(t, tt.limits).Process(context.Background(), inputFor(tt.file, tt.data))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !IsPermanent(err) {
					t.Fatalf("err = %v, want a permanent failure saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.warn != "" && !strings.Contains(strings.Join(out.Warnings, "\n"), tt.warn) {
				t.Errorf("warnings %q, want one saying %q", out.Warnings, tt.warn)
			}
			for _, p := range out.Passages {
				if n := len([]rune(p.Text)); tt.limits.PassageChars > 0 && n > tt.limits.PassageChars {
					t.Errorf("passage of %d characters", n)
				}
			}
		})
	}
}

// A Sink that fails (the queue refusing the result) fails the attempt,
// not the file: another attempt may well succeed.
func TestSinkFailureIsNotTheFiles(t *testing.T) {
	data := bigSurvey(12_000)
	full := errors.New("no space left on device")
	err := processor(t, Limits{}).Stream(context.Background(), inputFor("big.csv", data), &failingSink{after: 100, err: full})
	if !errors.Is(err, full) || IsPermanent(err) {
		t.Errorf("err = %v (permanent %v), want the sink's error, not permanent", err, IsPermanent(err))
	}
}

type failingSink struct {
	after int
	err   error
}

func (s *failingSink) Document(*evident.Document) error   { return nil }
func (s *failingSink) End([]string, map[string]int) error { return nil }
func (s *failingSink) Passage(*evident.Passage) error {
	if s.after--; s.after < 0 {
		return s.err
	}
	return nil
}

// sameJSON compares what travels: an empty list and none are the same.
func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

// TestLegibility checks that text a broken font or encoding left behind
// is called so: a warning when much of a document cannot be read, a
// failure with the reason when nothing can, nothing for ordinary text.
func TestLegibility(t *testing.T) {
	tests := []struct {
		file string
		warn string // a warning containing it
		err  string // or a failure containing it
	}{
		{"interview-cfo-northwind.txt", "", ""},
		{"survey-finance-tools.csv", "", ""},
		{"font-without-map.txt", "private-use characters", ""},
		{"replaced.txt", "replacement characters (U+FFFD)", ""},
		{"symbols.txt", "of the text is letters or digits", ""},
		{"unreadable.txt", "", "nothing readable"},
	}
	pr := processor(t, Limits{})
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			out, err := pr.Process(context.Background(), inputFor(tt.file, data))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !IsPermanent(err) {
					t.Fatalf("err = %v, want a failure saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			warnings := strings.Join(out.Warnings, "\n")
			if tt.warn == "" && warnings != "" {
				t.Errorf("warnings %q for readable text", warnings)
			}
			if tt.warn != "" && !strings.Contains(warnings, tt.warn) {
				t.Errorf("warnings %q, want one saying %q", warnings, tt.warn)
			}
		})
	}
}

func TestFolderRole(t *testing.T) {
	tax := roles.Default()
	tests := []struct {
		folder, role string
		ok           bool
	}{
		{"", "", true},
		{"cfo", "cfo", true},
		{"CFOs", "cfo", true},
		{"finance-directors", "cfo", true},
		{"vp_of_engineering", "vp-engineering", true},
		{"founders", "founder", true},
		{"batch", "", false},
		{"2024", "", false},
		{"cfo-interviews", "", false}, // a folder about CFOs is no title
	}
	for _, tt := range tests {
		role, ok := FolderRole(tax, tt.folder)
		if role != tt.role || ok != tt.ok {
			t.Errorf("FolderRole(%q) = %q, %v; want %q, %v", tt.folder, role, ok, tt.role, tt.ok)
		}
	}
}

// TestStreamMasks checks that personal data is masked on the streamed
// path too, a survey's rows included, before passages are tagged or sent,
// and that the counts reach the end of the result.
func TestStreamMasks(t *testing.T) {
	var survey strings.Builder
	survey.WriteString("Respondent,Job title,What slows your month-end close down?\n")
	for i := range 12_000 { // beyond the sample: streamed row by row
		fmt.Fprintf(&survey, "%d,CFO,\"Approvals wait a week; write to dana%d@northwind.example if you want the list.\"\n", i+1, i)
	}
	files := map[string][]byte{
		"survey-12k.csv": []byte(survey.String()),
		"interview.txt":  []byte("Interviewer: How do you reach your auditor?\n\nDana Lee: I email priya@auditfirm.example or call +1 415 555 0134 every week.\n"),
	}
	pr := processor(t, Limits{})
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			var payload bytes.Buffer
			if err := pr.Stream(context.Background(), inputFor(name, data), NewWriter(&payload)); err != nil {
				t.Fatal(err)
			}
			got := readAll(t, payload.Bytes())
			for _, p := range got.Passages {
				if strings.Contains(p.Text, ".example") || strings.Contains(p.Text, "555 0134") {
					t.Fatalf("passage %s left personal data: %q", p.ID, p.Text)
				}
			}
			if got.Document.Redacted["email"] == 0 {
				t.Errorf("redacted counts %v: no email counted", got.Document.Redacted)
			}
			whole, err := pr.Process(context.Background(), inputFor(name, data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(whole.Document.Redacted, got.Document.Redacted) {
				t.Errorf("counts differ: whole %v, streamed %v", whole.Document.Redacted, got.Document.Redacted)
			}
		})
	}
}

// A Writer reset for another payload writes the bytes a new one would,
// whatever it wrote before, whole or cut short by a failure.
func TestWriterReset(t *testing.T) {
	pr := processor(t, Limits{})
	var inputs []Input
	for _, name := range []string{"interview-cfo-northwind.txt", "survey-finance-tools.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, inputFor(name, data))
	}
	ctx := context.Background()
	var reused *Writer
	for round, in := range append(inputs, inputs[1], inputs[0]) {
		var fresh, again bytes.Buffer
		if err := pr.Stream(ctx, in, NewWriter(&fresh)); err != nil {
			t.Fatal(err)
		}
		if reused == nil {
			reused = NewWriter(&again)
		} else {
			reused.Reset(&again)
		}
		if err := pr.Stream(ctx, in, reused); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fresh.Bytes(), again.Bytes()) {
			t.Errorf("round %d (%s): a reset Writer wrote %d bytes unlike a new one's %d", round, in.File, again.Len(), fresh.Len())
		}
		if reused.n != len(readAll(t, again.Bytes()).Passages) {
			t.Errorf("round %d: the reset Writer counts %d passages", round, reused.n)
		}
		// Left halfway, as when a sink fails.
		reused.Reset(io.Discard)
		reused.Passage(&evident.Passage{Text: "half"})
	}
}
