package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/ledongthuc/pdf"
)

// PDF reads the text layer of a PDF with github.com/ledongthuc/pdf. Lines
// are rebuilt from glyph positions (pdfcontent.go, pdflayout.go); this
// file opens the file, walks its pages, drops running headers, footers and
// page numbers, and cuts each page into paragraphs whose locator is the
// page and the paragraph's number on it.
//
// The library panics on malformed files and cannot be interrupted, so
// every call into it runs under recover, every read of the file checks
// the context and a read budget, and pages, text and streams are capped.
type PDF struct {
	MaxPages int // pages read from one file; 0 means 5,000
	MaxText  int // bytes of text extracted from one file; 0 means 50 MB
}

const (
	defaultPDFPages  = 5000
	defaultPDFText   = 50 << 20
	maxPDFObjects    = 2_000_000 // cross-reference entries; the library allocates them up front
	maxPDFStream     = 32 << 20  // decompressed bytes of one content stream
	maxPDFPageGlyphs = 500_000
)

var (
	// ErrEncrypted is wrapped by errors for PDFs that need a password
	// (or use an encryption this reader lacks).
	ErrEncrypted = errors.New("encrypted PDF")
	// ErrNoTextLayer is returned for a PDF whose pages carry no text, such
	// as a scan.
	ErrNoTextLayer = errors.New("no text layer (scanned?); OCR is not supported")
	// ErrDamagedPDF is wrapped by errors for files that cannot be parsed.
	ErrDamagedPDF = errors.New("the PDF is damaged or truncated")

	errPDFReadBudget = errors.New("reading it took far more work than its size warrants, so its structure probably loops")
)

// sniffPDF recognises a PDF header in the first KiB, where readers
// accept it (some files carry a few bytes of junk before it).
func sniffPDF(head []byte) bool {
	head = head[:min(len(head), 1024)]
	return pdfHeader(head) >= 0
}

func pdfHeader(data []byte) int {
	data = data[:min(len(data), 1024)]
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("%PDF-"))
		if i < 0 {
			return -1
		}
		i += off
		if i+5 < len(data) && data[i+5] >= '0' && data[i+5] <= '9' {
			return i
		}
		off = i + 5
	}
}

func (p PDF) limits() (pages, text int) {
	pages, text = p.MaxPages, p.MaxText
	if pages <= 0 {
		pages = defaultPDFPages
	}
	if text <= 0 {
		text = defaultPDFText
	}
	return pages, text
}

