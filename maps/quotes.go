package maps

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Attachment asks for a passage to be attached to a cell.
type Attachment struct {
	Category  string `json:"category"`
	PassageID string `json:"passage_id"`
	Note      string `json:"note,omitempty"`
	Position  *int   `json:"position,omitempty"` // 0-based; the end of the cell when absent
}

// Attach puts a passage in a cell of a map, with a snapshot of its text
// and citation as they are now.
func (s *Store) Attach(ctx context.Context, name string, a Attachment, by string) (*Quote, error) {
	cat, err := s.category(a.Category)
	if err != nil {
		return nil, err
	}
	a.Note = lineBreaks(a.Note)
	if err := checkText("note", a.Note); err != nil {
		return nil, err
	}
	pid := strings.TrimSpace(a.PassageID)
	if pid == "" {
		return nil, fail(ErrInvalid, "a passage id is needed; `evident search` shows them")
	}
	found, err := s.cfg.Sources.PassagesByID(ctx, []string{pid})
	if err != nil {
		return nil, fmt.Errorf("passage %s: %w", pid, err)
	}
	hit, ok := found[pid]
	if !ok {
		return nil, fail(ErrNotFound, "no passage has the id %q; `evident search` shows passage ids", pid)
	}
	q := Quote{Category: cat, PassageID: pid, Snapshot: snapshotOf(hit.Document, &hit.Passage),
		Note: a.Note, AddedBy: by, AddedAt: s.now()}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		if err := checkCell(ctx, tx, r, cat, pid, ""); err != nil {
			return err
		}
		n, err := cellSize(ctx, tx, r.id, cat)
		if err != nil {
			return err
		}
		q.Position = n
		if a.Position != nil {
			if *a.Position < 0 {
				return fail(ErrInvalid, "position %d is negative; the first place in a cell is 0", *a.Position)
			}
			q.Position = min(*a.Position, n)
		}
		q.ID = "q" + strconv.Itoa(r.nextQuote)
		if _, err := tx.ExecContext(ctx, `UPDATE maps SET next_quote = next_quote + 1 WHERE id = ?`, r.id); err != nil {
			return err
		}
		if err := insertQuote(ctx, tx, r.id, &q); err != nil {
			return err
		}
		return s.record(ctx, tx, r.id, r.info.Name, opAttach, by, quoteDetail{Quote: q}, 0)
	})
	if err != nil {
		return nil, err
	}
	q.Rule = ruleOf(&q.Snapshot, q.Category)
	q.Status = Current
	return &q, nil
}

// checkCell refuses a second quote of one passage in one cell (the quote
// except aside, when it is the one moving there): detaching by passage id
// could not tell the two apart. Attach, move and undo all keep this rule;
// an import refuses a file that breaks it.
func checkCell(ctx context.Context, tx *sql.Tx, r *mapRow, category, passageID, except string) error {
	var dup string
	err := tx.QueryRowContext(ctx, `SELECT id FROM map_quotes WHERE map_id = ? AND category = ? AND passage_id = ? AND id != ? ORDER BY position LIMIT 1`,
		r.id, category, passageID, except).Scan(&dup)
	switch {
	case err == nil:
		return fail(ErrConflict, "passage %s is already in %s of map %q as %s", passageID, category, r.info.Name, dup)
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return err
}

func cellSize(ctx context.Context, q querier, mapID int64, category string) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM map_quotes WHERE map_id = ? AND category = ?`, mapID, category).Scan(&n)
	return n, err
}

// insertQuote puts a quote at its position in its cell, moving the quotes
// from there on down by one.
func insertQuote(ctx context.Context, tx *sql.Tx, mapID int64, q *Quote) error {
	snap, err := json.Marshal(q.Snapshot)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE map_quotes SET position = position + 1 WHERE map_id = ? AND category = ? AND position >= ?`,
		mapID, q.Category, q.Position); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO map_quotes (map_id, id, category, position, passage_id, snapshot, note, added_by, added_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, mapID, q.ID, q.Category, q.Position, q.PassageID, string(snap), q.Note, q.AddedBy, formatTime(q.AddedAt))
	if err != nil {
		return fmt.Errorf("quote %s: %w", q.ID, err)
	}
	return nil
}

// removeQuote takes a quote out of its cell, closing the gap.
func removeQuote(ctx context.Context, tx *sql.Tx, mapID int64, q *Quote) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM map_quotes WHERE map_id = ? AND id = ?`, mapID, q.ID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE map_quotes SET position = position - 1 WHERE map_id = ? AND category = ? AND position > ?`,
		mapID, q.Category, q.Position)
	return err
}

// moveQuote puts a quote at another place, in its cell or another one.
func moveQuote(ctx context.Context, tx *sql.Tx, mapID int64, q *Quote, to Place) error {
	if err := removeQuote(ctx, tx, mapID, q); err != nil {
		return err
	}
	q.Category, q.Position = to.Category, to.Position
	return insertQuote(ctx, tx, mapID, q)
}

