// Package extract turns a file's bytes into blocks of text with locators.
// Each format is one file behind the Extractor interface; Detect picks the
// format from the content first and the file name second. Readers too big
// for one file live in internal packages (internal/pdf), with the file here
// only registering them.
//
// A new format adds itself with one file (its Extractor, and a line in
// Default naming its extensions and sniffer), its fixtures under
// testdata/<format>/, a fuzz target seeded with them, and one call to the
// conformance suite in package extracttest (a line in conformanceFixtures
// for the formats of Default). A format registered from outside with
// Registry.With runs the same suite: extracttest.Run(t, format, fixtures...).
package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/evident/evident"
)

// Input is one file to read.
type Input struct {
	Name string // file name; its extension is a hint, never trusted alone
	Data []byte
	Meta evident.Meta // what the user said about the file (a PDF password, say)
	// MaxBlocks is the most blocks (paragraphs, turns, cues, rows) a
	// document read whole may have; 0 sets no limit. A document with more
	// fails with an error wrapping ErrTooManyBlocks, and the plain text
	// reader stops as soon as it has read one too many. Streamed documents
	// (Doc.Stream) are not held, so not bound by it.
	MaxBlocks int
}

// ErrTooManyBlocks is wrapped by the error for a document with more blocks
// than Input.MaxBlocks.
var ErrTooManyBlocks = errors.New("too many paragraphs")

// Doc is what an extractor found in a file.
type Doc struct {
	Format string
	Title  string
	Author string
	Date   string
	URL    string
	Site   string
	Kind   evident.Kind // a guess from the format; the user's metadata wins
	Meta   evident.Meta // front matter or a participants table found inside the file
	Blocks []Block
	// Warnings are problems that did not stop extraction (replaced bytes, say).
	Warnings []string
	// Structured means the blocks are already passages (survey answers,
	// caption runs) and must not be searched for speaker turns.
	Structured bool
	// Stream, when not nil, yields the blocks in place of Blocks, which is
	// then empty: a survey of a million rows is read row by row, never
	// held whole. Each call reads the document again from the start; an
	// error from yield stops it and is returned.
	Stream func(ctx context.Context, yield func(Block) error) error
}

// Each calls fn with every block in reading order, from Blocks or Stream.
func (d *Doc) Each(ctx context.Context, fn func(Block) error) error {
	if d.Stream != nil {
		return d.Stream(ctx, fn)
	}
	for i := range d.Blocks {
		if err := fn(d.Blocks[i]); err != nil {
			return err
		}
	}
	return nil
}

// Validate reports the ways a Doc breaks the contract every extractor
// keeps when it returns no error: at least one block; every block valid
// UTF-8, not blank, and placed by a locator; metadata and warnings valid
// UTF-8. The extractor conformance suite (extract/extracttest) and the
// fuzz targets hold each extractor to it.
func (d *Doc) Validate() error {
	if d == nil {
		return errors.New("nil Doc and nil error")
	}
	var problems []error
	if len(d.Blocks) == 0 {
		problems = append(problems, errors.New("no blocks and no error"))
	}
	for _, f := range []struct{ name, s string }{{"Format", d.Format}, {"Title", d.Title}, {"Author", d.Author}, {"Date", d.Date}, {"URL", d.URL}, {"Site", d.Site}} {
		if !utf8.ValidString(f.s) {
			problems = append(problems, fmt.Errorf("%s is not valid UTF-8: %q", f.name, f.s))
		}
	}
	for _, w := range d.Warnings {
		if !utf8.ValidString(w) {
			problems = append(problems, fmt.Errorf("warning is not valid UTF-8: %q", w))
		}
	}
	for i, b := range d.Blocks {
		for _, s := range []string{b.Text, b.Speaker, b.Role, b.Context, b.Section} {
			if !utf8.ValidString(s) {
				problems = append(problems, fmt.Errorf("block %d holds invalid UTF-8: %q", i, s))
			}
		}
		if strings.TrimSpace(b.Text) == "" {
			problems = append(problems, fmt.Errorf("block %d is blank: %q", i, b.Text))
		}
		if l := b.Loc; l.Line <= 0 && l.Paragraph <= 0 && l.Page <= 0 && l.Time == "" && l.Row <= 0 {
			problems = append(problems, fmt.Errorf("block %d has no locator: %+v", i, b))
		}
	}
	return errors.Join(problems...)
}

