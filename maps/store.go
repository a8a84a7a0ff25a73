package maps

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// Maps live in the data folder's SQLite database, next to the documents
// and passages they quote, in tables of their own (schema 1). The history
// is append-only: triggers refuse to change or delete its rows.
const schema = `
CREATE TABLE IF NOT EXISTS maps (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
	role        TEXT NOT NULL DEFAULT '',
	goal        TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	created     TEXT NOT NULL,
	updated     TEXT NOT NULL,
	next_quote  INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS map_quotes (
	map_id     INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
	id         TEXT NOT NULL,
	category   TEXT NOT NULL,
	position   INTEGER NOT NULL,
	passage_id TEXT NOT NULL,
	snapshot   TEXT NOT NULL,
	note       TEXT NOT NULL DEFAULT '',
	added_by   TEXT NOT NULL DEFAULT '',
	added_at   TEXT NOT NULL,
	PRIMARY KEY (map_id, id)
);
CREATE INDEX IF NOT EXISTS map_quotes_cell ON map_quotes(map_id, category, position);
CREATE TABLE IF NOT EXISTS map_history (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	map_id  INTEGER NOT NULL,
	map     TEXT NOT NULL,
	op      TEXT NOT NULL,
	at      TEXT NOT NULL,
	by      TEXT NOT NULL,
	detail  TEXT NOT NULL,
	undoes  INTEGER
);
CREATE INDEX IF NOT EXISTS map_history_map ON map_history(map_id, seq);
CREATE TRIGGER IF NOT EXISTS map_history_no_update BEFORE UPDATE ON map_history
BEGIN SELECT RAISE(ABORT, 'the map history is append-only'); END;
CREATE TRIGGER IF NOT EXISTS map_history_no_delete BEFORE DELETE ON map_history
BEGIN SELECT RAISE(ABORT, 'the map history is append-only'); END;
`

// Sources is what maps need of the evidence store: passages to quote, and
// their documents to tell a changed source from a gone one.
// *store.Store implements it.
type Sources interface {
	PassagesByID(ctx context.Context, ids []string) (map[string]store.Cited, error)
	DocumentBySHA(ctx context.Context, sha string) (*evident.Document, error)
	FindDocument(ctx context.Context, ref string) (*evident.Document, error)
	Passages(ctx context.Context, docID int64) ([]evident.Passage, error)
}

// Taxonomy turns a persona as typed ("CFOs", "VP of Finance") into a
// canonical role. *roles.Taxonomy implements it.
type Taxonomy interface {
	Title(title string) (string, bool)
}

// Config is what a Store works with.
type Config struct {
	Sources    Sources
	Categories []Category // the rules file's cells, in order
	Roles      Taxonomy   // nil keeps personas as typed
	Now        func() time.Time
}

// Store keeps maps in a SQLite database.
type Store struct {
	db  *sql.DB
	cfg Config
}

// Open creates the maps tables if needed. Open once per database, and
// take WithCategories for the rules in force at each call.
func Open(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if cfg.Sources == nil {
		return nil, errors.New("maps: no sources")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("maps: creating tables: %w", err)
	}
	return &Store{db: db, cfg: cfg}, nil
}

// WithCategories is the store with other cells: those of the rules in
// force now. It shares the database and creates nothing.
func (s *Store) WithCategories(cats []Category) *Store {
	c := *s
	c.cfg.Categories = cats
	return &c
}

func (s *Store) now() time.Time { return s.cfg.Now().UTC() }

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// tx runs fn in one transaction (see store.Tx).
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error { return store.Tx(ctx, s.db, fn) }

// mapRow is a map's own row.
type mapRow struct {
	id               int64
	info             Info
	created, updated time.Time
	nextQuote        int
}

func loadMap(ctx context.Context, q querier, name string) (*mapRow, error) {
	var r mapRow
	var created, updated string
	err := q.QueryRowContext(ctx, `SELECT id, name, role, goal, description, created, updated, next_quote
		FROM maps WHERE name = ?`, strings.TrimSpace(name)).
		Scan(&r.id, &r.info.Name, &r.info.Role, &r.info.Goal, &r.info.Description, &created, &updated, &r.nextQuote)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noMap(name)
	}
	if err != nil {
		return nil, fmt.Errorf("map %q: %w", name, err)
	}
	r.created, r.updated = parseTime(created), parseTime(updated)
	return &r, nil
}

const quoteColumns = `id, category, position, passage_id, snapshot, note, added_by, added_at`

func scanQuote(row interface{ Scan(...any) error }) (Quote, error) {
	var q Quote
	var snap, added string
	if err := row.Scan(&q.ID, &q.Category, &q.Position, &q.PassageID, &snap, &q.Note, &q.AddedBy, &added); err != nil {
		return q, err
	}
	q.AddedAt = parseTime(added)
	if err := json.Unmarshal([]byte(snap), &q.Snapshot); err != nil {
		return q, fmt.Errorf("quote %s: snapshot: %w", q.ID, err)
	}
	return q, nil
}

func loadQuotes(ctx context.Context, q querier, mapID int64) ([]Quote, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+quoteColumns+` FROM map_quotes WHERE map_id = ?
		ORDER BY category, position, id`, mapID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Quote
	for rows.Next() {
		qt, err := scanQuote(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, qt)
	}
	return out, rows.Err()
}