// QuoteUpdate changes a quote's note or its place; absent fields stay.
type QuoteUpdate struct {
	Note     *string `json:"note,omitempty"`
	Position *int    `json:"position,omitempty"` // 0-based; clamped to the end of the cell
	Category *string `json:"category,omitempty"` // another cell; the end of it unless position says otherwise
}

// Place is where a quote sits.
type Place struct {
	Category string `json:"category"`
	Position int    `json:"position"`
}

// Update changes a quote's note, or moves it within its cell or to
// another cell. It records one change, undone as one.
func (s *Store) Update(ctx context.Context, name, id string, u QuoteUpdate, by string) (*Quote, error) {
	if u.Note == nil && u.Position == nil && u.Category == nil {
		return nil, fail(ErrInvalid, "nothing to change: give a note, a position or a category")
	}
	if u.Note != nil {
		note := lineBreaks(*u.Note)
		u.Note = &note
		if err := checkText("note", *u.Note); err != nil {
			return nil, err
		}
	}
	if u.Position != nil && *u.Position < 0 {
		return nil, fail(ErrInvalid, "position %d is negative; the first place in a cell is 0", *u.Position)
	}
	var target string
	if u.Category != nil {
		var err error
		if target, err = s.category(*u.Category); err != nil {
			return nil, err
		}
	}
	var q *Quote
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		if q, err = s.findQuote(ctx, tx, r, id); err != nil {
			return err
		}
		var d updateDetail
		d.Quote = q.ID
		if u.Note != nil && *u.Note != q.Note {
			d.Note = &noteChange{Before: q.Note, After: *u.Note}
			if _, err := tx.ExecContext(ctx, `UPDATE map_quotes SET note = ? WHERE map_id = ? AND id = ?`, *u.Note, r.id, q.ID); err != nil {
				return err
			}
			q.Note = *u.Note
		}
		if u.Category != nil || u.Position != nil {
			from := Place{Category: q.Category, Position: q.Position}
			to := from
			if u.Category != nil && target != q.Category {
				if err := checkCell(ctx, tx, r, target, q.PassageID, q.ID); err != nil {
					return err
				}
				n, err := cellSize(ctx, tx, r.id, target)
				if err != nil {
					return err
				}
				to = Place{Category: target, Position: n}
			}
			if u.Position != nil {
				n, err := cellSize(ctx, tx, r.id, to.Category)
				if err != nil {
					return err
				}
				if to.Category == from.Category {
					n-- // the quote leaves its place before it takes the new one
				}
				to.Position = min(*u.Position, n)
			}
			if to != from {
				if err := moveQuote(ctx, tx, r.id, q, to); err != nil {
					return err
				}
				d.Move = &moveChange{From: from, To: to}
			}
		}
		if d.Note == nil && d.Move == nil {
			return nil // nothing changed: nothing to record
		}
		return s.record(ctx, tx, r.id, r.info.Name, d.op(), by, d, 0)
	})
	if err != nil {
		return nil, err
	}
	q.Rule = ruleOf(&q.Snapshot, q.Category)
	if err := s.resolve(ctx, []*Quote{q}); err != nil {
		return nil, err
	}
	return q, nil
}

// findQuote finds a quote by its id (q3) or, failing that, by the id of
// its passage when the passage is on the map once.
func (s *Store) findQuote(ctx context.Context, tx *sql.Tx, r *mapRow, ref string) (*Quote, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fail(ErrInvalid, "a quote id (q1, q2...) or a passage id is needed")
	}
	q, err := loadQuote(ctx, tx, r.id, strings.ToLower(ref))
	if err == nil || !errors.Is(err, ErrNotFound) {
		return q, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+quoteColumns+` FROM map_quotes WHERE map_id = ? AND passage_id = ? ORDER BY category, position`, r.id, ref)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []Quote
	for rows.Next() {
		qt, err := scanQuote(rows)
		if err != nil {
			return nil, err
		}
		found = append(found, qt)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fail(ErrNotFound, "map %q has no quote %s; `evident map show %s` lists its quotes", r.info.Name, ref, r.info.Name)
	case 1:
		return &found[0], nil
	}
	cells := arrange(found, s.cfg.Categories) // in the rules' order
	var where []string
	for _, q := range (&Map{Cells: cells}).Quotes() {
		where = append(where, q.Category+" as "+q.ID)
	}
	return nil, fail(ErrConflict, "passage %s is on map %q more than once (%s); name the quote id", ref, r.info.Name, strings.Join(where, ", "))
}

// Detach takes a quote off a map. ref is the quote's id, or its passage's
// id when the passage is on the map once.
func (s *Store) Detach(ctx context.Context, name, ref, by string) (*Quote, error) {
	var q *Quote
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		if q, err = s.findQuote(ctx, tx, r, ref); err != nil {
			return err
		}
		if err := removeQuote(ctx, tx, r.id, q); err != nil {
			return err
		}
		return s.record(ctx, tx, r.id, r.info.Name, opDetach, by, quoteDetail{Quote: *q}, 0)
	})
	if err != nil {
		return nil, err
	}
	q.Rule = ruleOf(&q.Snapshot, q.Category)
	if err := s.resolve(ctx, []*Quote{q}); err != nil {
		return nil, err
	}
	return q, nil
}
