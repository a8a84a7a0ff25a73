// Package store keeps the source of truth in SQLite: documents, their
// state, their passages with tags, and (later) maps. The search index is
// derived from it and can be rebuilt from it at any time.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the database/sql driver

	"github.com/evident/evident"
)

// ErrNotFound is returned when a document or passage does not exist.
var ErrNotFound = errors.New("not found")

// Store is the SQLite database of one data folder.
type Store struct {
	db *sql.DB
}

const schema = `
CREATE TABLE IF NOT EXISTS documents (
	id        INTEGER PRIMARY KEY,
	origin    TEXT NOT NULL UNIQUE,
	file      TEXT NOT NULL,
	sha256    TEXT NOT NULL UNIQUE,
	size      INTEGER NOT NULL DEFAULT 0,
	format    TEXT NOT NULL DEFAULT '',
	title     TEXT NOT NULL DEFAULT '',
	kind      TEXT NOT NULL DEFAULT '',
	url       TEXT NOT NULL DEFAULT '',
	author    TEXT NOT NULL DEFAULT '',
	date      TEXT NOT NULL DEFAULT '',
	site      TEXT NOT NULL DEFAULT '',
	role      TEXT NOT NULL DEFAULT '',
	speakers  TEXT NOT NULL DEFAULT '[]',
	meta      TEXT NOT NULL DEFAULT '{}',
	folder_role TEXT NOT NULL DEFAULT '',
	state     TEXT NOT NULL,
	error     TEXT NOT NULL DEFAULT '',
	warnings  TEXT NOT NULL DEFAULT '[]',
	passages  INTEGER NOT NULL DEFAULT 0,
	added     TEXT NOT NULL,
	updated   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
	id          TEXT PRIMARY KEY,
	doc_id      INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	text        TEXT NOT NULL,
	speaker     TEXT NOT NULL DEFAULT '',
	role        TEXT NOT NULL DEFAULT '',
	role_source TEXT NOT NULL DEFAULT '',
	interviewer INTEGER NOT NULL DEFAULT 0,
	section     TEXT NOT NULL DEFAULT '',
	context     TEXT NOT NULL DEFAULT '',
	attrs       TEXT NOT NULL DEFAULT '{}',
	locator     TEXT NOT NULL DEFAULT '{}',
	categories  TEXT NOT NULL DEFAULT '[]',
	scores      TEXT NOT NULL DEFAULT '{}',
	matches     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, seq);
-- Other places that hold a document's bytes: when the document's own file
-- changes, a copy takes its place rather than its passages being lost.
CREATE TABLE IF NOT EXISTS copies (
	origin TEXT PRIMARY KEY,
	file   TEXT NOT NULL,
	sha256 TEXT NOT NULL
);
-- The review log: every time a person accepted, corrected or cleared a
-- passage's tags (review.go). Append-only, and kept when the passage goes.
CREATE TABLE IF NOT EXISTS reviews (
	id                INTEGER PRIMARY KEY,
	passage_id        TEXT NOT NULL,
	sha256            TEXT NOT NULL,
	who               TEXT NOT NULL,
	at                TEXT NOT NULL,
	action            TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'clear')),
	categories_before TEXT NOT NULL DEFAULT '[]',
	categories_after  TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS reviews_passage ON reviews(passage_id, id);
CREATE TRIGGER IF NOT EXISTS reviews_no_update BEFORE UPDATE ON reviews
BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS reviews_no_delete BEFORE DELETE ON reviews
BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END;
-- A person's categories for a passage, which outrank the rules'. Keyed by
-- passage id, not tied to the passages table: the same bytes give the
-- same ids, so a document saved again (re-ingested) finds its overrides.
CREATE TABLE IF NOT EXISTS overrides (
	passage_id TEXT PRIMARY KEY,
	sha256     TEXT NOT NULL,
	categories TEXT NOT NULL DEFAULT '[]',
	who        TEXT NOT NULL,
	at         TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS overrides_doc ON overrides(sha256);
-- What a person said of a speaker of a document (speakers.go): role,
-- title, company, interviewer or not; NULL leaves what was detected.
-- Keyed by content hash and speaker name, so that the same bytes saved
-- again (re-ingested) keep it.
CREATE TABLE IF NOT EXISTS speaker_overrides (
	sha256      TEXT NOT NULL,
	speaker     TEXT NOT NULL,
	role        TEXT,
	title       TEXT,
	company     TEXT,
	interviewer INTEGER,
	who         TEXT NOT NULL,
	at          TEXT NOT NULL,
	PRIMARY KEY (sha256, speaker)
);
`

// Open opens (creating if needed) the database at path, in WAL mode so that
// readers never wait for the one writer.
//
// The database file is created private to its owner (0600); SQLite gives
// its -wal and -shm files the database file's mode.
func Open(path string) (*Store, error) {
	if err := private(path); err != nil {
		return nil, err
	}
	if err := initPages(path); err != nil {
		return nil, err
	}
	dsn := "file:" + path + "?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=10000&_synchronous=NORMAL&_txlock=immediate"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: creating schema: %w", path, err)
	}
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: migrating: %w", path, err)
	}
	return &Store{db: db}, nil
}

// pageSize is the page size of a new database. A passage's row is about a
// kilobyte, and each page leaves on average half a row unused: at
// SQLite's default of 4 KiB that was a sixth of the database.
const pageSize = 16384

