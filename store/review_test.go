package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
)

// openTemp opens a store in a temporary folder and closes it with the test.
func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "evident.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// saveDoc registers and saves a document whose passages have the given
// categories, and returns its hash.
func saveDoc(t *testing.T, s *Store, sha string, cats ...[]string) string {
	t.Helper()
	ctx := context.Background()
	if _, _, err := s.Register(ctx, Submission{Origin: "inbox/" + sha + ".txt", File: sha + ".txt", SHA256: sha, Size: 1}); err != nil {
		t.Fatal(err)
	}
	var ps []evident.Passage
	for i, c := range cats {
		ps = append(ps, evident.Passage{ID: evident.PassageID(sha, i), Seq: i, Text: "passage", Categories: c})
	}
	if _, err := s.Save(ctx, &evident.Document{SHA256: sha, File: sha + ".txt"}, nil, ps); err != nil {
		t.Fatal(err)
	}
	return sha
}

func passage(t *testing.T, s *Store, id string) evident.Passage {
	t.Helper()
	found, err := s.PassagesByID(context.Background(), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	h, ok := found[id]
	if !ok {
		t.Fatalf("passage %s is not stored", id)
	}
	return h.Passage
}

// A sequence of reviews: each is logged, sets or clears the override and
// rewrites the passage's tags, all at once.
func TestSaveReview(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sha := saveDoc(t, s, "aaaa0000bbbb1111", []string{"PAINS", "SAY"}, []string{"HEAR"})
	id := evident.PassageID(sha, 0)
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.FixedZone("CEST", 2*3600))
	steps := []struct {
		name     string
		review   Review
		tags     []string // the passage's categories as the review leaves them
		override []string // nil: no override
	}{
		{"accept", Review{Who: "dana", Action: Accept, Before: []string{"PAINS", "SAY"}, After: []string{"PAINS", "SAY"}},
			[]string{"PAINS", "SAY"}, []string{"PAINS", "SAY"}},
		{"correct", Review{Who: "omar", Action: Correct, Before: []string{"PAINS", "SAY"}, After: []string{"PAINS", "GAINS"}},
			[]string{"PAINS", "GAINS"}, []string{"PAINS", "GAINS"}},
		{"correct to none", Review{Who: "dana", Action: Correct, Before: []string{"PAINS", "GAINS"}, After: []string{}},
			[]string{}, []string{}},
		{"clear", Review{Who: "dana", Action: Clear, Before: []string{}, After: []string{"PAINS", "SAY"}},
			[]string{"PAINS", "SAY"}, nil},
	}
	for i, st := range steps {
		r := st.review
		r.PassageID, r.At = id, at.Add(time.Duration(i)*time.Minute)
		p := passage(t, s, id)
		p.Categories = st.tags
		if err := s.SaveReview(ctx, &r, &p); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if r.ID != int64(i+1) || r.SHA256 != sha || r.At.Location() != time.UTC {
			t.Errorf("%s: recorded as id %d, sha %q, at %v", st.name, r.ID, r.SHA256, r.At)
		}
		got := passage(t, s, id)
		if !slices.Equal(got.Categories, st.tags) {
			t.Errorf("%s: passage tagged %v, want %v", st.name, got.Categories, st.tags)
		}
		if by := map[bool]string{true: r.Who}[st.override != nil]; got.TaggedBy != by || (by != "" && !got.TaggedAt.Equal(r.At)) {
			t.Errorf("%s: passage tagged by %q at %v, want %q", st.name, got.TaggedBy, got.TaggedAt, by)
		}
		ov, err := s.Overrides(ctx, sha)
		if err != nil {
			t.Fatal(err)
		}
		o, ok := ov[id]
		switch {
		case st.override == nil && ok:
			t.Errorf("%s: override %+v left, want none", st.name, o)
		case st.override != nil && (!ok || !slices.Equal(o.Categories, st.override) || o.Who != r.Who || !o.At.Equal(r.At)):
			t.Errorf("%s: override %+v (%v), want %v by %s", st.name, o, ok, st.override, r.Who)
		}
	}
	log, err := s.Reviews(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != len(steps) {
		t.Fatalf("the log holds %d entries, want %d: %+v", len(log), len(steps), log)
	}
	for i, r := range log {
		want := steps[i].review
		if r.PassageID != id || r.Who != want.Who || r.Action != want.Action || !slices.Equal(r.Before, want.Before) ||
			!slices.Equal(r.After, want.After) || !r.At.Equal(at.Add(time.Duration(i)*time.Minute)) {
			t.Errorf("entry %d: %+v, want %+v", i, r, want)
		}
	}
	if other, err := s.Reviews(ctx, evident.PassageID(sha, 1)); err != nil || len(other) != 0 {
		t.Errorf("the other passage's log: %+v %v", other, err)
	}
	if got := passage(t, s, evident.PassageID(sha, 1)).Categories; !slices.Equal(got, []string{"HEAR"}) {
		t.Errorf("the other passage's tags changed: %v", got)
	}
}

func TestSaveReviewRefuses(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	sha := saveDoc(t, s, "cccc0000dddd1111", []string{"DO"})
	id := evident.PassageID(sha, 0)
	tests := []struct {
		name   string
		review Review
		p      evident.Passage
		want   string
		is     error
	}{
		{"unknown passage", Review{PassageID: "ffff-9", Who: "dana", Action: Accept}, evident.Passage{ID: "ffff-9"}, "ffff-9", ErrNotFound},
		{"unknown action", Review{PassageID: id, Who: "dana", Action: "approve"}, evident.Passage{ID: id}, `action "approve"`, nil},
		{"nobody", Review{PassageID: id, Who: " ", Action: Accept}, evident.Passage{ID: id}, "who: empty", nil},
		{"another passage", Review{PassageID: id, Who: "dana", Action: Accept}, evident.Passage{ID: "x-1"}, "passage x-1 given", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SaveReview(ctx, &tt.review, &tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) || (tt.is != nil && !errors.Is(err, tt.is)) {
				t.Errorf("error %v, want it to say %q", err, tt.want)
			}
		})
	}
	if log, _ := s.Reviews(ctx, ""); len(log) != 0 {
		t.Errorf("refused reviews were logged: %+v", log)
	}
	if ov, _ := s.Overrides(ctx, ""); len(ov) != 0 {
		t.Errorf("refused reviews set overrides: %+v", ov)
	}
}

