package extract

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode"

	"github.com/evident/evident"
)

// CSV reads survey exports: one header row of questions, then one row per
// respondent. Each free-text answer becomes a block whose context is its
// question and whose locator is the row and column; the respondent's
// other columns (choices, numbers, dates) become its attributes, and a
// role or job-title column gives its role.
type CSV struct{}

// roleHeader recognises the column that says who a respondent is.
var roleHeader = regexp.MustCompile(`(?i)\b(role|job ?title|title|position|job function|function|occupation)\b`)

// Extract implements Extractor.
func (CSV) Extract(ctx context.Context, in Input) (*Doc, error) {
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
	if len(rows) < 2 {
		return nil, errors.New("the survey has no answers: it needs a header row of questions and at least one row of answers")
	}
	header, answers := rows[0], rows[1:]
	free := make([]bool, len(header))
	role := -1
	anyFree := false
	for c, h := range header {
		free[c] = freeText(column(answers, c))
		anyFree = anyFree || free[c]
		if role < 0 && !free[c] && roleHeader.MatchString(h) {
			role = c
		}
	}
	if !anyFree {
		return nil, errors.New("the survey has no free-text answers: its columns hold only choices, numbers, dates or identifiers")
	}
	doc := &Doc{Format: "csv", Kind: evident.Survey, Structured: true, Warnings: warnings}
	for i, rec := range answers {
		attrs := map[string]string{}
		for c, v := range rec {
			if c < len(header) && !free[c] && strings.TrimSpace(v) != "" && strings.TrimSpace(header[c]) != "" {
				attrs[strings.TrimSpace(header[c])] = strings.TrimSpace(v)
			}
		}
		var who string
		if role >= 0 && role < len(rec) {
			who = strings.TrimSpace(rec[role])
		}
		for c, v := range rec {
			// Clean first: a cell of control or invisible characters is empty.
			v = strings.TrimSpace(cleanSpaces(v))
			if c >= len(header) || !free[c] || v == "" {
				continue
			}
			q := strings.TrimSpace(header[c])
			doc.Blocks = append(doc.Blocks, Block{
				Text:       v,
				Loc:        evident.Locator{Row: i + 1, Column: q},
				Context:    q,
				Role:       who,
				RoleSource: "survey column",
				Attrs:      attrs,
			})
		}
	}
	return doc, nil
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

func blankRow(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func column(rows [][]string, c int) []string {
	var out []string
	for _, r := range rows {
		if c < len(r) {
			if v := strings.TrimSpace(r[c]); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// freeText tells answers written in words from choices, numbers, dates and
// identifiers: on average at least four words, mostly letters.
func freeText(values []string) bool {
	if len(values) == 0 {
		return false
	}
	words, letters, total := 0, 0, 0
	for _, v := range values {
		words += len(strings.Fields(v))
		for _, r := range v {
			total++
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	return float64(words)/float64(len(values)) >= 4 && letters*2 > total
}