// initPages gives a new (empty) database file its page size, which has to
// be set before the first table and cannot change once in WAL mode. A
// database that already has pages keeps its size.
func initPages(path string) error {
	if info, err := os.Stat(path); err != nil || info.Size() > 0 {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	defer db.Close()
	// journal_mode writes the header, with the page size, at once.
	if _, err := db.Exec(fmt.Sprintf(`PRAGMA page_size = %d; PRAGMA journal_mode = WAL`, pageSize)); err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	return nil
}

// private creates the database file if needed and narrows it and its
// journal files, which earlier versions left readable by all, to 0600.
func private(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	err = f.Chmod(0o600)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store %s: %w", path, err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Chmod(path+suffix, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("store %s: %w", path+suffix, err)
		}
	}
	return nil
}

// ErrOldSchema is returned by OpenReadOnly for a database that a writer
// has not yet brought up to this version's tables (or has not created).
var ErrOldSchema = errors.New("the database needs to be created or upgraded by a writer first")

// OpenReadOnly opens the database at path for reading only. It takes no
// lock and never writes, so that a writer (evident serve) can open the same
// database at any time; in WAL mode neither waits for the other.
func OpenReadOnly(path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("store %s: %w", path, ErrOldSchema)
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_foreign_keys=on&_busy_timeout=10000")
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, err)
	}
	if version < len(migrations) {
		db.Close()
		return nil, fmt.Errorf("store %s: %w", path, ErrOldSchema)
	}
	return &Store{db: db}, nil
}

// migrations bring a database from one version (PRAGMA user_version) to the
// next; migrations[i] makes version i+1. They run after the schema, in one
// transaction each.
var migrations = []string{
	// 1. Resuming after a stop or a crash. runs counts the times a
	// document was queued (it makes every job's message id unique); mtime
	// is the file's modification time as submitted, so that an unchanged
	// file is not hashed again; config is the rules and roles a failure
	// happened under; stamp is what the search index holds of the
	// document (see index.Stamp); interrupted counts the crashes that cut
	// its processing short. The journal records work in progress that a
	// crash would leave half done (reclassify).
	`ALTER TABLE documents ADD COLUMN runs INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE documents ADD COLUMN mtime TEXT NOT NULL DEFAULT '';
	ALTER TABLE documents ADD COLUMN config TEXT NOT NULL DEFAULT '';
	ALTER TABLE documents ADD COLUMN stamp TEXT NOT NULL DEFAULT '';
	ALTER TABLE documents ADD COLUMN interrupted INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE IF NOT EXISTS journal (
		name    TEXT PRIMARY KEY,
		value   TEXT NOT NULL,
		started TEXT NOT NULL
	);`,
	// 2. The title a speaker states ("VP of Engineering") beside the
	// canonical role it maps to.
	`ALTER TABLE passages ADD COLUMN title TEXT NOT NULL DEFAULT '';`,
	// 3. How many of each kind of personal data a document had masked
	// (redact), and the qualitative codes a passage carries (a REFI-QDA
	// import: code:NAME).
	`ALTER TABLE documents ADD COLUMN redacted TEXT NOT NULL DEFAULT '{}';
	ALTER TABLE passages ADD COLUMN codes TEXT NOT NULL DEFAULT '[]';`,
	// 4. Documents' attributes: the user's metadata beyond the known keys.
	`ALTER TABLE documents ADD COLUMN attrs TEXT NOT NULL DEFAULT '{}';`,
	// 5. Documents by state: a start asks only for the unfinished ones
	// (Outstanding) and the failed ones (FailedUnder), not for them all.
	`CREATE INDEX IF NOT EXISTS documents_state ON documents(state);`,
}

