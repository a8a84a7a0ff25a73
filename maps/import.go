package maps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Import stores a map read from a JSON export, under another name when
// rename is given. Quotes keep their ids, snapshots, notes and authors.
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
		res, err := tx.ExecContext(ctx, `INSERT INTO maps (name, role, goal, description, created, updated, next_quote) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.Name, m.Role, m.Goal, m.Description, formatTime(created), formatTime(updated), next)
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
		return s.record(ctx, tx, id, m.Name, opImport, by, importDetail{Info: m.Info, Quotes: len(quotes)}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, m.Name)
}

// importQuotes checks the quotes of an imported map and numbers their
// places; quotes without a usable id get new ones after the highest.
func importQuotes(m *Map, now time.Time) ([]Quote, int, error) {
	var out []Quote
	seen := map[string]bool{}
	highest := 0
	for ci, c := range m.Cells {
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
			if strings.TrimSpace(q.PassageID) == "" {
				return nil, 0, fail(ErrInvalid, "%s has no passage_id", where)
			}
			if err := checkText("note of "+where, q.Note); err != nil {
				return nil, 0, err
			}
			q.ID = strings.ToLower(strings.TrimSpace(q.ID))
			if n, ok := quoteNumber(q.ID); ok && !seen[q.ID] {
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

// quoteNumber reads the n of a quote id "qn".
func quoteNumber(id string) (int, bool) {
	rest, ok := strings.CutPrefix(id, "q")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n > 0 && "q"+strconv.Itoa(n) == id
}
