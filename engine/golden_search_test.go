package engine

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/api"
	"github.com/evident/evident/index"
	"github.com/evident/evident/search"
)

// updateSearchGolden rewrites the search golden files instead of comparing.
var updateSearchGolden = flag.Bool("update-search-golden", false, "rewrite testdata/golden-search-*.json")

// goldenSearches are the searches whose results must not change when the
// index is stored differently (its mapping, the fields it keeps): typed
// queries through Engine.Search, with facets, and structured queries
// straight into the index.
var goldenSearches = []string{
	"month-end close",
	"spreadsheets",
	"what do CFOs hear about budgets",
	"role:cfo forecast",
	"category:PAINS spreadsheet",
	`"takes forever"`,
	"approvals security review",
	"company:Northwind",
	"pricing is too expensive",
	"rolling forecasts board",
	"speaker:\"Priya Raman\" team",
	"kind:survey planning",
	"zzqqx nothing matches this",
	"interview",
	"data late",
}

var goldenIndexQueries = []index.Query{
	{Words: "forecast budget"},
	{Words: "spreadsheet", Fuzzy: true},
	{Words: "team", Also: []string{"staff", "head count"}, Hints: "finance"},
	{Phrases: []string{"month end"}},
	{Words: "tools", Roles: []string{"cfo", "cio"}, About: true},
	{Categories: []string{"PAINS"}, Grade: true},
	{Words: "close", Interviewer: true},
	{Attrs: []index.Attr{{Key: "company", Value: "northwind"}}},
	{Words: "the"},
}

// TestSearchGolden ingests the examples and testdata/findability (and the
// shared corpus when it is beside the repository), rebuilds the index from
// the store so that its layout does not depend on the workers' timing, and
// compares what searches return (ids, order, scores, highlights, totals,
// facets) with golden files written by the code before the index's mapping
// was slimmed down. Run with -update-search-golden to rewrite them after a
// change that means to change results.
func TestSearchGolden(t *testing.T) {
	sets := []struct {
		name     string
		patterns []string
		dir      string
	}{
		{name: "examples", patterns: []string{"../examples/*", "testdata/findability/*"}},
		{name: "corpus", dir: corpusDir},
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			var files []string
			for _, p := range set.patterns {
				m, err := filepath.Glob(p)
				if err != nil || len(m) == 0 {
					t.Fatalf("%s: %v %v", p, m, err)
				}
				files = append(files, m...)
			}
			if set.dir != "" {
				if testing.Short() {
					t.Skip("the corpus takes a minute")
				}
				for _, rel := range corpusFiles(t, set.dir) {
					files = append(files, filepath.Join(set.dir, rel))
				}
			}
			goldenSearch(t, files, filepath.Join("testdata", "golden-search-"+set.name+".json"))
		})
	}
}

func goldenSearch(t *testing.T, files []string, golden string) {
	e := start(t, Options{Workers: 2})
	ctx := context.Background()
	var shas []string
	for _, f := range files {
		if filepath.Ext(f) == ".yaml" {
			continue // sidecars come with their files
		}
		rel, _ := filepath.Rel("..", f)
		sub, err := e.Ingest(ctx, api.Submission{Path: f, Origin: filepath.ToSlash(rel)})
		if err != nil {
			t.Fatalf("submit %s: %v", f, err)
		}
		if !slices.Contains(shas, sub.Document.SHA256) {
			shas = append(shas, sub.Document.SHA256)
		}
	}
	if _, err := e.Await(ctx, shas, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Reindex(ctx); err != nil {
		t.Fatal(err)
	}

	type hit struct {
		ID         string   `json:"id"`
		Score      float64  `json:"score"`
		Highlights [][2]int `json:"highlights,omitempty"`
	}
	type result struct {
		Query    any                       `json:"query"`
		Total    uint64                    `json:"total"`
		Fallback string                    `json:"fallback,omitempty"`
		Relaxed  string                    `json:"relaxed,omitempty"`
		Hits     []hit                     `json:"hits"`
		Facets   map[string]map[string]int `json:"facets,omitempty"`
	}
	var got []result
	for _, q := range goldenSearches {
		resp, err := e.Search(ctx, search.Request{Query: q, Limit: 10})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		r := result{Query: q, Total: resp.Total, Fallback: resp.Fallback, Relaxed: resp.Relaxed, Facets: resp.Facets}
		for _, h := range resp.Hits {
			r.Hits = append(r.Hits, hit{ID: h.ID, Score: h.Score, Highlights: h.Highlights})
		}
		got = append(got, r)
	}
	// Hits the index scores alike come in the order of its segments,
	// which the merger's timing decides: all hits are fetched and ties
	// put in id order before the first 30 are kept.
	for _, q := range goldenIndexQueries {
		var res *index.Result
		err := e.Index(func(ix *index.Index) (err error) {
			q.Size = 0
			if res, err = ix.Search(ctx, q); err != nil {
				return err
			}
			all := q
			all.Size, all.Spans = int(res.Total), true
			res, err = ix.Search(ctx, all)
			return err
		})
		if err != nil {
			t.Fatalf("%+v: %v", q, err)
		}
		slices.SortStableFunc(res.Hits, func(a, b index.Hit) int {
			if c := cmp.Compare(b.Score, a.Score); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		q.Size = 30
		r := result{Query: q, Total: res.Total, Facets: res.Facets}
		for _, h := range res.Hits[:min(len(res.Hits), q.Size)] {
			r.Hits = append(r.Hits, hit{ID: h.ID, Score: h.Score, Highlights: h.Spans})
		}
		got = append(got, r)
	}
	b, err := json.MarshalIndent(got, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	b = append(b, '\n')
	if *updateSearchGolden {
		if err := os.WriteFile(golden, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (write it with -update-search-golden)", err)
	}
	if bytes.Equal(b, want) {
		return
	}
	var wantRes []json.RawMessage
	if err := json.Unmarshal(want, &wantRes); err != nil {
		t.Fatalf("%s: %v", golden, err)
	}
	for i, r := range got {
		g, _ := json.MarshalIndent(r, "", " ")
		var w bytes.Buffer
		if i < len(wantRes) {
			json.Indent(&w, wantRes[i], "", " ")
		}
		if !bytes.Equal(g, w.Bytes()) {
			t.Errorf("query %v differs from %s:\n got %s\nwant %s", r.Query, golden, g, w.String())
		}
	}
	if len(wantRes) != len(got) {
		t.Errorf("%d results, %s has %d", len(got), golden, len(wantRes))
	}
}
