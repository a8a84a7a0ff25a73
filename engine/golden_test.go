package engine

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/search"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden-ingest-*.jsonl.gz from the current code")

// goldenDoc is what one file gives through the whole pipeline: its
// outcome, its speakers, and a digest of each passage as stored (text,
// locator, speaker, role, interviewer flag, context, categories, scores,
// matches with their rules and words), so that a speed-up that changes any
// of it fails, and says which passage.
type goldenDoc struct {
	Origin   string           `json:"origin"`
	State    evident.State    `json:"state"`
	Format   string           `json:"format,omitempty"`
	Kind     evident.Kind     `json:"kind,omitempty"`
	Title    string           `json:"title,omitempty"`
	Role     string           `json:"role,omitempty"`
	Error    string           `json:"error,omitempty"`
	Speakers []evident.Person `json:"speakers,omitempty"`
	Passages []string         `json:"passages,omitempty"` // digest of each, in order
}

// goldenQuery is a search's total and its hits' passage ids, sorted: what
// the index holds, after whatever batching the indexer did.
type goldenQuery struct {
	Query string   `json:"query"`
	Total uint64   `json:"total"`
	Hits  []string `json:"hits"`
}

// TestGoldenIngest ingests the repository's examples and the shared
// corpus of real files through a real engine (two workers, the indexer,
// SQLite, Bleve) and compares every document's outcome, speakers and
// passages, and what a few searches find, with golden files written by
// the code before the ingest was made faster. Run with -update-golden to
// rewrite them, only when a change of output is meant.
func TestGoldenIngest(t *testing.T) {
	for _, tc := range []struct {
		name, dir, golden string
		queries           []string
	}{
		{"examples", "../examples", "testdata/golden-ingest-examples.jsonl.gz", []string{"forecast", "spreadsheet", "budget cfo"}},
		{"corpus", corpusDir, "testdata/golden-ingest-corpus.jsonl.gz", []string{"pricing", "slow", "onboarding", "security", "the customer said"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := os.Stat(tc.dir); err != nil {
				t.Skipf("no %s: %v", tc.dir, err)
			}
			if tc.name == "corpus" && testing.Short() {
				t.Skip("the corpus run takes a while")
			}
			got := goldenIngest(t, tc.dir, tc.queries)
			if *updateGolden {
				writeGolden(t, tc.golden, got)
				return
			}
			want := readGolden(t, tc.golden)
			compareGolden(t, want, got)
		})
	}
}

// goldenIngest ingests every file under dir as `evident ingest` would
// (sidecars travel with their files) and returns the lines of the golden
// file: one per document, sorted by origin, then one per query.
func goldenIngest(t *testing.T, dir string, queries []string) []json.RawMessage {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !strings.HasSuffix(d.Name(), evident.SidecarSuffix) && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, Options{Workers: 2})
	ctx, cancel := context.WithTimeout(context.Background(), corpusTimeout)
	defer cancel()
	var shas []string
	for _, p := range files {
		rel, _ := filepath.Rel(dir, p)
		sub, err := e.Ingest(ctx, api.Submission{Path: p, Origin: filepath.ToSlash(rel)})
		if err != nil {
			t.Fatalf("submit %s: %v", rel, err)
		}
		if !slices.Contains(shas, sub.Document.SHA256) {
			shas = append(shas, sub.Document.SHA256)
		}
	}
	docs, err := e.Await(ctx, shas, nil)
	if err != nil {
		t.Fatalf("awaiting %d documents: %v", len(shas), err)
	}
	slices.SortFunc(docs, func(a, b evident.Document) int { return strings.Compare(a.Origin, b.Origin) })
	var out []json.RawMessage
	for _, d := range docs {
		g := goldenDoc{Origin: d.Origin, State: d.State, Format: d.Format, Kind: d.Kind, Title: d.Title, Role: d.Role, Error: d.Error, Speakers: d.Speakers}
		ps, err := e.Store().Passages(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ps {
			g.Passages = append(g.Passages, passageDigest(&ps[i]))
		}
		out = append(out, mustJSON(t, g))
	}
	if n, sum := e.indexCount(), e.passageSum(); n != sum {
		t.Errorf("the index holds %d passages, the store %d", n, sum)
	}
	for _, q := range queries {
		resp, err := e.Search(ctx, search.Request{Query: q, Limit: 1000})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		g := goldenQuery{Query: q, Total: resp.Total}
		for _, h := range resp.Hits {
			g.Hits = append(g.Hits, h.ID)
		}
		slices.Sort(g.Hits)
		out = append(out, mustJSON(t, g))
	}
	return out
}

// passageDigest is the first 16 hex digits of the SHA-256 of the passage's
// JSON as stored, less the time a person tagged it.
func passageDigest(p *evident.Passage) string {
	p.TaggedAt = time.Time{}
	b, _ := json.Marshal(p)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeGolden(t *testing.T, path string, lines []json.RawMessage) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	for _, l := range lines {
		zw.Write(l)
		zw.Write([]byte("\n"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d lines", path, len(lines))
}

func readGolden(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("%v (write it with -update-golden from the code before a change)", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var out []json.RawMessage
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		out = append(out, json.RawMessage(slices.Clone(sc.Bytes())))
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

// compareGolden reports each line that differs, and for documents the
// passages whose digests differ.
func compareGolden(t *testing.T, want, got []json.RawMessage) {
	t.Helper()
	if len(want) != len(got) {
		t.Errorf("%d lines, want %d", len(got), len(want))
	}
	for i := range min(len(want), len(got)) {
		if string(want[i]) == string(got[i]) {
			continue
		}
		var w, g goldenDoc
		if json.Unmarshal(want[i], &w) == nil && json.Unmarshal(got[i], &g) == nil && w.Origin != "" {
			var bad []int
			for j := range max(len(w.Passages), len(g.Passages)) {
				if j >= len(w.Passages) || j >= len(g.Passages) || w.Passages[j] != g.Passages[j] {
					bad = append(bad, j)
				}
			}
			w.Passages, g.Passages = nil, nil
			t.Errorf("%s: passages that differ (seq) %v\n got %s\nwant %s", w.Origin, clip(bad, 20), mustJSON(t, g), mustJSON(t, w))
			continue
		}
		t.Errorf("line %d:\n got %s\nwant %s", i, got[i], want[i])
	}
}

func clip(s []int, n int) []int {
	if len(s) > n {
		return s[:n]
	}
	return s
}