// Extract implements Extractor.
func (p PDF) Extract(ctx context.Context, in Input) (doc *Doc, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, pdfPanic(r)
		}
	}()
	maxPages, maxText := p.limits()
	r, err := pdfOpen(ctx, in)
	if err != nil {
		return nil, err
	}
	pages, err := pdfPageList(r, maxPages)
	if err != nil {
		return nil, err
	}
	doc = &Doc{Format: "pdf", Kind: evident.Report}
	doc.Title, doc.Author, doc.Date = pdfInfo(r)

	cr := &pdfContent{
		ctx:    ctx,
		limits: pdfLimits{streamBytes: maxPDFStream, pageGlyphs: maxPDFPageGlyphs},
		fonts:  map[string]*pdfFont{},
	}
	text := make([][]pdfLine, len(pages))
	size, hasText, unreadable := 0, false, 0
	mapped, unmapped := 0, 0 // glyphs read as characters, and not
	var firstFault error
	for i, pv := range pages {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading page %d: %w", i+1, err)
		}
		gs, partial, err := cr.page(pv)
		if err != nil {
			if errors.Is(err, errPDFPageTooBig) {
				return nil, fmt.Errorf("%w: page %d: %v", ErrDamagedPDF, i+1, err)
			}
			return nil, pdfStop(err, i+1)
		}
		if partial != nil {
			unreadable++
			firstFault = pdfFirstErr(firstFault, partial)
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d could not be read completely (%v)", i+1, pdfMessage(partial.Error())))
		}
		// A glyph of a font with no map to characters decodes as the
		// replacement character: count it, and leave it out.
		kept := gs[:0]
		for _, g := range gs {
			if g.s == "\uFFFD" {
				unmapped++
				continue
			}
			if !g.space {
				mapped++
			}
			kept = append(kept, g)
		}
		gs = kept
		for _, g := range gs {
			size += len(g.s)
			hasText = hasText || pdfHasText(g.s)
		}
		if size > maxText {
			return nil, fmt.Errorf("the PDF holds more than %d MB of text, more than Evident reads from one file; split it into smaller files", maxText>>20)
		}
		text[i] = pdfStripLineNumbers(pdfLayoutPage(gs))
	}
	if !hasText && unmapped > 0 {
		return nil, fmt.Errorf("nothing readable: the PDF's text is drawn in fonts that do not say which characters their %d glyphs are (composite fonts without a ToUnicode map); OCR is not supported", unmapped)
	}
	if unmapped*5 > mapped+unmapped {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("%d%% of the characters (%d of %d) are drawn in fonts that do not say which characters they are (composite fonts without a ToUnicode map): they are left out, and search will not find them",
			(unmapped*100+(mapped+unmapped)/2)/(mapped+unmapped), unmapped, mapped+unmapped))
	}
	if !hasText {
		if unreadable > 0 {
			return nil, fmt.Errorf("%w: no page could be read (%v)", ErrDamagedPDF, pdfMessage(firstFault.Error()))
		}
		return nil, ErrNoTextLayer
	}
	pdfDropRunning(text)
	doc.Blocks = pdfBlocks(text)
	if len(doc.Blocks) == 0 {
		return nil, errors.New("the PDF holds no paragraphs of text, only page numbers or symbols")
	}
	return doc, nil
}

func pdfFirstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// pdfPanic turns a panic that escaped the library into an error.
func pdfPanic(r any) error {
	if e, ok := r.(error); ok {
		var stop pdfAbort
		if errors.As(e, &stop) {
			return pdfStop(stop.err, 0)
		}
	}
	return fmt.Errorf("%w: %s", ErrDamagedPDF, pdfMessage(fmt.Sprint(r)))
}

// pdfStop words an error that stopped extraction early.
func pdfStop(err error, page int) error {
	switch {
	case errors.Is(err, errPDFReadBudget):
		return fmt.Errorf("%w: %v", ErrDamagedPDF, err)
	case errors.Is(err, errPDFPageTooBig):
		return fmt.Errorf("%w: %v", ErrDamagedPDF, err)
	case page > 0:
		return fmt.Errorf("reading page %d: %w", page, err)
	}
	return err
}