// The log cannot be changed, only added to; overrides outlive a document
// saved again or deleted, for its bytes' return; the schema opens again
// over an existing database.
func TestReviewsLast(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	sha := saveDoc(t, s, "eeee0000ffff1111", []string{"SEE"}, []string{})
	id := evident.PassageID(sha, 1)
	p := passage(t, s, id)
	p.Categories = []string{"GAINS"}
	r := Review{PassageID: id, Who: "dana", Action: Correct, Before: []string{}, After: []string{"GAINS"}}
	if err := s.SaveReview(ctx, &r, &p); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE reviews SET who = 'mallory'`, `DELETE FROM reviews`} {
		if _, err := s.DB().Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	saveDoc(t, s, sha, []string{"SEE"}, []string{}) // the same bytes processed again
	if ov, err := s.Overrides(ctx, sha); err != nil || !slices.Equal(ov[id].Categories, []string{"GAINS"}) {
		t.Errorf("after saving again: %+v %v", ov, err)
	}
	if _, err := s.Delete(ctx, sha); err != nil {
		t.Fatal(err)
	}
	if ov, err := s.Overrides(ctx, ""); err != nil || len(ov) != 1 {
		t.Errorf("after deleting the document: %+v %v", ov, err)
	}
	s.Close()
	again, err := Open(path)
	if err != nil {
		t.Fatalf("opening an existing database: %v", err)
	}
	defer again.Close()
	if log, err := again.Reviews(ctx, id); err != nil || len(log) != 1 || log[0].Who != "dana" {
		t.Errorf("the log after opening again: %+v %v", log, err)
	}
}
