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
