package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/evident/evident"
)

// DOCX reads Word documents: the main part streamed through encoding/xml,
// one block per paragraph as Word shows it. Deleted tracked changes and
// field instructions are left out, inserted text kept; headings (by style,
// whatever the language of the style names) become heading blocks; a table
// row becomes one block. Blocks are not structured: the passage step finds
// the speaker turns of a transcript typed into Word.
type DOCX struct{}

// Namespaces of WordprocessingML: transitional (what Word writes) and strict.
const (
	wordNS       = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	wordStrictNS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
	mcNS         = "http://schemas.openxmlformats.org/markup-compatibility/2006"
)

// Extract implements Extractor.
func (DOCX) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	z, err := openZip(in.Data, "Word file")
	if err != nil {
		return nil, err
	}
	part := packageMain(z, "word/document.xml")
	doc := &Doc{Format: "docx"}
	props, err := coreProperties(z)
	if err != nil {
		doc.Warnings = append(doc.Warnings, err.Error())
	}
	doc.Title, doc.Author, doc.Date = props.Title, props.Creator, props.Created
	styles, err := readWordStyles(z, path.Join(path.Dir(part), "styles.xml"))
	if err != nil {
		doc.Warnings = append(doc.Warnings, err.Error())
	}
	rc, err := z.open(part)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	w := &wordWalker{styles: styles}
	if err := w.walk(ctx, rc); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, partError(z, part, err)
	}
	doc.Blocks = w.blocks
	if len(doc.Blocks) == 0 {
		return nil, errors.New("no text found in the Word file")
	}
	if doc.Title == "" {
		doc.Title = w.title()
	}
	return doc, nil
}

// wordPara is a paragraph being read.
type wordPara struct {
	text     strings.Builder
	style    string
	numbered bool
	outline  int // outline level 0-8 set on the paragraph itself, or -1
}

// wordWalker turns the WordprocessingML of a document body into blocks.
type wordWalker struct {
	styles  wordStyles
	blocks  []Block
	para    int    // paragraphs emitted, for locators
	titled  string // the first paragraph styled as a title
	heading string // the first heading

	paras []*wordPara // open paragraphs: a text box nests one in another
	skip  int         // depth inside a subtree whose text is not shown
	run   int         // depth inside runs: tabs and breaks count only there
	inT   bool

	tables int             // depth of nested tables
	cell   strings.Builder // the current cell of the outermost table
	row    []string        // its finished cells
}

func (w *wordWalker) walk(ctx context.Context, r io.Reader) error {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			w.start(t)
		case xml.EndElement:
			w.end(t)
		case xml.CharData:
			if w.inT && w.skip == 0 && len(w.paras) > 0 {
				// A newline inside w:t is not a break Word shows.
				w.top().text.WriteString(strings.Map(spaceNewlines, string(t)))
			}
		}
	}
}

func spaceNewlines(r rune) rune {
	if r == '\n' || r == '\r' {
		return ' '
	}
	return r
}

func (w *wordWalker) top() *wordPara { return w.paras[len(w.paras)-1] }

// wordSkipped reports elements whose content Word does not show as text:
// deleted and moved-away tracked changes, field instructions, the record of
// earlier formatting, and the fallback copy of a text box (the same text as
// its preferred choice).
func wordSkipped(n xml.Name) bool {
	if n.Space == mcNS {
		return n.Local == "Fallback"
	}
	if !isWord(n) {
		return false
	}
	switch n.Local {
	case "del", "moveFrom", "pPrChange", "rPrChange", "delText", "delInstrText", "instrText":
		return true
	}
	return false
}

func isWord(n xml.Name) bool { return n.Space == wordNS || n.Space == wordStrictNS }