func migrate(db *sql.DB) error {
	var version int
	if err := db.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	for ; version < len(migrations); version++ {
		err := Tx(context.Background(), db, func(tx *sql.Tx) error {
			if _, err := tx.Exec(migrations[version]); err != nil {
				return fmt.Errorf("version %d: %w", version+1, err)
			}
			_, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, version+1))
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the database to packages that keep their own tables (maps).
func (s *Store) DB() *sql.DB { return s.db }

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

const docColumns = `id, origin, file, sha256, size, format, title, kind, url, author, date, site, role,
	speakers, attrs, warnings, redacted, state, error, passages, added, updated`

func scanDocument(row interface{ Scan(...any) error }) (*evident.Document, error) {
	var d evident.Document
	var speakers, attrs, warnings, redacted, kind, state, added, updated string
	err := row.Scan(&d.ID, &d.Origin, &d.File, &d.SHA256, &d.Size, &d.Format, &d.Title, &kind, &d.URL,
		&d.Author, &d.Date, &d.Site, &d.Role, &speakers, &attrs, &warnings, &redacted, &state, &d.Error, &d.Passages, &added, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	d.Kind, d.State = evident.Kind(kind), evident.State(state)
	d.Added, d.Updated = parseTime(added), parseTime(updated)
	if err := json.Unmarshal([]byte(speakers), &d.Speakers); err != nil {
		return nil, fmt.Errorf("document %s: speakers: %w", d.File, err)
	}
	if err := json.Unmarshal([]byte(attrs), &d.Attrs); err != nil {
		return nil, fmt.Errorf("document %s: attributes: %w", d.File, err)
	}
	if len(d.Attrs) == 0 {
		d.Attrs = nil
	}
	if err := json.Unmarshal([]byte(warnings), &d.Warnings); err != nil {
		return nil, fmt.Errorf("document %s: warnings: %w", d.File, err)
	}
	if err := json.Unmarshal([]byte(redacted), &d.Redacted); err != nil {
		return nil, fmt.Errorf("document %s: redacted: %w", d.File, err)
	}
	if len(d.Redacted) == 0 {
		d.Redacted = nil
	}
	return &d, nil
}

// Submission is what is known about a document when it is queued.
type Submission struct {
	Origin     string
	File       string
	SHA256     string
	Size       int64
	ModTime    time.Time    // the file's modification time, when it is a file of its origin
	Meta       evident.Meta // sidecar, front matter given by the user
	FolderRole string       // the inbox subfolder it was dropped in
	// Run counts the times the document was queued, 1 the first time
	// (set by the store, read by Job).
	Run int
}

// stampTime formats a file's modification time for comparison; the zero
// time is unknown.
func stampTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Outcome says what Register did with a submission.
type Outcome int

const (
	New       Outcome = iota // first time these bytes are seen
	Changed                  // the origin had other bytes before: re-ingest
	Duplicate                // these bytes are already a document
	Refreshed                // same bytes, new metadata: re-ingest
	// Requeued: these bytes are a document that was queued but had lost
	// its job (an earlier submission failed halfway): queued again.
	Requeued
	// Unchanged: the file has the size, time and metadata it had when it
	// became a document that has ended; it was not read again.
	Unchanged
)

func (o Outcome) String() string {
	switch o {
	case New:
		return "new"
	case Changed:
		return "changed"
	case Duplicate:
		return "duplicate"
	case Refreshed:
		return "refreshed"
	case Requeued:
		return "requeued"
	case Unchanged:
		return "unchanged"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// MarshalText writes an outcome by its name, as the API sends it.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads an outcome's name.
func (o *Outcome) UnmarshalText(b []byte) error {
	for c := New; c <= Unchanged; c++ {
		if c.String() == string(b) {
			*o = c
			return nil
		}
	}
	return fmt.Errorf("%q is not the outcome of a submission", b)
}

// Register records a submission as queued unless its bytes are already a
// document with the same metadata. It returns what happened and the document
// row as it now stands.
func (s *Store) Register(ctx context.Context, sub Submission) (Outcome, *evident.Document, error) {
	meta, err := json.Marshal(sub.Meta)
	if err != nil {
		return 0, nil, err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	// Whatever this origin held before, it now holds these bytes.
	if _, err := tx.ExecContext(ctx, `DELETE FROM copies WHERE origin = ?`, sub.Origin); err != nil {
		return 0, nil, err
	}
	var outcome Outcome
	same, err := scanDocument(tx.QueryRowContext(ctx, `SELECT `+docColumns+` FROM documents WHERE sha256 = ?`, sub.SHA256))
	switch {
	case err == nil:
		if same.Origin != sub.Origin {
			// A copy: the document is its first file's, metadata and all.
			// Were a copy's sidecar, or another try at a failed file, to
			// count, each start's look at the inbox would process the
			// document again, its metadata switching between the files'.
			if _, err := tx.ExecContext(ctx, `INSERT INTO copies (origin, file, sha256) VALUES (?, ?, ?)`, sub.Origin, sub.File, sub.SHA256); err != nil {
				return 0, nil, err
			}
			return Duplicate, same, tx.Commit()
		}
		var oldMeta, oldFolder string
		if err := tx.QueryRowContext(ctx, `SELECT meta, folder_role FROM documents WHERE id = ?`, same.ID).Scan(&oldMeta, &oldFolder); err != nil {
			return 0, nil, err
		}
		if same.Origin == sub.Origin && !sub.ModTime.IsZero() {
			// The file was saved again with the same bytes: its new time
			// tells the next start that it is unchanged.
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET mtime = ? WHERE id = ?`, stampTime(sub.ModTime), same.ID); err != nil {
				return 0, nil, err
			}
		}
		if oldMeta == string(meta) && oldFolder == sub.FolderRole && same.State != evident.Failed {
			return Duplicate, same, tx.Commit() // the copy is recorded
		}
		// New metadata for known bytes (a sidecar arrived), or another try
		// at a failed file: process again under the document's first origin.
		outcome = Refreshed
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET meta = ?, folder_role = ?, state = ?, error = '', config = '',
			runs = runs + 1, interrupted = 0, updated = ? WHERE id = ?`,
			string(meta), sub.FolderRole, evident.Queued, now(), same.ID); err != nil {
			return 0, nil, err
		}
	case errors.Is(err, ErrNotFound):
		// The origin's old bytes live on in a copy: the old document moves
		// there, keeping its passages, and these bytes become a new one.
		var copyOrigin, copyFile string
		err := tx.QueryRowContext(ctx, `SELECT c.origin, c.file FROM copies c JOIN documents d ON d.sha256 = c.sha256
			WHERE d.origin = ? ORDER BY c.origin LIMIT 1`, sub.Origin).Scan(&copyOrigin, &copyFile)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, nil, err
		}
		if err == nil {
			// Its index entries name the old file: the empty stamp has the
			// next start rewrite them.
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET origin = ?, file = ?, mtime = '', stamp = '', updated = ? WHERE origin = ?`,
				copyOrigin, copyFile, now(), sub.Origin); err != nil {
				return 0, nil, err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM copies WHERE origin = ?`, copyOrigin); err != nil {
				return 0, nil, err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE documents SET sha256 = ?, size = ?, mtime = ?, file = ?, meta = ?, folder_role = ?,
			state = ?, error = '', config = '', runs = runs + 1, interrupted = 0, updated = ? WHERE origin = ?`,
			sub.SHA256, sub.Size, stampTime(sub.ModTime), sub.File, string(meta), sub.FolderRole, evident.Queued, now(), sub.Origin)
		if err != nil {
			return 0, nil, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			outcome = Changed
			break
		}
		outcome = New
		t := now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO documents (origin, file, sha256, size, mtime, meta, folder_role, state, runs, added, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, sub.Origin, sub.File, sub.SHA256, sub.Size, stampTime(sub.ModTime), string(meta),
			sub.FolderRole, evident.Queued, t, t); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, err
	}
	doc, err := scanDocument(tx.QueryRowContext(ctx, `SELECT `+docColumns+` FROM documents WHERE sha256 = ?`, sub.SHA256))
	if err != nil {
		return 0, nil, err
	}
	return outcome, doc, tx.Commit()
}

// Unchanged returns the document that the file at origin became, when the
// file still has the size and modification time it had then and comes
// with the same metadata, and the document has ended (indexed or failed):
// there is nothing to read again. It returns nil otherwise.
func (s *Store) Unchanged(ctx context.Context, origin string, size int64, mtime time.Time, meta evident.Meta, folderRole string) (*evident.Document, error) {
	if mtime.IsZero() {
		return nil, nil
	}
	want, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.db.QueryRowContext(ctx, `SELECT id FROM documents WHERE origin = ? AND size = ? AND mtime = ? AND meta = ? AND folder_role = ?
		AND state IN (?, ?)`, origin, size, stampTime(mtime), string(want), folderRole, evident.Indexed, evident.Failed).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return scanDocument(s.db.QueryRowContext(ctx, `SELECT `+docColumns+` FROM documents WHERE id = ?`, id))
}

// Job returns what a worker needs to process a registered document again:
// its submission as recorded.
func (s *Store) Job(ctx context.Context, sha string) (Submission, error) {
	return job(ctx, s.db, sha)
}

func job(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, sha string) (Submission, error) {
	var sub Submission
	var meta, mtime string
	err := q.QueryRowContext(ctx, `SELECT origin, file, sha256, size, mtime, meta, folder_role, runs FROM documents WHERE sha256 = ?`, sha).
		Scan(&sub.Origin, &sub.File, &sub.SHA256, &sub.Size, &mtime, &meta, &sub.FolderRole, &sub.Run)
	if errors.Is(err, sql.ErrNoRows) {
		return sub, ErrNotFound
	}
	if err != nil {
		return sub, err
	}
	sub.ModTime = parseTime(mtime)
	return sub, json.Unmarshal([]byte(meta), &sub.Meta)
}

// Requeue puts a document back in the queued state for another run (its
// job was lost, or a person asked for it to run again) and returns its
// submission with the new run number.
func (s *Store) Requeue(ctx context.Context, sha string) (Submission, error) {
	var sub Submission
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE documents SET state = ?, error = '', config = '', runs = runs + 1, interrupted = 0,
			updated = ? WHERE sha256 = ?`, evident.Queued, now(), sha)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		sub, err = job(ctx, tx, sha)
		return err
	})
	if err != nil {
		return sub, fmt.Errorf("document %s: %w", short(sha), err)
	}
	return sub, nil
}

// Interrupted records that a crash cut the processing of a document short:
// it is queued again and the number of such crashes in a row is returned.
func (s *Store) Interrupted(ctx context.Context, sha string) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET state = ?, interrupted = interrupted + 1, updated = ? WHERE sha256 = ?`,
			evident.Queued, now(), sha); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT interrupted FROM documents WHERE sha256 = ?`, sha).Scan(&n)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("document %s: %w", short(sha), err)
	}
	return n, nil
}

// FailedUnder returns the hashes of failed documents whose failure came
// from processing under a configuration other than config: new rules or
// roles may do better. Failures that no configuration changes (an empty
// file, one too big) have none and are left out.
func (s *Store) FailedUnder(ctx context.Context, config string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sha256 FROM documents WHERE state = ? AND config != '' AND config != ? ORDER BY id`,
		evident.Failed, config)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var sha string
		if err := rows.Scan(&sha); err != nil {
			return nil, err
		}
		out = append(out, sha)
	}
	return out, rows.Err()
}

// SetState moves a document to a state, with the reason when it failed.
// It returns ErrNotFound for an unknown hash.
func (s *Store) SetState(ctx context.Context, sha string, state evident.State, reason string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE documents SET state = ?, error = ?, updated = ? WHERE sha256 = ?`, state, reason, now(), sha)
	if err != nil {
		return fmt.Errorf("document %s: %w", short(sha), err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// Wait records that a queued or processing document waits (for disk
// space), in state queued or processing, and why. A document that has
// ended meanwhile is left alone.
func (s *Store) Wait(ctx context.Context, sha string, state evident.State, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE documents SET state = ?, error = ?, updated = ? WHERE sha256 = ? AND state IN (?, ?)`,
		state, reason, now(), sha, evident.Queued, evident.Processing)
	return err
}

// MarkProcessing records that a worker took a queued document. A document
// that already finished is left alone (the event can arrive late).
func (s *Store) MarkProcessing(ctx context.Context, sha string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE documents SET state = ?, updated = ? WHERE sha256 = ? AND state = ?`,
		evident.Processing, now(), sha, evident.Queued)
	return err
}

// Fail records a document as failed with a reason. Its passages stay out.
// config names the rules and roles the failure happened under, when
// other ones might not fail (see FailedUnder); "" when no configuration
// would change it.
func (s *Store) Fail(ctx context.Context, sha, reason, config string) (oldPassageIDs []string, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM documents WHERE sha256 = ?`, sha).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		var err error
		if oldPassageIDs, err = passageIDs(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM passages WHERE doc_id = ?`, id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE documents SET state = ?, error = ?, config = ?, stamp = '', passages = 0, updated = ? WHERE id = ?`,
			evident.Failed, reason, config, now(), id)
		return err
	})
	return oldPassageIDs, err
}

// Save stores an extracted document and replaces all its passages, and
// returns the ids of the passages it replaced so that the index can drop
// them. The document stays processing: it is indexed once its passages
// are in the search index too (MarkIndexed).
func (s *Store) Save(ctx context.Context, d *evident.Document, warnings []string, ps []evident.Passage) (oldPassageIDs []string, err error) {
	sv, err := s.BeginSave(ctx, d)
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if err := sv.Add(ctx, &ps[i]); err != nil {
			sv.Abort()
			return nil, err
		}
	}
	return sv.Commit(ctx, warnings, d.Redacted)
}

// saveChunk is how many passages a Saver writes per transaction: a
// million-passage document must not hold the database's write lock for
// the minute it takes, or every other writer would time out.
const saveChunk = 5000

// Saver stores a document's passages one at a time (see BeginSave).
type Saver struct {
	s    *Store
	doc  *evident.Document
	tx   *sql.Tx
	stmt *sql.Stmt
	n    int
	old  []string
	kept map[string][]string // codes by passage id, from before
}

// BeginSave starts replacing a document's passages: it records the
// document's metadata (it stays processing), drops its old passages and
// returns a Saver for the new ones, which commits them in transactions of
// a few thousand. Until Commit the document stays processing, with the
// passages added so far; should the process die meanwhile, saving again
// replaces them. It returns ErrNotFound for a document that is gone, and
// sets d.ID.
func (s *Store) BeginSave(ctx context.Context, d *evident.Document) (*Saver, error) {
	speakers, err := json.Marshal(nonNil(d.Speakers))
	if err != nil {
		return nil, err
	}
	attrs, err := json.Marshal(nonNilMap(d.Attrs))
	if err != nil {
		return nil, err
	}
	sv := &Saver{s: s, doc: d}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT id FROM documents WHERE sha256 = ?`, d.SHA256).Scan(&d.ID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("document %s: %w (deleted while it was processed?)", d.File, ErrNotFound)
			}
			return err
		}
		var err error
		if sv.old, err = passageIDs(ctx, tx, d.ID); err != nil {
			return err
		}
		// Codes a person gave passages (an imported project's) stay with
		// the passage of the same id: the same bytes give the same ids.
		if sv.kept, err = passageCodes(ctx, tx, d.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM passages WHERE doc_id = ?`, d.ID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE documents SET format = ?, title = ?, kind = ?, url = ?, author = ?, date = ?,
			site = ?, role = ?, speakers = ?, attrs = ?, state = ?, error = '', passages = 0, updated = ? WHERE id = ?`,
			d.Format, d.Title, d.Kind, d.URL, d.Author, d.Date, d.Site, d.Role, string(speakers), string(attrs),
			evident.Processing, now(), d.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sv, nil
}

// Add stores the next passage. A passage without codes gets those the
// passage of the same id had before (see BeginSave).
func (sv *Saver) Add(ctx context.Context, p *evident.Passage) error {
	if sv.tx == nil {
		tx, err := sv.s.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO passages (id, doc_id, seq, text, speaker, role, title, role_source,
			interviewer, section, context, attrs, locator, categories, scores, matches, codes)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return err
		}
		sv.tx, sv.stmt = tx, stmt
	}
	attrs, _ := json.Marshal(nonNilMap(p.Attrs))
	loc, _ := json.Marshal(p.Locator)
	cats, _ := json.Marshal(nonNil(p.Categories))
	scores, _ := json.Marshal(nonNilMap(p.Scores))
	matches := encodeMatches(p.Matches)
	if len(p.Codes) == 0 {
		p.Codes = sv.kept[p.ID]
	}
	codes, _ := json.Marshal(nonNil(p.Codes))
	if _, err := sv.stmt.ExecContext(ctx, p.ID, sv.doc.ID, p.Seq, p.Text, p.Speaker, p.Role, p.Title, p.RoleSource, p.Interviewer,
		p.Section, p.Context, string(attrs), string(loc), string(cats), string(scores), matches, string(codes)); err != nil {
		return fmt.Errorf("passage %s: %w", p.ID, err)
	}
	sv.n++
	if sv.n%saveChunk == 0 {
		return sv.flush()
	}
	return nil
}