// Block is a run of text in reading order: a paragraph, a cue, an answer.
// Text may hold several lines; the first line of a transcript paragraph is
// where its speaker label sits.
type Block struct {
	Text    string
	Loc     evident.Locator
	Speaker string // set when the format itself names the speaker
	Role    string // set when the format gives it (a survey role column)
	// RoleSource says where Role came from, in persona's terms ("survey column").
	RoleSource string
	Context    string            // the question an answer answers, the heading above a paragraph
	Attrs      map[string]string // respondent attributes
	Section    string            // "notes" for material outside the main text
}

// Extractor reads one format.
type Extractor interface {
	Extract(ctx context.Context, in Input) (*Doc, error)
}

// Format ties an extractor to the names and contents it reads.
type Format struct {
	Name string
	Exts []string // lower case, with the dot
	// Sniff reports whether the content is of this format; nil means the
	// format is recognised by extension only (plain text, CSV).
	Sniff func(head []byte) bool
	Extractor
}

// Registry is the ordered list of formats a worker can read. Content sniffers
// run in order, so put specific signatures before general ones.
type Registry []Format

// ErrUnsupported is wrapped by errors for files no extractor reads.
var ErrUnsupported = errors.New("unsupported format")

// Default returns every format Evident reads.
func Default() Registry {
	return Registry{
		{Name: "vtt", Exts: []string{".vtt"}, Sniff: sniffVTT, Extractor: Captions{}},
		{Name: "srt", Exts: []string{".srt"}, Sniff: sniffSRT, Extractor: Captions{}},
		{Name: "html", Exts: []string{".html", ".htm", ".xhtml"}, Sniff: SniffHTML, Extractor: HTML{}},
		{Name: "docx", Exts: []string{".docx", ".docm", ".dotx"}, Sniff: sniffDOCX, Extractor: DOCX{}},
		{Name: "xlsx", Exts: []string{".xlsx", ".xlsm"}, Sniff: sniffXLSX, Extractor: XLSX{}},
		{Name: "odt", Exts: []string{".odt", ".ott"}, Sniff: sniffODT, Extractor: ODT{}},
		{Name: "pdf", Exts: []string{".pdf"}, Sniff: sniffPDF, Extractor: PDF{}},
		{Name: "csv", Exts: []string{".csv", ".tsv"}, Extractor: CSV{}},
		{Name: "text", Exts: []string{".txt", ".text", ".md", ".markdown", ".log", ""}, Extractor: Text{}},
	}
}

// With returns a copy of the registry with f placed first, so that its
// sniffer and extensions win.
func (r Registry) With(f Format) Registry {
	return append(Registry{f}, r...)
}

// sniffLen is how much of a file content sniffers see.
const sniffLen = 4096