// pdfMessage keeps the first line of a library message, without its
// technical prefix.
func pdfMessage(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimPrefix(s, "malformed PDF: ")
	s = strings.TrimPrefix(s, "malformed PDF file: ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// pdfGuard serves the file to the library. Every read checks the
// context and a budget of bytes, so a looping parse stops. Real files
// read 0.3 to 8 times their size (the library re-reads objects it has
// seen); the budget allows 64 times, plus 32 MB.
type pdfGuard struct {
	ctx    context.Context
	data   []byte
	head   []byte // replaces the first bytes: a header the library accepts
	budget int64
}

func (g *pdfGuard) ReadAt(p []byte, off int64) (int, error) {
	if err := g.ctx.Err(); err != nil {
		panic(pdfAbort{err})
	}
	if g.budget -= int64(len(p)); g.budget < 0 {
		panic(pdfAbort{errPDFReadBudget})
	}
	if off < 0 || off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	n := copy(p, g.data[off:])
	if off < int64(len(g.head)) {
		copy(p, g.head[off:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// pdfOpen checks the framing the library insists on, guards its memory
// against forged cross-reference sizes, and opens the file, decrypting it
// with the user's password when one was given.
func pdfOpen(ctx context.Context, in Input) (*pdf.Reader, error) {
	data := in.Data
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty (0 bytes)", ErrDamagedPDF)
	}
	start := pdfHeader(data)
	if start < 0 {
		return nil, fmt.Errorf("%w: it does not start with a PDF header", ErrDamagedPDF)
	}
	data = data[start:]
	end := bytes.LastIndex(data, []byte("%%EOF"))
	if end < 0 {
		return nil, fmt.Errorf("%w: its end (the %%%%EOF marker) is missing, so the file was probably cut short", ErrDamagedPDF)
	}
	data = data[:end+5] // junk after the end marker hides it from the library
	if err := pdfCheckXref(data); err != nil {
		return nil, err
	}
	g := &pdfGuard{ctx: ctx, data: data, budget: 32<<20 + 64*int64(len(data))}
	// The library accepts only "%PDF-1.0" to "%PDF-1.7" followed by a line
	// end; PDF 2.0 and headers followed by a comment are just as readable.
	if len(data) < 9 || data[7] < '0' || data[7] > '7' || !bytes.HasPrefix(data, []byte("%PDF-1.")) || data[8] != '\r' && data[8] != '\n' {
		g.head = []byte("%PDF-1.7\n")
	}
	tried := false
	r, err := pdf.NewReaderEncrypted(g, int64(len(data)), func() string {
		if tried {
			return ""
		}
		tried = true
		return in.Meta.Password
	})
	if err == nil {
		return r, nil
	}
	var stop pdfAbort
	if errors.As(err, &stop) {
		return nil, pdfStop(stop.err, 0)
	}
	return nil, pdfOpenError(err, in)
}

// pdfOpenError explains why the library refused a file.
func pdfOpenError(err error, in Input) error {
	msg := err.Error()
	sidecar := filepath.Base(in.Name) + ".meta.yaml"
	if in.Name == "" {
		sidecar = "NAME.meta.yaml"
	}
	switch {
	case errors.Is(err, pdf.ErrInvalidPassword) && in.Meta.Password == "":
		return fmt.Errorf("%w: give its password as `password:` in a sidecar file (%s)", ErrEncrypted, sidecar)
	case errors.Is(err, pdf.ErrInvalidPassword):
		return fmt.Errorf("%w: the password given in its sidecar file (%s) is wrong; give the right one as `password:`", ErrEncrypted, sidecar)
	case strings.Contains(msg, "V=5") || strings.Contains(msg, "R=5") || strings.Contains(msg, "R=6") || strings.Contains(msg, "256-bit"):
		return fmt.Errorf("%w: it uses AES-256 encryption, which Evident cannot open; save a copy without a password and add that instead", ErrEncrypted)
	case strings.Contains(msg, "encryption"):
		return fmt.Errorf("%w: it uses an encryption Evident cannot open (%s); save a copy without a password and add that instead", ErrEncrypted, pdfMessage(msg))
	case strings.Contains(msg, "startxref"):
		return fmt.Errorf("%w: its cross-reference table is missing (no startxref)", ErrDamagedPDF)
	case strings.Contains(msg, "xref") || strings.Contains(msg, "cross-reference"):
		return fmt.Errorf("%w: its cross-reference table, the index of its contents, is broken (%s)", ErrDamagedPDF, pdfMessage(msg))
	}
	return fmt.Errorf("%w: %s", ErrDamagedPDF, pdfMessage(msg))
}

// pdfCheckXref refuses the cross-reference sizes the library would
// allocate memory for before reading any entry: a forged /Size, /W or
// subsection start in a file of a few bytes would take gigabytes.
func pdfCheckXref(data []byte) error {
	tooBig := func(what string, n int64) error {
		return fmt.Errorf("%w: its cross-reference %s (%d) is impossibly large", ErrDamagedPDF, what, n)
	}
	// Cross-reference streams: the dictionary of each /Type /XRef object.
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("/XRef"))
		if i < 0 {
			break
		}
		i += off
		off = i + 5
		lo := max(0, i-4096)
		if j := bytes.LastIndex(data[lo:i], []byte("obj")); j >= 0 {
			lo += j
		}
		hi := min(len(data), i+4096)
		if j := bytes.Index(data[i:hi], []byte("stream")); j >= 0 {
			hi = i + j
		}
		dict := data[lo:hi]
		if n := pdfInts(pdfAfterKey(dict, "/Size"), 1); len(n) == 1 && n[0] > maxPDFObjects {
			return tooBig("size", n[0])
		}
		for _, w := range pdfInts(pdfAfterKey(dict, "/W"), 3) {
			if w > 8 {
				return tooBig("field width", w)
			}
		}
		idx := pdfInts(pdfAfterKey(dict, "/Index"), 64)
		for k := 0; k+1 < len(idx); k += 2 {
			if idx[k]+idx[k+1] > maxPDFObjects {
				return tooBig("index", idx[k]+idx[k+1])
			}
		}
	}
	if err := pdfCheckPrevChain(data); err != nil {
		return err
	}
	// Cross-reference tables: "xref" then "start count" subsection headers.
	for off := 0; ; {
		i := bytes.Index(data[off:], []byte("xref"))
		if i < 0 {
			break
		}
		i += off
		off = i + 4
		if i >= 5 && string(data[i-5:i]) == "start" {
			continue
		}
		rest := data[i+4:]
		for range 1000 {
			n := pdfInts(rest, 2)
			if len(n) < 2 {
				break
			}
			if n[0]+n[1] > maxPDFObjects || n[1] < 0 {
				return tooBig("subsection", n[0]+n[1])
			}
			// Skip the header and its entries: three fields each.
			rest = pdfSkipFields(rest, 2+3*int(n[1]))
		}
	}
	return nil
}

// pdfCheckPrevChain follows the /Prev links from the last cross-reference
// section: the library follows them without remembering where it has
// been, so a link back to an earlier section would loop for ever.
func pdfCheckPrevChain(data []byte) error {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return nil
	}
	n := pdfInts(data[i+9:], 1)
	seen := map[int64]bool{}
	for len(n) == 1 && n[0] > 0 && n[0] < int64(len(data)) {
		off := n[0]
		if seen[off] || len(seen) > 10000 {
			return fmt.Errorf("%w: its cross-reference sections point back to each other", ErrDamagedPDF)
		}
		seen[off] = true
		seg := data[off:min(int64(len(data)), off+8<<20)]
		var dict []byte
		if bytes.HasPrefix(bytes.TrimLeft(seg, " \t\r\n"), []byte("xref")) {
			t := bytes.Index(seg, []byte("trailer"))
			if t < 0 {
				return nil
			}
			dict = seg[t:min(len(seg), t+4096)]
			if e := bytes.Index(dict, []byte("startxref")); e >= 0 {
				dict = dict[:e]
			}
		} else {
			e := bytes.Index(seg[:min(len(seg), 4096)], []byte("stream"))
			if e < 0 {
				return nil
			}
			dict = seg[:e]
		}
		n = pdfInts(pdfAfterKey(dict, "/Prev"), 1)
	}
	return nil
}

// pdfAfterKey returns what follows the first occurrence of a name key that is
// not the prefix of a longer name.
func pdfAfterKey(b []byte, key string) []byte {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(key))
		if i < 0 {
			return nil
		}
		i += off + len(key)
		if i >= len(b) || !isPDFRegular(b[i]) {
			return b[i:]
		}
		off = i
	}
}

