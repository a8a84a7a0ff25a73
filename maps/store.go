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
// and passages they quote, in tables of their own: schema 1 below, then
// the migrations. The history is append-only: triggers refuse to change
// or delete its rows.
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
CREATE TABLE IF NOT EXISTS map_schema (version INTEGER NOT NULL);
`

// migrations bring the maps tables from one version to the next, the way
// the store's do: migrations[i] makes version i+2 (schema is version 1),
// each in one transaction, the version kept in map_schema (the store
// owns PRAGMA user_version).
var migrations = []string{
	// 2. From quotes to insight: the WHO header's title, situation and
	// priority; themes in a cell, needs with their evidence, assumptions
	// with their supporting or contradicting quotes. Quote ids are kept as
	// JSON lists: a quote that leaves a cell leaves its theme (and comes
	// back on undo) without rewriting them.
	`ALTER TABLE maps ADD COLUMN title TEXT NOT NULL DEFAULT '';
	ALTER TABLE maps ADD COLUMN situation TEXT NOT NULL DEFAULT '';
	ALTER TABLE maps ADD COLUMN priority TEXT NOT NULL DEFAULT '';
	ALTER TABLE maps ADD COLUMN next_theme INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE maps ADD COLUMN next_need INTEGER NOT NULL DEFAULT 1;
	ALTER TABLE maps ADD COLUMN next_assumption INTEGER NOT NULL DEFAULT 1;
	CREATE TABLE map_themes (
		map_id   INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
		id       TEXT NOT NULL,
		category TEXT NOT NULL,
		position INTEGER NOT NULL,
		name     TEXT NOT NULL,
		quotes   TEXT NOT NULL DEFAULT '[]',
		terms    TEXT NOT NULL DEFAULT '[]',
		PRIMARY KEY (map_id, id)
	);
	CREATE TABLE map_needs (
		map_id   INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
		id       TEXT NOT NULL,
		position INTEGER NOT NULL,
		text     TEXT NOT NULL,
		evidence TEXT NOT NULL DEFAULT '[]',
		added_by TEXT NOT NULL DEFAULT '',
		added_at TEXT NOT NULL,
		PRIMARY KEY (map_id, id)
	);
	CREATE TABLE map_assumptions (
		map_id   INTEGER NOT NULL REFERENCES maps(id) ON DELETE CASCADE,
		id       TEXT NOT NULL,
		category TEXT NOT NULL,
		position INTEGER NOT NULL,
		text     TEXT NOT NULL,
		evidence TEXT NOT NULL DEFAULT '[]',
		added_by TEXT NOT NULL DEFAULT '',
		added_at TEXT NOT NULL,
		PRIMARY KEY (map_id, id)
	);`,
}

// schemaVersion reads the version of the maps tables: 0 when they are
// not there at all.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'map_schema'`).Scan(&n)
	if err != nil || n == 0 {
		return 0, err
	}
	var v int
	err = q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 1) FROM map_schema`).Scan(&v)
	return v, err
}

// Upgraded reports whether the maps tables of db are this version's: a
// reader that opens the database read-only has a writer upgrade it first
// otherwise.
func Upgraded(ctx context.Context, db *sql.DB) (bool, error) {
	v, err := schemaVersion(ctx, db)
	return v >= len(migrations)+1, err
}

func migrate(ctx context.Context, db *sql.DB) error {
	v, err := schemaVersion(ctx, db)
	if err != nil {
		return err
	}
	for v = max(v, 1); v < len(migrations)+1; v++ {
		err := store.Tx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
				return fmt.Errorf("version %d: %w", v+1, err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM map_schema`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO map_schema (version) VALUES (?)`, v+1)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Sources is what maps need of the evidence store: passages to quote, and
// their documents to tell a changed source from a gone one.
// *store.Store implements it.
type Sources interface {
	PassagesByID(ctx context.Context, ids []string) (map[string]store.Hit, error)
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

// Open creates the maps tables if needed. It is cheap: the engine opens
// one per call, with the rules in force at that moment.
func Open(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if cfg.Sources == nil {
		return nil, errors.New("maps: no sources")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	// A reader's database is upgraded by a writer first (Upgraded): it
	// neither creates nor migrates anything here.
	if ok, err := Upgraded(ctx, db); err != nil {
		return nil, fmt.Errorf("maps: %w", err)
	} else if !ok {
		if _, err := db.ExecContext(ctx, schema); err != nil {
			return nil, fmt.Errorf("maps: creating tables: %w", err)
		}
		if err := migrate(ctx, db); err != nil {
			return nil, fmt.Errorf("maps: migrating: %w", err)
		}
	}
	return &Store{db: db, cfg: cfg}, nil
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
	next             map[string]int // next id of a theme, need or assumption, by column
}

func loadMap(ctx context.Context, q querier, name string) (*mapRow, error) {
	var r mapRow
	var created, updated string
	var theme, need, assumption int
	err := q.QueryRowContext(ctx, `SELECT id, name, role, goal, description, title, situation, priority, created, updated,
		next_quote, next_theme, next_need, next_assumption
		FROM maps WHERE name = ?`, strings.TrimSpace(name)).
		Scan(&r.id, &r.info.Name, &r.info.Role, &r.info.Goal, &r.info.Description, &r.info.Title, &r.info.Situation, &r.info.Priority,
			&created, &updated, &r.nextQuote, &theme, &need, &assumption)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, noMap(name)
	}
	if err != nil {
		return nil, fmt.Errorf("map %q: %w", name, err)
	}
	r.created, r.updated = parseTime(created), parseTime(updated)
	r.next = map[string]int{"next_theme": theme, "next_need": need, "next_assumption": assumption}
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
	rows, err := s.db.QueryContext(ctx, `SELECT m.name, m.role, m.goal, m.description, m.title, m.situation, m.priority, m.created, m.updated,
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
		if err := rows.Scan(&sm.Name, &sm.Role, &sm.Goal, &sm.Description, &sm.Title, &sm.Situation, &sm.Priority, &created, &updated, &sm.Quotes); err != nil {
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
	if err := s.loadInsight(ctx, s.db, r.id, m); err != nil {
		return nil, fmt.Errorf("map %q: %w", r.info.Name, err)
	}
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
		res, err := tx.ExecContext(ctx, `INSERT INTO maps (name, role, goal, description, title, situation, priority, created, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			info.Name, info.Role, info.Goal, info.Description, info.Title, info.Situation, info.Priority, now, now)
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

// Edit changes what a map says about itself: persona, goal, description
// and the rest of the header.
type Edit struct {
	Role        *string `json:"role,omitempty"`
	Goal        *string `json:"goal,omitempty"`
	Description *string `json:"description,omitempty"`
	Title       *string `json:"title,omitempty"`
	Situation   *string `json:"situation,omitempty"`
	Priority    *string `json:"priority,omitempty"`
}

// Edit changes a map's header: persona, goal, description, title,
// situation or priority.
func (s *Store) Edit(ctx context.Context, name string, e Edit, by string) (*Map, error) {
	if e == (Edit{}) {
		return nil, fail(ErrInvalid, "nothing to change: give a role, a goal, a description, a title, a situation or a priority")
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
		for _, f := range []struct{ from, to *string }{{e.Title, &after.Title}, {e.Situation, &after.Situation}, {e.Priority, &after.Priority}} {
			if f.from != nil {
				*f.to = *f.from
			}
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
	_, err := tx.ExecContext(ctx, `UPDATE maps SET role = ?, goal = ?, description = ?, title = ?, situation = ?, priority = ? WHERE id = ?`,
		info.Role, info.Goal, info.Description, info.Title, info.Situation, info.Priority, mapID)
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
		m := s.assemble(r, quotes)
		if err := s.loadInsight(ctx, tx, r.id, m); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM maps WHERE id = ?`, r.id); err != nil {
			return fmt.Errorf("deleting map %q: %w", r.info.Name, err)
		}
		return s.record(ctx, tx, r.id, r.info.Name, opDelete, by, mapDetail{Map: m}, 0)
	})
}