func (sv *Saver) flush() error {
	if sv.tx == nil {
		return nil
	}
	sv.stmt.Close()
	err := sv.tx.Commit()
	sv.tx, sv.stmt = nil, nil
	return err
}

// Abort stops saving: what was added stays until the document is saved
// again or fails, and the document stays processing.
func (sv *Saver) Abort() {
	if sv.tx != nil {
		sv.stmt.Close()
		sv.tx.Rollback()
		sv.tx, sv.stmt = nil, nil
	}
}

// Commit stores the last passages and the document's warnings, counts of
// masked personal data and passage count, and returns the ids of the passages the document had
// before.
func (sv *Saver) Commit(ctx context.Context, warnings []string, redacted map[string]int) (oldPassageIDs []string, err error) {
	if err := sv.flush(); err != nil {
		sv.Abort()
		return nil, err
	}
	warn, err := json.Marshal(nonNil(warnings))
	if err != nil {
		return nil, err
	}
	masked, err := json.Marshal(nonNilMap(redacted))
	if err != nil {
		return nil, err
	}
	sv.doc.Redacted = redacted
	if _, err := sv.s.db.ExecContext(ctx, `UPDATE documents SET warnings = ?, redacted = ?, passages = ?, updated = ? WHERE id = ?`,
		string(warn), string(masked), sv.n, now(), sv.doc.ID); err != nil {
		return nil, fmt.Errorf("document %s: %w", sv.doc.File, err)
	}
	return sv.old, nil
}