// Detect picks the format of a file: a content signature first, then the
// extension for formats without one. Content that is plainly something we
// do not read (an image, a legacy Office file) is refused with what it is.
func (r Registry) Detect(name string, data []byte) (Format, error) {
	head := data[:min(len(data), sniffLen)]
	for _, f := range r {
		if f.Sniff != nil && f.Sniff(head) {
			return f, nil
		}
	}
	if what := knownUnsupported(head); what != "" {
		return Format{}, fmt.Errorf("%w: the file is %s", ErrUnsupported, what)
	}
	ext := strings.ToLower(filepath.Ext(name))
	if what, ok := unsupportedExts[ext]; ok {
		return Format{}, fmt.Errorf("%w: the file is %s", ErrUnsupported, what)
	}
	for _, f := range r {
		if f.Sniff == nil && slices.Contains(f.Exts, ext) {
			return f, nil
		}
	}
	// A known extension whose content did not match its signature: say so
	// rather than reading a mislabelled binary as text.
	for _, f := range r {
		if f.Sniff != nil && slices.Contains(f.Exts, ext) {
			return Format{}, fmt.Errorf("%w: named %s but the content is not %s", ErrUnsupported, ext, f.Name)
		}
	}
	// Unknown extension: read it as text if it decodes as text.
	for _, f := range r {
		if f.Sniff == nil && slices.Contains(f.Exts, "") {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("%w: no reader for %q files", ErrUnsupported, ext)
}

// Extract detects the format and runs its extractor.
func (r Registry) Extract(ctx context.Context, in Input) (*Doc, error) {
	if len(in.Data) == 0 {
		return nil, errors.New("the file is empty")
	}
	if encryptedOffice(in.Data) {
		pkg, err := decryptOffice(in.Data, in.Meta.Password)
		if err != nil {
			return nil, err
		}
		in.Data = pkg
	}
	f, err := r.Detect(in.Name, in.Data)
	if err != nil {
		return nil, err
	}
	doc, err := f.Extract(ctx, in)
	if err != nil {
		return nil, err
	}
	if doc.Format == "" {
		doc.Format = f.Name
	}
	if in.MaxBlocks > 0 && len(doc.Blocks) > in.MaxBlocks {
		return nil, fmt.Errorf("%w: more than %d", ErrTooManyBlocks, in.MaxBlocks)
	}
	if len(doc.Blocks) == 0 && doc.Stream == nil {
		return nil, fmt.Errorf("no text found in the %s file", f.Name)
	}
	return doc, nil
}

var signatures = []struct {
	prefix []byte
	what   string
}{
	{[]byte("\x89PNG\r\n\x1a\n"), "a PNG image; OCR is not supported"},
	{[]byte("\xff\xd8\xff"), "a JPEG image; OCR is not supported"},
	{[]byte("GIF8"), "a GIF image; OCR is not supported"},
	{[]byte("II*\x00"), "a TIFF image; OCR is not supported"},
	{[]byte("MM\x00*"), "a TIFF image; OCR is not supported"},
	{[]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "a legacy Office file (.doc/.xls/.ppt) or a password-protected one; save it as .docx or .xlsx, without a password"},
	{[]byte("{\\rtf"), "RTF; save it as .docx or plain text"},
	{[]byte("\x1f\x8b"), "gzip-compressed; unpack it first"},
	{[]byte("7z\xbc\xaf\x27\x1c"), "a 7-Zip archive; unpack it first"},
	{[]byte("Rar!"), "a RAR archive; unpack it first"},
	{[]byte("ID3"), "an MP3 recording; transcribe it first"},
	{[]byte("OggS"), "an Ogg recording; transcribe it first"},
	{[]byte("fLaC"), "a FLAC recording; transcribe it first"},
	{[]byte("\x7fELF"), "an executable program"},
	{[]byte("MZ"), "a Windows executable"},
	{[]byte("SQLite format 3\x00"), "an SQLite database"},
}

// svgImage is why an SVG file is refused. Its text is markup and drawing
// instructions, and reading it as plain text would index tags and path
// data as if they were words; it may also carry scripts.
const svgImage = "an SVG image; images are not read (OCR is not supported)"

// unsupportedExts are refused by name even when their content has no
// signature to tell them by.
var unsupportedExts = map[string]string{
	".svg": svgImage,
}

func knownUnsupported(head []byte) string {
	if what := officeUnsupported(head); what != "" {
		return what
	}
	if sniffSVG(head) {
		return svgImage
	}
	for _, s := range signatures {
		if bytes.HasPrefix(head, s.prefix) {
			return s.what
		}
	}
	if len(head) > 12 && string(head[4:8]) == "ftyp" {
		return "an audio or video recording; transcribe it first"
	}
	if len(head) > 12 && string(head[0:4]) == "RIFF" {
		return "a RIFF media file (WAV/AVI/WebP); transcribe it first"
	}
	return ""
}
