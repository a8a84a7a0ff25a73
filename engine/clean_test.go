package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// crashed closes an idle engine as a crash would leave its folder: with
// no record of a clean close, whatever the test planted in the database
// or the index left in place. Then it opens the folder again.
func (r *running) crashed() *running {
	r.t.Helper()
	r.closeIdle()
	if err := os.Remove(filepath.Join(r.opts.Data, cleanFile)); err != nil {
		r.t.Fatalf("a clean close left no record: %v", err)
	}
	return openIdleOn(r.t, r.opts)
}

const (
	skipLine  = "the last close was clean: the search index is not checked"
	checkLine = "checking the search index against the database"
)

// A start after a clean close does not compare the index with the
// database, and finds what it left; the record goes as the start begins.
func TestCleanCloseSkipsTheRepair(t *testing.T) {
	e := openIdle(t)
	e.indexFiles(threeNotes)
	want := e.passageSum()
	for range 2 {
		e.closeIdle()
		// A reading command in between changes nothing that counts.
		ro, err := Open(context.Background(), Options{Data: e.opts.Data, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if resp, err := ro.Search(context.Background(), search.Request{Query: "quoll", Limit: 10}); err != nil || len(resp.Hits) != 1 {
			t.Errorf("a reader's search: %v", err)
		}
		if err := ro.Close(); err != nil {
			t.Fatal(err)
		}
		e = openIdleOn(t, e.opts)
		if e.checked || e.logs.count(skipLine) != 1 || e.logs.count(checkLine) != 0 {
			t.Fatalf("a start after a clean close checked the index (checked %v, %d skip lines)", e.checked, e.logs.count(skipLine))
		}
		if _, err := os.Stat(filepath.Join(e.opts.Data, cleanFile)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the record of a clean close outlives the start: %v", err)
		}
		if got := e.indexCount(); got != want || len(e.search("quoll").Hits) != 1 {
			t.Errorf("the index holds %d passages, want %d", got, want)
		}
	}
}

// Whatever may have left the index and the database apart makes the next
// start compare them, and repair what differs.
func TestUncleanStartRepairs(t *testing.T) {
	tests := []struct {
		name string
		// stop fails b.txt in the database only, its entries left in the
		// index, and closes the engine.
		stop func(t *testing.T, e *running, b string)
	}{
		{"no record (a crash)", func(t *testing.T, e *running, b string) {
			failInStore(t, e.store, b)
			e.closeIdle()
			os.Remove(filepath.Join(e.opts.Data, cleanFile))
		}},
		{"written after the clean close (an older version, a restored database)", func(t *testing.T, e *running, b string) {
			e.closeIdle()
			if _, err := os.Stat(filepath.Join(e.opts.Data, cleanFile)); err != nil {
				t.Fatalf("a clean close left no record: %v", err)
			}
			s, err := store.Open(filepath.Join(e.opts.Data, "evident.db"))
			if err != nil {
				t.Fatal(err)
			}
			failInStore(t, s, b)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}},
		{"a write failed while open", func(t *testing.T, e *running, b string) {
			failInStore(t, e.store, b)
			e.wrote(errors.New("the disk refused"))
			e.closeIdle()
			if _, err := os.Stat(filepath.Join(e.opts.Data, cleanFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a close after a failed write recorded a clean close: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := openIdle(t)
			docs := e.indexFiles(threeNotes)
			tt.stop(t, e, docs["b.txt"].SHA256)
			e = openIdleOn(t, e.opts)
			if !e.checked || e.logs.count(checkLine) != 1 {
				t.Fatalf("the start did not check the index (checked %v)", e.checked)
			}
			if hits := e.search("numbat").Hits; len(hits) != 0 {
				t.Errorf("numbat: %d hits of a failed document", len(hits))
			}
			if got, want := e.indexCount(), e.passageSum(); got != want {
				t.Errorf("the index holds %d passages, the database %d", got, want)
			}
			if res := e.Resumed(); res.Repaired != 1 {
				t.Errorf("resumed: %+v", res)
			}
		})
	}
}

func failInStore(t *testing.T, s *store.Store, sha string) {
	t.Helper()
	if _, err := s.Fail(context.Background(), sha, "failed by the test", ""); err != nil {
		t.Fatal(err)
	}
}