func isPDFRegular(c byte) bool {
	return c > ' ' && !strings.ContainsRune("()<>[]{}/%", rune(c))
}

// pdfInts reads up to n integers, skipping white space and brackets; it
// stops at anything else.
func pdfInts(b []byte, n int) []int64 {
	var out []int64
	for len(out) < n {
		for len(b) > 0 && (b[0] <= ' ' || b[0] == '[') {
			b = b[1:]
		}
		j := 0
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == 0 || j > 15 || j < len(b) && isPDFRegular(b[j]) && b[j] != ']' {
			if j > 15 {
				out = append(out, 1<<50) // more digits than any real count
			}
			return out
		}
		v, _ := strconv.ParseInt(string(b[:j]), 10, 64)
		out = append(out, v)
		b = b[j:]
	}
	return out
}

func pdfSkipFields(b []byte, n int) []byte {
	for range n {
		for len(b) > 0 && b[0] <= ' ' {
			b = b[1:]
		}
		for len(b) > 0 && b[0] > ' ' {
			b = b[1:]
		}
	}
	return b
}

// pdfPageList walks the page tree once (the library's Page(i) walks it from
// the root for every page), refusing loops and files over the page cap.
func pdfPageList(r *pdf.Reader, maxPages int) ([]pdf.Value, error) {
	tooMany := func(n int64) error {
		return fmt.Errorf("the PDF has %d pages, more than the %d Evident reads from one file; split it into smaller files", n, maxPages)
	}
	root := r.Trailer().Key("Root").Key("Pages")
	if root.IsNull() {
		return nil, fmt.Errorf("%w: it has no pages (the page tree is missing)", ErrDamagedPDF)
	}
	if n := root.Key("Count").Int64(); n > int64(maxPages) {
		return nil, tooMany(n)
	}
	type node struct {
		v     pdf.Value
		depth int
	}
	var pages []pdf.Value
	stack := []node{{root, 0}}
	budget := 4*maxPages + 1000
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if budget--; budget < 0 {
			return nil, fmt.Errorf("%w: its page tree loops", ErrDamagedPDF)
		}
		kids := n.v.Key("Kids")
		if n.v.Key("Type").Name() == "Page" || kids.Kind() != pdf.Array {
			if n.v.Kind() == pdf.Dict {
				pages = append(pages, n.v)
			}
			if len(pages) > maxPages {
				return nil, tooMany(int64(len(pages)))
			}
			continue
		}
		if n.depth >= 64 || kids.Len() > budget {
			return nil, fmt.Errorf("%w: its page tree loops", ErrDamagedPDF)
		}
		for i := kids.Len() - 1; i >= 0; i-- {
			stack = append(stack, node{kids.Index(i), n.depth + 1})
		}
	}
	return pages, nil
}

