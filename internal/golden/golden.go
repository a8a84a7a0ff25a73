// Package golden compares what a test produced with a golden file in its
// package's testdata folder; `go test -update` rewrites the files instead.
// Only tests import it.
package golden

import (
	"encoding/json"
	"flag"
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
	b = append(b, '\n')
	path := filepath.Join("testdata", name)
	if *Update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(want) != string(b) {
		t.Errorf("%s differs from the output (go test -update rewrites it):\n%s", path, b)
	}
}