// MarkIndexed records documents saved by Save as indexed, now that the
// search index holds their passages, with the stamp of what it holds
// (document hash → stamp). A document queued again meanwhile stays queued.
func (s *Store) MarkIndexed(ctx context.Context, stamps map[string]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for sha, stamp := range stamps {
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET state = ?, stamp = ?, updated = ? WHERE sha256 = ? AND state = ?`,
				evident.Indexed, stamp, now(), sha, evident.Processing); err != nil {
				return fmt.Errorf("document %s: %w", short(sha), err)
			}
		}
		return nil
	})
}

// SetStamps records what the search index holds of indexed documents
// (document hash → stamp), after the index was rebuilt or repaired.
func (s *Store) SetStamps(ctx context.Context, stamps map[string]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return setStamps(ctx, tx, stamps) })
}

func setStamps(ctx context.Context, tx *sql.Tx, stamps map[string]string) error {
	for sha, stamp := range stamps {
		if _, err := tx.ExecContext(ctx, `UPDATE documents SET stamp = ? WHERE sha256 = ?`, stamp, sha); err != nil {
			return fmt.Errorf("document %s: %w", short(sha), err)
		}
	}
	return nil
}

// Stamp is what the store says the search index should hold of a document.
type Stamp struct {
	State    evident.State
	Stamp    string // "" when unknown: the index entries must be rewritten
	Passages int
}

// Stamps returns every document's state and stamp, by content hash.
func (s *Store) Stamps(ctx context.Context) (map[string]Stamp, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sha256, state, stamp, passages FROM documents`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Stamp{}
	for rows.Next() {
		var sha, state string
		var st Stamp
		if err := rows.Scan(&sha, &state, &st.Stamp, &st.Passages); err != nil {
			return nil, err
		}
		st.State = evident.State(state)
		out[sha] = st
	}
	return out, rows.Err()
}

// UpdateTags rewrites the categories of stored passages (reclassify), and
// the stamps of their documents, in one transaction.
func (s *Store) UpdateTags(ctx context.Context, ps []evident.Passage, stamps map[string]string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := setStamps(ctx, tx, stamps); err != nil {
			return err
		}
		return updateTags(ctx, tx, ps)
	})
}

