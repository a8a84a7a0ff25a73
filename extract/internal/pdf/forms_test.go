package pdf

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

// TestAnnotations covers what the ReportLab fixture of the extract tests
// does not: field names built from their parents, values inherited from
// a parent, several options chosen in a list, UTF-16 text, a signature,
// a /Parent chain that loops (left out), and a page whose only words are a form's.
func TestAnnotations(t *testing.T) {
	w := &writer{}
	font := w.add(fontHelv)
	content := w.stream("", []byte(textLine("F1", 11, 72, 740, "Interview consent form")), false)
	applicant := w.add("") // a parent field holding a value its widget inherits
	role := w.add(fmt.Sprintf("<< /Type /Annot /Subtype /Widget /Parent %d 0 R /T (role) /FT /Tx /Rect [0 0 1 1] >>", applicant))
	w.set(applicant, fmt.Sprintf("<< /T (applicant) /Kids [%d 0 R] /V <FEFF00430046004F> >>", role))
	tools := w.add("<< /Type /Annot /Subtype /Widget /T (tools) /FT /Ch /V [(Excel) (Anaplan)] /Rect [0 0 1 1] >>")
	sig := w.add("<< /Type /Annot /Subtype /Widget /T (signature) /FT /Sig /V << /Type /Sig >> /Rect [0 0 1 1] >>")
	loop := w.add("")
	w.set(loop, fmt.Sprintf("<< /Type /Annot /Subtype /Widget /Parent %d 0 R /T (loop) /V (round and round) /Rect [0 0 1 1] >>", loop))
	link := w.add("<< /Type /Annot /Subtype /Link /Contents (a link) /Rect [0 0 1 1] >>")
	note := w.add("<< /Type /Annot /Subtype /Highlight /Contents (Key quote\r\nfor the board) /T (Dana) /Rect [0 0 1 1] >>")
	blank := w.add("<< /Type /Annot /Subtype /Text /Contents (   ) /Rect [0 0 1 1] >>")
	page1 := fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R /Annots [%d 0 R %d 0 R %d 0 R %d 0 R %d 0 R %d 0 R %d 0 R] >>",
		font, content, role, tools, sig, loop, link, note, blank)
	// A scanned page: no text, but a field shown again and one of its own.
	again := w.add("<< /Type /Annot /Subtype /Widget /T (tools) /FT /Ch /V (Excel) /Rect [0 0 1 1] >>")
	date := w.add("<< /Type /Annot /Subtype /Widget /T (date) /FT /Tx /V (2024-05-02) /Rect [0 0 1 1] >>")
	page2 := fmt.Sprintf("<< /MediaBox [0 0 612 792] /Annots [%d 0 R %d 0 R] >>", again, date)
	data := w.bytes(w.document(page1, page2), 0)

	doc, err := Read(context.Background(), data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Paragraph{
		{Text: "Interview consent form", Page: 1, Number: 1},
		{Text: "CFO", Page: 1, Context: "applicant.role"},
		{Text: "Excel, Anaplan", Page: 1, Context: "tools"},
		{Text: "Key quote\nfor the board", Page: 1, Context: "comment by Dana"},
		{Text: "2024-05-02", Page: 2, Context: "date"},
	}
	if !reflect.DeepEqual(doc.Paragraphs, want) {
		t.Errorf("got  %+v\nwant %+v", doc.Paragraphs, want)
	}
}
