package store

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
)

// Hashes of the bytes the register tests submit; 16 hex digits each, so
// that FindDocument can take a prefix of them.
const (
	shaA = "aaaa000000000000aaaa"
	shaB = "bbbb000000000000bbbb"
	shaC = "cccc000000000000cccc"
)

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// sub is a submission of bytes sha at origin inbox/name.
func sub(name, sha string) Submission {
	return Submission{Origin: "inbox/" + name, File: name, SHA256: sha, Size: int64(len(sha)), ModTime: t0}
}

// step is one thing that happens to a store before the registration under
// test.
type step func(t *testing.T, s *Store)

func register(sb Submission) step {
	return func(t *testing.T, s *Store) {
		t.Helper()
		if _, _, err := s.Register(context.Background(), sb); err != nil {
			t.Fatalf("register %s: %v", sb.Origin, err)
		}
	}
}

func index(sha string) step {
	return func(t *testing.T, s *Store) {
		t.Helper()
		ctx := context.Background()
		ps := []evident.Passage{{ID: evident.PassageID(sha, 0), Text: "We close the books by hand."}}
		if _, err := s.Save(ctx, &evident.Document{SHA256: sha, File: "x"}, nil, ps); err != nil {
			t.Fatalf("save %s: %v", sha, err)
		}
		if err := s.MarkIndexed(ctx, map[string]string{sha: "stamp-" + sha}); err != nil {
			t.Fatal(err)
		}
	}
}

func fail(sha string) step {
	return func(t *testing.T, s *Store) {
		t.Helper()
		if _, err := s.Fail(context.Background(), sha, "the file is broken (test)", "rules-1"); err != nil {
			t.Fatalf("fail %s: %v", sha, err)
		}
	}
}

// docWant is what the store must hold of one document after the
// registration: its origin, state and run, and whether its passages are
// still there.
type docWant struct {
	sha, origin string
	state       evident.State
	run         int
	passages    int
}