func updateTags(ctx context.Context, tx *sql.Tx, ps []evident.Passage) error {
	stmt, err := tx.PrepareContext(ctx, `UPDATE passages SET categories = ?, scores = ?, matches = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range ps {
		p := &ps[i]
		cats, _ := json.Marshal(nonNil(p.Categories))
		scores, _ := json.Marshal(nonNilMap(p.Scores))
		if _, err := stmt.ExecContext(ctx, string(cats), string(scores), encodeMatches(p.Matches), p.ID); err != nil {
			return fmt.Errorf("passage %s: %w", p.ID, err)
		}
	}
	return nil
}

func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error { return Tx(ctx, s.db, fn) }

// Tx runs fn in one transaction of db, committed when fn returns nil. The
// database takes its write lock at BEGIN, so reads inside fn see what fn
// will change; packages with tables of their own (maps) use it too.
func Tx(ctx context.Context, db *sql.DB, fn func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func passageIDs(ctx context.Context, tx *sql.Tx, docID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM passages WHERE doc_id = ?`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Begin records in the journal that a long piece of work (name) has
// started, so that a crash before End leaves a trace the next start
// finishes.
func (s *Store) Begin(ctx context.Context, name, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO journal (name, value, started) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, started = excluded.started`, name, value, now())
	if err != nil {
		return fmt.Errorf("journal %s: %w", name, err)
	}
	return nil
}

// End records that the work Begin announced is complete.
func (s *Store) End(ctx context.Context, name string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM journal WHERE name = ?`, name); err != nil {
		return fmt.Errorf("journal %s: %w", name, err)
	}
	return nil
}

// Unfinished reports whether the work called name began and never ended.
func (s *Store) Unfinished(ctx context.Context, name string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM journal WHERE name = ?`, name).Scan(&n); err != nil {
		return false, fmt.Errorf("journal %s: %w", name, err)
	}
	return n > 0, nil
}

// Documents lists every document, newest first.
func (s *Store) Documents(ctx context.Context) ([]evident.Document, error) {
	return s.documents(ctx, `SELECT `+docColumns+` FROM documents ORDER BY added, id`)
}

// Outstanding lists the documents not yet at an end (queued or
// processing), oldest first. Its cost grows with their number, not with
// the store's.
func (s *Store) Outstanding(ctx context.Context) ([]evident.Document, error) {
	return s.documents(ctx, `SELECT `+docColumns+` FROM documents WHERE state IN (?, ?) ORDER BY added, id`,
		evident.Queued, evident.Processing)
}

// documents runs a query of docColumns and returns its documents.
func (s *Store) documents(ctx context.Context, query string, args ...any) ([]evident.Document, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evident.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// DocumentsOf returns the documents with these content hashes, in no
// particular order; a hash no document has is left out. Its cost grows
// with len(shas), not with the store.
func (s *Store) DocumentsOf(ctx context.Context, shas []string) ([]evident.Document, error) {
	var out []evident.Document
	for len(shas) > 0 {
		part := shas[:min(len(shas), 500)] // under SQLite's limit on parameters
		shas = shas[len(part):]
		args := make([]any, len(part))
		for i, sha := range part {
			args[i] = sha
		}
		docs, err := s.documents(ctx, `SELECT `+docColumns+` FROM documents WHERE sha256 IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, docs...)
	}
	return out, nil
}

// DocumentBySHA returns the document with exactly this content hash.
func (s *Store) DocumentBySHA(ctx context.Context, sha string) (*evident.Document, error) {
	return scanDocument(s.db.QueryRowContext(ctx, `SELECT `+docColumns+` FROM documents WHERE sha256 = ?`, sha))
}

