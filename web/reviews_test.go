package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/api"
	"github.com/evident/evident/persona"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// The review API through the client the command line uses: the same
// answers and the same errors as the engine gives.
func TestReviewAPI(t *testing.T) {
	ts, c, _ := newServer(t)
	ctx := context.Background()
	uploadExample(t, c, "interview-cfo-northwind.txt")
	id := firstHit(t, c, "role:cfo pains worried") // tagged PAINS by the rules

	res, err := c.Tag(ctx, id, api.TagEdit{Add: []string{"gains"}}, "dana")
	if err != nil {
		t.Fatal(err)
	}
	if res.Review.Action != store.Correct || !slices.Equal(res.Review.After, []string{"PAINS", "GAINS"}) || res.Passage.TaggedBy != "dana" {
		t.Errorf("tag: %+v", res)
	}
	if _, err := c.Tag(ctx, id, api.TagEdit{Add: []string{"WORRY"}}, "dana"); api.KindOf(err) != api.Invalid || !strings.Contains(err.Error(), `"WORRY"`) {
		t.Errorf("an unknown category: %v", err)
	}
	if _, err := c.Tag(ctx, "nope-1", api.TagEdit{Accept: true}, "dana"); api.KindOf(err) != api.NotFound {
		t.Errorf("an unknown passage: %v", err)
	}
	// Without X-Evident-User the reviewer is "web".
	var answer api.Reviewed
	if code := apiJSON(t, ts, "POST", "/api/passages/"+url.PathEscape(id)+"/tags", map[string]bool{"accept": true}, &answer); code != http.StatusOK || answer.Review.Who != "web" {
		t.Errorf("accept without a user: %d %+v", code, answer.Review)
	}
	log, err := c.Reviews(ctx, id)
	if err != nil || len(log) != 2 || log[0].Who != "dana" || log[1].Action != store.Accept {
		t.Errorf("the log: %+v %v", log, err)
	}
	if all, err := c.Reviews(ctx, ""); err != nil || len(all) != 2 {
		t.Errorf("the whole log: %+v %v", all, err)
	}
	gold, err := c.ReviewGold(ctx)
	if err != nil || len(gold) != 1 || gold[0].ID != id || !slices.Equal(gold[0].Labels, []string{"PAINS", "GAINS"}) {
		t.Errorf("the export: %+v %v", gold, err)
	}
	code, h, body := get(t, ts, "/api/reviews/export")
	if code != http.StatusOK || !strings.Contains(h.Get("Content-Disposition"), `filename="reviews.jsonl"`) || strings.Count(body, "\n") != 1 {
		t.Errorf("GET /api/reviews/export: %d %v\n%s", code, h, body)
	}
}

// The speaker API and the form of the in-context page: a person corrects
// a speaker, and the page and the search show it at once.
func TestSpeakerAPI(t *testing.T) {
	ts, c, _ := newServer(t)
	ctx := context.Background()
	uploadExample(t, c, "podcast-ledger-lines.txt")
	d, err := c.SetSpeaker(ctx, "podcast-ledger-lines.txt", "RK", persona.Correction{Title: ptr("VP of Engineering")}, "dana")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Speakers {
		if p.Name == "RK" && (p.Role != "vp-engineering" || p.Title != "VP of Engineering" || p.RoleSource != "person") {
			t.Errorf("RK: %+v", p)
		}
	}
	if _, err := c.SetSpeaker(ctx, "podcast-ledger-lines.txt", "Nobody", persona.Correction{Role: ptr("cfo")}, "dana"); api.KindOf(err) != api.NotFound {
		t.Errorf("an unknown speaker: %v", err)
	}
	if _, err := c.SetSpeaker(ctx, "no-such-file.txt", "RK", persona.Correction{Role: ptr("cfo")}, "dana"); api.KindOf(err) != api.NotFound {
		t.Errorf("an unknown document: %v", err)
	}
	if code := apiJSON(t, ts, "POST", "/api/documents/podcast-ledger-lines.txt/speakers/RK", map[string]any{}, nil); code != http.StatusBadRequest {
		t.Errorf("an empty correction: %d", code)
	}
	id := firstHit(t, c, "role:cto")
	if resp, err := c.Search(ctx, search.Request{Query: "role:cto"}); err != nil || len(resp.Hits) == 0 || resp.Hits[0].RoleMatch != "group" || resp.Hits[0].Title != "VP of Engineering" {
		t.Errorf("role:cto finds RK as the CTO's group: %+v %v", resp, err)
	}

	// The form: only what differs from what the page showed is said.
	contextPage := "/passages/" + url.PathEscape(id)
	_, _, page := get(t, ts, contextPage)
	if !strings.Contains(page, `action="/documents/`) || !strings.Contains(page, `/speakers/JT"`) {
		t.Fatalf("no speaker form on the in-context page")
	}
	form := url.Values{"_back": {contextPage}, "role": {"vp-engineering"}, "role0": {"vp-engineering"}, "title": {"VP of Engineering"},
		"title0": {"VP of Engineering"}, "company": {"Halden Freight"}, "company0": {"Halden Freight"}, "interviewer": {"yes"}, "interviewer0": {"no"}}
	code, loc, body := post(t, ts, "/documents/podcast-ledger-lines.txt/speakers/RK", form, nil)
	if code != http.StatusSeeOther || loc != contextPage+"?done=speaker-saved" {
		t.Fatalf("form: %d %q %s", code, loc, body)
	}
	_, _, page = get(t, ts, loc)
	if !strings.Contains(page, "The speaker was corrected") || !strings.Contains(page, `title="person">interviewer`) {
		t.Errorf("the page does not show the correction")
	}
}

func ptr[T any](v T) *T { return &v }
