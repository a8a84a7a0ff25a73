package store

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/evident/evident"
)

// Matches kept in the compact form read back as they were saved, and
// rows in the form of earlier versions (JSON objects) still read.
func TestMatchesColumn(t *testing.T) {
	cases := []struct {
		name string
		ms   []evident.Match
		want string // the column, when it matters
	}{
		{name: "none", ms: nil, want: `[]`},
		{name: "empty", ms: []evident.Match{}, want: `[]`},
		{name: "one", ms: []evident.Match{{Category: "PAINS", Rule: "pains.slow", Text: "takes forever", Weight: 1.13}},
			want: `[["PAINS","pains.slow","takes forever",1.13]]`},
		{name: "reason and no weight", ms: []evident.Match{
			{Category: "GAINS", Rule: "gains.wish", Text: "I wish", Reason: "negated"},
			{Category: "DO", Rule: "do.cue.my", Text: "My", Weight: 1.0 / 3},
		}, want: `[["GAINS","gains.wish","I wish",0,"negated"],["DO","do.cue.my","My",0.3333333333333333]]`},
		{name: "escapes", ms: []evident.Match{
			{Category: "SAY", Rule: "say.quoted", Text: "\"<b>ça</b>\" & \\ \u2028 — 🙂", Weight: 1e-7},
			{Category: "HEAR", Rule: evident.PersonRule, Text: "tagged by dana on 2025-06-01"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			col := encodeMatches(c.ms)
			if c.want != "" && col != c.want {
				t.Errorf("column %s, want %s", col, c.want)
			}
			got, err := decodeMatches(col)
			if err != nil {
				t.Fatal(err)
			}
			want := c.ms
			if want == nil {
				want = []evident.Match{} // as json.Unmarshal of "[]" gave
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("read back %#v, want %#v", got, want)
			}
			// The form of earlier versions.
			old, _ := json.Marshal(want)
			got, err = decodeMatches(string(old))
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("old form %s read as %#v, %v", old, got, err)
			}
		})
	}
	for _, bad := range []string{`[["PAINS","pains.slow","x"]]`, `[["PAINS","pains.slow","x","heavy"]]`, `[["PAINS",1,"x",1,"y"]]`, `[[`} {
		if ms, err := decodeMatches(bad); err == nil {
			t.Errorf("%s read as %#v, want an error", bad, ms)
		}
	}
}

// A database written by an earlier version keeps its matches as objects;
// its passages read the same as the ones saved now.
func TestMatchesOldRows(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d, warnings, ps := fixture(t, "interview.json")
	registerDoc(t, s, d)
	if _, err := s.Save(ctx, d, warnings, ps); err != nil {
		t.Fatal(err)
	}
	doc, err := s.DocumentBySHA(ctx, d.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := s.Passages(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		old, _ := json.Marshal(nonNil(p.Matches))
		res, err := s.db.ExecContext(ctx, `UPDATE passages SET matches = ? WHERE id = ?`, string(old), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		k, _ := res.RowsAffected()
		n += int(k)
	}
	if n != len(ps) {
		t.Fatalf("rewrote %d rows, want %d", n, len(ps))
	}
	read, err := s.Passages(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(read, saved) {
		t.Errorf("old rows read as\n%+v\nwant\n%+v", read, saved)
	}
	some := false
	for _, p := range read {
		some = some || len(p.Matches) > 0
	}
	if !some {
		t.Fatal("the fixture has no matches: the test tests nothing")
	}
}