// FindDocument resolves what a user typed: a file name, a path (origin) or
// a prefix of the content hash. An ambiguous reference is an error that
// lists the candidates.
func (s *Store) FindDocument(ctx context.Context, ref string) (*evident.Document, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, fmt.Errorf("document %q: %w", ref, ErrNotFound)
	}
	queries := []struct {
		where string
		arg   string
	}{
		{`origin = ?`, ref},
		{`file = ?`, ref},
		{`origin LIKE ? ESCAPE '\'`, "%/" + likeEscape(ref)},
		{`sha256 LIKE ? ESCAPE '\'`, likeEscape(strings.ToLower(ref)) + "%"},
	}
	for _, q := range queries {
		if strings.HasPrefix(q.where, "sha256") && (len(ref) < 4 || strings.Trim(strings.ToLower(ref), "0123456789abcdef") != "") {
			continue
		}
		found, err := s.documents(ctx, `SELECT `+docColumns+` FROM documents WHERE `+q.where+` LIMIT 10`, q.arg)
		if err != nil {
			return nil, err
		}
		switch len(found) {
		case 0:
			continue
		case 1:
			return &found[0], nil
		default:
			var names []string
			for _, d := range found {
				names = append(names, d.Origin+" ("+short(d.SHA256)+")")
			}
			return nil, fmt.Errorf("document %q is ambiguous: %s", ref, strings.Join(names, ", "))
		}
	}
	return nil, fmt.Errorf("document %q: %w", ref, ErrNotFound)
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// passageColumns are read FROM passageTables: a passage with who set its
// categories, when a person did (review.go).
const (
	passageColumns = `p.id, p.seq, p.text, p.speaker, p.role, p.title, p.role_source, p.interviewer, p.section, p.context,
	p.attrs, p.locator, p.categories, p.scores, p.matches, p.codes, COALESCE(o.who, ''), COALESCE(o.at, '')`
	passageTables = `passages p LEFT JOIN overrides o ON o.passage_id = p.id`
)

func scanPassage(row interface{ Scan(...any) error }, extra ...any) (*evident.Passage, error) {
	var p evident.Passage
	var attrs, loc, cats, scores, matches, codes, taggedAt string
	dest := append([]any{&p.ID, &p.Seq, &p.Text, &p.Speaker, &p.Role, &p.Title, &p.RoleSource, &p.Interviewer, &p.Section,
		&p.Context, &attrs, &loc, &cats, &scores, &matches, &codes, &p.TaggedBy, &taggedAt}, extra...)
	if err := row.Scan(dest...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if taggedAt != "" {
		p.TaggedAt = parseTime(taggedAt)
	}
	for _, f := range []struct {
		src string
		dst any
	}{{attrs, &p.Attrs}, {loc, &p.Locator}, {cats, &p.Categories}, {scores, &p.Scores}, {codes, &p.Codes}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return nil, fmt.Errorf("passage %s: %w", p.ID, err)
		}
	}
	var err error
	if p.Matches, err = decodeMatches(matches); err != nil {
		return nil, fmt.Errorf("passage %s: matches: %w", p.ID, err)
	}
	if len(p.Codes) == 0 {
		p.Codes = nil
	}
	return &p, nil
}

// Passages returns a document's passages in order.
func (s *Store) Passages(ctx context.Context, docID int64) ([]evident.Passage, error) {
	return s.PassageRange(ctx, docID, 0, math.MaxInt)
}

// PassageRange returns a document's passages from sequence number first to
// last, both included, in order: a passage and its neighbours, without
// reading a long document whole.
func (s *Store) PassageRange(ctx context.Context, docID int64, first, last int) ([]evident.Passage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+passageColumns+` FROM `+passageTables+` WHERE p.doc_id = ? AND p.seq BETWEEN ? AND ? ORDER BY p.seq`, docID, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evident.Passage
	for rows.Next() {
		p, err := scanPassage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, rows.Err()
}

// Cited is a passage together with its document, for citations.
type Cited struct {
	Passage  evident.Passage
	Document *evident.Document
}

// PassagesByID loads passages and their documents; unknown ids are skipped.
func (s *Store) PassagesByID(ctx context.Context, ids []string) (map[string]Cited, error) {
	out := make(map[string]Cited, len(ids))
	docOf := make(map[string]int64, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		q := `SELECT ` + passageColumns + `, p.doc_id FROM ` + passageTables + ` WHERE p.id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var docID int64
			p, err := scanPassage(rows, &docID)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[p.ID] = Cited{Passage: *p}
			docOf[p.ID] = docID
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	// Their documents, in one query too: a page holds up to ten.
	docs := map[int64]*evident.Document{}
	var docIDs []any
	for _, docID := range docOf {
		if _, ok := docs[docID]; !ok {
			docs[docID] = nil
			docIDs = append(docIDs, docID)
		}
	}
	for start := 0; start < len(docIDs); start += 500 {
		chunk := docIDs[start:min(len(docIDs), start+500)]
		found, err := s.documents(ctx, `SELECT `+docColumns+` FROM documents WHERE id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, chunk...)
		if err != nil {
			return nil, err
		}
		for i := range found {
			docs[found[i].ID] = &found[i]
		}
	}
	for id, docID := range docOf {
		d := docs[docID]
		if d == nil {
			return nil, fmt.Errorf("passage %s: document %d: %w", id, docID, ErrNotFound)
		}
		h := out[id]
		h.Document = d
		out[id] = h
	}
	return out, nil
}

