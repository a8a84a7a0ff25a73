package extract_test

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/extract/extracttest"
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
	for _, f := range extract.Default() {
		t.Run(f.Name, func(t *testing.T) {
			pattern, ok := conformanceFixtures[f.Name]
			if !ok {
				t.Fatalf("format %q has no conformance fixtures: add it to conformanceFixtures", f.Name)
			}
			extracttest.Run(t, f, extracttest.Files(t, pattern)...)
		})
	}
}

// logLines reads a made-up format from outside the package: lines of
// "LEVEL message", each message a block. It shows what a format
// registered with Registry.With does to join the suite.
type logLines struct{}

func (logLines) Extract(ctx context.Context, in extract.Input) (*extract.Doc, error) {
	doc := &extract.Doc{Format: "log"}
	sc := bufio.NewScanner(bytes.NewReader(in.Data))
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		_, msg, ok := strings.Cut(sc.Text(), " ")
		if msg = strings.ToValidUTF8(strings.TrimSpace(msg), "\uFFFD"); ok && msg != "" {
			doc.Blocks = append(doc.Blocks, extract.Block{Text: msg, Loc: evident.Locator{Line: n}})
		}
	}
	if len(doc.Blocks) == 0 {
		return nil, extract.ErrUnsupported
	}
	return doc, nil
}

var logFormat = extract.Format{
	Name:      "log",
	Exts:      []string{".applog"},
	Sniff:     func(head []byte) bool { return bytes.HasPrefix(head, []byte("INFO ")) },
	Extractor: logLines{},
}

func TestConformanceFromOutside(t *testing.T) {
	fixtures := [][]byte{[]byte("INFO the CFO asked for one number\nWARN budget owners wait a week\n")}
	extracttest.Run(t, logFormat, fixtures...)
	r := extract.Default().With(logFormat)
	doc, err := r.Extract(context.Background(), extract.Input{Name: "x.applog", Data: fixtures[0]})
	if err != nil || doc.Format != "log" || len(doc.Blocks) != 2 {
		t.Fatalf("registered format: %+v, %v", doc, err)
	}
}

func FuzzOutsideFormat(f *testing.F) {
	extracttest.Fuzz(f, logFormat, []byte("INFO one\nDEBUG two\n"))
}
