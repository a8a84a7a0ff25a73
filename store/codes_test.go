package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/evident/evident"
)

// Codes are added once each, and a document saved again keeps them on
// the passages of the same id; the redaction counts are stored with it.
func TestCodesAndRedacted(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	sha := saveDoc(t, s, "c0de00000000aaaa", nil, nil)
	id := evident.PassageID(sha, 1)
	if _, err := s.AddCodes(ctx, id, []string{"pricing", "trust"}); err != nil {
		t.Fatal(err)
	}
	p, err := s.AddCodes(ctx, id, []string{"trust", "", "onboarding"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"pricing", "trust", "onboarding"}
	if !reflect.DeepEqual(p.Codes, want) {
		t.Fatalf("codes %v, want %v", p.Codes, want)
	}
	ps := []evident.Passage{{ID: evident.PassageID(sha, 0), Text: "again"}, {ID: id, Seq: 1, Text: "again"}}
	d := &evident.Document{SHA256: sha, File: "x.txt", Redacted: map[string]int{"email": 2, "name": 1}}
	if _, err := s.Save(ctx, d, nil, ps); err != nil {
		t.Fatal(err)
	}
	if got := passage(t, s, id).Codes; !reflect.DeepEqual(got, want) {
		t.Errorf("after saving again: codes %v, want %v", got, want)
	}
	if got := passage(t, s, evident.PassageID(sha, 0)).Codes; got != nil {
		t.Errorf("passage 0 has codes %v", got)
	}
	got, err := s.DocumentBySHA(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Redacted, d.Redacted) {
		t.Errorf("redacted %v, want %v", got.Redacted, d.Redacted)
	}
	if _, err := s.AddCodes(ctx, "nope-1", []string{"x"}); err == nil {
		t.Error("codes for an unknown passage: no error")
	}
}

// A database made before the codes and redacted columns gains them.
func TestAddColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite3", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE documents (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE, file TEXT NOT NULL,
		sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL DEFAULT 0, format TEXT NOT NULL DEFAULT '', title TEXT NOT NULL DEFAULT '',
		kind TEXT NOT NULL DEFAULT '', url TEXT NOT NULL DEFAULT '', author TEXT NOT NULL DEFAULT '', date TEXT NOT NULL DEFAULT '',
		site TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '', speakers TEXT NOT NULL DEFAULT '[]', meta TEXT NOT NULL DEFAULT '{}',
		folder_role TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, error TEXT NOT NULL DEFAULT '', warnings TEXT NOT NULL DEFAULT '[]',
		passages INTEGER NOT NULL DEFAULT 0, added TEXT NOT NULL, updated TEXT NOT NULL);
		CREATE TABLE passages (id TEXT PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
		seq INTEGER NOT NULL, text TEXT NOT NULL, speaker TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '',
		role_source TEXT NOT NULL DEFAULT '', interviewer INTEGER NOT NULL DEFAULT 0, section TEXT NOT NULL DEFAULT '',
		context TEXT NOT NULL DEFAULT '', attrs TEXT NOT NULL DEFAULT '{}', locator TEXT NOT NULL DEFAULT '{}',
		categories TEXT NOT NULL DEFAULT '[]', scores TEXT NOT NULL DEFAULT '{}', matches TEXT NOT NULL DEFAULT '[]');`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for range 2 { // and again, when they are there
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		saveDoc(t, s, "01d0000000000000", nil)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
