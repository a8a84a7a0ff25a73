package hostile

import (
	"bytes"
	"crypto/sha256"
	"os"
	"testing"
	"unicode/utf8"
)

// Each file is what its name says, and the same bytes every time: the
// benchmarks compare runs on them.
func TestFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("writes tens of megabytes")
	}
	checks := map[string]func(data []byte) bool{
		"one-word.txt": func(d []byte) bool { return len(d) == 5<<20 && !bytes.ContainsAny(d, " \n") },
		"one-line.txt": func(d []byte) bool {
			return len(d) >= 5<<20 && bytes.Count(d, []byte("\n")) <= 1 && bytes.Contains(d, []byte(". "))
		},
		"nul-bytes.txt":   func(d []byte) bool { return bytes.Contains(d, []byte{0}) },
		"blank-lines.txt": func(d []byte) bool { return bytes.Count(d, []byte("\n")) >= 2_000_000 },
		"deep.html":       func(d []byte) bool { return bytes.Count(d, []byte("<div>")) == 100_000 },
		"private-use.txt": func(d []byte) bool { r, _ := utf8.DecodeRune(d); return r >= 0xE000 && r <= 0xF8FF },
		"random.txt":      func(d []byte) bool { return len(d) == 1<<20 && !utf8.Valid(d) },
		"cues-100k.vtt": func(d []byte) bool {
			return bytes.HasPrefix(d, []byte("WEBVTT")) && bytes.Count(d, []byte(" --> ")) == 100_000
		},
		"zip-bomb.docx": func(d []byte) bool { return bytes.HasPrefix(d, []byte("PK")) && len(d) < 1<<20 },
		"lines-200k.txt": func(d []byte) bool {
			return bytes.Count(d, []byte("\n")) >= 200_000 && !bytes.Contains(d, []byte("\n\n"))
		},
		"paragraphs-200k.txt": func(d []byte) bool {
			return bytes.Count(d, []byte("\n\n")) >= 199_999
		},
		"speakers-50k.txt":     func(d []byte) bool { return bytes.Count(d, []byte(": ")) >= 50_000 },
		"table-line.md":        func(d []byte) bool { return len(d) >= 3<<20 && bytes.Count(d, []byte("|")) > 1000 },
		"big-cell.csv":         func(d []byte) bool { return len(d) >= 5<<20 },
		"wide.csv":             func(d []byte) bool { return bytes.Count(d[:bytes.IndexByte(d, '\n')], []byte(",")) == 1999 },
		"one-paragraph.html":   func(d []byte) bool { return len(d) >= 5<<20 && bytes.Count(d, []byte("<p>")) == 1 },
		"paragraphs-100k.docx": func(d []byte) bool { return bytes.HasPrefix(d, []byte("PK")) },
	}
	dir := t.TempDir()
	for name, ok := range checks {
		f, found := Find(name)
		if !found {
			t.Fatalf("no hostile file named %s", name)
		}
		var sums [2][32]byte
		var data []byte
		for i := range sums {
			path, err := f.Write(dir)
			if err != nil {
				t.Fatal(err)
			}
			if data, err = os.ReadFile(path); err != nil {
				t.Fatal(err)
			}
			sums[i] = sha256.Sum256(data)
		}
		if sums[0] != sums[1] {
			t.Errorf("%s: two writes differ", name)
		}
		if !ok(data) {
			t.Errorf("%s (%d bytes) is not what it says: %s", name, len(data), f.What)
		}
	}
	if _, found := Find("no-such-file"); found {
		t.Error("Find found a file that is not there")
	}
	set := 0
	for _, f := range Files() {
		if f.Set {
			set++
		}
	}
	if set != len(Files())-1 {
		t.Errorf("%d of %d files in the set, want all but the million-row survey", set, len(Files()))
	}
}
