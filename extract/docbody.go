package extract

import (
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/extract/internal/tidy"
	"github.com/evident/evident/internal/lazyregexp"
)

// docBody assembles the blocks of a word-processing document (DOCX, ODT)
// while its XML is walked: one block per paragraph, numbered for locators;
// a row of the outermost table as one block, the paragraphs of a cell and
// of any table nested in it run together. What makes a paragraph, a
// heading or a list item is each format's to say.
type docBody struct {
	blocks  []Block
	para    int    // paragraphs emitted, for locators
	titled  string // the first paragraph styled as a title
	heading string // the first heading

	tables int             // depth of nested tables
	cell   strings.Builder // the current cell of the outermost table
	row    []string        // its finished cells
}

func (b *docBody) startTable() { b.tables++ }

func (b *docBody) endTable() { b.tables = max(0, b.tables-1) }

func (b *docBody) startCell() {
	if b.tables == 1 {
		b.cell.Reset()
	}
}

func (b *docBody) endCell() {
	switch {
	case b.tables == 1:
		if c := strings.TrimSpace(b.cell.String()); c != "" {
			b.row = append(b.row, c)
		}
	case b.tables > 1:
		b.cell.WriteByte(' ')
	}
}

// endRow emits a finished row of the outermost table as one block.
func (b *docBody) endRow() {
	if b.tables != 1 {
		return
	}
	if line := tableRow(b.row); line != "" {
		b.para++
		b.blocks = append(b.blocks, Block{Text: line, Loc: evident.Locator{Paragraph: b.para}})
	}
	b.row = b.row[:0]
}

// paragraph emits a finished paragraph, or adds it to the table cell it
// sits in. A list item that is not a heading gets a bullet; title marks a
// heading styled as the document's title.
func (b *docBody) paragraph(raw string, heading, title, listItem bool) {
	text := paragraphText(raw)
	if text == "" {
		return
	}
	if b.tables > 0 {
		if b.cell.Len() > 0 {
			b.cell.WriteByte(' ')
		}
		b.cell.WriteString(strings.ReplaceAll(text, "\n", " "))
		return
	}
	if listItem && !heading {
		text = "• " + text
	}
	b.para++
	blk := Block{Text: text, Loc: evident.Locator{Paragraph: b.para}}
	if heading {
		blk.Section = SectionHeading
		line := strings.ReplaceAll(text, "\n", " ")
		if title && b.titled == "" {
			b.titled = line
		}
		if b.heading == "" {
			b.heading = line
		}
	}
	b.blocks = append(b.blocks, blk)
}

// title is the first paragraph styled as a title, or else the first heading.
func (b *docBody) title() string {
	if b.titled != "" {
		return b.titled
	}
	return b.heading
}

// paragraphText cleans a paragraph's text line by line, dropping blank
// lines a run of breaks leaves.
func paragraphText(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(tidy.Spaces(l)); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// spaceNewlines maps the newlines of a text node to spaces: in both
// formats a line break is an element of its own.
func spaceNewlines(r rune) rune {
	if r == '\n' || r == '\r' {
		return ' '
	}
	return r
}

var (
	// A cell that holds a speaker's name: capitalised words (particles
	// allowed), or a generic label with a number ("Speaker 2").
	rowName = lazyregexp.New(`^\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|\d{1,3}|de|da|di|van|von|der|den|du|del|la|le|bin|al)){0,3}$`)
	rowTime = lazyregexp.New(`^[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?[\])]?$`)
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
		case n == 3 && isRowName(name) && rowTime().MatchString(cells[1]):
			return name + " (" + strings.Trim(cells[1], "[]()") + "): " + last
		case n == 3 && rowTime().MatchString(name) && isRowName(cells[1]):
			return "[" + strings.Trim(name, "[]()") + "] " + cells[1] + ": " + last
		}
	}
	return strings.Join(cells, " | ")
}

func isRowName(s string) bool { return len(s) <= 40 && rowName().MatchString(s) }