// pdfInfo reads title, author and date from the document information
// dictionary. A broken dictionary costs the metadata, not the file.
func pdfInfo(r *pdf.Reader) (title, author, date string) {
	defer func() {
		if x := recover(); x != nil {
			if e, ok := x.(error); ok && errors.As(e, new(pdfAbort)) {
				panic(x)
			}
			title, author, date = "", "", ""
		}
	}()
	info := r.Trailer().Key("Info")
	if info.Kind() != pdf.Dict {
		return "", "", ""
	}
	return pdfTitle(info.Key("Title").Text()), pdfMetaText(info.Key("Author").Text()), pdfDate(info.Key("CreationDate").Text())
}

func pdfMetaText(s string) string {
	s = strings.TrimSpace(cleanSpaces(strings.ToValidUTF8(s, "")))
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		return ""
	}
	return s
}

var (
	pdfProducerPrefix = regexp.MustCompile(`^Microsoft (Word|PowerPoint|Excel) - `)
	pdfFileSuffix     = regexp.MustCompile(`(?i)\.(docx?|xlsx?|pptx?|pdf|odt|rtf|txt|indd|pages|key|exe)$`)
)

// pdfTitle keeps a title that names the document: office tools write the
// source file's name there ("Microsoft Word - report_v3.doc"), which is
// reduced to its words or dropped.
func pdfTitle(s string) string {
	s = pdfMetaText(s)
	s = pdfProducerPrefix.ReplaceAllString(s, "")
	s = pdfFileSuffix.ReplaceAllString(s, "")
	return pdfMetaText(s)
}