// TestRegister goes through every outcome of registering a document.
func TestRegister(t *testing.T) {
	withMeta := sub("a.txt", shaA)
	withMeta.Meta = evident.Meta{Title: "Interview with a CFO"}
	copyWithMeta := sub("copy-of-a.txt", shaA)
	copyWithMeta.Meta = evident.Meta{Title: "Interview with a CTO"}
	inCFO := sub("a.txt", shaA)
	inCFO.FolderRole = "cfo"
	savedAgain := sub("a.txt", shaA)
	savedAgain.ModTime = t0.Add(time.Hour)

	tests := []struct {
		name    string
		before  []step
		sub     Submission
		outcome Outcome
		docs    []docWant
		gone    []string // hashes that are no document any more
	}{
		{
			name:    "new bytes",
			sub:     sub("a.txt", shaA),
			outcome: New,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Queued, 1, 0}},
		},
		{
			name:    "the same bytes again while queued",
			before:  []step{register(sub("a.txt", shaA))},
			sub:     sub("a.txt", shaA),
			outcome: Duplicate,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Queued, 1, 0}},
		},
		{
			name:    "the same bytes again once indexed",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     sub("a.txt", shaA),
			outcome: Duplicate,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Indexed, 1, 1}},
		},
		{
			name:    "the same bytes saved again with a new time",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     savedAgain,
			outcome: Duplicate,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Indexed, 1, 1}},
		},
		{
			name:    "a copy under another name",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     sub("copy-of-a.txt", shaA),
			outcome: Duplicate,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Indexed, 1, 1}},
		},
		{
			name:    "changed bytes at the same path",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     sub("a.txt", shaB),
			outcome: Changed,
			// The old passages stay searchable until Save replaces them.
			docs: []docWant{{shaB, "inbox/a.txt", evident.Queued, 2, 1}},
			gone: []string{shaA},
		},
		{
			name:    "changed bytes while a copy holds the old ones",
			before:  []step{register(sub("a.txt", shaA)), index(shaA), register(sub("copy-of-a.txt", shaA))},
			sub:     sub("a.txt", shaB),
			outcome: New,
			docs: []docWant{
				{shaA, "inbox/copy-of-a.txt", evident.Indexed, 1, 1}, // moved to the copy, passages kept
				{shaB, "inbox/a.txt", evident.Queued, 1, 0},
			},
		},
		{
			name: "changed bytes after the copy changed too",
			before: []step{register(sub("a.txt", shaA)), index(shaA), register(sub("copy-of-a.txt", shaA)),
				register(sub("copy-of-a.txt", shaC))},
			sub:     sub("a.txt", shaB),
			outcome: Changed,
			docs: []docWant{
				{shaB, "inbox/a.txt", evident.Queued, 2, 1},
				{shaC, "inbox/copy-of-a.txt", evident.Queued, 1, 0},
			},
			gone: []string{shaA},
		},
		{
			name:    "the same bytes after a failure: another try",
			before:  []step{register(sub("a.txt", shaA)), fail(shaA)},
			sub:     sub("a.txt", shaA),
			outcome: Refreshed,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Queued, 2, 0}},
		},
		{
			// `evident retry` tries again; a copy is the same bytes.
			name:    "a copy of a failed file",
			before:  []step{register(sub("a.txt", shaA)), fail(shaA)},
			sub:     sub("copy-of-a.txt", shaA),
			outcome: Duplicate,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Failed, 1, 0}},
		},
		{
			name:    "a copy with a sidecar of its own",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     copyWithMeta,
			outcome: Duplicate,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Indexed, 1, 1}},
		},
		{
			name:    "a sidecar arrived",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     withMeta,
			outcome: Refreshed,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Queued, 2, 1}},
		},
		{
			name:    "moved into a role's folder",
			before:  []step{register(sub("a.txt", shaA)), index(shaA)},
			sub:     inCFO,
			outcome: Refreshed,
			docs:    []docWant{{shaA, "inbox/a.txt", evident.Queued, 2, 1}},
		},
		{
			name:    "changed bytes after a failure",
			before:  []step{register(sub("a.txt", shaA)), fail(shaA)},
			sub:     sub("a.txt", shaB),
			outcome: Changed,
			docs:    []docWant{{shaB, "inbox/a.txt", evident.Queued, 2, 0}},
			gone:    []string{shaA},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openTemp(t)
			for _, st := range tt.before {
				st(t, s)
			}
			outcome, doc, err := s.Register(ctx, tt.sub)
			if err != nil {
				t.Fatal(err)
			}
			if outcome != tt.outcome {
				t.Errorf("outcome %s, want %s", outcome, tt.outcome)
			}
			if doc == nil || doc.SHA256 != tt.sub.SHA256 {
				t.Fatalf("Register returned document %+v, want the one of %s", doc, tt.sub.SHA256)
			}
			for _, w := range tt.docs {
				checkDoc(t, s, w)
			}
			for _, sha := range tt.gone {
				if d, err := s.DocumentBySHA(ctx, sha); !errors.Is(err, ErrNotFound) {
					t.Errorf("%s is still a document: %+v, %v", sha, d, err)
				}
			}
			docs, err := s.Documents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) != len(tt.docs) {
				t.Errorf("%d documents, want %d: %+v", len(docs), len(tt.docs), docs)
			}
		})
	}
}