func loadQuote(ctx context.Context, q querier, mapID int64, id string) (*Quote, error) {
	qt, err := scanQuote(q.QueryRowContext(ctx, `SELECT `+quoteColumns+` FROM map_quotes WHERE map_id = ? AND id = ?`, mapID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail(ErrNotFound, "the map has no quote %s", id)
	}
	return &qt, err
}

// assemble builds a map from its row and quotes, without statuses.
func (s *Store) assemble(r *mapRow, quotes []Quote) *Map {
	return &Map{Info: r.info, Created: r.created, Updated: r.updated, Cells: arrange(quotes, s.cfg.Categories)}
}

// List returns every map, by name.
func (s *Store) List(ctx context.Context) ([]Summary, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.name, m.role, m.goal, m.description, m.created, m.updated,
		(SELECT COUNT(*) FROM map_quotes q WHERE q.map_id = m.id)
		FROM maps m ORDER BY m.name COLLATE NOCASE, m.id`)
	if err != nil {
		return nil, fmt.Errorf("listing maps: %w", err)
	}
	defer rows.Close()
	out := []Summary{}
	for rows.Next() {
		var sm Summary
		var created, updated string
		if err := rows.Scan(&sm.Name, &sm.Role, &sm.Goal, &sm.Description, &created, &updated, &sm.Quotes); err != nil {
			return nil, err
		}
		sm.Created, sm.Updated = parseTime(created), parseTime(updated)
		out = append(out, sm)
	}
	return out, rows.Err()
}

// Get returns a map with every quote's status as of now.
func (s *Store) Get(ctx context.Context, name string) (*Map, error) {
	r, err := loadMap(ctx, s.db, name)
	if err != nil {
		return nil, err
	}
	quotes, err := loadQuotes(ctx, s.db, r.id)
	if err != nil {
		return nil, fmt.Errorf("map %q: %w", r.info.Name, err)
	}
	m := s.assemble(r, quotes)
	if err := s.resolve(ctx, m.Quotes()); err != nil {
		return nil, err
	}
	return m, nil
}

// canonicalRole turns a persona as typed into the taxonomy's role when it
// names one; anything else stays as typed.
func (s *Store) canonicalRole(role string) string {
	role = strings.TrimSpace(role)
	if role != "" && s.cfg.Roles != nil {
		if id, ok := s.cfg.Roles.Title(role); ok {
			return id
		}
	}
	return role
}

// category resolves a category as typed ("pains") to the rules' name.
func (s *Store) category(typed string) (string, error) {
	want := strings.ToUpper(strings.TrimSpace(typed))
	names := make([]string, len(s.cfg.Categories))
	for i, c := range s.cfg.Categories {
		if c.Name == want {
			return c.Name, nil
		}
		names[i] = c.Name
	}
	if want == "" {
		return "", fail(ErrInvalid, "a category is needed (one of %s)", strings.Join(names, ", "))
	}
	return "", fail(ErrInvalid, "category %q is not in the rules; use one of %s", typed, strings.Join(names, ", "))
}

// Create makes an empty map.
func (s *Store) Create(ctx context.Context, info Info, by string) (*Map, error) {
	if err := info.check(); err != nil {
		return nil, err
	}
	info.Role = s.canonicalRole(info.Role)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := loadMap(ctx, tx, info.Name); err == nil {
			return fail(ErrConflict, "a map called %q already exists", info.Name)
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		now := formatTime(s.now())
		res, err := tx.ExecContext(ctx, `INSERT INTO maps (name, role, goal, description, created, updated) VALUES (?, ?, ?, ?, ?, ?)`,
			info.Name, info.Role, info.Goal, info.Description, now, now)
		if err != nil {
			return fmt.Errorf("creating map %q: %w", info.Name, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		return s.record(ctx, tx, id, info.Name, opCreate, by, mapDetail{Map: &Map{Info: info}}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, info.Name)
}

// Edit changes what a map says about itself: persona, goal, description.
type Edit struct {
	Role        *string `json:"role,omitempty"`
	Goal        *string `json:"goal,omitempty"`
	Description *string `json:"description,omitempty"`
}

// Edit changes a map's persona, goal or description.
func (s *Store) Edit(ctx context.Context, name string, e Edit, by string) (*Map, error) {
	if e.Role == nil && e.Goal == nil && e.Description == nil {
		return nil, fail(ErrInvalid, "nothing to change: give a role, a goal or a description")
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		after := r.info
		if e.Role != nil {
			after.Role = s.canonicalRole(*e.Role)
		}
		if e.Goal != nil {
			after.Goal = *e.Goal
		}
		if e.Description != nil {
			after.Description = *e.Description
		}
		if err := after.check(); err != nil {
			return err
		}
		if after == r.info {
			return nil
		}
		if err := s.setInfo(ctx, tx, r.id, after); err != nil {
			return err
		}
		return s.record(ctx, tx, r.id, r.info.Name, opEdit, by, editDetail{Before: r.info, After: after}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, name)
}

func (s *Store) setInfo(ctx context.Context, tx *sql.Tx, mapID int64, info Info) error {
	_, err := tx.ExecContext(ctx, `UPDATE maps SET role = ?, goal = ?, description = ? WHERE id = ?`,
		info.Role, info.Goal, info.Description, mapID)
	return err
}

// Delete removes a map for good. The delete record of the history holds
// the whole map, for the record, but nothing restores a map from it:
// export a map first to keep it.
func (s *Store) Delete(ctx context.Context, name, by string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		quotes, err := loadQuotes(ctx, tx, r.id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM maps WHERE id = ?`, r.id); err != nil {
			return fmt.Errorf("deleting map %q: %w", r.info.Name, err)
		}
		return s.record(ctx, tx, r.id, r.info.Name, opDelete, by, mapDetail{Map: s.assemble(r, quotes)}, 0)
	})
}
