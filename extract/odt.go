package extract

import (
	"context"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
)

// ODT reads OpenDocument text (LibreOffice Writer, Google Docs exports) on
// the same model as DOCX: content.xml streamed, one block per paragraph,
// headings as heading blocks, list items marked, a table row as one block;
// meta.xml gives the title, author and date. Tracked deletions, comments
// and footnotes are left out.
type ODT struct{}

// Namespaces of OpenDocument content.
const (
	odfText   = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
	odfTable  = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
	odfStyle  = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
	odfOffice = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
)

// Extract implements Extractor.
func (ODT) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	z, err := openZip(in.Data, "OpenDocument file")
	if err != nil {
		return nil, err
	}
	doc := &Doc{Format: "odt"}
	props, err := odfMeta(z)
	if err != nil {
		doc.Warnings = append(doc.Warnings, err.Error())
	}
	doc.Title, doc.Author, doc.Date = props.Title, props.Creator, props.Created
	w := &odtWalker{parents: map[string]string{}}
	if err := walkPart(ctx, z, "content.xml", w); err != nil {
		return nil, err
	}
	doc.Blocks = w.body.blocks
	if len(doc.Blocks) == 0 {
		return nil, errors.New("no text found in the OpenDocument file")
	}
	if doc.Title == "" {
		doc.Title = w.body.title()
	}
	return doc, nil
}

// odtPara is a paragraph or heading being read.
type odtPara struct {
	text    strings.Builder
	heading bool   // text:h
	style   string // text:style-name
	item    bool   // the first paragraph of a list item
}

// odtWalker turns the body of content.xml into blocks.
type odtWalker struct {
	parents map[string]string // automatic style → the named style it derives from
	body    docBody

	paras   []*odtPara // open paragraphs: a text box nests one in another
	skip    int        // depth inside a subtree whose text is not read
	stack   []xml.Name // open elements, to tell visible text from alt text
	newItem bool       // a list item has started and its first paragraph is not yet seen
}

func (w *odtWalker) text(t xml.CharData) {
	// Text sits in paragraphs and the text-namespace elements inside them
	// (spans, links, fields); other namespaces hold alt text.
	if w.skip == 0 && len(w.paras) > 0 && len(w.stack) > 0 && w.stack[len(w.stack)-1].Space == odfText {
		// Whitespace collapses as in HTML; only text:line-break breaks a
		// line.
		w.top().text.WriteString(strings.Map(spaceNewlines, string(t)))
	}
}

func (w *odtWalker) top() *odtPara { return w.paras[len(w.paras)-1] }

// odtSkipped reports elements whose text is not part of the document as
// read: the record of tracked changes (deleted text lives there),
// comments, footnotes and a generated table of contents.
func odtSkipped(n xml.Name) bool {
	switch n.Space {
	case odfText:
		switch n.Local {
		case "tracked-changes", "note", "table-of-content", "illustration-index", "alphabetical-index", "bibliography", "sequence-decls", "variable-decls", "user-field-decls":
			return true
		}
	case odfOffice:
		return n.Local == "annotation"
	}
	return false
}

func (w *odtWalker) start(t xml.StartElement) {
	w.stack = append(w.stack, t.Name)
	if w.skip > 0 || odtSkipped(t.Name) {
		w.skip++
		return
	}
	open := len(w.paras) > 0
	switch t.Name.Space {
	case odfStyle:
		if t.Name.Local == "style" {
			if name, parent := odfAttr(t, odfStyle, "name"), odfAttr(t, odfStyle, "parent-style-name"); name != "" && parent != "" {
				w.parents[name] = parent
			}
		}
	case odfTable:
		switch t.Name.Local {
		case "table":
			w.body.startTable()
		case "table-cell":
			w.body.startCell()
		}
	case odfText:
		switch t.Name.Local {
		case "p", "h":
			p := &odtPara{heading: t.Name.Local == "h", style: odfAttr(t, odfText, "style-name"), item: w.newItem}
			w.newItem = false
			w.paras = append(w.paras, p)
		case "list-item":
			w.newItem = true
		case "line-break":
			if open {
				w.top().text.WriteByte('\n')
			}
		case "tab":
			if open {
				w.top().text.WriteByte('\t')
			}
		case "s":
			if open {
				n, err := strconv.Atoi(odfAttr(t, odfText, "c"))
				if err != nil || n < 1 {
					n = 1
				}
				w.top().text.WriteString(strings.Repeat(" ", min(n, 8)))
			}
		}
	}
}

func (w *odtWalker) end(t xml.EndElement) {
	if len(w.stack) > 0 {
		w.stack = w.stack[:len(w.stack)-1]
	}
	if w.skip > 0 {
		w.skip--
		return
	}
	switch t.Name.Space {
	case odfTable:
		switch t.Name.Local {
		case "table-cell":
			w.body.endCell()
		case "table-row":
			w.body.endRow()
		case "table":
			w.body.endTable()
		}
	case odfText:
		switch t.Name.Local {
		case "p", "h":
			if len(w.paras) == 0 {
				return
			}
			p := w.top()
			w.paras = w.paras[:len(w.paras)-1]
			w.paragraph(p)
		case "list-item":
			w.newItem = false
		}
	}
}

// paragraph hands a finished paragraph to the body: text:h is a heading,
// and so is a paragraph whose style derives from Title or Subtitle.
func (w *odtWalker) paragraph(p *odtPara) {
	style := p.style
	if parent, ok := w.parents[style]; ok {
		style = parent
	}
	title := style == "Title"
	heading := p.heading || title || style == "Subtitle"
	w.body.paragraph(p.text.String(), heading, title, p.item)
}

func odfAttr(t xml.StartElement, space, local string) string {
	for _, a := range t.Attr {
		if a.Name.Local == local && (a.Name.Space == space || a.Name.Space == "") {
			return a.Value
		}
	}
	return ""
}

// odfMeta reads meta.xml: title, creator and creation date. The part is
// optional; a damaged one is a warning.
func odfMeta(z *zipPackage) (docProps, error) {
	if !z.has("meta.xml") {
		return docProps{}, nil
	}
	data, err := z.read("meta.xml")
	if err != nil {
		return docProps{}, err
	}
	var m struct {
		Title          string `xml:"meta>title"`
		Creator        string `xml:"meta>creator"`
		InitialCreator string `xml:"meta>initial-creator"`
		Created        string `xml:"meta>creation-date"`
		Date           string `xml:"meta>date"`
	}
	if err := xml.Unmarshal(data, &m); err != nil {
		return docProps{}, errors.New("the OpenDocument file's properties (meta.xml) are damaged, so its title, author and date are unknown")
	}
	p := docProps{Title: m.Title, Creator: m.InitialCreator, Created: m.Created}
	if p.Creator == "" {
		p.Creator = m.Creator
	}
	if p.Created == "" {
		p.Created = m.Date
	}
	return p.clean(), nil
}
