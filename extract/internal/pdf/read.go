// Package pdf reads the text layer of a PDF with github.com/ledongthuc/pdf
// into paragraphs with page numbers: read.go opens the file under guards,
// walks the pages and cuts them into paragraphs; content.go turns a page's
// content stream into positioned glyphs through the fonts (cmap.go,
// glyphnames.go); layout.go builds lines and columns from the glyphs.
// Package extract registers it as its PDF format.
package pdf

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

	"github.com/evident/evident/extract/internal/tidy"
	pdflib "github.com/ledongthuc/pdf"
)

// Options bound what Read does with one file.
type Options struct {
	MaxPages int    // pages read from one file; 0 means 5,000
	MaxText  int    // bytes of text extracted from one file; 0 means 50 MB
	Password string // the user's password for an encrypted file
	Name     string // the file's name, for messages that tell the user what to do
}

// Doc is the text of a PDF: its metadata and its paragraphs in reading
// order.
type Doc struct {
	Title, Author, Date string
	Paragraphs          []Paragraph
	Warnings            []string // problems that did not stop extraction
}

// Paragraph is a run of text on one page. Number counts the paragraphs of
// its page's text from 1; a heading has none, and neither has a form
// field's value or a comment, which come after the page's text with their
// field name or "comment" as Context (forms.go).
type Paragraph struct {
	Text    string
	Page    int
	Number  int
	Heading bool
	Context string
}

const (
	defaultPages  = 5000
	defaultText   = 50 << 20
	maxObjects    = 2_000_000 // cross-reference entries; the library allocates them up front
	maxStream     = 32 << 20  // decompressed bytes of one content stream
	maxPageGlyphs = 500_000
)

var (
	// ErrEncrypted is wrapped by errors for PDFs that need a password
	// (or use an encryption this reader lacks).
	ErrEncrypted = errors.New("encrypted PDF")
	// ErrNoTextLayer is returned for a PDF whose pages carry no text, such
	// as a scan.
	ErrNoTextLayer = errors.New("no text layer (scanned?); OCR is not supported")
	// ErrDamaged is wrapped by errors for files that cannot be parsed.
	ErrDamaged = errors.New("the PDF is damaged or truncated")

	errReadBudget = errors.New("reading it took far more work than its size warrants, so its structure probably loops")
)

// Sniff recognises a PDF header in the first KiB, where readers accept it
// (some files carry a few bytes of junk before it).
func Sniff(head []byte) bool {
	return header(head) >= 0
}

