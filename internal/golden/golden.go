// Package golden compares what a test produced with a golden file in its
// package's testdata folder; `go test -update` rewrites the files instead.
// Only tests import it.
package golden

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Update is the -update flag of the tests that import this package.
var Update = flag.Bool("update", false, "rewrite the golden files in testdata from the current output")

// JSON compares v, as indented JSON, with testdata/name.
func JSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(filepath.Join("testdata", name), append(b, '\n'), *Update); err != nil {
		t.Error(err)
	}
}

// Check compares got with the file at path, or, with update, writes it
// there. The error says how to rewrite the file.
func Check(path string, got []byte, update bool) error {
	if update {
		return os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%w (go test -update writes it)", err)
	}
	if string(want) != string(got) {
		return fmt.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, got)
	}
	return nil
}