// pdfDate turns "D:20080501120000Z" into "2008-05-01", keeping only what
// the date states.
func pdfDate(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	n := 0
	for n < len(s) && n < 8 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < 4 {
		return ""
	}
	year, _ := strconv.Atoi(s[:4])
	if year < 1900 || year > 2200 {
		return ""
	}
	out := s[:4]
	if n >= 6 {
		if m, _ := strconv.Atoi(s[4:6]); m >= 1 && m <= 12 {
			out += "-" + s[4:6]
			if n >= 8 {
				if d, _ := strconv.Atoi(s[6:8]); d >= 1 && d <= 31 {
					out += "-" + s[6:8]
				}
			}
		}
	}
	return out
}

var pdfLineNumber = regexp.MustCompile(`^(\d{1,3})(?:\s+|$)`)

// pdfStripLineNumbers removes the numbers court and deposition transcripts
// print before every line (1 to 25 on each page), so that each line starts
// with its words, speaker labels included. It acts only when most lines
// start with a number and the numbers count up one by one.
func pdfStripLineNumbers(lines []pdfLine) []pdfLine {
	var nums []int
	for _, l := range lines {
		if m := pdfLineNumber.FindStringSubmatch(l.text); m != nil {
			n, _ := strconv.Atoi(m[1])
			nums = append(nums, n)
		}
	}
	if len(nums) < 8 || 10*len(nums) < 6*len(lines) {
		return lines
	}
	step := 0
	for i := 1; i < len(nums); i++ {
		if nums[i] == nums[i-1]+1 {
			step++
		}
	}
	if 10*step < 8*(len(nums)-1) {
		return lines
	}
	out := lines[:0]
	for _, l := range lines {
		if m := pdfLineNumber.FindStringIndex(l.text); m != nil {
			l.text = l.text[m[1]:]
		}
		if strings.TrimSpace(l.text) != "" {
			out = append(out, l)
		}
	}
	return out
}

var pdfPageNumber = regexp.MustCompile(`^(page |p\. ?|- ?|– ?|— ?)?#( ?(of|/) ?#)?( ?-| ?–| ?—)?$`)

// pdfDropRunning removes running headers, footers and page numbers: lines
// among the two top and two bottom lines of a page whose text, digits
// aside, recurs there on at least half of the pages.
func pdfDropRunning(pages [][]pdfLine) {
	withText := 0
	for _, lines := range pages {
		if len(lines) > 0 {
			withText++
		}
	}
	if withText < 2 {
		return
	}
	edges := make([][]int, len(pages))
	counts := map[string]int{}
	for p, lines := range pages {
		edges[p] = pdfEdgeLines(lines)
		seen := map[string]bool{}
		for _, i := range edges[p] {
			if k := pdfRunningKey(lines[i].text); k != "" && !seen[k] {
				seen[k] = true
				counts[k]++
			}
		}
	}
	need := max(2, (withText+1)/2)
	for p, lines := range pages {
		drop := map[int]bool{}
		for _, i := range edges[p] {
			k := pdfRunningKey(lines[i].text)
			if counts[k] >= need || pdfPageNumber.MatchString(k) && counts[k] >= 2 {
				drop[i] = true
			}
		}
		// A page holding nothing else is content that repeats, not a frame
		// around content.
		if len(drop) == 0 || len(drop) == len(lines) {
			continue
		}
		kept := lines[:0]
		for i, l := range lines {
			if !drop[i] {
				kept = append(kept, l)
			}
		}
		pages[p] = kept
	}
}

