package extract

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestRegistryExtractRefuses(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		data     []byte
		wantIs   error  // nil: any error
		wantText string // a substring the user will read
	}{
		{"empty", "notes.txt", nil, nil, "the file is empty"},
		{"PNG", "photo.png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrUnsupported, "PNG image"},
		{"PNG named .txt", "notes.txt", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ErrUnsupported, "PNG image"},
		{"JPEG", "scan.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), ErrUnsupported, "JPEG image"},
		{"ZIP", "export.zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), ErrUnsupported, "ZIP archive"},
		{"PDF named .txt", "report.txt", []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ErrDamagedPDF, "the PDF is damaged or truncated"},
		{"legacy Word", "interview.doc", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00\x00\x00"), ErrUnsupported, "save it as .docx"},
		{"MP4", "call.m4a", []byte("\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00"), ErrUnsupported, "transcribe it first"},
		{"SVG", "logo.svg", []byte(`<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>Budget</text></svg>`), ErrUnsupported, "an SVG image; images are not read"},
		{"SVG named .txt", "notes.txt", []byte("<!-- drawn by hand -->\n<svg width=\"10\"><text>Budget</text></svg>"), ErrUnsupported, "an SVG image"},
		{"SVG with a doctype", "chart.xml", []byte(`<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "x"><svg/>`), ErrUnsupported, "an SVG image"},
		{".svg without an svg tag first", "logo.svg", []byte("Budget"), ErrUnsupported, "an SVG image"},
		{"gzip", "notes.txt.gz", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), ErrUnsupported, "unpack it first"},
		{"binary named .txt", "notes.txt", randomBytes(2048, 3), ErrBinary, "binary"},
		{"only blank lines", "notes.txt", []byte("\n \r\n\t\n"), nil, "no text found"},
		{"only front matter", "notes.md", []byte("---\ntitle: x\n---\n"), nil, "no text found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Default().Extract(context.Background(), Input{Name: tt.file, Data: tt.data})
			if err == nil {
				t.Fatalf("Extract = %+v, want an error", doc)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q does not wrap %v", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q, want it to say %q", err, tt.wantText)
			}
		})
	}
}

func TestRegistryDetect(t *testing.T) {
	sniffed := Format{
		Name:  "fake",
		Exts:  []string{".fake"},
		Sniff: func(head []byte) bool { return strings.HasPrefix(string(head), "FAKE") },
	}
	reg := Default().With(sniffed)
	tests := []struct {
		name, file, data string
		want             string // format name; "" means an error wrapping ErrUnsupported
	}{
		{"txt", "a.txt", "hello", "text"},
		{"no extension", "README", "hello", "text"},
		{"unknown extension read as text", "call.transcript", "Jane: hello", "text"},
		{"upper-case extension", "NOTES.MD", "# hi", "text"},
		{"signature wins over extension", "a.txt", "FAKE data", "fake"},
		{"extension of a sniffed format without its signature", "a.fake", "plain words", ""},
		{"refused signature wins over extension", "a.txt", "GIF89a\x01\x00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := reg.Detect(tt.file, []byte(tt.data))
			if tt.want == "" {
				if !errors.Is(err, ErrUnsupported) {
					t.Fatalf("Detect = %q, %v; want an error wrapping ErrUnsupported", f.Name, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Detect: %v", err)
			}
			if f.Name != tt.want {
				t.Errorf("Detect = %q, want %q", f.Name, tt.want)
			}
		})
	}

	// A registry that reads nothing by default names the extension it lacks.
	_, err := Registry{sniffed}.Detect("a.xyz", []byte("words"))
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), ".xyz") {
		t.Errorf("Detect on a registry without a text fallback: %v", err)
	}
}

