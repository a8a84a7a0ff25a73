// Package extracttest is the conformance suite every extractor of package
// extract passes, whether it is one of extract's own or one registered
// from outside with Registry.With (Perkeep's storagetest is the model).
//
// # Adding a format
//
// A new format is one file, its fixtures, its fuzz target and one call to
// the suite. The file holds the extractor (a type with an Extract method)
// and, in package extract, one line in Default() giving its name,
// extensions and content sniffer; from outside, Registry.With(Format{…})
// registers it. The fixtures are real files of the format under
// testdata/<format>/, with golden files of what it reads from them. The
// fuzz target is seeded with the fixtures, and the suite runs on them:
//
//	func FuzzMine(f *testing.F) {
//		extracttest.Fuzz(f, mine, extracttest.Files(f, "testdata/mine/*")...)
//	}
//
//	func TestMine(t *testing.T) {
//		extracttest.Run(t, mine, extracttest.Files(t, "testdata/mine/*")...)
//	}
//
// In package extract the suite's call is a line in conformanceFixtures
// (conformance_test.go): a format of Default() without one fails the test.
package extracttest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"testing"
	"time"

	"github.com/evident/evident/extract"
)

// Run checks the contract every extractor keeps, whatever its format, on
// each fixture under every extension f names: it never panics, not even on
// empty or truncated input (every cut in the first 64 bytes, where
// signatures and BOMs sit, and about 64 more); it returns an error with a
// message or a Doc that passes Doc.Validate; and a cancelled context makes
// it return promptly, with an error or with the complete result, never a
// silently partial one.
func Run(t *testing.T, f extract.Format, fixtures ...[]byte) {
	t.Helper()
	exts := f.Exts
	if len(exts) == 0 {
		exts = []string{""}
	}
	for _, ext := range exts {
		name := "fixture" + ext
		check(t, f, extract.Input{Name: name}, "empty input")
		for i, data := range fixtures {
			for _, n := range prefixLengths(len(data)) {
				check(t, f, extract.Input{Name: name, Data: data[:n]}, fmt.Sprintf("fixture %d as %q, first %d of %d bytes", i, name, n, len(data)))
			}
			checkCancelled(t, f, extract.Input{Name: name, Data: data}, fmt.Sprintf("fixture %d as %q", i, name))
		}
	}
	if len(fixtures) == 0 {
		return
	}

	// Promptness: a big input under a cancelled context must not be read
	// to the end.
	var big []byte
	for len(big) < 4<<20 {
		for _, data := range fixtures {
			big = append(big, data...)
			big = append(big, "\n\n"...)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	doc, err := Safely(ctx, f, extract.Input{Name: "big" + exts[0], Data: big})
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled extraction of %d bytes took %v", len(big), d)
	}
	if err == nil && doc != nil {
		t.Errorf("cancelled extraction of %d bytes returned %d blocks and no error", len(big), len(doc.Blocks))
	}
}

// Fuzz is the body of a fuzz target: it seeds the corpus, then runs the
// extractor on every input (named with the format's first extension) and
// fails on a panic, an empty error message, a Doc that does not pass
// Doc.Validate, or an extraction that runs past 10 s: extractors bound
// their work by their caps even without a deadline.
func Fuzz(f *testing.F, fm extract.Format, seeds ...[]byte) {
	f.Helper()
	for _, s := range seeds {
		f.Add(s)
	}
	name := "fuzz"
	if len(fm.Exts) > 0 {
		name += fm.Exts[0]
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			doc *extract.Doc
			err error
		}
		done := make(chan result, 1)
		go func() {
			doc, err := Safely(context.Background(), fm, extract.Input{Name: name, Data: data})
			done <- result{doc, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("extraction of %d bytes did not finish in 10 s", len(data))
		}
		if pe := (*PanicError)(nil); errors.As(r.err, &pe) {
			t.Fatal(r.err)
		}
		if r.err != nil {
			if r.err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if err := r.doc.Validate(); err != nil {
			t.Error(err)
		}
	})
}

// Files reads the files matching pattern; no match is a test bug.
func Files(tb testing.TB, pattern string) [][]byte {
	tb.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures match %s (%v)", pattern, err)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, data)
	}
	return out
}

// Safely runs an extractor, turning a panic into a *PanicError so that one
// bad input reports which input it was instead of killing the test binary.
func Safely(ctx context.Context, ex extract.Extractor, in extract.Input) (doc *extract.Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, &PanicError{r, debug.Stack()}
		}
	}()
	return ex.Extract(ctx, in)
}

// PanicError is a panic caught by Safely, with its stack.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v\n%s", p.Value, p.Stack) }

// prefixLengths lists where to cut an input of n bytes: every cut in the
// first bytes, where signatures and BOMs sit, then about 64 more.
func prefixLengths(n int) []int {
	var out []int
	for i := 0; i <= n && i <= 64; i++ {
		out = append(out, i)
	}
	for i := 65; i < n; i += max(1, n/64) {
		out = append(out, i)
	}
	if n > 64 {
		out = append(out, n)
	}
	return out
}

func check(t *testing.T, ex extract.Extractor, in extract.Input, what string) {
	t.Helper()
	doc, err := Safely(context.Background(), ex, in)
	if pe := (*PanicError)(nil); errors.As(err, &pe) {
		t.Fatalf("%s: %v", what, err)
	}
	if err != nil {
		if err.Error() == "" {
			t.Errorf("%s: empty error message", what)
		}
		return
	}
	if err := doc.Validate(); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// checkCancelled runs an extraction under a cancelled context: the result
// must be an error saying so, or exactly what a live context gives (the
// extractor finished before it looked), never a silently partial document.
func checkCancelled(t *testing.T, ex extract.Extractor, in extract.Input, what string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc, err := Safely(ctx, ex, in)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			if _, liveErr := Safely(context.Background(), ex, in); liveErr == nil {
				t.Errorf("%s: cancelled extraction failed with %v, which does not wrap context.Canceled", what, err)
			}
		}
		return
	}
	live, liveErr := Safely(context.Background(), ex, in)
	if liveErr != nil || !reflect.DeepEqual(doc, live) {
		t.Errorf("%s: cancelled extraction returned a result (%d blocks) that differs from a live one", what, len(doc.Blocks))
	}
}
