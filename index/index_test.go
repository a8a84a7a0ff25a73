package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// Open finds only a complete index of this Version in force; anything
// else is ErrNoIndex, for the caller to build one.
func TestOpenNeedsACompleteIndex(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"nothing there", func(t *testing.T, dir string) {}},
		{"a build never committed", func(t *testing.T, dir string) {
			ix, err := Build(dir)
			if err != nil {
				t.Fatal(err)
			}
			ix.Close()
		}},
		{"another version", func(t *testing.T, dir string) {
			ix, err := Recreate(dir)
			if err != nil {
				t.Fatal(err)
			}
			ix.Close()
			gen, err := current(dir)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, gen, completeFile), []byte("0\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"the layout before generations", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "bleve"), 0o755)
			os.WriteFile(filepath.Join(dir, "evident-version"), []byte(Version+"\n"), 0o644)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "index")
			tt.setup(t, dir)
			for _, ro := range []bool{true, false} {
				if ix, err := Open(dir, Options{ReadOnly: ro}); !errors.Is(err, ErrNoIndex) {
					if ix != nil {
						ix.Close()
					}
					t.Errorf("read-only %v: %v, want ErrNoIndex", ro, err)
				}
			}
		})
	}
}

// A new generation built beside the one in force replaces it only when
// committed; until then, and if it is abandoned, the old one is in force.
func TestBuildBesideAndSwap(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	ctx := context.Background()
	old, err := Recreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Apply(ctx, nil, []Entry{{ID: "a-1", Text: "old", Doc: "a"}}); err != nil {
		t.Fatal(err)
	}
	count := func(want uint64) {
		t.Helper()
		ix, err := Open(dir, Options{ReadOnly: true, Wait: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		if n, _ := ix.Count(); n != want {
			t.Errorf("the index in force holds %d entries, want %d", n, want)
		}
	}
	old.Close()
	count(1)

	abandoned, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	abandoned.Apply(ctx, nil, []Entry{{ID: "b-1", Text: "new", Doc: "b"}, {ID: "b-2", Text: "new", Doc: "b"}})
	abandoned.Close()
	count(1)

	next, err := Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	next.Apply(ctx, nil, []Entry{{ID: "c-1", Text: "new", Doc: "c"}, {ID: "c-2", Text: "new", Doc: "c"}, {ID: "c-3", Text: "new", Doc: "c"}})
	count(1)
	if err := next.Commit(); err != nil {
		t.Fatal(err)
	}
	next.Close() // the writer holds the files while it is open
	count(3)
	next.Prune()
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("%d entries left in the index folder, want the pointer and one generation", len(ents))
	}
	count(3)
}

// Counts and Stamp: what the start-up check compares with the store.
func TestCountsAndStamps(t *testing.T) {
	ctx := context.Background()
	ix, err := Recreate(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	a := []Entry{{ID: "a-1", Text: "one", Doc: "a"}, {ID: "a-2", Text: "two", Doc: "a", Categories: []string{"PAINS"}}}
	b := []Entry{{ID: "b-1", Text: "three", Doc: "b"}}
	sa, sb := SetStamp(a), SetStamp(b)
	if sa == sb || sa != Stamp(a) {
		t.Fatalf("stamps %q %q", sa, sb)
	}
	changed := append([]Entry(nil), a...)
	changed[1].Categories = []string{"GAINS"}
	if Stamp(changed) == sa {
		t.Errorf("a changed tag leaves the stamp as it was")
	}
	if err := ix.Apply(ctx, nil, append(a, b...)); err != nil {
		t.Fatal(err)
	}
	docs, stamps, err := ix.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if docs["a"] != 2 || docs["b"] != 1 || stamps[sa] != 2 || stamps[sb] != 1 {
		t.Errorf("counts %v, stamps %v", docs, stamps)
	}
	ids, err := ix.Entries(ctx, "a")
	if err != nil || len(ids) != 2 || ids[0] != "a-1" || ids[1] != "a-2" {
		t.Errorf("entries of a: %v, %v", ids, err)
	}
}

// A passage's cue grades: one term per level its score reaches, for each
// of its categories and for the strongest of them.
func TestCueGrades(t *testing.T) {
	tests := []struct {
		cats   []string
		scores map[string]float64
		want   []string
	}{
		{nil, nil, nil},
		{[]string{"SAY"}, map[string]float64{"SAY": 1.2}, nil},
		{[]string{"SAY"}, map[string]float64{"SAY": 1.5}, []string{"cue:SAY:1", "cue:*:1"}},
		{[]string{"PAINS", "SAY"}, map[string]float64{"PAINS": 3.2, "SAY": 1.6, "GAINS": 6},
			[]string{"cue:PAINS:1", "cue:PAINS:2", "cue:SAY:1", "cue:*:1", "cue:*:2"}},
		{[]string{"DO"}, map[string]float64{"DO": 9}, []string{"cue:DO:1", "cue:DO:2", "cue:DO:3", "cue:DO:4", "cue:*:1", "cue:*:2", "cue:*:3", "cue:*:4"}},
	}
	for _, tt := range tests {
		if got := CueGrades(tt.cats, tt.scores); !slices.Equal(got, tt.want) {
			t.Errorf("CueGrades(%v, %v) = %v, want %v", tt.cats, tt.scores, got, tt.want)
		}
	}
}