func TestExtractText(t *testing.T) {
	ctx := context.Background()
	t.Run("unknown extension", func(t *testing.T) {
		doc, err := Default().Extract(ctx, Input{Name: "call.vtt.bak", Data: []byte("Jane: we use spreadsheets\n\nBob: why?")})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Format != "text" || len(doc.Blocks) != 2 {
			t.Fatalf("got format %q with %d blocks, want text with 2", doc.Format, len(doc.Blocks))
		}
		if b := doc.Blocks[1]; b.Text != "Bob: why?" || b.Loc.Line != 3 || b.Loc.Paragraph != 2 {
			t.Errorf("second block = %+v", b)
		}
	})
	t.Run("markdown character references", func(t *testing.T) {
		doc, err := Default().Extract(ctx, Input{Name: "t.md", Data: []byte("**Adam:** I&#39;m here with Jack &amp; &quot;friends&quot;.\n")})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Blocks) != 1 || doc.Blocks[0].Text != `Adam: I'm here with Jack & "friends".` {
			t.Errorf("blocks = %+v", doc.Blocks)
		}
	})
	t.Run("markdown", func(t *testing.T) {
		data, err := os.ReadFile("testdata/text/notes.md")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Default().Extract(ctx, Input{Name: "notes.md", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Format != "markdown" {
			t.Errorf("Format = %q, want markdown", doc.Format)
		}
		if doc.Title != "Discovery call with Omar" {
			t.Errorf("Title = %q, want the first heading", doc.Title)
		}
		if doc.Meta.Kind != "interview" || doc.Meta.Speakers["Omar Haddad"].Role != "procurement lead" {
			t.Errorf("front matter not read: %+v", doc.Meta)
		}
		want := []Block{
			{Text: "Discovery call with Omar", Section: SectionHeading},
			{Text: "Some context first: Omar runs procurement at a mid-size hospital group."},
			{Text: "What he said", Section: SectionHeading},
			{Text: "• We switched to a three-quote rule last year.\n• Vendors who can't show total cost are out."},
			{Text: "Question · Answer"},
			{Text: "Budget cycle · Annual"},
			{Text: "> I spend most of my time chasing signatures."},
			{Text: "Follow-up: send the pricing sheet by Friday."},
		}
		// Lines count from the top of the file, front matter included.
		wantLines := []int{8, 10, 12, 14, 17, 19, 25, 27}
		if len(doc.Blocks) != len(want) {
			for _, b := range doc.Blocks {
				t.Logf("%+v", b)
			}
			t.Fatalf("got %d blocks, want %d", len(doc.Blocks), len(want))
		}
		for i, b := range doc.Blocks {
			if b.Text != want[i].Text || b.Section != want[i].Section || b.Loc.Line != wantLines[i] {
				t.Errorf("block %d = %q (section %q, line %d), want %q (section %q, line %d)",
					i, b.Text, b.Section, b.Loc.Line, want[i].Text, want[i].Section, wantLines[i])
			}
		}
	})
	t.Run("cp1252 with CRLF", func(t *testing.T) {
		data, err := os.ReadFile("testdata/text/visit-cp1252.txt")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := Default().Extract(ctx, Input{Name: "visit.txt", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Blocks) != 3 || !strings.Contains(doc.Blocks[1].Text, "“we waste an hour a day on rotas”") || doc.Blocks[2].Loc.Line != 5 {
			t.Errorf("blocks = %+v", doc.Blocks)
		}
		if len(doc.Warnings) == 0 {
			t.Error("no warning says the file was not UTF-8")
		}
	})
	t.Run("unknown front matter key kept as an attribute", func(t *testing.T) {
		doc, err := Default().Extract(ctx, Input{Name: "a.md", Data: []byte("---\nspeaker: Jane\n---\nJane: hello")})
		if err != nil {
			t.Fatal(err)
		}
		if doc.Meta.Attrs["speaker"] != "Jane" || len(doc.Warnings) != 0 || len(doc.Blocks) != 1 || doc.Blocks[0].Loc.Line != 4 {
			t.Errorf("meta %+v, warnings %q, blocks %+v", doc.Meta, doc.Warnings, doc.Blocks)
		}
	})
	t.Run("broken front matter kept as text", func(t *testing.T) {
		doc, err := Default().Extract(ctx, Input{Name: "a.md", Data: []byte("---\nspeakers: [Jane\n---\nJane: hello")})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Warnings) == 0 || !strings.Contains(doc.Warnings[0], "front matter") {
			t.Errorf("warnings = %q, want one about the front matter", doc.Warnings)
		}
		if last := doc.Blocks[len(doc.Blocks)-1]; last.Text != "Jane: hello" || last.Loc.Line != 4 {
			t.Errorf("last block = %+v", last)
		}
	})
	t.Run("invisible line does not shift locators", func(t *testing.T) {
		// A line holding only a zero-width space is blank to a reader.
		doc, err := Default().Extract(ctx, Input{Name: "a.txt", Data: []byte("\u200b\nJane: hello\n\u00ad\nBob: hi")})
		if err != nil {
			t.Fatal(err)
		}
		if len(doc.Blocks) != 2 || doc.Blocks[0].Loc.Line != 2 || doc.Blocks[1].Loc.Line != 4 {
			t.Errorf("blocks = %+v, want lines 2 and 4", doc.Blocks)
		}
	})
}
