package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evident/evident"
)

// A database left at any earlier version (PRAGMA user_version) is brought
// up to this one by the first writer, keeping its documents and
// passages; a reader refuses it until then.
func TestMigratesFromEveryVersion(t *testing.T) {
	for version := range len(migrations) {
		t.Run(fmt.Sprintf("version %d", version), func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "evident.db")
			old, err := sql.Open("sqlite3", "file:"+path)
			if err != nil {
				t.Fatal(err)
			}
			stmts := append([]string{schema}, migrations[:version]...)
			stmts = append(stmts, fmt.Sprintf(`PRAGMA user_version = %d`, version),
				`INSERT INTO documents (origin, file, sha256, state, passages, added, updated)
					VALUES ('inbox/a.txt', 'a.txt', 'aaaa00000000aaaa', 'indexed', 1, '2024-01-02T03:04:05Z', '2024-01-02T03:04:05Z')`,
				`INSERT INTO passages (id, doc_id, seq, text, role, categories) VALUES ('aaaa00000000-0', 1, 0, 'We close by hand.', 'cfo', '["PAINS"]')`)
			for _, stmt := range stmts {
				if _, err := old.Exec(stmt); err != nil {
					t.Fatalf("building version %d: %v", version, err)
				}
			}
			old.Close()

			if r, err := OpenReadOnly(path); err == nil {
				r.Close()
				t.Fatal("a reader opened a database a writer has not upgraded")
			}
			s, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var got int
			if err := s.DB().QueryRow(`PRAGMA user_version`).Scan(&got); err != nil || got != len(migrations) {
				t.Fatalf("user_version %d (%v), want %d", got, err, len(migrations))
			}
			d, err := s.DocumentBySHA(ctx, "aaaa00000000aaaa")
			if err != nil || d.Origin != "inbox/a.txt" || d.State != evident.Indexed || d.Attrs != nil || d.Redacted != nil {
				t.Fatalf("document after migrating: %+v, %v", d, err)
			}
			ps, err := s.Passages(ctx, d.ID)
			if err != nil || len(ps) != 1 || ps[0].Role != "cfo" || ps[0].Title != "" || ps[0].Codes != nil {
				t.Fatalf("passages after migrating: %+v, %v", ps, err)
			}
			// The columns the migrations added are there to be written.
			if _, err := s.AddCodes(ctx, ps[0].ID, []string{"close"}); err != nil {
				t.Error(err)
			}
			if j, err := s.Requeue(ctx, d.SHA256); err != nil || j.Run != 1 {
				t.Errorf("requeue after migrating: run %d, %v", j.Run, err)
			}
			if r, err := OpenReadOnly(path); err != nil {
				t.Errorf("a reader after migrating: %v", err)
			} else {
				r.Close()
			}
		})
	}
}

// A migration that cannot run leaves the database at its version and
// says which one failed.
func TestMigrationFailureSaysWhich(t *testing.T) {
	path := filepath.Join(t.TempDir(), "evident.db")
	old, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	// Version 1 with the column migration 2 adds already there.
	for _, stmt := range []string{schema, migrations[0], migrations[1], `PRAGMA user_version = 1`} {
		if _, err := old.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("opened a database whose migration fails")
	}
	if want := "version 2"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
}
