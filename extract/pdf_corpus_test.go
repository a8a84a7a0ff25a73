package extract_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/extract"
	"github.com/evident/evident/extract/extracttest"
)

// pdfCorpusDir holds real PDFs nobody here wrote (see SOURCES.md there).
const pdfCorpusDir = "../../shared/corpus/pdfs"

// TestPDFCorpus runs every real PDF of the shared corpus: each extracts
// blocks or fails with one of the extractor's own messages, never a panic.
func TestPDFCorpus(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(pdfCorpusDir, "*.pdf"))
	if len(paths) == 0 {
		t.Skip("no corpus at " + pdfCorpusDir)
	}
	known := []error{extract.ErrDamagedPDF, extract.ErrEncrypted, extract.ErrNoTextLayer}
	var table strings.Builder
	fmt.Fprintf(&table, "%-55s %5s %6s %7s  %s\n", "file", "pages", "blocks", "words", "error")
	for _, p := range paths {
		name := filepath.Base(p)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := extracttest.Safely(context.Background(), extract.PDF{}, extract.Input{Name: name, Data: data})
		if pe := (*extracttest.PanicError)(nil); errors.As(err, &pe) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err != nil {
			recognised := false
			for _, k := range known {
				recognised = recognised || errors.Is(err, k)
			}
			if !recognised {
				t.Errorf("%s: unexpected error %q", name, err)
			}
			fmt.Fprintf(&table, "%-55s %5s %6s %7s  %v\n", name, "", "", "", err)
			continue
		}
		if err := doc.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		pages, words := map[int]bool{}, 0
		for _, b := range doc.Blocks {
			pages[b.Loc.Page] = true
			words += len(strings.Fields(b.Text))
		}
		fmt.Fprintf(&table, "%-55s %5d %6d %7d\n", name, len(pages), len(doc.Blocks), words)
	}
	t.Logf("pages with text, blocks, words or error:\n%s", table.String())

	for name, want := range map[string]error{
		"pdfplumber__password-example.pdf":      extract.ErrEncrypted,
		"pdfplumber__empty.pdf":                 extract.ErrDamagedPDF,
		"pypdf-samples__unreadablemetadata.pdf": extract.ErrDamagedPDF,
	} {
		data, err := os.ReadFile(filepath.Join(pdfCorpusDir, name))
		if err != nil {
			continue
		}
		if _, err := (extract.PDF{}).Extract(context.Background(), extract.Input{Name: name, Data: data}); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", name, err, want)
		}
	}
	// The password example opens with its password ("test", per SOURCES.md).
	if data, err := os.ReadFile(filepath.Join(pdfCorpusDir, "pdfplumber__password-example.pdf")); err == nil {
		in := extract.Input{Name: "pdfplumber__password-example.pdf", Data: data}
		in.Meta.Password = "test"
		doc, err := extract.PDF{}.Extract(context.Background(), in)
		if err != nil || !slices.ContainsFunc(doc.Blocks, func(b extract.Block) bool { return strings.Contains(b.Text, "Backup4all") }) {
			t.Errorf("password example with its password: %v", err)
		}
	}
}

func FuzzPDF(f *testing.F) {
	extracttest.Fuzz(f, extract.Format{Exts: []string{".pdf"}, Extractor: extract.PDF{}}, extracttest.Files(f, "testdata/pdf/*.pdf")...)
}
