package maps

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The operations recorded in a map's history.
const (
	opCreate = "create"
	opImport = "import"
	opEdit   = "edit"
	opAttach = "attach"
	opDetach = "detach"
	opNote   = "note"
	opMove   = "move"
	opUpdate = "update" // note and move in one request
	opUndo   = "undo"
	opDelete = "delete"
	opThemes = "themes"     // a change to the themes of a cell
	opNeed   = "need"       // a need added, changed or deleted
	opAssume = "assumption" // an assumption added, changed or deleted
)

// Change is one entry of a map's history.
type Change struct {
	Seq     int64           `json:"seq"`
	Op      string          `json:"op"`
	At      time.Time       `json:"at"`
	By      string          `json:"by"`
	Detail  json.RawMessage `json:"detail"`            // everything needed to invert the change
	Undoes  int64           `json:"undoes,omitempty"`  // for an undo: the change it undid
	Summary string          `json:"summary,omitempty"` // the change in words
}

// The details of each operation.
type (
	mapDetail struct {
		Map *Map `json:"map"`
	}
	importDetail struct {
		Info   Info `json:"map"`
		Quotes int  `json:"quotes"`
	}
	editDetail struct {
		Before Info `json:"before"`
		After  Info `json:"after"`
	}
	quoteDetail struct {
		Quote Quote `json:"quote"`
	}
	updateDetail struct {
		Quote string      `json:"quote"`
		Note  *noteChange `json:"note,omitempty"`
		Move  *moveChange `json:"move,omitempty"`
	}
	noteChange struct {
		Before string `json:"before"`
		After  string `json:"after"`
	}
	moveChange struct {
		From Place `json:"from"`
		To   Place `json:"to"`
	}
	undoDetail struct {
		Undoes  int64  `json:"undoes"`
		Op      string `json:"op"`
		Summary string `json:"summary"`
	}
)

func (d updateDetail) op() string {
	switch {
	case d.Note != nil && d.Move != nil:
		return opUpdate
	case d.Note != nil:
		return opNote
	}
	return opMove
}

// record appends a change to the history and, for a change to a map that
// stays, marks the map updated.
func (s *Store) record(ctx context.Context, tx *sql.Tx, mapID int64, name, op, by string, detail any, undoes int64) error {
	b, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	at := formatTime(s.now())
	var undoRef any
	if undoes > 0 {
		undoRef = undoes
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO map_history (map_id, map, op, at, by, detail, undoes) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		mapID, name, op, at, by, string(b), undoRef); err != nil {
		return fmt.Errorf("recording the change to map %q: %w", name, err)
	}
	if op == opImport || op == opDelete {
		return nil // an import keeps the file's dates; a deleted map has none
	}
	_, err = tx.ExecContext(ctx, `UPDATE maps SET updated = ? WHERE id = ?`, at, mapID)
	return err
}

func loadHistory(ctx context.Context, q querier, mapID int64) ([]Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, op, at, by, detail, COALESCE(undoes, 0) FROM map_history WHERE map_id = ? ORDER BY seq`, mapID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Change{}
	for rows.Next() {
		var c Change
		var at, detail string
		if err := rows.Scan(&c.Seq, &c.Op, &at, &c.By, &detail, &c.Undoes); err != nil {
			return nil, err
		}
		c.At, c.Detail = parseTime(at), json.RawMessage(detail)
		c.Summary = summarize(c)
		out = append(out, c)
	}
	return out, rows.Err()
}

// loadOps reads the history without the details: enough to find what
// to undo, however long the history.
func loadOps(ctx context.Context, q querier, mapID int64) ([]Change, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, op, COALESCE(undoes, 0) FROM map_history WHERE map_id = ? ORDER BY seq`, mapID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Seq, &c.Op, &c.Undoes); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func loadChange(ctx context.Context, q querier, seq int64) (Change, error) {
	var c Change
	var at, detail string
	err := q.QueryRowContext(ctx, `SELECT seq, op, at, by, detail, COALESCE(undoes, 0) FROM map_history WHERE seq = ?`, seq).
		Scan(&c.Seq, &c.Op, &at, &c.By, &detail, &c.Undoes)
	if err != nil {
		return c, fmt.Errorf("change %d: %w", seq, err)
	}
	c.At, c.Detail = parseTime(at), json.RawMessage(detail)
	c.Summary = summarize(c)
	return c, nil
}

// History returns every change to a map, oldest first.
func (s *Store) History(ctx context.Context, name string) ([]Change, error) {
	r, err := loadMap(ctx, s.db, name)
	if err != nil {
		return nil, err
	}
	return loadHistory(ctx, s.db, r.id)
}

