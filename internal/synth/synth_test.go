package synth

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// The same seed gives the same files and queries, another seed others;
// the kinds of file all occur, and rare words do too.
func TestDeterministic(t *testing.T) {
	a, b, c := New(1), New(1), New(2)
	kinds := map[string]int{}
	rare := 0
	tail := map[string]bool{}
	for _, w := range Tail()[1000:] {
		tail[w] = true
	}
	same := 0
	for range 200 {
		fa, fb, fc := a.Next(), b.Next(), c.Next()
		if fa.Name != fb.Name || !bytes.Equal(fa.Text, fb.Text) || fa.Passages != fb.Passages {
			t.Fatalf("seed 1 gave %s and %s", fa.Name, fb.Name)
		}
		if bytes.Equal(fa.Text, fc.Text) {
			same++
		}
		if fa.Passages <= 0 {
			t.Errorf("%s: %d passages", fa.Name, fa.Passages)
		}
		kinds[strings.SplitN(fa.Name, "-", 2)[0]]++
		for _, w := range strings.Fields(strings.ToLower(string(fa.Text))) {
			if tail[strings.Trim(w, ".,?\"")] {
				rare++
			}
		}
	}
	if same > 0 {
		t.Errorf("seeds 1 and 2 gave %d identical files", same)
	}
	for _, k := range []string{"interview", "notes", "survey"} {
		if kinds[k] == 0 {
			t.Errorf("no %s files in 200: %v", k, kinds)
		}
	}
	if rare < 100 {
		t.Errorf("%d rare words in 200 files", rare)
	}
	if q1, q2 := Queries(7, 50), Queries(7, 50); !slices.Equal(q1, q2) {
		t.Error("Queries(7) differ between calls")
	}
}
