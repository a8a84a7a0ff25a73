package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/evident/evident"
)

// A database written before the migrations is brought up to date by the
// first writer; readers wait for that rather than read old tables.
func TestMigratesOldDatabases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evident.db")
	old, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(schema); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO documents (origin, file, sha256, state, added, updated) VALUES ('inbox/a.txt', 'a.txt', 'aa', 'indexed', '', '')`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	if _, err := OpenReadOnly(path); !errors.Is(err, ErrOldSchema) {
		t.Fatalf("reading an old database: %v, want ErrOldSchema", err)
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(path) // migrations run once
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sub, err := s.Job(context.Background(), "aa")
	if err != nil || sub.Run != 0 || sub.Origin != "inbox/a.txt" {
		t.Errorf("after migrating: %+v, %v", sub, err)
	}
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
}

// Every time a document is queued it gets a new run; Unchanged knows a
// file by its size, time and metadata once its document has ended.
func TestRunsAndUnchanged(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "evident.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	sub := Submission{Origin: "inbox/a.txt", File: "a.txt", SHA256: "aa", Size: 3, ModTime: mtime}
	runOf := func() int {
		t.Helper()
		j, err := s.Job(ctx, "aa")
		if err != nil {
			t.Fatal(err)
		}
		return j.Run
	}
	if o, _, err := s.Register(ctx, sub); err != nil || o != New || runOf() != 1 {
		t.Fatalf("register: %s, %v, run %d", o, err, runOf())
	}
	if d, err := s.Unchanged(ctx, sub.Origin, 3, mtime, evident.Meta{}, ""); err != nil || d != nil {
		t.Errorf("a queued document is unchanged: %v %v", d, err)
	}
	if _, err := s.Fail(ctx, "aa", "broken (test)", "rules-1"); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Unchanged(ctx, sub.Origin, 3, mtime, evident.Meta{}, ""); err != nil || d == nil || d.State != evident.Failed {
		t.Errorf("the failed file with the same size and time: %v %v", d, err)
	}
	for _, other := range []struct {
		size  int64
		mtime time.Time
		meta  evident.Meta
	}{{4, mtime, evident.Meta{}}, {3, mtime.Add(time.Second), evident.Meta{}}, {3, mtime, evident.Meta{Title: "New"}}} {
		if d, err := s.Unchanged(ctx, sub.Origin, other.size, other.mtime, other.meta, ""); err != nil || d != nil {
			t.Errorf("%+v: taken for unchanged (%v)", other, err)
		}
	}
	if shas, err := s.FailedUnder(ctx, "rules-2"); err != nil || len(shas) != 1 {
		t.Errorf("failed under other rules: %v %v", shas, err)
	}
	if shas, err := s.FailedUnder(ctx, "rules-1"); err != nil || len(shas) != 0 {
		t.Errorf("failed under the same rules: %v %v", shas, err)
	}
	if o, _, err := s.Register(ctx, sub); err != nil || o != Refreshed || runOf() != 2 {
		t.Errorf("registering the failed file again: %s, %v, run %d", o, err, runOf())
	}
	if j, err := s.Requeue(ctx, "aa"); err != nil || j.Run != 3 {
		t.Errorf("requeue: run %d, %v", j.Run, err)
	}
	if o, _, err := s.Register(ctx, sub); err != nil || o != Duplicate || runOf() != 3 {
		t.Errorf("a duplicate: %s, %v, run %d", o, err, runOf())
	}
}

// TestOpenAddsColumns opens a database made before passages had a title:
// the column is added, and passages keep their title from then on.
func TestOpenAddsColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE passages (id TEXT PRIMARY KEY, doc_id INTEGER NOT NULL, seq INTEGER NOT NULL, text TEXT NOT NULL,
		speaker TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '', role_source TEXT NOT NULL DEFAULT '',
		interviewer INTEGER NOT NULL DEFAULT 0, section TEXT NOT NULL DEFAULT '', context TEXT NOT NULL DEFAULT '',
		attrs TEXT NOT NULL DEFAULT '{}', locator TEXT NOT NULL DEFAULT '{}', categories TEXT NOT NULL DEFAULT '[]',
		scores TEXT NOT NULL DEFAULT '{}', matches TEXT NOT NULL DEFAULT '[]')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 { // opening again finds the column there
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	sub := Submission{Origin: "inbox/a.txt", File: "a.txt", SHA256: "abc123abc123abc1", Size: 3}
	if _, _, err := s.Register(ctx, sub); err != nil {
		t.Fatal(err)
	}
	d := &evident.Document{File: "a.txt", SHA256: sub.SHA256}
	ps := []evident.Passage{{ID: "abc123abc123-0", Text: "We hire slowly.", Speaker: "Mia", Role: "vp-engineering", Title: "VP of Engineering"}}
	if _, err := s.Save(ctx, d, nil, ps); err != nil {
		t.Fatal(err)
	}
	got, err := s.Passages(ctx, d.ID)
	if err != nil || len(got) != 1 || got[0].Title != "VP of Engineering" || got[0].Role != "vp-engineering" {
		t.Errorf("passages %+v, %v", got, err)
	}
}

// TestSpeakerOverrides keeps what people said of a speaker, field by
// field: a later correction of one field leaves the others.
func TestSpeakerOverrides(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sub := Submission{Origin: "inbox/p.md", File: "p.md", SHA256: "def456def456def4", Size: 3}
	if _, _, err := s.Register(ctx, sub); err != nil {
		t.Fatal(err)
	}
	d := &evident.Document{File: "p.md", SHA256: sub.SHA256}
	ps := []evident.Passage{{ID: "def456def456-0", Text: "Welcome.", Speaker: "Adam", Interviewer: true}}
	if _, err := s.Save(ctx, d, nil, ps); err != nil {
		t.Fatal(err)
	}
	role, no := "cto", false
	first := SpeakerOverride{Speaker: "Adam", Who: "dana", At: time.Now()}
	first.Role = &role
	if err := s.SaveSpeaker(ctx, sub.SHA256, first, []evident.Person{{Name: "Adam", Role: "cto"}}, nil); err != nil {
		t.Fatal(err)
	}
	second := SpeakerOverride{Speaker: "Adam", Who: "omar", At: time.Now()}
	second.Interviewer = &no
	p := ps[0]
	p.Interviewer, p.Role, p.RoleSource = false, "cto", "person"
	if err := s.SaveSpeaker(ctx, sub.SHA256, second, []evident.Person{{Name: "Adam", Role: "cto"}}, []evident.Passage{p}); err != nil {
		t.Fatal(err)
	}
	got, err := s.SpeakerOverrides(ctx, sub.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	o := got["Adam"]
	if o.Role == nil || *o.Role != "cto" || o.Interviewer == nil || *o.Interviewer || o.Title != nil || o.Who != "omar" {
		t.Errorf("override %+v", o)
	}
	stored, _ := s.Passages(ctx, d.ID)
	if len(stored) != 1 || stored[0].Interviewer || stored[0].Role != "cto" || stored[0].RoleSource != "person" {
		t.Errorf("passage %+v", stored)
	}
	if err := s.SaveSpeaker(ctx, "nope", second, nil, nil); err != ErrNotFound {
		t.Errorf("an unknown document: %v", err)
	}
}

// A new database gets pageSize pages; one written before keeps its own
// size (changing it would take a VACUUM out of WAL mode) and still opens.
func TestPageSize(t *testing.T) {
	pageSizeOf := func(s *Store) int {
		t.Helper()
		var n int
		if err := s.db.QueryRow(`PRAGMA page_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	s, path := openTemp(t)
	if got := pageSizeOf(s); got != pageSize {
		t.Errorf("new database: page size %d, want %d", got, pageSize)
	}
	var mode string
	if err := s.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal mode %q, %v", mode, err)
	}
	s.Close()
	if s, err := Open(path); err != nil || pageSizeOf(s) != pageSize {
		t.Errorf("reopened: %v", err)
	} else {
		s.Close()
	}

	old := filepath.Join(t.TempDir(), "evident.db")
	db, err := sql.Open("sqlite3", "file:"+old+"?_journal_mode=WAL")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA page_size = 4096; ` + schema); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = Open(old)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := pageSizeOf(s); got != 4096 {
		t.Errorf("old database: page size %d, want 4096 kept", got)
	}
}