func header(data []byte) int {
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

func (o Options) limits() (pages, text int) {
	pages, text = o.MaxPages, o.MaxText
	if pages <= 0 {
		pages = defaultPages
	}
	if text <= 0 {
		text = defaultText
	}
	return pages, text
}

// Read reads the text layer of a PDF with github.com/ledongthuc/pdf. Lines
// are rebuilt from glyph positions (content.go, layout.go); this file
// opens the file, walks its pages, drops running headers, footers and page
// numbers, and cuts each page into paragraphs.
//
// The library panics on malformed files and cannot be interrupted, so
// every call into it runs under recover, every read of the file checks
// the context and a read budget, and pages, text and streams are capped.
func Read(ctx context.Context, data []byte, opt Options) (doc *Doc, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, panicError(r)
		}
	}()
	maxPages, maxText := opt.limits()
	r, err := open(ctx, data, opt)
	if err != nil {
		return nil, err
	}
	pages, err := pageList(r, maxPages)
	if err != nil {
		return nil, err
	}
	doc = &Doc{}
	doc.Title, doc.Author, doc.Date = readInfo(r)

	cr := &contentReader{
		ctx:    ctx,
		limits: caps{streamBytes: maxStream, pageGlyphs: maxPageGlyphs},
		fonts:  map[string]*parsedFont{},
	}
	text := make([][]layoutLine, len(pages))
	extras := make([][]Paragraph, len(pages)) // form values and comments
	seenFields := map[string]bool{}
	size, hasText, unreadable := 0, false, 0
	mapped, unmapped := 0, 0 // glyphs read as characters, and not
	var firstFault error
	for i, pv := range pages {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("reading page %d: %w", i+1, err)
		}
		gs, partial, err := cr.page(pv)
		if err != nil {
			if errors.Is(err, errPageTooBig) {
				return nil, fmt.Errorf("%w: page %d: %v", ErrDamaged, i+1, err)
			}
			return nil, stopError(err, i+1)
		}
		if partial != nil {
			unreadable++
			firstFault = firstErr(firstFault, partial)
			doc.Warnings = append(doc.Warnings, fmt.Sprintf("page %d could not be read completely (%v)", i+1, message(partial.Error())))
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
			hasText = hasText || hasWords(g.s)
		}
		extras[i] = annotations(pv, i+1, seenFields)
		for _, e := range extras[i] {
			size += len(e.Text)
			hasText = true
		}
		if size > maxText {
			return nil, fmt.Errorf("the PDF holds more than %d MB of text, more than Evident reads from one file; split it into smaller files", maxText>>20)
		}
		text[i] = stripLineNumbers(layoutPage(gs))
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
			return nil, fmt.Errorf("%w: no page could be read (%v)", ErrDamaged, message(firstFault.Error()))
		}
		return nil, ErrNoTextLayer
	}
	dropRunning(text)
	doc.Paragraphs = pageParagraphs(text, extras)
	if len(doc.Paragraphs) == 0 {
		return nil, errors.New("the PDF holds no paragraphs of text, only page numbers or symbols")
	}
	return doc, nil
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// panicError turns a panic that escaped the library into an error.
func panicError(r any) error {
	if e, ok := r.(error); ok {
		var stop abort
		if errors.As(e, &stop) {
			return stopError(stop.err, 0)
		}
	}
	return fmt.Errorf("%w: %s", ErrDamaged, message(fmt.Sprint(r)))
}

// stopError words an error that stopped extraction early.
func stopError(err error, page int) error {
	switch {
	case errors.Is(err, errReadBudget):
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	case errors.Is(err, errPageTooBig):
		return fmt.Errorf("%w: %v", ErrDamaged, err)
	case page > 0:
		return fmt.Errorf("reading page %d: %w", page, err)
	}
	return err
}

