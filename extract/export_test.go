package extract

import "testing"

// The Word tests live in package extract_test, as they follow a document on
// into package passage, which imports extract; these names give them the
// test helpers of this package.

// DocGolden is docGolden for package extract_test.
type DocGolden = docGolden

// GoldenOf is goldenOf for package extract_test.
func GoldenOf(doc *Doc, err error) DocGolden { return goldenOf(doc, err) }

// CheckGolden is checkGolden for package extract_test.
func CheckGolden(t testing.TB, path string, got any) {
	t.Helper()
	checkGolden(t, path, got)
}
