package maps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Import stores a map read from a JSON export, under another name when
// rename is given. Quotes keep their ids, snapshots, notes and authors;
// themes, needs and assumptions come with them.
func (s *Store) Import(ctx context.Context, m *Map, rename, by string) (*Map, error) {
	if rename != "" {
		m.Name = rename
	}
	if err := m.Info.check(); err != nil {
		return nil, err
	}
	quotes, next, err := importQuotes(m, s.now())
	if err != nil {
		return nil, err
	}
	insight, err := importInsight(m, quotes, s.now())
	if err != nil {
		return nil, err
	}
	now := s.now()
	created, updated := m.Created, m.Updated
	if created.IsZero() {
		created = now
	}
	if updated.IsZero() {
		updated = created
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := loadMap(ctx, tx, m.Name); err == nil {
			return fail(ErrConflict, "a map called %q already exists; delete it or import under another name", m.Name)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO maps (name, role, goal, description, title, situation, priority, created, updated, next_quote)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.Name, m.Role, m.Goal, m.Description, m.Title, m.Situation, m.Priority, formatTime(created), formatTime(updated), next)
		if err != nil {
			return fmt.Errorf("importing map %q: %w", m.Name, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i := range quotes {
			if err := insertQuote(ctx, tx, id, &quotes[i]); err != nil {
				return err
			}
		}
		if err := insight.store(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, id, m.Name, opImport, by, importDetail{Info: m.Info, Quotes: len(quotes)}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, m.Name)
}

// maxQuoteNumber bounds the quote ids an import keeps: a file saying
// q9223372036854775807 would otherwise make the next id overflow. Ids
// above it are numbered anew, like missing ones; no map gets near it.
const maxQuoteNumber = 1_000_000_000

// importQuotes checks the quotes of an imported map and numbers their
// places; quotes without a usable id get new ones after the highest. A
// passage may be in a cell once, as Attach has it: a file that repeats
// one is refused rather than merged, since the two quotes' notes and
// authors may differ and only a person can choose between them.
func importQuotes(m *Map, now time.Time) ([]Quote, int, error) {
	var out []Quote
	seen := map[string]bool{}
	inCell := map[string]string{} // category and passage id → the quote that holds it
	highest := 0
	for ci, c := range m.Cells {
		if err := checkPlain(fmt.Sprintf("category of cell %d", ci+1), c.Category); err != nil {
			return nil, 0, err
		}
		cat := strings.ToUpper(strings.TrimSpace(c.Category))
		if cat == "" {
			return nil, 0, fail(ErrInvalid, "cell %d of the map has no category", ci+1)
		}
		for qi, q := range c.Quotes {
			where := fmt.Sprintf("quote %d of cell %s", qi+1, cat)
			if q.Category != "" && !strings.EqualFold(q.Category, cat) {
				return nil, 0, fail(ErrInvalid, "%s says it belongs to %s", where, q.Category)
			}
			if strings.TrimSpace(q.Text) == "" {
				return nil, 0, fail(ErrInvalid, "%s has no text", where)
			}
			q.PassageID = strings.TrimSpace(q.PassageID)
			if q.PassageID == "" {
				return nil, 0, fail(ErrInvalid, "%s has no passage_id", where)
			}
			q.Note = lineBreaks(q.Note)
			if err := checkText("note of "+where, q.Note); err != nil {
				return nil, 0, err
			}
			if err := checkQuoteText(where, &q); err != nil {
				return nil, 0, err
			}
			key := cat + "\x00" + q.PassageID
			if first, ok := inCell[key]; ok {
				return nil, 0, fail(ErrInvalid, "%s repeats passage %s of %s; a passage goes in a cell once, so keep one of the two in the file",
					where, q.PassageID, first)
			}
			inCell[key] = where
			q.ID = strings.ToLower(strings.TrimSpace(q.ID))
			if n, ok := quoteNumber(q.ID); ok && n <= maxQuoteNumber && !seen[q.ID] {
				seen[q.ID] = true
				highest = max(highest, n)
			} else {
				q.ID = "" // numbered below
			}
			q.Category = cat
			if q.AddedAt.IsZero() {
				q.AddedAt = now
			}
			q.Rule, q.Status = "", ""
			out = append(out, q)
		}
	}
	// Places follow the order of the file, cell by cell.
	places := map[string]int{}
	for i := range out {
		q := &out[i]
		if q.ID == "" {
			highest++
			q.ID = "q" + strconv.Itoa(highest)
		}
		q.Position = places[q.Category]
		places[q.Category]++
	}
	return out, highest + 1, nil
}

// checkQuoteText refuses control characters in every text of an imported
// quote: `evident map show` and the exports print them.
func checkQuoteText(where string, q *Quote) error {
	fields := [][2]string{
		{"text", q.Text}, {"citation", q.Citation}, {"speaker", q.Speaker}, {"role", q.Role},
		{"context", q.Context}, {"added_by", q.AddedBy}, {"passage_id", q.PassageID},
		{"locator time", q.Locator.Time}, {"locator column", q.Locator.Column},
		{"source title", q.Source.Title}, {"source file", q.Source.File}, {"source path", q.Source.Path},
		{"source sha256", q.Source.SHA256}, {"source kind", q.Source.Kind}, {"source url", q.Source.URL},
		{"source author", q.Source.Author}, {"source date", q.Source.Date},
	}
	names := make([]string, 0, len(q.Attrs))
	for k := range q.Attrs {
		names = append(names, k)
	}
	sort.Strings(names) // the same error for the same file
	for _, k := range names {
		fields = append(fields, [2]string{"attribute name " + strconv.Quote(k), k}, [2]string{"attribute " + strconv.Quote(k), q.Attrs[k]})
	}
	for _, c := range q.Categories {
		fields = append(fields, [2]string{"categories", c})
	}
	for _, m := range q.Matches {
		fields = append(fields, [2]string{"matches", m.Category}, [2]string{"matches", m.Rule},
			[2]string{"matches", m.Text}, [2]string{"matches", m.Reason})
	}
	for _, f := range fields {
		if err := checkPlain(f[0]+" of "+where, f[1]); err != nil {
			return err
		}
	}
	return nil
}

// quoteNumber reads the n of a quote id "qn".
func quoteNumber(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "q")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n > 0 && "q"+strconv.Itoa(n) == id
}