// summarize says a change in words: "attached q3 to PAINS".
func summarize(c Change) string {
	switch c.Op {
	case opCreate:
		return "created the map"
	case opImport:
		var d importDetail
		json.Unmarshal(c.Detail, &d)
		return fmt.Sprintf("imported the map with %d quotes", d.Quotes)
	case opEdit:
		var d editDetail
		json.Unmarshal(c.Detail, &d)
		var parts []string
		for _, f := range []struct{ name, before, after string }{
			{"persona", d.Before.Role, d.After.Role}, {"goal", d.Before.Goal, d.After.Goal},
			{"description", d.Before.Description, d.After.Description}, {"title", d.Before.Title, d.After.Title},
			{"situation", d.Before.Situation, d.After.Situation}, {"priority", d.Before.Priority, d.After.Priority}} {
			if f.before != f.after {
				parts = append(parts, fmt.Sprintf("%s to %q", f.name, short(f.after)))
			}
		}
		return "changed the " + strings.Join(parts, ", the ")
	case opAttach, opDetach:
		var d quoteDetail
		json.Unmarshal(c.Detail, &d)
		if c.Op == opAttach {
			return fmt.Sprintf("attached %s to %s: %q", d.Quote.ID, d.Quote.Category, short(d.Quote.Text))
		}
		return fmt.Sprintf("detached %s from %s: %q", d.Quote.ID, d.Quote.Category, short(d.Quote.Text))
	case opNote, opMove, opUpdate:
		var d updateDetail
		json.Unmarshal(c.Detail, &d)
		var parts []string
		if d.Note != nil {
			if d.Note.After == "" {
				parts = append(parts, "cleared the note of "+d.Quote)
			} else {
				parts = append(parts, fmt.Sprintf("noted on %s: %q", d.Quote, short(d.Note.After)))
			}
		}
		if d.Move != nil {
			parts = append(parts, fmt.Sprintf("moved %s from %s #%d to %s #%d", d.Quote,
				d.Move.From.Category, d.Move.From.Position+1, d.Move.To.Category, d.Move.To.Position+1))
		}
		return strings.Join(parts, "; ")
	case opUndo:
		var d undoDetail
		json.Unmarshal(c.Detail, &d)
		return fmt.Sprintf("undid change %d (%s)", d.Undoes, d.Summary)
	case opDelete:
		return "deleted the map"
	case opThemes, opNeed, opAssume:
		return insightSummary(c)
	}
	return c.Op
}

func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}

// Undone is a map after an undo, and the change that was undone.
type Undone struct {
	*Map
	Undone Change `json:"undone"`
}

// Undo applies the inverse of the last change to the map that is not yet
// undone, and records that too. Undoing twice undoes the last two changes.
// A map's creation or import is not undone (delete the map instead).
func (s *Store) Undo(ctx context.Context, name, by string) (*Undone, error) {
	var undone Change
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		changes, err := loadOps(ctx, tx, r.id)
		if err != nil {
			return err
		}
		target, ok := lastUndoable(changes)
		if !ok {
			return fail(ErrConflict, "map %q has no change left to undo", r.info.Name)
		}
		if target, err = loadChange(ctx, tx, target.Seq); err != nil {
			return err
		}
		if err := s.invert(ctx, tx, r, target); err != nil {
			return fmt.Errorf("undoing change %d of map %q (%s): %w", target.Seq, r.info.Name, target.Summary, err)
		}
		undone = target
		return s.record(ctx, tx, r.id, r.info.Name, opUndo, by,
			undoDetail{Undoes: target.Seq, Op: target.Op, Summary: target.Summary}, target.Seq)
	})
	if err != nil {
		return nil, err
	}
	m, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return &Undone{Map: m, Undone: undone}, nil
}

// lastUndoable finds the newest change that is neither an undo nor undone.
// Undos are never undone themselves: the changes not undone form a stack.
func lastUndoable(changes []Change) (Change, bool) {
	undone := map[int64]bool{}
	for _, c := range changes {
		if c.Op == opUndo {
			undone[c.Undoes] = true
		}
	}
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		switch {
		case c.Op == opUndo || undone[c.Seq]:
			continue
		case c.Op == opCreate || c.Op == opImport:
			return Change{}, false
		}
		return c, true
	}
	return Change{}, false
}

// invert applies the inverse of a change.
func (s *Store) invert(ctx context.Context, tx *sql.Tx, r *mapRow, c Change) error {
	switch c.Op {
	case opAttach:
		var d quoteDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		q, err := loadQuote(ctx, tx, r.id, d.Quote.ID)
		if err != nil {
			return err
		}
		return removeQuote(ctx, tx, r.id, q)
	case opDetach:
		var d quoteDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		if _, err := loadQuote(ctx, tx, r.id, d.Quote.ID); err == nil {
			return fail(ErrConflict, "quote %s is on the map already", d.Quote.ID)
		}
		if err := checkCell(ctx, tx, r, d.Quote.Category, d.Quote.PassageID, d.Quote.ID); err != nil {
			return err
		}
		n, err := cellSize(ctx, tx, r.id, d.Quote.Category)
		if err != nil {
			return err
		}
		d.Quote.Position = min(d.Quote.Position, n)
		return insertQuote(ctx, tx, r.id, &d.Quote)
	case opNote, opMove, opUpdate:
		var d updateDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		q, err := loadQuote(ctx, tx, r.id, d.Quote)
		if err != nil {
			return err
		}
		if d.Note != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE map_quotes SET note = ? WHERE map_id = ? AND id = ?`, d.Note.Before, r.id, q.ID); err != nil {
				return err
			}
			q.Note = d.Note.Before
		}
		if d.Move != nil {
			if d.Move.From.Category != q.Category {
				if err := checkCell(ctx, tx, r, d.Move.From.Category, q.PassageID, q.ID); err != nil {
					return err
				}
			}
			return moveQuote(ctx, tx, r.id, q, d.Move.From)
		}
		return nil
	case opEdit:
		var d editDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		return s.setInfo(ctx, tx, r.id, d.Before)
	case opThemes, opNeed, opAssume:
		return invertInsight(ctx, tx, r, c)
	}
	return errors.New("this kind of change cannot be undone")
}
