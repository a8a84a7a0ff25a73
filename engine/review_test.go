package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// A person's review, step by step, on one passage the rules tag DO and
// PAINS: what each edit makes of its categories and matches, what is
// logged, and what is refused with which words.
func TestTag(t *testing.T) {
	e := start(t, Options{})
	ctx := context.Background()
	e.drop("close.txt", "Every month-end I spend a week chasing spreadsheets, and reconciling them takes forever.\n")
	doc := e.waitIndexed(wait, "close.txt")["close.txt"]
	id := evident.PassageID(doc.SHA256, 0)
	if got := e.passage(id).Categories; !slices.Equal(got, []string{"DO", "PAINS"}) {
		t.Fatalf("the rules tag the passage %v; the test expects DO PAINS", got)
	}
	day := time.Now().UTC().Format(time.DateOnly)
	set := func(cats ...string) *[]string { return &cats }
	steps := []struct {
		name   string
		edit   api.TagEdit
		who    string
		want   string // an error that says this, or:
		action store.Action
		cats   []string
		by     string            // the passage's TaggedBy
		person map[string]string // categories explained by a person's match, and its text
	}{
		{name: "nothing asked", who: "dana", want: "say which categories"},
		{name: "two things at once", edit: api.TagEdit{Accept: true, Add: []string{"GAINS"}}, who: "dana", want: "do not go together"},
		{name: "nobody", edit: api.TagEdit{Accept: true}, who: " ", want: "who reviews"},
		{name: "a control character", edit: api.TagEdit{Accept: true}, who: "dana\x1b[2J", want: "control characters"},
		{name: "unknown category", edit: api.TagEdit{Add: []string{"GAIN"}}, who: "dana", want: `category to add "GAIN": the rules have no such category; they have SEE, HEAR, SAY, DO, PAINS, GAINS`},
		{name: "unknown in a list", edit: api.TagEdit{Set: set("PAINS", "THINK")}, who: "dana", want: `category "THINK"`},
		{name: "added and removed", edit: api.TagEdit{Add: []string{"gains"}, Remove: []string{"GAINS"}}, who: "dana", want: "GAINS is both added and removed"},
		{name: "clear with nothing to clear", edit: api.TagEdit{Clear: true}, who: "dana", want: "no tags set by a person"},
		{name: "accept", edit: api.TagEdit{Accept: true}, who: "dana",
			action: store.Accept, cats: []string{"DO", "PAINS"}, by: "dana", person: map[string]string{}},
		{name: "correct", edit: api.TagEdit{Add: []string{"gains"}, Remove: []string{"do"}}, who: "omar",
			action: store.Correct, cats: []string{"PAINS", "GAINS"}, by: "omar", person: map[string]string{"GAINS": "tagged by omar on " + day}},
		{name: "a correction that changes nothing", edit: api.TagEdit{Add: []string{"PAINS"}}, who: "dana",
			action: store.Accept, cats: []string{"PAINS", "GAINS"}, by: "dana", person: map[string]string{"GAINS": "tagged by dana on " + day}},
		{name: "none applies", edit: api.TagEdit{Set: set()}, who: "dana",
			action: store.Correct, cats: []string{}, by: "dana", person: map[string]string{}},
		{name: "exactly these", edit: api.TagEdit{Set: set("say", "PAINS", "SAY")}, who: "dana",
			action: store.Correct, cats: []string{"SAY", "PAINS"}, by: "dana", person: map[string]string{"SAY": "tagged by dana on " + day}},
		{name: "clear", edit: api.TagEdit{Clear: true}, who: "omar",
			action: store.Clear, cats: []string{"DO", "PAINS"}, by: "", person: map[string]string{}},
	}
	logged := 0
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			before := e.passage(id).Categories
			res, err := e.Tag(ctx, id, st.edit, st.who)
			if st.want != "" {
				if err == nil || !strings.Contains(err.Error(), st.want) || api.KindOf(err) != api.Invalid {
					t.Fatalf("error %v, want an invalid request that says %q", err, st.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			logged++
			r := res.Review
			if r.Action != st.action || !slices.Equal(r.Before, before) || !slices.Equal(r.After, st.cats) || r.Who != strings.TrimSpace(st.who) || r.SHA256 != doc.SHA256 {
				t.Errorf("logged %+v, want %s %v → %v", r, st.action, before, st.cats)
			}
			for _, p := range []evident.Passage{res.Passage, e.passage(id)} {
				if !slices.Equal(p.Categories, st.cats) || p.TaggedBy != st.by {
					t.Errorf("passage tagged %v by %q, want %v by %q", p.Categories, p.TaggedBy, st.cats, st.by)
				}
				person := map[string]string{}
				for _, m := range p.Matches {
					if !slices.Contains(st.cats, m.Category) {
						t.Errorf("a match of %s, which the passage no longer has: %+v", m.Category, m)
					}
					if m.ByPerson() {
						person[m.Category] = m.Text
					}
				}
				if fmt.Sprint(person) != fmt.Sprint(st.person) {
					t.Errorf("categories set by a person: %v, want %v", person, st.person)
				}
			}
			// The index has the passage's categories at once.
			for _, c := range []string{"DO", "PAINS", "GAINS", "SAY"} {
				found := e.finds("category:"+c+" spreadsheets", id)
				if found != slices.Contains(st.cats, c) {
					t.Errorf("category:%s finds the passage: %v; its categories are %v", c, found, st.cats)
				}
			}
		})
	}
	log, err := e.Reviews(ctx, id)
	if err != nil || len(log) != logged {
		t.Errorf("the log holds %d entries (%v), want %d", len(log), err, logged)
	}
	if _, err := e.Tag(ctx, "ffffffffffff-3", api.TagEdit{Accept: true}, "dana"); api.KindOf(err) != api.NotFound || !strings.Contains(err.Error(), "ffffffffffff-3") {
		t.Errorf("an unknown passage: %v", err)
	}
}

