package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"

	"github.com/evident/evident"
)

// update rewrites every golden file in testdata from the current output:
// go test ./extract -run Golden -update, then read the diff.
var update = flag.Bool("update", false, "rewrite golden files in testdata from the current output")

// checkGolden compares got with the golden file at path, or rewrites the
// file under -update. A string is the golden text itself; anything else is
// compared as indented JSON.
func checkGolden(t testing.TB, path string, got any) {
	t.Helper()
	out, ok := got.(string)
	if !ok {
		out = goldenJSON(t, got, true)
	}
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal([]byte(out), want) {
		t.Errorf("output differs from %s (run with -update if the change is right; read the diff first):\n%s", path, out)
	}
}

// goldenJSON is v as indented JSON ending in a newline. The caption goldens
// were written without escapeHTML, keeping <, > and & readable; the others
// with it.
func goldenJSON(t testing.TB, v any, escapeHTML bool) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// docGolden is what a golden file pins down of an extraction: the citation
// fields, the warnings and every block, or the error a person would read.
type docGolden struct {
	Error      string        `json:"error,omitempty"`
	Format     string        `json:"format,omitempty"`
	Kind       evident.Kind  `json:"kind,omitempty"`
	Title      string        `json:"title,omitempty"`
	Author     string        `json:"author,omitempty"`
	Date       string        `json:"date,omitempty"`
	Site       string        `json:"site,omitempty"`
	URL        string        `json:"url,omitempty"`
	Structured bool          `json:"structured,omitempty"`
	Warnings   []string      `json:"warnings,omitempty"`
	Blocks     []blockGolden `json:"blocks,omitempty"`
}

type blockGolden struct {
	Text    string            `json:"text"`
	Loc     evident.Locator   `json:"loc"`
	Section string            `json:"section,omitempty"`
	Context string            `json:"context,omitempty"`
	Role    string            `json:"role,omitempty"`
	Attrs   map[string]string `json:"attrs,omitempty"`
}

func goldenOf(doc *Doc, err error) docGolden {
	if err != nil {
		return docGolden{Error: err.Error()}
	}
	g := docGolden{Format: doc.Format, Kind: doc.Kind, Title: doc.Title, Author: doc.Author, Date: doc.Date,
		Site: doc.Site, URL: doc.URL, Structured: doc.Structured, Warnings: doc.Warnings}
	for _, b := range doc.Blocks {
		g.Blocks = append(g.Blocks, blockGolden{Text: b.Text, Loc: b.Loc, Section: b.Section, Context: b.Context, Role: b.Role, Attrs: b.Attrs})
	}
	return g
}
