package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Check writes a golden file on update, and otherwise tells a match, a
// difference and a missing file apart.
func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.golden.json")
	tests := []struct {
		name   string
		got    string
		update bool
		err    string // "" for none
	}{
		{"missing", "{}\n", false, "go test -update writes it"},
		{"written", "{\"a\": 1}\n", true, ""},
		{"the same", "{\"a\": 1}\n", false, ""},
		{"different", "{\"a\": 2}\n", false, "differs from the output"},
	}
	for _, tt := range tests {
		err := Check(path, []byte(tt.got), tt.update)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "{\"a\": 1}\n" {
		t.Errorf("the file holds %q, %v", b, err)
	}
}

// JSON indents the value and compares it with testdata/NAME.
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
