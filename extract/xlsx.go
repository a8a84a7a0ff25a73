package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/evident/evident"
)

// XLSX reads survey exports saved as Excel workbooks: every sheet is read
// as a survey table (cells as Excel displays them) with the same header
// and free-text logic as CSV. A sheet that holds no free-text answers (a
// summary, a chart's data) is skipped; when several sheets hold answers,
// the sheet's name leads the column locator.
type XLSX struct{}

// Extract implements Extractor.
func (XLSX) Extract(ctx context.Context, in Input) (doc *Doc, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	z, err := openZip(in.Data, "Excel file")
	if err != nil {
		return nil, err
	}
	// Check the package before excelize reads it, so that damage is named.
	if err := z.check("xl/workbook.xml"); err != nil {
		return nil, err
	}
	// excelize is a large parser of untrusted input: a panic in it is a
	// damaged file, not a dead worker.
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("the Excel file is damaged: it could not be read (%s)", strings.ToValidUTF8(fmt.Sprint(r), "\uFFFD"))
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(in.Data), excelize.Options{
		UnzipSizeLimit:    maxTotalSize,
		UnzipXMLSizeLimit: maxPartSize,
	})
	if err != nil {
		return nil, xlsxError(err)
	}
	defer f.Close()

	doc = &Doc{Format: "xlsx", Kind: evident.Survey, Structured: true}
	props, err := coreProperties(z)
	if err != nil {
		doc.Warnings = append(doc.Warnings, err.Error())
	}
	doc.Title, doc.Author, doc.Date = props.Title, props.Creator, props.Created

	type sheet struct {
		name string
		sv   *survey
	}
	var read []sheet
	var failures []string
	for _, name := range f.GetSheetList() {
		rows, err := sheetRows(ctx, f, name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failures = append(failures, fmt.Sprintf("sheet %q: %s", name, strings.ToValidUTF8(err.Error(), "\uFFFD")))
			continue
		}
		if len(rows) == 0 {
			continue
		}
		sv, err := surveyBlocks(ctx, rows)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failures = append(failures, fmt.Sprintf("sheet %q: %v", name, err))
			continue
		}
		read = append(read, sheet{name, sv})
	}
	switch {
	case len(read) == 0 && len(failures) == 0:
		return nil, errors.New("the Excel workbook is empty")
	case len(read) == 0 && len(failures) == 1:
		_, msg, _ := strings.Cut(failures[0], ": ")
		return nil, errors.New(msg)
	case len(read) == 0:
		return nil, fmt.Errorf("no sheet of the Excel workbook holds survey answers in words (%s)", strings.Join(failures, "; "))
	}
	for _, s := range read {
		for _, b := range s.sv.Blocks {
			if len(read) > 1 {
				b.Loc.Column = s.name + " › " + b.Loc.Column
			}
			doc.Blocks = append(doc.Blocks, b)
		}
	}
	return doc, nil
}

// sheetRows reads a sheet's non-blank rows as displayed strings.
func sheetRows(ctx context.Context, f *excelize.File, name string) ([][]string, error) {
	it, err := f.Rows(name)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]string
	for n := 0; it.Next(); n++ {
		if n%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cols, err := it.Columns()
		if err != nil {
			return nil, err
		}
		if !blankRow(cols) {
			rows = append(rows, cols)
		}
	}
	return rows, it.Error()
}

// xlsxError says in words what excelize could not open.
func xlsxError(err error) error {
	switch {
	case errors.Is(err, excelize.ErrWorkbookPassword), errors.Is(err, excelize.ErrWorkbookFileFormat):
		return errors.New("the Excel file is password-protected or not a workbook; open it in Excel, remove the password and save it again as .xlsx")
	case errors.Is(err, excelize.ErrOptionsUnzipSizeLimit), strings.Contains(err.Error(), "unzip size"):
		return fmt.Errorf("the Excel file is too large: it unpacks to more than %d MB", maxTotalSize>>20)
	}
	return fmt.Errorf("the Excel file is damaged: %s", strings.ToValidUTF8(err.Error(), "\uFFFD"))
}