func (w *wordWalker) start(t xml.StartElement) {
	if w.skip > 0 || wordSkipped(t.Name) {
		w.skip++
		return
	}
	if !isWord(t.Name) {
		return
	}
	open := len(w.paras) > 0
	switch t.Name.Local {
	case "p":
		w.paras = append(w.paras, &wordPara{outline: -1})
	case "r":
		w.run++
	case "t":
		w.inT = true
	case "tab", "ptab":
		if open && w.run > 0 {
			w.top().text.WriteByte('\t')
		}
	case "br", "cr":
		if open && w.run > 0 {
			w.top().text.WriteByte('\n')
		}
	case "noBreakHyphen":
		if open && w.run > 0 {
			w.top().text.WriteByte('-')
		}
	case "pStyle":
		if open {
			w.top().style = xmlAttr(t, "val")
		}
	case "numId":
		if open {
			w.top().numbered = xmlAttr(t, "val") != "0"
		}
	case "outlineLvl":
		if open {
			w.top().outline = outlineLevel(xmlAttr(t, "val"))
		}
	case "tbl":
		w.tables++
	case "tc":
		if w.tables == 1 {
			w.cell.Reset()
		}
	}
}

func (w *wordWalker) end(t xml.EndElement) {
	if w.skip > 0 {
		w.skip--
		return
	}
	if !isWord(t.Name) {
		return
	}
	switch t.Name.Local {
	case "p":
		if len(w.paras) == 0 {
			return
		}
		p := w.top()
		w.paras = w.paras[:len(w.paras)-1]
		w.paragraph(p)
	case "r":
		w.run = max(0, w.run-1)
	case "t":
		w.inT = false
	case "tc":
		switch {
		case w.tables == 1:
			if c := strings.TrimSpace(w.cell.String()); c != "" {
				w.row = append(w.row, c)
			}
		case w.tables > 1:
			w.cell.WriteByte(' ')
		}
	case "tr":
		if w.tables == 1 {
			if line := tableRow(w.row); line != "" {
				w.para++
				w.blocks = append(w.blocks, Block{Text: line, Loc: evident.Locator{Paragraph: w.para}})
			}
			w.row = w.row[:0]
		}
	case "tbl":
		w.tables = max(0, w.tables-1)
	}
}

// paragraph emits a finished paragraph, or adds it to the table cell it
// sits in.
func (w *wordWalker) paragraph(p *wordPara) {
	style := w.styles.get(p.style)
	if style.toc {
		return // a table of contents repeats the headings
	}
	text := paragraphText(p.text.String())
	if text == "" {
		return
	}
	if w.tables > 0 {
		if w.cell.Len() > 0 {
			w.cell.WriteByte(' ')
		}
		w.cell.WriteString(strings.ReplaceAll(text, "\n", " "))
		return
	}
	heading := style.heading || style.title || p.outline >= 0
	if !heading && (p.numbered || style.list) {
		text = "• " + text
	}
	w.para++
	b := Block{Text: text, Loc: evident.Locator{Paragraph: w.para}}
	if heading {
		b.Section = SectionHeading
		line := strings.ReplaceAll(text, "\n", " ")
		if style.title && w.titled == "" {
			w.titled = line
		}
		if w.heading == "" {
			w.heading = line
		}
	}
	w.blocks = append(w.blocks, b)
}

// title is the first paragraph styled as a title, or else the first heading.
func (w *wordWalker) title() string {
	if w.titled != "" {
		return w.titled
	}
	return w.heading
}