// EachIndexed calls fn with every indexed document and its passages, one
// document at a time: it is how the index is rebuilt and passages are
// classified again.
func (s *Store) EachIndexed(ctx context.Context, fn func(d *evident.Document, ps []evident.Passage) error) error {
	docs, err := s.Documents(ctx)
	if err != nil {
		return err
	}
	for i := range docs {
		d := &docs[i]
		if d.State != evident.Indexed {
			continue
		}
		ps, err := s.Passages(ctx, d.ID)
		if err != nil {
			return err
		}
		if err := fn(d, ps); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes a document and its passages, returning the passage ids.
func (s *Store) Delete(ctx context.Context, sha string) ([]string, error) {
	var ids []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM documents WHERE sha256 = ?`, sha).Scan(&id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return err
		}
		var err error
		if ids, err = passageIDs(ctx, tx, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM copies WHERE sha256 = ?`, sha); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM documents WHERE id = ?`, id)
		return err
	})
	return ids, err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

// RoleCoverage is the evidence of one role.
type RoleCoverage struct {
	Passages   int            `json:"passages"`   // passages, each counted once
	Untagged   int            `json:"untagged"`   // passages with no category
	Categories map[string]int `json:"categories"` // category → passages
}

// Coverage counts passages per role and category, leaving out interviewer
// turns and notes, which carry no evidence. Passages with no role count
// under "".
func (s *Store) Coverage(ctx context.Context) (map[string]*RoleCoverage, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT p.role, p.categories FROM passages p
		JOIN documents d ON d.id = p.doc_id
		WHERE d.state = ? AND p.interviewer = 0 AND p.section = ''`, evident.Indexed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]*RoleCoverage{}
	for rows.Next() {
		var role, cats string
		if err := rows.Scan(&role, &cats); err != nil {
			return nil, err
		}
		var list []string
		if err := json.Unmarshal([]byte(cats), &list); err != nil {
			return nil, fmt.Errorf("passage categories: %w", err)
		}
		rc := out[role]
		if rc == nil {
			rc = &RoleCoverage{Categories: map[string]int{}}
			out[role] = rc
		}
		rc.Passages++
		if len(list) == 0 {
			rc.Untagged++
		}
		for _, c := range list {
			rc.Categories[c]++
		}
	}
	return out, rows.Err()
}

// Counts is how many documents are in each state, and how many passages
// the indexed ones hold.
type Counts struct {
	States   map[evident.State]int
	Passages int
}

// Count counts documents by state and passages.
func (s *Store) Count(ctx context.Context) (Counts, error) {
	c := Counts{States: map[evident.State]int{}}
	rows, err := s.db.QueryContext(ctx, `SELECT state, COUNT(*) FROM documents GROUP BY state`)
	if err != nil {
		return c, fmt.Errorf("store: counting documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return c, fmt.Errorf("store: counting documents: %w", err)
		}
		c.States[evident.State(state)] = n
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("store: counting documents: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM passages`).Scan(&c.Passages); err != nil {
		return c, fmt.Errorf("store: counting passages: %w", err)
	}
	return c, nil
}

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.db.QueryRowContext(ctx, `SELECT 1 FROM documents LIMIT 1`).Scan(&one); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Candidate is what search needs of a passage to rank it: who said it,
// where, how it is tagged, and its text.
type Candidate struct {
	ID          string
	SHA256      string // the document's
	Speaker     string
	Role        string
	Interviewer bool
	Categories  []string
	Scores      map[string]float64
	Text        string
}

// Candidates loads what ranking needs of the passages with these ids, in
// one query; unknown ids are skipped. It reads less than PassagesByID:
// no document rows, no rule matches.
func (s *Store) Candidates(ctx context.Context, ids []string) (map[string]Candidate, error) {
	out := make(map[string]Candidate, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(len(ids), start+500)]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := s.db.QueryContext(ctx, `SELECT p.id, d.sha256, p.speaker, p.role, p.interviewer, p.categories, p.scores, p.text
			FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
		for rows.Next() {
			var c Candidate
			var cats, scores string
			if err := rows.Scan(&c.ID, &c.SHA256, &c.Speaker, &c.Role, &c.Interviewer, &cats, &scores, &c.Text); err != nil {
				rows.Close()
				return nil, fmt.Errorf("candidates: %w", err)
			}
			if err := json.Unmarshal([]byte(cats), &c.Categories); err != nil {
				rows.Close()
				return nil, fmt.Errorf("passage %s: categories: %w", c.ID, err)
			}
			if err := json.Unmarshal([]byte(scores), &c.Scores); err != nil {
				rows.Close()
				return nil, fmt.Errorf("passage %s: scores: %w", c.ID, err)
			}
			out[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("candidates: %w", err)
		}
	}
	return out, nil
}

// FileNames returns the file name of each document with one of these
// content hashes, in one query; unknown hashes are left out.
func (s *Store) FileNames(ctx context.Context, shas []string) (map[string]string, error) {
	out := make(map[string]string, len(shas))
	for start := 0; start < len(shas); start += 500 {
		chunk := shas[start:min(len(shas), start+500)]
		args := make([]any, len(chunk))
		for i, sha := range chunk {
			args[i] = sha
		}
		rows, err := s.db.QueryContext(ctx, `SELECT sha256, file FROM documents WHERE sha256 IN (?`+strings.Repeat(",?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("file names: %w", err)
		}
		for rows.Next() {
			var sha, file string
			if err := rows.Scan(&sha, &file); err != nil {
				rows.Close()
				return nil, fmt.Errorf("file names: %w", err)
			}
			out[sha] = file
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("file names: %w", err)
		}
	}
	return out, nil
}
