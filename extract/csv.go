package extract

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/internal/lazyregexp"
)

// CSV reads survey exports: one, two or three header rows (see
// headerRows), then one row per respondent. Each free-text answer becomes
// a block whose context is its question and whose locator is the row and
// column; the respondent's other columns (choices, numbers, dates) become
// its attributes, and a role or job-title column gives its role. A survey
// longer than a sample of rows is streamed row by row (Doc.Stream).
type CSV struct {
	sample int // rows that plan the table (surveySample when zero)
}

// roleHeader recognises the column that says who a respondent is, in
// English and in the languages of European exports.
var roleHeader = lazyregexp.New(`(?i)\b(role|job ?title|title|position|job function|function|occupation|rôle|fonction|poste|funktion|berufsbezeichnung|cargo|puesto|ruolo|functie)\b`)

// Extract implements Extractor.
func (c CSV) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	text, warnings, err := decodeReader(in.Data)
	if err != nil {
		return nil, err
	}
	comma := delimiter(text())
	read := func(ctx context.Context, fn func([]string) error) error {
		r := csv.NewReader(text())
		r.Comma = comma
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		r.ReuseRecord = true
		for n := 0; ; n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("malformed CSV: %w", err)
			}
			if blankRow(rec) {
				continue
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
	}
	sv, stream, err := readSurvey(ctx, read, c.sample)
	if errors.Is(err, errEmptyTable) {
		err = errNoAnswers
	}
	if err != nil {
		return nil, err
	}
	return &Doc{Format: "csv", Kind: evident.Survey, Structured: true, Warnings: warnings, Blocks: sv.Blocks, Stream: stream}, nil
}

// delimiter picks the commonest of comma, semicolon and tab in the first
// line (European exports use semicolons).
func delimiter(r io.Reader) rune {
	line, _ := bufio.NewReader(io.LimitReader(r, 1<<20)).ReadString('\n')
	best, n := ',', strings.Count(line, ",")
	for _, d := range []rune{';', '\t'} {
		if k := strings.Count(line, string(d)); k > n {
			best, n = d, k
		}
	}
	return best
}
