package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/engine"
	"github.com/evident/evident/store"
)

// The review API through the client the command line uses: the same
// answers and the same errors as the engine gives.
func TestReviewAPI(t *testing.T) {
	ts, c, _ := newServer(t)
	ctx := context.Background()
	uploadExample(t, c, "interview-cfo-northwind.txt")
	id := firstHit(t, c, "role:cfo pains worried") // tagged PAINS by the rules

	res, err := c.Tag(ctx, id, engine.TagEdit{Add: []string{"gains"}}, "dana")
	if err != nil {
		t.Fatal(err)
	}
	if res.Review.Action != store.Correct || !slices.Equal(res.Review.After, []string{"PAINS", "GAINS"}) || res.Passage.TaggedBy != "dana" {
		t.Errorf("tag: %+v", res)
	}
	if _, err := c.Tag(ctx, id, engine.TagEdit{Add: []string{"WORRY"}}, "dana"); !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), `"WORRY"`) {
		t.Errorf("an unknown category: %v", err)
	}
	if _, err := c.Tag(ctx, "nope-1", engine.TagEdit{Accept: true}, "dana"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("an unknown passage: %v", err)
	}
	// Without X-Evident-User the reviewer is "web".
	var answer engine.Reviewed
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