// pdfEdgeLines returns the lines on the two highest and the two lowest
// baselines of a page's main writing direction.
func pdfEdgeLines(lines []pdfLine) []int {
	if len(lines) == 0 {
		return nil
	}
	dir := lines[0].dir
	var ys []float64
	for _, l := range lines {
		if l.dir == dir {
			ys = append(ys, l.y)
		}
	}
	slices.Sort(ys)
	ys = slices.CompactFunc(ys, func(a, b float64) bool { return math.Abs(a-b) < 1 })
	lowCut, highCut := ys[min(1, len(ys)-1)], ys[max(0, len(ys)-2)]
	var out []int
	for i, l := range lines {
		if l.dir == dir && (l.y <= lowCut+0.5 || l.y >= highCut-0.5) {
			out = append(out, i)
		}
	}
	return out
}

var pdfRoman = regexp.MustCompile(`^[ivxlc]+$`)

func pdfRunningKey(s string) string {
	var b strings.Builder
	digits := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsDigit(r):
			if !digits {
				b.WriteByte('#')
			}
			digits = true
			continue
		case unicode.IsSpace(r):
			r = ' '
		}
		digits = false
		b.WriteRune(r)
	}
	k := strings.Join(strings.Fields(b.String()), " ")
	if pdfRoman.MatchString(k) {
		return "#"
	}
	return k
}

// pdfBlocks cuts each page's lines into paragraphs and writes them as
// blocks.
func pdfBlocks(pages [][]pdfLine) []Block {
	compounds := map[string]bool{}
	var sizes []float64
	for _, lines := range pages {
		for _, l := range lines {
			for _, w := range pdfCompound.FindAllString(l.text, -1) {
				parts := strings.Split(strings.ToLower(w), "-")
				for i := 1; i < len(parts); i++ {
					compounds[parts[i-1]+"-"+parts[i]] = true
				}
			}
			for range min(20, utf8.RuneCountInString(l.text)/8+1) {
				sizes = append(sizes, l.size)
			}
		}
	}
	body := pdfMedian(sizes)
	var blocks []Block
	for p, lines := range pages {
		para := 0
		for _, ls := range pdfParagraphs(lines) {
			text := make([]string, len(ls))
			for i, l := range ls {
				text[i] = normalizePDFLine(l.text)
			}
			s := cleanSpaces(pdfJoinLines(text, compounds))
			s = strings.TrimSpace(strings.ReplaceAll(s, " \n", "\n"))
			if !strings.ContainsFunc(s, unicode.IsLetter) {
				continue
			}
			b := Block{Text: s, Loc: evident.Locator{Page: p + 1}}
			if pdfHeading(ls, s, body) {
				b.Section = SectionHeading
			} else {
				para++
				b.Loc.Paragraph = para
			}
			blocks = append(blocks, b)
		}
	}
	return blocks
}

var pdfCompound = regexp.MustCompile(`\pL+(?:-\pL+)+`)

// pdfHeading: one or two short lines set clearly larger than the body text.
func pdfHeading(ls []pdfLine, s string, body float64) bool {
	if len(ls) > 2 || body <= 0 || len(strings.Fields(s)) > 15 || strings.ContainsAny(s[len(s)-1:], ".,;:") {
		return false
	}
	for _, l := range ls {
		if l.size < 1.2*body {
			return false
		}
	}
	return true
}

