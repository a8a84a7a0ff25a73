package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// With -update JSON writes the file; without, the same value matches it.
func TestJSON(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := os.Mkdir("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	v := map[string]any{"passages": 3, "title": "Interview"}
	old := *Update
	t.Cleanup(func() { *Update = old })
	*Update = true
	JSON(t, "x.golden.json", v)
	b, err := os.ReadFile(filepath.Join("testdata", "x.golden.json"))
	if want := "{\n  \"passages\": 3,\n  \"title\": \"Interview\"\n}\n"; err != nil || string(b) != want {
		t.Fatalf("written %q, %v; want %q", b, err, want)
	}
	*Update = false
	JSON(t, "x.golden.json", v)
}
