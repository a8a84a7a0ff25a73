package index

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// While a writer holds the index, another writer waits and then says so,
// and a reader says to try again; Discard removes a build, and the
// folder is its owner's only.
func TestHeldDiscardedAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Recreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	tests := []struct {
		ro   bool
		want string
	}{
		{true, "try again when it has finished"},
		{false, "held it for 200ms"},
	}
	for _, tt := range tests {
		other, err := Open(dir, Options{ReadOnly: tt.ro, Wait: 200 * time.Millisecond})
		if err == nil {
			other.Close()
			t.Errorf("read-only %v: opened an index another writer holds", tt.ro)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) || errors.Is(err, ErrNoIndex) {
			t.Errorf("read-only %v: %v, want it to say %q", tt.ro, err, tt.want)
		}
	}
	if err := ix.Apply(context.Background(), nil, []Entry{{ID: "a-1", Text: "x", Doc: "a"}, {ID: "a-2", Text: "y", Doc: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(context.Background(), []string{"a-1", "nope"}, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := ix.Count(); err != nil || n != 1 {
		t.Errorf("after a delete: %d entries, %v", n, err)
	}

	build, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	gen := filepath.Join(dir, build.gen)
	if err := build.Discard(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(gen); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a discarded build is still there: %v", err)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s has mode %v, want %v", p, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A context that ends stops Apply between batches.
func TestApplyStopsWithItsContext(t *testing.T) {
	ix, err := Recreate(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	entries := make([]Entry, MaxBatch+1)
	for i := range entries {
		entries[i] = Entry{ID: "e-" + strconv.Itoa(i), Text: "word", Doc: "e"}
	}
	if err := ix.Apply(ctx, nil, entries); !errors.Is(err, context.Canceled) {
		t.Errorf("Apply with an ended context: %v", err)
	}
	if n, _ := ix.Count(); n != MaxBatch {
		t.Errorf("%d entries applied, want the first batch of %d", n, MaxBatch)
	}
}

// A damaged index (its snapshot database overwritten): a reader says so
// and what repairs it, rather than only what Bleve stumbled on; a writer
// takes it for no index, which the engine builds again from the database.
func TestDamagedIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ix, err := Recreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.Apply(context.Background(), nil, []Entry{{ID: "a-1", Text: "x", Doc: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	roots, err := filepath.Glob(filepath.Join(dir, "*", bleveDir, "store", "root.bolt"))
	if err != nil || len(roots) != 1 {
		t.Fatalf("root.bolt: %v %v", roots, err)
	}
	if err := os.WriteFile(roots[0], []byte(strings.Repeat("not a bolt database ", 400)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir, Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "it is damaged; the next evident serve, ingest or reindex rebuilds it") {
		t.Errorf("a reader of a damaged index: %v", err)
	}
	if _, err := Open(dir, Options{}); !errors.Is(err, ErrNoIndex) {
		t.Errorf("a writer of a damaged index: %v, want ErrNoIndex", err)
	}
}

// Making the folder private skips what is gone by the time it is looked
// at: an index just opened removes the segment files its last merge made
// obsolete meanwhile, which failed a start of serve now and then.
func TestNarrowSkipsWhatIsGone(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.zap", "b.zap"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(dir, ents[0].Name())
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	for _, d := range ents {
		if err := narrow(filepath.Join(dir, d.Name()), d, nil); err != nil {
			t.Errorf("%s: %v", d.Name(), err)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, ents[1].Name())); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the file still there: %v, %v", info.Mode(), err)
	}
	// A folder that went between being listed and being read.
	if err := narrow(filepath.Join(dir, "gone"), ents[0], &fs.PathError{Op: "open", Path: "gone", Err: fs.ErrNotExist}); err != nil {
		t.Errorf("a folder gone: %v", err)
	}
	// The index folder itself missing is an error.
	if err := private(filepath.Join(dir, "nope")); err == nil {
		t.Error("private of a missing folder succeeded")
	}
}
