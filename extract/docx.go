package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"path"
	"strings"

	"golang.org/x/net/html/charset"

	"github.com/evident/evident/internal/lazyregexp"
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
	w := &wordWalker{styles: styles}
	if err := walkPart(ctx, z, part, w); err != nil {
		return nil, err
	}
	doc.Blocks = w.body.blocks
	if len(doc.Blocks) == 0 {
		return nil, errors.New("no text found in the Word file")
	}
	if doc.Title == "" {
		doc.Title = w.body.title()
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
	styles wordStyles
	body   docBody

	paras []*wordPara // open paragraphs: a text box nests one in another
	skip  int         // depth inside a subtree whose text is not shown
	run   int         // depth inside runs: tabs and breaks count only there
	inT   bool
}

func (w *wordWalker) text(t xml.CharData) {
	if w.inT && w.skip == 0 && len(w.paras) > 0 {
		// A newline inside w:t is not a break Word shows.
		w.top().text.WriteString(strings.Map(spaceNewlines, string(t)))
	}
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
		w.body.startTable()
	case "tc":
		w.body.startCell()
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
		w.body.endCell()
	case "tr":
		w.body.endRow()
	case "tbl":
		w.body.endTable()
	}
}

// paragraph hands a finished paragraph to the body, a heading or a list
// item as its style or its own properties say.
func (w *wordWalker) paragraph(p *wordPara) {
	style := w.styles.get(p.style)
	if style.toc {
		return // a table of contents repeats the headings
	}
	heading := style.heading || style.title || p.outline >= 0
	w.body.paragraph(p.text.String(), heading, style.title, p.numbered || style.list)
}

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
	headingStyleName = lazyregexp.New(`^heading [1-9]$`)
	headingStyleID   = lazyregexp.New(`^Heading[1-9]$`)
)

// get resolves a style id; without styles.xml, Word's English ids still
// say what they are.
func (s wordStyles) get(id string) wordStyle {
	if st, ok := s[id]; ok {
		return st
	}
	return wordStyle{
		heading: headingStyleID().MatchString(id) || id == "Subtitle",
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
			heading: headingStyleName().MatchString(n) || n == "subtitle" || st.PPr.Outline != nil && outlineLevel(st.PPr.Outline.Val) >= 0,
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
