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
// the sheet's name leads the column locator. Rows are read with excelize's
// row iterator, and a sheet longer than a sample of rows is streamed row
// by row (Doc.Stream), never held whole.
type XLSX struct {
	sample int // rows that plan a sheet (surveySample when zero)
}

// Extract implements Extractor.
func (x XLSX) Extract(ctx context.Context, in Input) (doc *Doc, err error) {
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
	defer recoverXLSX(&err)
	f, err := openXLSX(in.Data)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	doc = &Doc{Format: "xlsx", Kind: evident.Survey, Structured: true}
	props, err := coreProperties(z)
	if err != nil {
		doc.Warnings = append(doc.Warnings, err.Error())
	}
	doc.Title, doc.Author, doc.Date = props.Title, props.Creator, props.Created

	type sheet struct {
		name   string
		sv     *survey
		stream bool
	}
	var read []sheet
	var failures []string
	streamed := false
	for _, name := range f.GetSheetList() {
		rows := func(ctx context.Context, fn func([]string) error) error { return sheetRows(ctx, f, name, fn) }
		sv, stream, err := readSurvey(ctx, rows, x.sample)
		if errors.Is(err, errEmptyTable) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failures = append(failures, fmt.Sprintf("sheet %q: %s", name, strings.ToValidUTF8(err.Error(), "\uFFFD")))
			continue
		}
		read = append(read, sheet{name, sv, stream != nil})
		streamed = streamed || stream != nil
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
	located := func(name string, b Block) Block {
		if len(read) > 1 {
			b.Loc.Column = name + " › " + b.Loc.Column
		}
		return b
	}
	if !streamed {
		for _, s := range read {
			for _, b := range s.sv.Blocks {
				doc.Blocks = append(doc.Blocks, located(s.name, b))
			}
		}
		return doc, nil
	}
	// The workbook is opened again for each stream, which closes it: this
	// one closes as Extract returns.
	doc.Stream = func(ctx context.Context, yield func(Block) error) (err error) {
		defer recoverXLSX(&err)
		f, err := openXLSX(in.Data)
		if err != nil {
			return err
		}
		defer f.Close()
		for _, s := range read {
			if !s.stream {
				for _, b := range s.sv.Blocks {
					if err := yield(located(s.name, b)); err != nil {
						return err
					}
				}
				continue
			}
			err := s.sv.stream(ctx, func(ctx context.Context, fn func([]string) error) error {
				return sheetRows(ctx, f, s.name, fn)
			}, func(b Block) error { return yield(located(s.name, b)) })
			if err != nil {
				return err
			}
		}
		return nil
	}
	return doc, nil
}

func openXLSX(data []byte) (*excelize.File, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit: maxTotalSize,
		// A larger sheet is unpacked to a temporary file and read from
		// there rather than held in memory.
		UnzipXMLSizeLimit: 16 << 20,
	})
	if err != nil {
		return nil, xlsxError(err)
	}
	return f, nil
}

// recoverXLSX turns a panic in excelize into an error saying the file is
// damaged; defer it.
func recoverXLSX(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("the Excel file is damaged: it could not be read (%s)", strings.ToValidUTF8(fmt.Sprint(r), "\uFFFD"))
	}
}

// sheetRows calls fn with each non-blank row of a sheet, as displayed.
func sheetRows(ctx context.Context, f *excelize.File, name string, fn func([]string) error) error {
	it, err := f.Rows(name)
	if err != nil {
		return err
	}
	defer it.Close()
	for n := 0; it.Next(); n++ {
		if n%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		cols, err := it.Columns()
		if err != nil {
			return err
		}
		if blankRow(cols) {
			continue
		}
		if err := fn(cols); err != nil {
			return err
		}
	}
	return it.Error()
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