// paragraphText cleans a paragraph's text line by line, dropping blank
// lines a run of breaks leaves.
func paragraphText(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(cleanSpaces(l)); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

var (
	// A cell that holds a speaker's name: capitalised words (particles
	// allowed), or a generic label with a number ("Speaker 2").
	rowName = regexp.MustCompile(`^\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|\d{1,3}|de|da|di|van|von|der|den|du|del|la|le|bin|al)){0,3}$`)
	rowTime = regexp.MustCompile(`^[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?$`)
)

// tableRow renders a table row as one line, cells joined with " | ". A row
// of a transcript laid out as a table (a name, perhaps a time, then what
// was said) is written as the speaker label the passage step recognises:
// "Jane Doe (00:01:23): text".
func tableRow(cells []string) string {
	if n := len(cells); n == 2 || n == 3 {
		words := len(strings.Fields(cells[n-1]))
		name, last := cells[0], cells[n-1]
		switch {
		case words < 3:
		case n == 2 && isRowName(name):
			return name + ": " + last
		case n == 3 && isRowName(name) && rowTime.MatchString(cells[1]):
			return name + " (" + strings.Trim(cells[1], "[]()") + "): " + last
		case n == 3 && rowTime.MatchString(name) && isRowName(cells[1]):
			return "[" + strings.Trim(name, "[]()") + "] " + cells[1] + ": " + last
		}
	}
	return strings.Join(cells, " | ")
}

func isRowName(s string) bool { return len(s) <= 40 && rowName.MatchString(s) }

func outlineLevel(v string) int {
	if len(v) == 1 && v[0] >= '0' && v[0] <= '8' {
		return int(v[0] - '0')
	}
	return -1 // 9 is body text
}

func xmlAttr(t xml.StartElement, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// wordStyle is what the extractor needs to know of a paragraph style.
type wordStyle struct {
	heading, title, list, toc bool
}

// wordStyles maps style ids to what they mean. Ids are localised ("Titre1",
// "berschrift1"), so meaning comes from the style's built-in name, its
// outline level and the style it is based on.
type wordStyles map[string]wordStyle

var (
	headingStyleName = regexp.MustCompile(`^heading [1-9]$`)
	headingStyleID   = regexp.MustCompile(`^Heading[1-9]$`)
)

// get resolves a style id; without styles.xml, Word's English ids still
// say what they are.
func (s wordStyles) get(id string) wordStyle {
	if st, ok := s[id]; ok {
		return st
	}
	return wordStyle{
		heading: headingStyleID.MatchString(id) || id == "Subtitle",
		title:   id == "Title",
		list:    strings.HasPrefix(id, "ListBullet") || strings.HasPrefix(id, "ListNumber"),
		toc:     strings.HasPrefix(id, "TOC"),
	}
}

// readWordStyles reads the paragraph styles of a Word package. A missing
// styles part is no error: headings are then known by their ids.
func readWordStyles(z *zipPackage, name string) (wordStyles, error) {
	if !z.has(name) {
		return nil, nil
	}
	data, err := z.read(name)
	if err != nil {
		return nil, err
	}
	var parsed struct {
		Styles []struct {
			Type    string `xml:"type,attr"`
			ID      string `xml:"styleId,attr"`
			Name    xmlVal `xml:"name"`
			BasedOn xmlVal `xml:"basedOn"`
			PPr     struct {
				Outline *xmlVal `xml:"outlineLvl"`
				NumPr   *struct {
					NumID xmlVal `xml:"numId"`
				} `xml:"numPr"`
			} `xml:"pPr"`
		} `xml:"style"`
	}
	dec := xml.NewDecoder(strings.NewReader(string(data)))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&parsed); err != nil {
		return nil, fmt.Errorf("the Word file's styles (%s) are damaged, so headings may be read as paragraphs: %v", name, err)
	}
	own := map[string]wordStyle{}
	based := map[string]string{}
	for _, st := range parsed.Styles {
		if st.Type != "" && st.Type != "paragraph" {
			continue
		}
		n := strings.ToLower(strings.TrimSpace(st.Name.Val))
		ws := wordStyle{
			heading: headingStyleName.MatchString(n) || n == "subtitle" || st.PPr.Outline != nil && outlineLevel(st.PPr.Outline.Val) >= 0,
			title:   n == "title",
			list:    st.PPr.NumPr != nil && st.PPr.NumPr.NumID.Val != "0" || strings.HasPrefix(n, "list bullet") || strings.HasPrefix(n, "list number"),
			toc:     strings.HasPrefix(n, "toc ") || n == "toc heading",
		}
		own[st.ID] = ws
		based[st.ID] = st.BasedOn.Val
	}
	// A style based on a heading is a heading; the chain is followed a few
	// steps, so a loop in a damaged file ends.
	out := wordStyles{}
	for id, ws := range own {
		for parent, i := based[id], 0; parent != "" && i < 8; parent, i = based[parent], i+1 {
			p := own[parent]
			ws.heading = ws.heading || p.heading
			ws.title = ws.title || p.title
			ws.list = ws.list || p.list
			ws.toc = ws.toc || p.toc
		}
		out[id] = ws
	}
	return out, nil
}

type xmlVal struct {
	Val string `xml:"val,attr"`
}