// checkDoc compares a stored document with what is wanted of it.
func checkDoc(t *testing.T, s *Store, w docWant) {
	t.Helper()
	ctx := context.Background()
	d, err := s.DocumentBySHA(ctx, w.sha)
	if err != nil {
		t.Fatalf("document %s: %v", w.sha, err)
	}
	j, err := s.Job(ctx, w.sha)
	if err != nil {
		t.Fatal(err)
	}
	if d.Origin != w.origin || d.State != w.state || j.Run != w.run || d.Passages != w.passages {
		t.Errorf("document %s: origin %s, state %s, run %d, %d passages; want %s, %s, run %d, %d passages",
			w.sha[:4], d.Origin, d.State, j.Run, d.Passages, w.origin, w.state, w.run, w.passages)
	}
	if d.File != w.origin[strings.LastIndex(w.origin, "/")+1:] {
		t.Errorf("document %s: file %s at origin %s", w.sha[:4], d.File, d.Origin)
	}
	if w.state == evident.Queued && d.Error != "" {
		t.Errorf("document %s queued again keeps the error %q", w.sha[:4], d.Error)
	}
	ps, err := s.Passages(ctx, d.ID)
	if err != nil || len(ps) != w.passages {
		t.Errorf("document %s: %d stored passages (%v), want %d", w.sha[:4], len(ps), err, w.passages)
	}
}

// The file saved again with the same bytes is known by its new time; the
// one it had before no longer counts as unchanged.
func TestRegisterKeepsTheNewTime(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	register(sub("a.txt", shaA))(t, s)
	index(shaA)(t, s)
	later := t0.Add(time.Hour)
	again := sub("a.txt", shaA)
	again.ModTime = later
	register(again)(t, s)
	tests := []struct {
		mtime time.Time
		want  bool
	}{{t0, false}, {later, true}, {time.Time{}, false}}
	for _, tt := range tests {
		d, err := s.Unchanged(ctx, "inbox/a.txt", int64(len(shaA)), tt.mtime, evident.Meta{}, "")
		if err != nil {
			t.Fatal(err)
		}
		if (d != nil) != tt.want {
			t.Errorf("Unchanged at %v: %v, want %v", tt.mtime, d != nil, tt.want)
		}
	}
}

// A copy's origin is forgotten when the document goes: a later document
// at the first origin does not move to it.
func TestDeleteForgetsCopies(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	register(sub("a.txt", shaA))(t, s)
	index(shaA)(t, s)
	register(sub("copy-of-a.txt", shaA))(t, s)
	ids, err := s.Delete(ctx, shaA)
	if err != nil || len(ids) != 1 || ids[0] != evident.PassageID(shaA, 0) {
		t.Fatalf("Delete: %v, %v", ids, err)
	}
	if _, err := s.Delete(ctx, shaA); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting again: %v, want ErrNotFound", err)
	}
	register(sub("a.txt", shaB))(t, s)
	register(sub("a.txt", shaC))(t, s)
	checkDoc(t, s, docWant{shaC, "inbox/a.txt", evident.Queued, 2, 0})
	if _, err := s.DocumentBySHA(ctx, shaB); !errors.Is(err, ErrNotFound) {
		t.Errorf("the replaced bytes are still a document: %v", err)
	}
}

// Outstanding lists the queued and processing documents only, oldest
// first, and the query finds them by the state index, not by reading
// every document.
func TestOutstanding(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "evident.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	shaD := "dddd000000000000dddd"
	for _, sb := range []Submission{sub("a.txt", shaA), sub("b.txt", shaB), sub("c.txt", shaC), sub("d.txt", shaD)} {
		if _, _, err := s.Register(ctx, sb); err != nil {
			t.Fatal(err)
		}
	}
	for _, sha := range []string{shaB, shaD} {
		if err := s.MarkProcessing(ctx, sha); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Fail(ctx, shaC, "failed by the test", ""); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkIndexed(ctx, map[string]string{shaD: "stamp"}); err != nil {
		t.Fatal(err)
	}
	docs, err := s.Outstanding(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range docs {
		got = append(got, d.File+":"+string(d.State))
	}
	if want := "a.txt:queued b.txt:processing"; strings.Join(got, " ") != want {
		t.Errorf("outstanding: %v, want %s", got, want)
	}
	var plan string
	rows, err := s.DB().Query(`EXPLAIN QUERY PLAN SELECT id FROM documents WHERE state IN ('queued', 'processing')`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "; "
	}
	rows.Close()
	if !strings.Contains(plan, "documents_state") {
		t.Errorf("query plan %q does not use the state index", plan)
	}
}
