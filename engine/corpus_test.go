package engine

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
)

// corpusDir is the shared corpus of real files nobody here wrote: the
// folder shared/corpus beside the repository.
const corpusDir = "../../shared/corpus"

// corpusTimeout bounds the whole run; a file the workers cannot finish
// shows up as not ended rather than hanging the test.
const corpusTimeout = 20 * time.Minute

// TestCorpus submits every real file of the shared corpus to a real engine
// and checks the honest-outcome contract, whatever formats exist today:
// each file ends indexed with passages that say where they sit, or failed
// with a reason a person can read; and the workers survive all of it. It
// logs a table of outcomes and a count per corpus folder.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the corpus run takes minutes")
	}
	runCorpus(t, corpusDir)
}

func runCorpus(t *testing.T, corpusDir string) {
	files := corpusFiles(t, corpusDir)
	e := start(t, Options{Workers: 2})
	ctx, cancel := context.WithTimeout(context.Background(), corpusTimeout)
	defer cancel()

	shaOf := map[string]string{} // corpus-relative path → content hash
	var shas []string
	begin := time.Now()
	for _, rel := range files {
		sub, err := e.Ingest(ctx, api.Submission{Path: filepath.Join(corpusDir, rel), Origin: "corpus/" + rel})
		if err != nil {
			t.Fatalf("submit %s: %v", rel, err)
		}
		sha := sub.Document.SHA256
		shaOf[rel] = sha
		if !slices.Contains(shas, sha) {
			shas = append(shas, sha)
		}
	}
	ended, err := e.Await(ctx, shas, nil)
	if err != nil {
		t.Fatalf("after %s only %d of %d documents ended: %v\n%s", time.Since(begin).Round(time.Second), len(ended), len(shas), err, describe(e.docs()))
	}
	t.Logf("%d files (%d distinct) ended in %s", len(files), len(shas), time.Since(begin).Round(time.Second))
	bySHA := map[string]evident.Document{}
	for _, d := range ended {
		bySHA[d.SHA256] = d
	}

	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "file\tformat\tkind\tstate\tpassages\treason")
	type tally struct{ indexed, failed int }
	folders := map[string]*tally{}
	for _, rel := range files {
		d := bySHA[shaOf[rel]]
		folder, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if folders[folder] == nil {
			folders[folder] = &tally{}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", rel, d.Format, d.Kind, d.State, d.Passages, clipReason(d.Error))
		switch d.State {
		case evident.Indexed:
			folders[folder].indexed++
			checkIndexed(t, e, rel, d)
		case evident.Failed:
			folders[folder].failed++
			humane(t, rel, d.Error)
		default:
			t.Errorf("%s: ended %q", rel, d.State)
		}
		checkKnownFailure(t, rel, d)
	}
	tw.Flush()
	t.Logf("outcomes:\n%s", table.String())

	var summary strings.Builder
	tw = tabwriter.NewWriter(&summary, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "folder\tindexed\tfailed")
	var names []string
	for f := range folders {
		names = append(names, f)
	}
	slices.Sort(names)
	total := tally{}
	for _, f := range names {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", f, folders[f].indexed, folders[f].failed)
		total.indexed += folders[f].indexed
		total.failed += folders[f].failed
	}
	fmt.Fprintf(tw, "all\t%d\t%d\n", total.indexed, total.failed)
	tw.Flush()
	t.Logf("per folder:\n%s", summary.String())

	// The workers are still alive: one more small file goes through.
	p := filepath.Join(t.TempDir(), "after-the-corpus.txt")
	writeFile(t, p, []byte("After the whole corpus, a note about the ptarmigan budget review still gets indexed.\n"))
	sub, err := e.Ingest(ctx, api.Submission{Path: p})
	if err != nil {
		t.Fatalf("submit after the corpus: %v", err)
	}
	last, err := e.Await(ctx, []string{sub.Document.SHA256}, nil)
	if err != nil || len(last) != 1 || last[0].State != evident.Indexed {
		t.Fatalf("a small text file after the corpus: %+v, %v; want it indexed (is a worker dead?)", last, err)
	}
	if hits := e.search("ptarmigan").Hits; len(hits) != 1 {
		t.Errorf("ptarmigan: %d hits after the corpus, want 1", len(hits))
	}
}

// corpusFiles lists the corpus files to submit, corpus-relative: all but
// SOURCES.md and the expected outputs of the article extraction.
func corpusFiles(t *testing.T, corpusDir string) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("no corpus at %s", corpusDir)
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(corpusDir, p)
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && filepath.ToSlash(rel) == "articles/_expected":
			return filepath.SkipDir
		case d.IsDir() || rel == "SOURCES.md":
			return nil
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		t.Fatalf("listing %s: %v", corpusDir, err)
	}
	if len(files) == 0 {
		t.Skipf("the corpus at %s is empty", corpusDir)
	}
	return files
}

// checkIndexed holds an indexed document to its promise: passages, each
// with text and a locator a person can follow.
func checkIndexed(t *testing.T, e *running, rel string, d evident.Document) {
	t.Helper()
	if d.Passages < 1 {
		t.Errorf("%s: indexed with no passages", rel)
		return
	}
	shown, err := e.Show(context.Background(), d.SHA256)
	if err != nil {
		t.Errorf("%s: show: %v", rel, err)
		return
	}
	if len(shown.Passages) != d.Passages {
		t.Errorf("%s: %d passages stored, the document counts %d", rel, len(shown.Passages), d.Passages)
	}
	for _, p := range shown.Passages {
		if strings.TrimSpace(p.Text) == "" || p.Locator.String() == "" {
			t.Errorf("%s: passage %s has no text or no locator: %+v", rel, p.ID, p)
			return
		}
	}
}

// checkKnownFailure checks the corpus files whose names say how they must
// fail: an encrypted PDF and an empty one.
func checkKnownFailure(t *testing.T, rel string, d evident.Document) {
	t.Helper()
	name := strings.ToLower(filepath.Base(rel))
	if !strings.HasSuffix(name, ".pdf") {
		return
	}
	var want []string
	switch {
	case strings.Contains(name, "password"):
		want = []string{"encrypted"}
	case strings.Contains(name, "empty"):
		want = []string{"empty", "no text"}
	default:
		return
	}
	reason := strings.ToLower(d.Error)
	if d.State != evident.Failed || !slices.ContainsFunc(want, func(w string) bool { return strings.Contains(reason, w) }) {
		t.Errorf("%s: %s %q, want failed with a reason that says %s", rel, d.State, d.Error, strings.Join(want, " or "))
	}
}

// clipReason keeps the table one line per file.
func clipReason(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 90 {
		return string(r[:90]) + "…"
	}
	return s
}
