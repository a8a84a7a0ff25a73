package maps

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
)

// csvFixed are the columns every row has, in order; passage attributes
// (a survey respondent's company size, say) come after role, one column
// each, and the provenance of the quote after note.
var csvFixed = struct{ before, after, tail []string }{
	before: []string{"cell", "text", "speaker", "role"},
	after:  []string{"source_title", "file", "sha256", "locator", "rule", "note"},
	tail:   []string{"quote_id", "passage_id", "position", "status", "citation", "kind", "url", "added_by", "added_at"},
}

// CSV writes one row per quote, cell by cell, for a spreadsheet. Text
// that a spreadsheet would run as a formula gets a leading apostrophe.
func CSV(w io.Writer, m *Map) error {
	// Attribute columns: the union over the quotes, sorted. A name that
	// clashes with a fixed column is prefixed.
	fixed := map[string]bool{}
	for _, group := range [][]string{csvFixed.before, csvFixed.after, csvFixed.tail} {
		for _, c := range group {
			fixed[c] = true
		}
	}
	attrSet := map[string]bool{}
	for _, q := range m.Quotes() {
		for k := range q.Attrs {
			attrSet[k] = true
		}
	}
	attrs := make([]string, 0, len(attrSet))
	for k := range attrSet {
		attrs = append(attrs, k)
	}
	sort.Strings(attrs)
	header := append([]string{}, csvFixed.before...)
	for _, a := range attrs {
		name := a
		if fixed[strings.ToLower(strings.TrimSpace(a))] {
			name = "attribute: " + a
		}
		header = append(header, name)
	}
	header = append(header, csvFixed.after...)
	header = append(header, csvFixed.tail...)

	// Attribute names come from a survey's header row, as untrusted as
	// its answers: the header is defused like every other row.
	for i := range header {
		header[i] = defuse(header[i])
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, c := range m.Cells {
		for _, q := range c.Quotes {
			row := []string{q.Category, q.Text, q.Speaker, q.Role}
			for _, a := range attrs {
				row = append(row, q.Attrs[a])
			}
			row = append(row, q.Source.Title, q.Source.File, q.Source.SHA256, q.Locator.String(), q.Rule, q.Note,
				q.ID, q.PassageID, strconv.Itoa(q.Position+1), string(q.Status), q.Citation, q.Source.Kind, q.Source.URL,
				q.AddedBy, formatTime(q.AddedAt))
			for i := range row {
				row[i] = defuse(row[i])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a spreadsheet from running a cell as a formula: text that
// starts with = + - @, a tab or a carriage return gets a leading
// apostrophe (the OWASP advice against CSV injection): a quote from a web
// page must not become a live formula on someone's machine.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