// finds reports whether a query finds the passage among what it asked
// for, not among the broader passages of a fallback.
func (r *running) finds(q, id string) bool {
	r.t.Helper()
	resp := r.search(q)
	return resp.Fallback == "" && slices.ContainsFunc(resp.Hits, func(h search.Hit) bool { return h.ID == id })
}

// passage reads one stored passage and fails the test if there is none.
func (r *running) passage(id string) evident.Passage {
	r.t.Helper()
	found, err := r.Store().PassagesByID(context.Background(), []string{id})
	if err != nil {
		r.t.Fatal(err)
	}
	h, ok := found[id]
	if !ok {
		r.t.Fatalf("passage %s is not stored", id)
	}
	return h.Passage
}

// The loop a team runs: ingest a real example, correct a passage, see the
// person's tag in search, keep it through reclassify and through the same
// bytes processed again, and export the reviews as labelled passages that
// `rules eval` reads.
func TestReviewLoop(t *testing.T) {
	e := start(t, Options{})
	ctx := context.Background()
	src, err := os.ReadFile("../examples/interview-cfo-northwind.txt")
	if err != nil {
		t.Fatal(err)
	}
	e.drop("interview-cfo-northwind.txt", string(src))
	doc := e.waitIndexed(wait, "interview-cfo-northwind.txt")["interview-cfo-northwind.txt"]
	// "Every month-end I spend most of my first week chasing spreadsheets
	// …" is DO and PAINS by the rules; a person says PAINS and GAINS.
	id := evident.PassageID(doc.SHA256, 1)
	accepted := evident.PassageID(doc.SHA256, 6) // "I'm worried about another six-month implementation."
	if got := e.passage(id).Categories; !slices.Equal(got, []string{"DO", "PAINS"}) {
		t.Fatalf("passage %s is tagged %v; the test expects DO PAINS", id, got)
	}
	if _, err := e.Tag(ctx, id, api.TagEdit{Add: []string{"GAINS"}, Remove: []string{"DO"}}, "dana"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tag(ctx, accepted, api.TagEdit{Accept: true}, "omar"); err != nil {
		t.Fatal(err)
	}
	// The correction, cleared and made again: the export has the latest.
	if _, err := e.Tag(ctx, evident.PassageID(doc.SHA256, 3), api.TagEdit{Remove: []string{"SAY"}}, "omar"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Tag(ctx, evident.PassageID(doc.SHA256, 3), api.TagEdit{Clear: true}, "omar"); err != nil {
		t.Fatal(err)
	}

	check := func(when string) {
		t.Helper()
		var hit *evident.Passage
		resp := e.search("role:cfo gains spreadsheets")
		if resp.Fallback != "" {
			t.Errorf("%s: role:cfo gains spreadsheets falls back: %s", when, resp.Fallback)
		}
		for _, h := range resp.Hits {
			if h.ID == id {
				hit = &evident.Passage{Categories: h.Categories, Matches: h.Matches, TaggedBy: h.TaggedBy}
			}
		}
		if hit == nil {
			t.Fatalf("%s: role:cfo gains spreadsheets does not find the corrected passage", when)
		}
		why := strings.Join(classify.Explain(hit.Matches), "; ")
		if !slices.Equal(hit.Categories, []string{"PAINS", "GAINS"}) || hit.TaggedBy != "dana" ||
			!strings.Contains(why, "GAINS: tagged by dana on ") || !strings.Contains(why, `pains.obstacle "takes forever"`) || strings.Contains(why, "DO:") {
			t.Errorf("%s: the hit is tagged %v by %q, why: %s", when, hit.Categories, hit.TaggedBy, why)
		}
		if e.finds("role:cfo category:do spreadsheets", id) {
			t.Errorf("%s: category:do still finds the passage the person took DO from", when)
		}
		if p := e.passage(accepted); p.TaggedBy != "omar" || !slices.Equal(p.Categories, []string{"PAINS"}) {
			t.Errorf("%s: the accepted passage is tagged %v by %q", when, p.Categories, p.TaggedBy)
		}
	}
	check("after the correction")

	res, err := e.Reclassify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != 0 {
		t.Errorf("reclassify changed %d passages' categories with the same rules", res.Changed)
	}
	check("after reclassify")

	// The same bytes processed again (a sidecar arrives with a URL).
	e.drop("interview-cfo-northwind.txt.meta.yaml", "url: https://example.com/northwind\n")
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.SHA256 == doc.SHA256 {
				return d.State == evident.Indexed && d.URL == "https://example.com/northwind", fmt.Sprintf("the interview is %s with url %q", d.State, d.URL)
			}
		}
		return false, "the interview is gone"
	})
	check("after the same bytes were processed again")
	if got, want := e.indexCount(), e.passageSum(); got != want {
		t.Errorf("Bleve holds %d passages, SQLite %d", got, want)
	}

	gold, err := e.ReviewGold(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var jsonl bytes.Buffer
	enc := json.NewEncoder(&jsonl)
	for _, g := range gold {
		if err := enc.Encode(g); err != nil {
			t.Fatal(err)
		}
	}
	back, err := classify.ReadGold(&jsonl)
	if err != nil {
		t.Fatal(err)
	}
	want := []classify.Gold{
		{ID: id, Labels: []string{"PAINS", "GAINS"}, Speaker: "Priya Raman", Kind: "interview", Source: "interview-cfo-northwind.txt"},
		{ID: accepted, Labels: []string{"PAINS"}, Speaker: "Priya Raman", Kind: "interview", Source: "interview-cfo-northwind.txt"},
	}
	if len(back) != len(want) {
		t.Fatalf("the export holds %d passages, want %d: %+v", len(back), len(want), back)
	}
	for i, g := range back {
		w := want[i]
		w.Text = e.passage(w.ID).Text
		if g.ID != w.ID || g.Text != w.Text || !slices.Equal(g.Labels, w.Labels) || g.Speaker != w.Speaker || g.Kind != w.Kind || g.Source != w.Source || g.Interviewer {
			t.Errorf("line %d: %+v, want %+v", i+1, g, w)
		}
	}
	// The rules are measured against the people's labels: the correction
	// is a passage they get wrong.
	rules := e.Classifier()
	rep := classify.Evaluate(rules.Categories(), back, func(g classify.Gold) classify.Result {
		p := evident.Passage{Text: g.Text, Speaker: g.Speaker, Interviewer: g.Interviewer, Context: g.Question}
		tagByRules(rules, &p)
		return classify.Result{Categories: p.Categories, Matches: p.Matches}
	})
	if rep.Passages != 2 || len(rep.Errors) != 1 || rep.Errors[0].ID != id {
		t.Errorf("eval of the export: %d passages, errors %+v", rep.Passages, rep.Errors)
	}
	log, err := e.Reviews(ctx, "")
	if err != nil || len(log) != 4 || log[3].Action != store.Clear {
		t.Errorf("the review log: %+v %v", log, err)
	}
}
