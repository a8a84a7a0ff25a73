package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/internal/golden"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/roles"
)

// live is the built-in rules and roles, as a worker starts with them.
func live(t *testing.T) *Live {
	t.Helper()
	c, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	l := &Live{}
	l.SetClassifier(c)
	l.SetRoles(roles.Default())
	return l
}

// fixtureJob reads a testdata file and returns its job and bytes.
func fixtureJob(t *testing.T, name string) (queue.Job, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return queue.Job{SHA256: hex.EncodeToString(sum[:]), File: name, Origin: "inbox/" + name, Size: int64(len(data)), Run: 1}, data
}

// stub is an extractor that does what a test needs of a misbehaving parser.
type stub func(ctx context.Context) (*extract.Doc, error)

func (s stub) Extract(ctx context.Context, _ extract.Input) (*extract.Doc, error) { return s(ctx) }

// registry puts a stub first for files named *.stub.
func registry(s stub) extract.Registry {
	return extract.Default().With(extract.Format{Name: "stub", Exts: []string{".stub"}, Extractor: s})
}

// summary is what the golden files hold of an Output: the document and,
// of each passage, what processing decided.
func summary(out *Output) any {
	type p struct {
		ID, Speaker, Role, Title, RoleSource string
		Interviewer                          bool
		Categories                           []string
		Text                                 string
	}
	var ps []p
	for _, x := range out.Passages {
		ps = append(ps, p{x.ID, x.Speaker, x.Role, x.Title, x.RoleSource, x.Interviewer, x.Categories, x.Text})
	}
	return struct {
		Document evident.Document
		Warnings []string
		Passages []p
	}{out.Document, out.Warnings, ps}
}

// Process turns a file into a document and tagged passages: the front
// matter names speakers and roles (a title kept beside its role), the
// interviewer's turns go untagged, personal data is masked, and the
// sidecar's metadata wins over the front matter's.
func TestProcess(t *testing.T) {
	tests := []struct {
		name, file string
		job        func(*queue.Job)
		golden     string
	}{
		{"an interview with front matter", "interview.txt", nil, "interview.golden.json"},
		{"a sidecar over the front matter", "interview.txt", func(j *queue.Job) {
			j.Meta = evident.Meta{Title: "Sidecar title", Kind: evident.Podcast, URL: "https://example.com/14", Redact: []string{"Priya Raman"}}
		}, "interview-sidecar.golden.json"},
		{"notes in a role's folder", "notes.txt", func(j *queue.Job) { j.FolderRole = "VP of Engineering" }, "notes-folder.golden.json"},
		{"notes in a folder that names no role", "notes.txt", func(j *queue.Job) { j.FolderRole = "batch" }, "notes-batch.golden.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			job, data := fixtureJob(t, tt.file)
			if tt.job != nil {
				tt.job(&job)
			}
			pr := &Processor{Formats: extract.Default(), Rules: live(t)}
			out, err := pr.Process(context.Background(), job, data)
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range out.Passages {
				if p.Seq != i || p.ID != evident.PassageID(job.SHA256, i) {
					t.Errorf("passage %d: seq %d, id %s", i, p.Seq, p.ID)
				}
			}
			golden.JSON(t, tt.golden, summary(out))
		})
	}
}

// What Process refuses, and whether another attempt could help.
func TestProcessFails(t *testing.T) {
	slow := stub(func(ctx context.Context) (*extract.Doc, error) { <-ctx.Done(); return nil, ctx.Err() })
	tests := []struct {
		name, file string
		formats    extract.Registry
		mismatch   bool
		cancelled  bool
		permanent  bool
		want       string
	}{
		{"bytes that do not match their hash", "notes.txt", nil, true, false, false, "do not match their hash"},
		{"nothing readable", "blank.txt", nil, false, false, true, "no text found"},
		{"no passages", "x.stub", registry(func(context.Context) (*extract.Doc, error) {
			return &extract.Doc{Format: "stub", Blocks: []extract.Block{{Text: "Findings", Section: extract.SectionHeading}}}, nil
		}),
			false, false, true, "no passages: the stub file holds no readable sentences"},
		{"an image named .txt", "image.txt", nil, false, false, true, "image"},
		{"a parser that panics", "x.stub", registry(func(context.Context) (*extract.Doc, error) { panic("index out of range (test)") }),
			false, false, true, "the parser crashed on this file (index out of range (test))"},
		{"a parser that fails", "x.stub", registry(func(context.Context) (*extract.Doc, error) { return nil, errors.New("bad xref (test)") }),
			false, false, true, "bad xref (test)"},
		{"a parser past its time", "x.stub", registry(slow), false, false, false, "did not finish within 50ms"},
		{"a stop", "x.stub", registry(slow), false, true, false, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var job queue.Job
			var data []byte
			if tt.file == "x.stub" {
				data = []byte("anything")
				sum := sha256.Sum256(data)
				job = queue.Job{SHA256: hex.EncodeToString(sum[:]), File: tt.file}
			} else {
				job, data = fixtureJob(t, tt.file)
			}
			if tt.mismatch {
				data = append(data, '!')
			}
			formats := tt.formats
			if formats == nil {
				formats = extract.Default()
			}
			ctx, cancel := context.WithCancel(context.Background())
			if tt.cancelled {
				time.AfterFunc(20*time.Millisecond, cancel)
			}
			defer cancel()
			pr := &Processor{Formats: formats, Rules: live(t), Timeout: 50 * time.Millisecond}
			if tt.cancelled {
				pr.Timeout = time.Minute
			}
			out, err := pr.Process(ctx, job, data)
			if err == nil {
				t.Fatalf("processed: %d passages", len(out.Passages))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
			if IsPermanent(err) != tt.permanent {
				t.Errorf("permanent %v, want %v (%v)", IsPermanent(err), tt.permanent, err)
			}
		})
	}
}

// Roles as written become the taxonomy's ids; unknown titles stay as
// written, lower-cased; no taxonomy keeps them all so.
func TestCanonical(t *testing.T) {
	tax := roles.Default()
	tests := []struct {
		tax        *roles.Taxonomy
		role, want string
	}{
		{tax, "Finance Director", "cfo"},
		{tax, " Senior VP of Finance, Acme ", "cfo"},
		{tax, "Director of field service", "director of field service"},
		{tax, "", ""},
		{nil, "Finance Director", "finance director"},
	}
	for _, tt := range tests {
		if got := canonical(tt.tax, tt.role); got != tt.want {
			t.Errorf("canonical(%q) = %q, want %q", tt.role, got, tt.want)
		}
	}
	if role, ok := FolderRole(nil, "cfo"); role != "" || ok {
		t.Errorf("FolderRole without a taxonomy: %q, %v", role, ok)
	}
}
