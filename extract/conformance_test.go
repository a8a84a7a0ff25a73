package extract

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// conformanceFixtures names, for every format in Default(), the files its
// extractor is checked against. A new format adds one line here; a format
// without a line fails TestConformance.
var conformanceFixtures = map[string]string{
	"vtt":  "testdata/captions/*.vtt",
	"srt":  "testdata/captions/*.srt",
	"text": "testdata/text/*",
	"html": "testdata/html/*.html",
	"csv":  "testdata/survey/*.csv",
	"docx": "testdata/docx/*.docx",
	"xlsx": "testdata/xlsx/*.xlsx",
	"odt":  "testdata/odt/*.odt",
	"pdf":  "testdata/pdf/*.pdf",
}

func TestConformance(t *testing.T) {
	for _, f := range Default() {
		t.Run(f.Name, func(t *testing.T) {
			pattern, ok := conformanceFixtures[f.Name]
			if !ok {
				t.Fatalf("format %q has no conformance fixtures: add it to conformanceFixtures", f.Name)
			}
			var fixtures [][]byte
			for _, p := range fixturePaths(t, pattern) {
				data, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				fixtures = append(fixtures, data)
			}
			runConformance(t, f, fixtures)
		})
	}
}

// runConformance checks the contract every extractor keeps, whatever its
// format: it never panics, not even on empty or truncated input; it returns
// an error or a Doc with at least one block; every block is valid UTF-8,
// not blank, and has a locator; and a cancelled context makes it return
// promptly, with an error or with the complete result.
func runConformance(t *testing.T, f Format, fixtures [][]byte) {
	t.Helper()
	exts := f.Exts
	if len(exts) == 0 {
		exts = []string{""}
	}
	for _, ext := range exts {
		name := "fixture" + ext
		check(t, f, Input{Name: name}, "empty input")
		for i, data := range fixtures {
			for _, n := range prefixLengths(len(data)) {
				check(t, f, Input{Name: name, Data: data[:n]}, fmt.Sprintf("fixture %d as %q, first %d of %d bytes", i, name, n, len(data)))
			}
			checkCancelled(t, f, Input{Name: name, Data: data}, fmt.Sprintf("fixture %d as %q", i, name))
		}
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
	doc, err := extractSafely(ctx, f, Input{Name: "big" + exts[0], Data: big})
	if d := time.Since(start); d > time.Second {
		t.Errorf("cancelled extraction of %d bytes took %v", len(big), d)
	}
	if err == nil && doc != nil {
		t.Errorf("cancelled extraction of %d bytes returned %d blocks and no error", len(big), len(doc.Blocks))
	}
}

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

// extractSafely turns a panic into an error so that one bad input reports
// which input it was instead of killing the test binary.
func extractSafely(ctx context.Context, f Format, in Input) (doc *Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, &panicError{r, debug.Stack()}
		}
	}()
	return f.Extract(ctx, in)
}

type panicError struct {
	v     any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v\n%s", p.v, p.stack) }

func check(t *testing.T, f Format, in Input, what string) {
	t.Helper()
	doc, err := extractSafely(context.Background(), f, in)
	if pe := (*panicError)(nil); errors.As(err, &pe) {
		t.Fatalf("%s: %v", what, err)
	}
	if err != nil {
		if err.Error() == "" {
			t.Errorf("%s: empty error message", what)
		}
		return
	}
	for _, p := range checkDoc(doc) {
		t.Errorf("%s: %s", what, p)
	}
}

// checkDoc lists the ways a successful result breaks the contract.
func checkDoc(doc *Doc) []string {
	if doc == nil {
		return []string{"nil Doc and nil error"}
	}
	var problems []string
	if len(doc.Blocks) == 0 {
		problems = append(problems, "no blocks and no error")
	}
	for name, s := range map[string]string{"Format": doc.Format, "Title": doc.Title, "Author": doc.Author, "Date": doc.Date, "URL": doc.URL, "Site": doc.Site} {
		if !utf8.ValidString(s) {
			problems = append(problems, fmt.Sprintf("%s is not valid UTF-8: %q", name, s))
		}
	}
	for _, w := range doc.Warnings {
		if !utf8.ValidString(w) {
			problems = append(problems, fmt.Sprintf("warning is not valid UTF-8: %q", w))
		}
	}
	for i, b := range doc.Blocks {
		for _, s := range []string{b.Text, b.Speaker, b.Role, b.Context, b.Section} {
			if !utf8.ValidString(s) {
				problems = append(problems, fmt.Sprintf("block %d holds invalid UTF-8: %q", i, s))
			}
		}
		if strings.TrimSpace(b.Text) == "" {
			problems = append(problems, fmt.Sprintf("block %d is blank: %q", i, b.Text))
		}
		if l := b.Loc; l.Line <= 0 && l.Paragraph <= 0 && l.Page <= 0 && l.Time == "" && l.Row <= 0 {
			problems = append(problems, fmt.Sprintf("block %d has no locator: %+v", i, b))
		}
	}
	return problems
}

// checkCancelled runs an extraction under a cancelled context: the result
// must be an error saying so, or exactly what a live context gives (the
// extractor finished before it looked), never a silently partial document.
func checkCancelled(t *testing.T, f Format, in Input, what string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	doc, err := extractSafely(ctx, f, in)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			if _, liveErr := extractSafely(context.Background(), f, in); liveErr == nil {
				t.Errorf("%s: cancelled extraction failed with %v, which does not wrap context.Canceled", what, err)
			}
		}
		return
	}
	live, liveErr := extractSafely(context.Background(), f, in)
	if liveErr != nil || !reflect.DeepEqual(doc, live) {
		t.Errorf("%s: cancelled extraction returned a result (%d blocks) that differs from a live one", what, len(doc.Blocks))
	}
}
