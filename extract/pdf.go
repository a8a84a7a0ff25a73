package extract

import (
	"context"

	"github.com/evident/evident"
	"github.com/evident/evident/extract/internal/pdf"
)

// PDF reads the text layer of a PDF (extract/internal/pdf does the
// reading): each paragraph is a block whose locator is its page and its
// number on the page. The values of a filled-in form and the comments on a
// page follow that page's paragraphs, located by the page alone, with the
// field's name or "comment" as their context.
type PDF struct {
	MaxPages int // pages read from one file; 0 means 5,000
	MaxText  int // bytes of text extracted from one file; 0 means 50 MB
}

// The errors a PDF can fail with, besides the context's.
var (
	// ErrEncrypted is wrapped by errors for PDFs that need a password
	// (or use an encryption this reader lacks).
	ErrEncrypted = pdf.ErrEncrypted
	// ErrNoTextLayer is returned for a PDF whose pages carry no text, such
	// as a scan.
	ErrNoTextLayer = pdf.ErrNoTextLayer
	// ErrDamagedPDF is wrapped by errors for files that cannot be parsed.
	ErrDamagedPDF = pdf.ErrDamaged
)

func sniffPDF(head []byte) bool { return pdf.Sniff(head) }

// Extract implements Extractor.
func (p PDF) Extract(ctx context.Context, in Input) (*Doc, error) {
	r, err := pdf.Read(ctx, in.Data, pdf.Options{MaxPages: p.MaxPages, MaxText: p.MaxText, Password: in.Meta.Password, Name: in.Name})
	if err != nil {
		return nil, err
	}
	doc := &Doc{Format: "pdf", Kind: evident.Report, Title: r.Title, Author: r.Author, Date: r.Date, Warnings: r.Warnings}
	for _, para := range r.Paragraphs {
		b := Block{Text: para.Text, Loc: evident.Locator{Page: para.Page, Paragraph: para.Number}, Context: para.Context}
		if para.Heading {
			b.Section = SectionHeading
		}
		doc.Blocks = append(doc.Blocks, b)
	}
	return doc, nil
}
