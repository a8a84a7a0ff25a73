package extract

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/evident/evident"
)

// CSV reads survey exports: one, two or three header rows (see
// headerRows), then one row per respondent. Each free-text answer becomes
// a block whose context is its question and whose locator is the row and
// column; the respondent's other columns (choices, numbers, dates) become
// its attributes, and a role or job-title column gives its role.
type CSV struct{}

// roleHeader recognises the column that says who a respondent is, in
// English and in the languages of European exports.
var roleHeader = regexp.MustCompile(`(?i)\b(role|job ?title|title|position|job function|function|occupation|rôle|fonction|poste|funktion|berufsbezeichnung|cargo|puesto|ruolo|functie)\b`)

// Extract implements Extractor.
func (CSV) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, warnings, err := DecodeText(in.Data)
	if err != nil {
		return nil, err
	}
	r := csv.NewReader(strings.NewReader(s))
	r.Comma = delimiter(s)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	for {
		if len(rows)%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("malformed CSV: %w", err)
		}
		if !blankRow(rec) {
			rows = append(rows, rec)
		}
	}
	sv, err := surveyBlocks(ctx, rows)
	if err != nil {
		return nil, err
	}
	return &Doc{Format: "csv", Kind: evident.Survey, Structured: true, Warnings: warnings, Blocks: sv.Blocks}, nil
}

// delimiter picks the commonest of comma, semicolon and tab in the first
// line (European exports use semicolons).
func delimiter(s string) rune {
	first, _, _ := strings.Cut(s, "\n")
	best, n := ',', strings.Count(first, ",")
	for _, d := range []rune{';', '\t'} {
		if k := strings.Count(first, string(d)); k > n {
			best, n = d, k
		}
	}
	return best
}