// pdfParagraphs splits a page's lines where the vertical gap exceeds the
// usual line spacing, the type size changes, a column or band ends, a
// bullet starts or a first line is indented.
func pdfParagraphs(lines []pdfLine) [][]pdfLine {
	spacing := map[int]float64{}
	left := map[int]float64{}
	deltas := map[int][]float64{}
	for i, l := range lines {
		if x, ok := left[l.region]; !ok || l.x0 < x {
			left[l.region] = l.x0
		}
		if i > 0 && lines[i-1].region == l.region {
			if d := lines[i-1].y - l.y; d > 0.5*l.size && d < 3*l.size {
				deltas[l.region] = append(deltas[l.region], d)
			}
		}
	}
	for r, ds := range deltas {
		spacing[r] = pdfMedian(ds)
	}
	var out [][]pdfLine
	for i, l := range lines {
		if i == 0 || pdfNewParagraph(out[len(out)-1], l, spacing[l.region], left[l.region]) {
			out = append(out, []pdfLine{l})
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	return out
}

func pdfNewParagraph(cur []pdfLine, l pdfLine, spacing, left float64) bool {
	prev := cur[len(cur)-1]
	if l.region != prev.region {
		// A sentence running on from the foot of one column to the head of
		// the next is one paragraph.
		return l.dir != prev.dir || !pdfRunsOn(prev.text, l.text)
	}
	if spacing == 0 {
		spacing = 1.25 * l.size
	}
	gap := prev.y - l.y
	if gap < 0.3*min(l.size, prev.size) || gap > 1.12*spacing+0.3 {
		return true
	}
	if max(l.size, prev.size) > 1.15*min(l.size, prev.size) {
		return true
	}
	if pdfBullet(l.text) {
		return true
	}
	// An indented first line after a line at the margin, unless that line
	// is a bullet whose text hangs indented below it.
	indent := l.x0 - left
	hanging := len(cur) == 1 && pdfBullet(prev.text)
	return !hanging && indent > 0.8*l.size && indent < 6*l.size && prev.x0-left < 0.3*l.size
}

func pdfBullet(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("•●▪◦‣∙■□➢➤", r)
}

// pdfRunsOn reports whether a line's sentence continues on the next: it
// does not end in closing punctuation and the next starts in lower case.
func pdfRunsOn(line, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(line, " "))
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLower(first) && !strings.ContainsRune(".!?:;\"”’)]", last)
}

// normalizePDFLine undoes typesetting: ligature glyphs, typographic
// hyphens, bullet glyphs from symbol fonts.
func normalizePDFLine(s string) string {
	s = pdfLigatures.Replace(s)
	if pdfBullet(s) {
		_, n := utf8.DecodeRuneInString(s)
		s = "• " + strings.TrimSpace(s[n:])
	}
	return s
}

var pdfLigatures = strings.NewReplacer(
	"\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl", "\uFB03", "ffi", "\uFB04", "ffl",
	"\uFB05", "st", "\uFB06", "st", "\u2011", "-",
)

// pdfJoinLines joins lines that end in a word broken across the line.
// A soft hyphen is always a break. A hyphen before a lower-case letter is
// a break ("experi-ence" → "experience") unless the document writes the
// same compound with a hyphen elsewhere ("well-known"); before a capital
// or a digit it belongs to the word ("Jean-Pierre", "COVID-19").
func pdfJoinLines(lines []string, compounds map[string]bool) string {
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if n := len(out); n > 0 && l != "" {
			if joined, ok := pdfJoinBroken(out[n-1], l, compounds); ok {
				out[n-1] = joined
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func pdfJoinBroken(line, next string, compounds map[string]bool) (string, bool) {
	line = strings.TrimRight(line, " ")
	last, n := utf8.DecodeLastRuneInString(line)
	before := line[:len(line)-n]
	b, _ := utf8.DecodeLastRuneInString(before)
	first, _ := utf8.DecodeRuneInString(next)
	switch {
	case last == '\u00AD':
		return before + next, true
	case last != '-' && last != '\u2010' || !unicode.IsLetter(b):
		return "", false
	case unicode.IsLower(first):
		w1 := before[strings.LastIndexFunc(before, func(r rune) bool { return !unicode.IsLetter(r) })+1:]
		w2 := next
		if i := strings.IndexFunc(next, func(r rune) bool { return !unicode.IsLetter(r) }); i >= 0 {
			w2 = next[:i]
		}
		if compounds[strings.ToLower(w1+"-"+w2)] {
			return before + "-" + next, true
		}
		return before + next, true
	case unicode.IsUpper(first) || unicode.IsDigit(first):
		return before + "-" + next, true
	}
	return "", false
}

func pdfHasText(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}