// message keeps the first line of a library message, without its
// technical prefix.
func message(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	s = strings.TrimPrefix(s, "malformed PDF: ")
	s = strings.TrimPrefix(s, "malformed PDF file: ")
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

// guard serves the file to the library. Every read checks the
// context and a budget of bytes, so a looping parse stops. Real files
// read 0.3 to 8 times their size (the library re-reads objects it has
// seen); the budget allows 64 times, plus 32 MB.
type guard struct {
	ctx    context.Context
	data   []byte
	head   []byte // replaces the first bytes: a header the library accepts
	budget int64
}

func (g *guard) ReadAt(p []byte, off int64) (int, error) {
	if err := g.ctx.Err(); err != nil {
		panic(abort{err})
	}
	if g.budget -= int64(len(p)); g.budget < 0 {
		panic(abort{errReadBudget})
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

// open checks the framing the library insists on, guards its memory
// against forged cross-reference sizes, and opens the file, decrypting it
// with the user's password when one was given.
func open(ctx context.Context, data []byte, opt Options) (*pdflib.Reader, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: the file is empty (0 bytes)", ErrDamaged)
	}
	start := header(data)
	if start < 0 {
		return nil, fmt.Errorf("%w: it does not start with a PDF header", ErrDamaged)
	}
	data = data[start:]
	end := bytes.LastIndex(data, []byte("%%EOF"))
	if end < 0 {
		return nil, fmt.Errorf("%w: its end (the %%%%EOF marker) is missing, so the file was probably cut short", ErrDamaged)
	}
	data = data[:end+5] // junk after the end marker hides it from the library
	if err := checkXref(data); err != nil {
		return nil, err
	}
	g := &guard{ctx: ctx, data: data, budget: 32<<20 + 64*int64(len(data))}
	// The library accepts only "%PDF-1.0" to "%PDF-1.7" followed by a line
	// end; PDF 2.0 and headers followed by a comment are just as readable.
	if len(data) < 9 || data[7] < '0' || data[7] > '7' || !bytes.HasPrefix(data, []byte("%PDF-1.")) || data[8] != '\r' && data[8] != '\n' {
		g.head = []byte("%PDF-1.7\n")
	}
	tried := false
	r, err := pdflib.NewReaderEncrypted(g, int64(len(data)), func() string {
		if tried {
			return ""
		}
		tried = true
		return opt.Password
	})
	if err == nil {
		return r, nil
	}
	var stop abort
	if errors.As(err, &stop) {
		return nil, stopError(stop.err, 0)
	}
	return nil, openError(err, opt)
}

// openError explains why the library refused a file.
func openError(err error, opt Options) error {
	msg := err.Error()
	sidecar := filepath.Base(opt.Name) + ".meta.yaml"
	if opt.Name == "" {
		sidecar = "NAME.meta.yaml"
	}
	switch {
	case errors.Is(err, pdflib.ErrInvalidPassword) && opt.Password == "":
		return fmt.Errorf("%w: give its password as `password:` in a sidecar file (%s)", ErrEncrypted, sidecar)
	case errors.Is(err, pdflib.ErrInvalidPassword):
		return fmt.Errorf("%w: the password given in its sidecar file (%s) is wrong; give the right one as `password:`", ErrEncrypted, sidecar)
	case strings.Contains(msg, "V=5") || strings.Contains(msg, "R=5") || strings.Contains(msg, "R=6") || strings.Contains(msg, "256-bit"):
		return fmt.Errorf("%w: it uses AES-256 encryption, which Evident cannot open; save a copy without a password and add that instead", ErrEncrypted)
	case strings.Contains(msg, "encryption"):
		return fmt.Errorf("%w: it uses an encryption Evident cannot open (%s); save a copy without a password and add that instead", ErrEncrypted, message(msg))
	case strings.Contains(msg, "startxref"):
		return fmt.Errorf("%w: its cross-reference table is missing (no startxref)", ErrDamaged)
	case strings.Contains(msg, "xref") || strings.Contains(msg, "cross-reference"):
		return fmt.Errorf("%w: its cross-reference table, the index of its contents, is broken (%s)", ErrDamaged, message(msg))
	}
	return fmt.Errorf("%w: %s", ErrDamaged, message(msg))
}

// checkXref refuses the cross-reference sizes the library would
// allocate memory for before reading any entry: a forged /Size, /W or
// subsection start in a file of a few bytes would take gigabytes.
func checkXref(data []byte) error {
	tooBig := func(what string, n int64) error {
		return fmt.Errorf("%w: its cross-reference %s (%d) is impossibly large", ErrDamaged, what, n)
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
		if n := ints(afterKey(dict, "/Size"), 1); len(n) == 1 && n[0] > maxObjects {
			return tooBig("size", n[0])
		}
		for _, w := range ints(afterKey(dict, "/W"), 3) {
			if w > 8 {
				return tooBig("field width", w)
			}
		}
		idx := ints(afterKey(dict, "/Index"), 64)
		for k := 0; k+1 < len(idx); k += 2 {
			if idx[k]+idx[k+1] > maxObjects {
				return tooBig("index", idx[k]+idx[k+1])
			}
		}
	}
	if err := checkPrevChain(data); err != nil {
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
			n := ints(rest, 2)
			if len(n) < 2 {
				break
			}
			if n[0]+n[1] > maxObjects || n[1] < 0 {
				return tooBig("subsection", n[0]+n[1])
			}
			// Skip the header and its entries: three fields each.
			rest = skipFields(rest, 2+3*int(n[1]))
		}
	}
	return nil
}

// checkPrevChain follows the /Prev links from the last cross-reference
// section: the library follows them without remembering where it has
// been, so a link back to an earlier section would loop for ever.
func checkPrevChain(data []byte) error {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return nil
	}
	n := ints(data[i+9:], 1)
	seen := map[int64]bool{}
	for len(n) == 1 && n[0] > 0 && n[0] < int64(len(data)) {
		off := n[0]
		if seen[off] || len(seen) > 10000 {
			return fmt.Errorf("%w: its cross-reference sections point back to each other", ErrDamaged)
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
		n = ints(afterKey(dict, "/Prev"), 1)
	}
	return nil
}

// afterKey returns what follows the first occurrence of a name key that is
// not the prefix of a longer name.
func afterKey(b []byte, key string) []byte {
	for off := 0; ; {
		i := bytes.Index(b[off:], []byte(key))
		if i < 0 {
			return nil
		}
		i += off + len(key)
		if i >= len(b) || !isRegular(b[i]) {
			return b[i:]
		}
		off = i
	}
}

func isRegular(c byte) bool {
	return c > ' ' && !strings.ContainsRune("()<>[]{}/%", rune(c))
}

// ints reads up to n integers, skipping white space and brackets; it
// stops at anything else.
func ints(b []byte, n int) []int64 {
	var out []int64
	for len(out) < n {
		for len(b) > 0 && (b[0] <= ' ' || b[0] == '[') {
			b = b[1:]
		}
		j := 0
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == 0 || j > 15 || j < len(b) && isRegular(b[j]) && b[j] != ']' {
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

func skipFields(b []byte, n int) []byte {
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

// pageList walks the page tree once (the library's Page(i) walks it from
// the root for every page), refusing loops and files over the page cap.
func pageList(r *pdflib.Reader, maxPages int) ([]pdflib.Value, error) {
	tooMany := func(n int64) error {
		return fmt.Errorf("the PDF has %d pages, more than the %d Evident reads from one file; split it into smaller files", n, maxPages)
	}
	root := r.Trailer().Key("Root").Key("Pages")
	if root.IsNull() {
		return nil, fmt.Errorf("%w: it has no pages (the page tree is missing)", ErrDamaged)
	}
	if n := root.Key("Count").Int64(); n > int64(maxPages) {
		return nil, tooMany(n)
	}
	type node struct {
		v     pdflib.Value
		depth int
	}
	var pages []pdflib.Value
	stack := []node{{root, 0}}
	budget := 4*maxPages + 1000
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if budget--; budget < 0 {
			return nil, fmt.Errorf("%w: its page tree loops", ErrDamaged)
		}
		kids := n.v.Key("Kids")
		if n.v.Key("Type").Name() == "Page" || kids.Kind() != pdflib.Array {
			if n.v.Kind() == pdflib.Dict {
				pages = append(pages, n.v)
			}
			if len(pages) > maxPages {
				return nil, tooMany(int64(len(pages)))
			}
			continue
		}
		if n.depth >= 64 || kids.Len() > budget {
			return nil, fmt.Errorf("%w: its page tree loops", ErrDamaged)
		}
		for i := kids.Len() - 1; i >= 0; i-- {
			stack = append(stack, node{kids.Index(i), n.depth + 1})
		}
	}
	return pages, nil
}

// readInfo reads title, author and date from the document information
// dictionary. A broken dictionary costs the metadata, not the file.
func readInfo(r *pdflib.Reader) (title, author, date string) {
	defer spare()
	info := r.Trailer().Key("Info")
	if info.Kind() != pdflib.Dict {
		return "", "", ""
	}
	return cleanTitle(info.Key("Title").Text()), metaText(info.Key("Author").Text()), tidy.Date(info.Key("CreationDate").Text())
}

// spare, deferred, keeps a panic in a part of a file that is not its text
// (its metadata, an annotation) from costing the whole file: the part is
// lost and reading goes on. A stop for the context or the read budget
// still goes up to Read.
func spare() {
	if x := recover(); x != nil {
		if e, ok := x.(error); ok && errors.As(e, new(abort)) {
			panic(x)
		}
	}
}

func metaText(s string) string {
	s = strings.TrimSpace(tidy.Spaces(strings.ToValidUTF8(s, "")))
	if !strings.ContainsFunc(s, unicode.IsLetter) {
		return ""
	}
	return s
}

var (
	producerPrefix = regexp.MustCompile(`^Microsoft (Word|PowerPoint|Excel) - `)
	fileSuffix     = regexp.MustCompile(`(?i)\.(docx?|xlsx?|pptx?|pdf|odt|rtf|txt|indd|pages|key|exe)$`)
)

// cleanTitle keeps a title that names the document: office tools write the
// source file's name there ("Microsoft Word - report_v3.doc"), which is
// reduced to its words or dropped.
func cleanTitle(s string) string {
	s = metaText(s)
	s = producerPrefix.ReplaceAllString(s, "")
	s = fileSuffix.ReplaceAllString(s, "")
	return metaText(s)
}

var lineNumber = regexp.MustCompile(`^(\d{1,3})(?:\s+|$)`)

// stripLineNumbers removes the numbers court and deposition transcripts
// print before every line (1 to 25 on each page), so that each line starts
// with its words, speaker labels included. It acts only when most lines
// start with a number and the numbers count up one by one.
func stripLineNumbers(lines []layoutLine) []layoutLine {
	var nums []int
	for _, l := range lines {
		if m := lineNumber.FindStringSubmatch(l.text); m != nil {
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
		if m := lineNumber.FindStringIndex(l.text); m != nil {
			l.text = l.text[m[1]:]
		}
		if strings.TrimSpace(l.text) != "" {
			out = append(out, l)
		}
	}
	return out
}

var pageNumber = regexp.MustCompile(`^(page |p\. ?|- ?|– ?|— ?)?#( ?(of|/) ?#)?( ?-| ?–| ?—)?$`)

// dropRunning removes running headers, footers and page numbers: lines
// among the two top and two bottom lines of a page whose text, digits
// aside, recurs there on at least half of the pages.
func dropRunning(pages [][]layoutLine) {
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
		edges[p] = edgeLines(lines)
		seen := map[string]bool{}
		for _, i := range edges[p] {
			if k := runningKey(lines[i].text); k != "" && !seen[k] {
				seen[k] = true
				counts[k]++
			}
		}
	}
	need := max(2, (withText+1)/2)
	for p, lines := range pages {
		drop := map[int]bool{}
		for _, i := range edges[p] {
			k := runningKey(lines[i].text)
			if counts[k] >= need || pageNumber.MatchString(k) && counts[k] >= 2 {
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

// edgeLines returns the lines on the two highest and the two lowest
// baselines of a page's main writing direction.
func edgeLines(lines []layoutLine) []int {
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

var roman = regexp.MustCompile(`^[ivxlc]+$`)

func runningKey(s string) string {
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
	if roman.MatchString(k) {
		return "#"
	}
	return k
}

// pageParagraphs cuts each page's lines into paragraphs, and follows each
// page's with its extras.
func pageParagraphs(pages [][]layoutLine, extras [][]Paragraph) []Paragraph {
	compounds := map[string]bool{}
	var sizes []float64
	for _, lines := range pages {
		for _, l := range lines {
			for _, w := range compound.FindAllString(l.text, -1) {
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
	body := median(sizes)
	var blocks []Paragraph
	for p, lines := range pages {
		para := 0
		for _, ls := range splitParagraphs(lines) {
			text := make([]string, len(ls))
			for i, l := range ls {
				text[i] = normalizeLine(l.text)
			}
			s := tidy.Spaces(joinLines(text, compounds))
			s = strings.TrimSpace(strings.ReplaceAll(s, " \n", "\n"))
			if !strings.ContainsFunc(s, unicode.IsLetter) {
				continue
			}
			b := Paragraph{Text: s, Page: p + 1}
			if heading(ls, s, body) {
				b.Heading = true
			} else {
				para++
				b.Number = para
			}
			blocks = append(blocks, b)
		}
		blocks = append(blocks, extras[p]...)
	}
	return blocks
}

var compound = regexp.MustCompile(`\pL+(?:-\pL+)+`)

// heading: one or two short lines set clearly larger than the body text.
func heading(ls []layoutLine, s string, body float64) bool {
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

// splitParagraphs splits a page's lines where the vertical gap exceeds the
// usual line spacing, the type size changes, a column or band ends, a
// bullet starts or a first line is indented.
func splitParagraphs(lines []layoutLine) [][]layoutLine {
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
		spacing[r] = median(ds)
	}
	var out [][]layoutLine
	for i, l := range lines {
		if i == 0 || newParagraph(out[len(out)-1], l, spacing[l.region], left[l.region]) {
			out = append(out, []layoutLine{l})
			continue
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	return out
}

func newParagraph(cur []layoutLine, l layoutLine, spacing, left float64) bool {
	prev := cur[len(cur)-1]
	if l.region != prev.region {
		// A sentence running on from the foot of one column to the head of
		// the next is one paragraph.
		return l.dir != prev.dir || !runsOn(prev.text, l.text)
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
	if isBullet(l.text) {
		return true
	}
	// An indented first line after a line at the margin, unless that line
	// is a bullet whose text hangs indented below it.
	indent := l.x0 - left
	hanging := len(cur) == 1 && isBullet(prev.text)
	return !hanging && indent > 0.8*l.size && indent < 6*l.size && prev.x0-left < 0.3*l.size
}

func isBullet(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return strings.ContainsRune("•●▪◦‣∙■□➢➤", r)
}

// runsOn reports whether a line's sentence continues on the next: it
// does not end in closing punctuation and the next starts in lower case.
func runsOn(line, next string) bool {
	last, _ := utf8.DecodeLastRuneInString(strings.TrimRight(line, " "))
	first, _ := utf8.DecodeRuneInString(next)
	return unicode.IsLower(first) && !strings.ContainsRune(".!?:;\"”’)]", last)
}

// normalizeLine undoes typesetting: ligature glyphs, typographic
// hyphens, bullet glyphs from symbol fonts.
func normalizeLine(s string) string {
	s = ligatures.Replace(s)
	if isBullet(s) {
		_, n := utf8.DecodeRuneInString(s)
		s = "• " + strings.TrimSpace(s[n:])
	}
	return s
}

var ligatures = strings.NewReplacer(
	"\uFB00", "ff", "\uFB01", "fi", "\uFB02", "fl", "\uFB03", "ffi", "\uFB04", "ffl",
	"\uFB05", "st", "\uFB06", "st", "\u2011", "-",
)

// joinLines joins lines that end in a word broken across the line.
// A soft hyphen is always a break. A hyphen before a lower-case letter is
// a break ("experi-ence" → "experience") unless the document writes the
// same compound with a hyphen elsewhere ("well-known"); before a capital
// or a digit it belongs to the word ("Jean-Pierre", "COVID-19").
func joinLines(lines []string, compounds map[string]bool) string {
	var out []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if n := len(out); n > 0 && l != "" {
			if joined, ok := joinBroken(out[n-1], l, compounds); ok {
				out[n-1] = joined
				continue
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func joinBroken(line, next string, compounds map[string]bool) (string, bool) {
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

func hasWords(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) })
}
