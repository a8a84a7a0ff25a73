package pdf

import (
	"strings"

	"github.com/evident/evident/extract/internal/tidy"
	pdflib "github.com/ledongthuc/pdf"
)

// This file reads what a page shows outside its content stream: the values
// of filled-in form fields (AcroForm) and the text of comments
// (annotations with /Contents). Neither is drawn by the page's own
// content, so the glyph reader never sees them; a filled questionnaire
// would otherwise lose every answer.

const (
	maxAnnots      = 10_000 // annotations read from one page
	maxFieldDepth  = 32     // levels of a field's /Parent chain
	maxValueValues = 1_000  // options of a multiple-choice value
)

// annotations returns a page's field values and comments as paragraphs of
// that page, fields first, in the order the page lists them. A field's
// context is its full name (the /T of it and its parents, joined with
// dots); a comment's is "comment", with its author when it names one.
// seen holds the fields already read: the buttons of a radio group, or a
// field shown on several pages, count once, where first shown. A field
// that no page shows has no place to cite and is left out. A broken
// annotation costs the page's fields from it on (comments too), not the
// page's text.
func annotations(page pdflib.Value, pageNo int, seen map[string]bool) (out []Paragraph) {
	defer spare()
	annots := page.Key("Annots")
	if annots.Kind() != pdflib.Array {
		return nil
	}
	var comments []Paragraph
	for i := range min(annots.Len(), maxAnnots) {
		a := annots.Index(i)
		if a.Kind() != pdflib.Dict {
			continue
		}
		switch a.Key("Subtype").Name() {
		case "Widget":
			name, value, ok := field(a)
			if !ok || seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, Paragraph{Text: value, Page: pageNo, Context: name})
		case "Link", "Popup":
			// A link has no words of its own; a popup repeats its parent's.
		default:
			text := fieldText(a.Key("Contents").Text())
			if text == "" {
				continue
			}
			context := "comment"
			if by := fieldText(a.Key("T").Text()); by != "" {
				context += " by " + by
			}
			comments = append(comments, Paragraph{Text: text, Page: pageNo, Context: context})
		}
	}
	return append(out, comments...)
}

// field reads the full name and the value of the form field a widget
// annotation shows. Name, value and type may sit on the widget or be
// inherited from its parents. Signatures and push buttons have no value
// worth reading, an unticked box or empty field is not an answer, and a
// field whose chain of parents loops is left out.
func field(w pdflib.Value) (name, value string, ok bool) {
	var names []string
	var v pdflib.Value
	var ft string
	n, depth := w, 0
	for ; n.Kind() == pdflib.Dict && depth < maxFieldDepth; n, depth = n.Key("Parent"), depth+1 {
		if t := fieldText(n.Key("T").Text()); t != "" {
			names = append(names, t)
		}
		if v.IsNull() {
			v = n.Key("V")
		}
		if ft == "" {
			ft = n.Key("FT").Name()
		}
	}
	// A chain that does not end is damage: the field's name is unknown.
	if len(names) == 0 || ft == "Sig" || n.Kind() == pdflib.Dict {
		return "", "", false
	}
	for i, j := 0, len(names)-1; i < j; i, j = i+1, j-1 {
		names[i], names[j] = names[j], names[i]
	}
	value = fieldValue(v)
	return strings.Join(names, "."), value, value != ""
}

// fieldValue writes a field's /V: the text of a text field, the option
// chosen in a list (several, comma-separated), the export name of a ticked
// box or radio button ("Off" is unticked).
func fieldValue(v pdflib.Value) string {
	switch v.Kind() {
	case pdflib.String:
		return fieldText(v.Text())
	case pdflib.Name:
		if n := v.Name(); n != "Off" {
			return fieldText(n)
		}
	case pdflib.Array:
		var opts []string
		for i := range min(v.Len(), maxValueValues) {
			if s := fieldValue(v.Index(i)); s != "" {
				opts = append(opts, s)
			}
		}
		return strings.Join(opts, ", ")
	}
	return ""
}

// fieldText cleans a text string of a form or comment: line ends as PDF
// writes them (CR) become LF, odd spaces are folded, and text with no
// letter or digit is dropped.
func fieldText(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\r\n", "\n")
	s = strings.TrimSpace(tidy.Spaces(strings.ReplaceAll(s, "\r", "\n")))
	if !hasWords(s) {
		return ""
	}
	return s
}
