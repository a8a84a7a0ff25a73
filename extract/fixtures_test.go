package extract

import (
	"os"
	"path/filepath"
	"testing"
)

// fixturePaths lists the files matching pattern; no match is a test bug.
func fixturePaths(tb testing.TB, pattern string) []string {
	tb.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures match %s (%v)", pattern, err)
	}
	return paths
}

// addSeedFiles adds the files matching pattern to f's seed corpus and
// returns their contents.
func addSeedFiles(f *testing.F, pattern string) [][]byte {
	f.Helper()
	var seeds [][]byte
	for _, p := range fixturePaths(f, pattern) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		seeds = append(seeds, data)
	}
	return seeds
}
