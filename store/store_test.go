package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/evident/evident"
)

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
