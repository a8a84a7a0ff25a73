package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/internal/golden"
)

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fixture reads a document and its passages from testdata.
func fixture(t *testing.T, name string) (*evident.Document, []string, []evident.Passage) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Document evident.Document  `json:"document"`
		Warnings []string          `json:"warnings"`
		Passages []evident.Passage `json:"passages"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &f.Document, f.Warnings, f.Passages
}

// registerDoc registers the fixture's document as queued.
func registerDoc(t *testing.T, s *Store, d *evident.Document) {
	t.Helper()
	sb := Submission{Origin: d.Origin, File: d.File, SHA256: d.SHA256, Size: d.Size}
	if _, _, err := s.Register(context.Background(), sb); err != nil {
		t.Fatal(err)
	}
}

// What Save stores, the loaders give back whole: every field of the
// document and of each passage (testdata/interview.json), compared with a
// golden file.
func TestSaveAndLoad(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d, warnings, ps := fixture(t, "interview.json")
	registerDoc(t, s, d)
	old, err := s.Save(ctx, d, warnings, ps)
	if err != nil || len(old) != 0 {
		t.Fatalf("Save: old passages %v, %v", old, err)
	}
	got, err := s.DocumentBySHA(ctx, d.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != evident.Processing || got.Passages != len(ps) || got.Added.IsZero() || got.Updated.Before(got.Added) {
		t.Errorf("saved document: state %s, %d passages, added %v, updated %v", got.State, got.Passages, got.Added, got.Updated)
	}
	got.Added, got.Updated = time.Time{}, time.Time{}
	loaded, err := s.Passages(ctx, got.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Empty and absent fields load as empty, which JSON does not tell
	// apart.
	if g, w := jsonOf(t, loaded), jsonOf(t, ps); g != w {
		t.Errorf("passages loaded differ from those saved:\n got %s\nwant %s", g, w)
	}
	golden.JSON(t, "interview.golden.json", struct {
		Document *evident.Document `json:"document"`
		Passages []evident.Passage `json:"passages"`
	}{got, loaded})

	// A range of passages, a passage by id with its document, what
	// ranking needs, file names.
	mid, err := s.PassageRange(ctx, got.ID, 1, 2)
	if err != nil || len(mid) != 2 || mid[0].Seq != 1 || mid[1].Seq != 2 {
		t.Errorf("PassageRange 1-2: %+v, %v", mid, err)
	}
	ids := []string{ps[2].ID, "nope-0", ps[0].ID}
	hits, err := s.PassagesByID(ctx, ids)
	if err != nil || len(hits) != 2 || hits[ps[2].ID].Document.File != d.File || hits[ps[0].ID].Passage.Text != ps[0].Text {
		t.Errorf("PassagesByID: %+v, %v", hits, err)
	}
	cands, err := s.Candidates(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	c := cands[ps[2].ID]
	if len(cands) != 2 || c.SHA256 != d.SHA256 || c.Role != ps[2].Role || !slices.Equal(c.Categories, ps[2].Categories) ||
		c.Scores["PAINS"] != ps[2].Scores["PAINS"] || c.Interviewer != ps[2].Interviewer {
		t.Errorf("Candidates: %+v", cands)
	}
	names, err := s.FileNames(ctx, []string{d.SHA256, "nope"})
	if err != nil || len(names) != 1 || names[d.SHA256] != d.File {
		t.Errorf("FileNames: %v, %v", names, err)
	}

	// Saved again (processed once more), the passages are replaced and
	// the old ids returned for the index to drop.
	again := ps[:2]
	old, err = s.Save(ctx, d, nil, again)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(old)
	want := []string{ps[0].ID, ps[1].ID, ps[2].ID, ps[3].ID}
	slices.Sort(want)
	if !slices.Equal(old, want) {
		t.Errorf("old passages %v, want %v", old, want)
	}
	if n, _ := s.Passages(ctx, got.ID); len(n) != 2 {
		t.Errorf("%d passages after saving two", len(n))
	}
	if got, _ := s.DocumentBySHA(ctx, d.SHA256); len(got.Warnings) != 0 {
		t.Errorf("warnings of the first run kept: %v", got.Warnings)
	}
}

// A document deleted while it was processed cannot be saved.
func TestSaveUnknownDocument(t *testing.T) {
	s, _ := openTemp(t)
	_, err := s.Save(context.Background(), &evident.Document{SHA256: "nope", File: "gone.txt"}, nil, nil)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "gone.txt") {
		t.Errorf("Save: %v, want ErrNotFound naming the file", err)
	}
}

// A document goes queued → processing → indexed (or failed), and each
// step is what the store says of it afterwards.
func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d, _, ps := fixture(t, "interview.json")
	registerDoc(t, s, d)
	state := func() evident.State {
		t.Helper()
		got, err := s.DocumentBySHA(ctx, d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		return got.State
	}
	steps := []struct {
		name string
		do   func() error
		want evident.State
	}{
		{"a late event on a queued one", func() error { return s.MarkIndexed(ctx, map[string]string{d.SHA256: "x"}) }, evident.Queued},
		{"a worker takes it", func() error { return s.MarkProcessing(ctx, d.SHA256) }, evident.Processing},
		{"saved", func() error { _, err := s.Save(ctx, d, nil, ps); return err }, evident.Processing},
		{"indexed", func() error { return s.MarkIndexed(ctx, map[string]string{d.SHA256: "stamp-1"}) }, evident.Indexed},
		{"a late processing event", func() error { return s.MarkProcessing(ctx, d.SHA256) }, evident.Indexed},
		{"a crash cut it short", func() error {
			n, err := s.Interrupted(ctx, d.SHA256)
			if err == nil && n != 1 {
				t.Errorf("interrupted %d times, want 1", n)
			}
			return err
		}, evident.Queued},
		{"and again", func() error {
			n, err := s.Interrupted(ctx, d.SHA256)
			if err == nil && n != 2 {
				t.Errorf("interrupted %d times, want 2", n)
			}
			return err
		}, evident.Queued},
		{"failed by hand", func() error { return s.SetState(ctx, d.SHA256, evident.Failed, "stopped (test)") }, evident.Failed},
		{"retried", func() error {
			j, err := s.Requeue(ctx, d.SHA256)
			if err == nil && j.Run != 2 {
				t.Errorf("run %d after a retry, want 2", j.Run)
			}
			return err
		}, evident.Queued},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := state(); got != st.want {
			t.Errorf("%s: state %s, want %s", st.name, got, st.want)
		}
	}
	stamps, err := s.Stamps(ctx)
	if err != nil || stamps[d.SHA256].Stamp != "stamp-1" || stamps[d.SHA256].State != evident.Queued {
		t.Errorf("Stamps: %+v, %v", stamps, err)
	}
	// Unknown documents.
	for name, err := range map[string]error{
		"SetState": s.SetState(ctx, "nope", evident.Failed, ""),
		"Requeue":  func() error { _, err := s.Requeue(ctx, "nope"); return err }(),
		"Interrupted": func() error {
			_, err := s.Interrupted(ctx, "nope")
			return err
		}(),
		"Fail": func() error { _, err := s.Fail(ctx, "nope", "x", ""); return err }(),
		"Job":  func() error { _, err := s.Job(ctx, "nope"); return err }(),
	} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s of an unknown document: %v, want ErrNotFound", name, err)
		}
	}
}

// Tags rewritten by reclassify, stamps after a repair, counts and the
// evidence matrix, and EachPassage, which rebuilds the index.
func TestTagsStampsAndCounts(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d, _, ps := fixture(t, "interview.json")
	registerDoc(t, s, d)
	if _, err := s.Save(ctx, d, nil, ps); err != nil {
		t.Fatal(err)
	}
	queued := sub("queued.txt", shaB)
	register(queued)(t, s)

	c, err := s.Count(ctx)
	if err != nil || c.States[evident.Processing] != 1 || c.States[evident.Queued] != 1 || c.Passages != len(ps) {
		t.Errorf("Count: %+v, %v", c, err)
	}
	if cov, _ := s.Coverage(ctx); len(cov) != 0 {
		t.Errorf("coverage of a document not yet indexed: %v", cov)
	}
	var each int
	if err := s.EachIndexed(ctx, func(_ *evident.Document, ps []evident.Passage) error { each += len(ps); return nil }); err != nil || each != 0 {
		t.Errorf("EachIndexed before indexing: %d passages, %v", each, err)
	}
	if err := s.MarkIndexed(ctx, map[string]string{d.SHA256: "s1"}); err != nil {
		t.Fatal(err)
	}

	retag := slices.Clone(ps)
	retag[2].Categories, retag[2].Scores = []string{"GAINS"}, map[string]float64{"GAINS": 1.2}
	retag[2].Matches = []evident.Match{{Category: "GAINS", Rule: "gains.save", Text: "saves", Weight: 1.2}}
	if err := s.UpdateTags(ctx, retag[2:3], map[string]string{d.SHA256: "s2"}); err != nil {
		t.Fatal(err)
	}
	if got := passage(t, s, ps[2].ID); !reflect.DeepEqual(got.Matches, retag[2].Matches) || !slices.Equal(got.Categories, []string{"GAINS"}) {
		t.Errorf("after UpdateTags: %+v", got)
	}
	if err := s.SetStamps(ctx, map[string]string{d.SHA256: "s3"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Stamps(ctx); st[d.SHA256].Stamp != "s3" || st[d.SHA256].Passages != len(ps) || st[shaB].State != evident.Queued {
		t.Errorf("Stamps: %+v", st)
	}

	cov, err := s.Coverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	golden.JSON(t, "coverage.golden.json", cov)

	var seen []string
	err = s.EachIndexed(ctx, func(doc *evident.Document, dps []evident.Passage) error {
		if doc.SHA256 != d.SHA256 {
			t.Errorf("EachIndexed gave the passages of %s", doc.File)
		}
		for _, p := range dps {
			seen = append(seen, p.ID)
		}
		return nil
	})
	if err != nil || len(seen) != len(ps) || seen[0] != ps[0].ID {
		t.Errorf("EachIndexed: %v, %v", seen, err)
	}
	stop := errors.New("stop")
	if err := s.EachIndexed(ctx, func(*evident.Document, []evident.Passage) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("EachIndexed passes fn's error on: %v", err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// FindDocument resolves what a user types: a path, a file name, the end
// of a path, a prefix of the hash; anything else is not found or, when
// it names several, ambiguous.
func TestFindDocument(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	for _, sb := range []Submission{
		{Origin: "inbox/cfo/notes.txt", File: "notes.txt", SHA256: "abcd1234000000000001"},
		{Origin: "inbox/ceo/notes.txt", File: "notes.txt", SHA256: "abcd5678000000000002"},
		{Origin: "/home/dana/survey_2024.csv", File: "survey_2024.csv", SHA256: "ef01000000000000003"},
	} {
		register(sb)(t, s)
	}
	tests := []struct {
		ref, want, err string
	}{
		{"inbox/cfo/notes.txt", "abcd1234000000000001", ""},
		{"  inbox/cfo/notes.txt\n", "abcd1234000000000001", ""},
		{"survey_2024.csv", "ef01000000000000003", ""},
		{"dana/survey_2024.csv", "ef01000000000000003", ""},
		{"cfo/notes.txt", "abcd1234000000000001", ""},
		{"abcd1", "abcd1234000000000001", ""},
		{"ABCD5", "abcd5678000000000002", ""},
		{"notes.txt", "", "ambiguous"},
		{"abcd", "", "ambiguous"},
		{"abc", "", "not found"},       // too short for a hash prefix
		{"survey_2%", "", "not found"}, // LIKE patterns are taken literally
		{"survey%2024.csv", "", "not found"},
		{"ef01x", "", "not found"},
		{"", "", "not found"},
	}
	for _, tt := range tests {
		d, err := s.FindDocument(ctx, tt.ref)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("FindDocument(%q): %v, %v; want an error saying %q", tt.ref, d, err, tt.err)
		case tt.err == "" && (err != nil || d.SHA256 != tt.want):
			t.Errorf("FindDocument(%q): %v, %v; want %s", tt.ref, d, err, tt.want)
		}
		if tt.err == "not found" && !errors.Is(err, ErrNotFound) {
			t.Errorf("FindDocument(%q): %v does not match ErrNotFound", tt.ref, err)
		}
	}
}

// The journal of long work: begun and not ended is unfinished.
func TestJournal(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	check := func(want bool) {
		t.Helper()
		if got, err := s.Unfinished(ctx, "reclassify"); err != nil || got != want {
			t.Errorf("Unfinished: %v, %v; want %v", got, err, want)
		}
	}
	check(false)
	for range 2 { // beginning again is no error
		if err := s.Begin(ctx, "reclassify", "rules-2"); err != nil {
			t.Fatal(err)
		}
	}
	check(true)
	if err := s.End(ctx, "reclassify"); err != nil {
		t.Fatal(err)
	}
	check(false)
}

// The database and its journal files are its owner's only, and a reader
// opens it beside the writer.
func TestOpenPrivateAndReadOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "evident.db")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	register(sub("a.txt", shaA))(t, s)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), info.Mode().Perm())
		}
	}
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if d, err := r.DocumentBySHA(context.Background(), shaA); err != nil || d.File != "a.txt" {
		t.Errorf("the reader sees %+v, %v", d, err)
	}
	if _, _, err := r.Register(context.Background(), sub("b.txt", shaB)); err == nil {
		t.Error("a read-only store registered a document")
	}
	if _, err := OpenReadOnly(filepath.Join(dir, "missing.db")); !errors.Is(err, ErrOldSchema) {
		t.Errorf("a missing database: %v, want ErrOldSchema", err)
	}
	if _, err := Open(filepath.Join(dir, "no-such-folder", "evident.db")); err == nil {
		t.Error("opened a database in a folder that does not exist")
	}
}

// DocumentsOf reads only the documents asked for, across SQLite's limit
// on parameters, and leaves out hashes no document has.
func TestDocumentsOf(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	var all []string
	for i := range 1203 {
		sha := fmt.Sprintf("%064x", i+1)
		if _, _, err := s.Register(ctx, sub(fmt.Sprintf("n%d.txt", i), sha)); err != nil {
			t.Fatal(err)
		}
		all = append(all, sha)
	}
	missing := fmt.Sprintf("%064x", 99999)
	tests := []struct {
		name string
		shas []string
		want int
	}{
		{"none", nil, 0},
		{"two and one missing", []string{all[0], missing, all[7]}, 2},
		{"more than one query's worth", append(slices.Clone(all[:1100]), missing), 1100},
		{"every one", all, 1203},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := s.DocumentsOf(ctx, tt.shas)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != tt.want {
				t.Fatalf("%d documents, want %d", len(docs), tt.want)
			}
			for _, d := range docs {
				if !slices.Contains(tt.shas, d.SHA256) || d.File == "" {
					t.Errorf("a document not asked for, or empty: %+v", d)
				}
			}
		})
	}
}
