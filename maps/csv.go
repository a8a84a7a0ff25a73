package maps

import (
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// csvFixed are the columns every row has, in order; passage attributes
// (a survey respondent's company size, say) come after role, one column
// each, and the provenance of the quote after note.
var csvFixed = struct{ before, after, tail []string }{
	before: []string{"cell", "text", "speaker", "role"},
	after:  []string{"source_title", "file", "sha256", "locator", "rule", "note"},
	tail: []string{"quote_id", "passage_id", "position", "status", "citation", "kind", "url", "added_by", "added_at",
		"theme_id", "theme", "needs", "assumptions", "card"},
}

// CSV writes one row per quote, cell by cell, for a spreadsheet, with
// its theme and the needs and assumptions it is evidence for; then one
// row per assumption and one per need (card says which a row is, the
// quote_id column holds their id, status an assumption's verdict, note
// their evidence). Text that a spreadsheet would run as a formula gets a
// leading apostrophe.
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
	needsOf, assumptionsOf := map[string][]string{}, map[string][]string{}
	for _, n := range m.Needs {
		for _, id := range n.Evidence {
			needsOf[id] = append(needsOf[id], n.ID)
		}
	}
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			for _, e := range a.Evidence {
				assumptionsOf[e.Quote] = append(assumptionsOf[e.Quote], a.ID+" "+string(e.Stance))
			}
		}
	}
	write := func(row []string) error {
		for i := range row {
			row[i] = defuse(row[i])
		}
		return cw.Write(row)
	}
	// card is a row of an assumption or a need: the cell, the text, the
	// id, its verdict, its evidence.
	card := func(cell, text, id, status, evidence, by string, at time.Time, kind string) []string {
		row := []string{cell, text, "", ""}
		row = append(row, make([]string, len(attrs))...)
		row = append(row, "", "", "", "", "", evidence, id, "", "", status, "", "", "", by, formatTime(at), "", "", "", "", kind)
		return row
	}
	for _, c := range m.Cells {
		for _, q := range c.Quotes {
			row := []string{q.Category, q.Text, q.Speaker, q.Role}
			for _, a := range attrs {
				row = append(row, q.Attrs[a])
			}
			var themeID, theme string
			if t := c.ThemeOf(q.ID); t != nil {
				themeID, theme = t.ID, t.Name
			}
			row = append(row, q.Source.Title, q.Source.File, q.Source.SHA256, q.Locator.String(), q.Rule, q.Note,
				q.ID, q.PassageID, strconv.Itoa(q.Position+1), string(q.Status), q.Citation, q.Source.Kind, q.Source.URL,
				q.AddedBy, formatTime(q.AddedAt), themeID, theme, strings.Join(needsOf[q.ID], " "), strings.Join(assumptionsOf[q.ID], "; "), "quote")
			if err := write(row); err != nil {
				return err
			}
		}
	}
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			var ev []string
			for _, e := range a.Evidence {
				ev = append(ev, e.Quote+" "+string(e.Stance))
			}
			if err := write(card(c.Category, a.Text, a.ID, a.Verdict, strings.Join(ev, "; "), a.AddedBy, a.AddedAt, "assumption")); err != nil {
				return err
			}
		}
	}
	for _, n := range m.Needs {
		ev := strings.Join(n.Evidence, " ")
		if len(n.Roles) > 0 {
			ev += " (from " + strings.Join(n.Roles, ", ") + ")"
		}
		if err := write(card("NEEDS", n.Text, n.ID, "", ev, n.AddedBy, n.AddedAt, "need")); err != nil {
			return err
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
