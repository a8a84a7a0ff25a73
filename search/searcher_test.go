package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/index"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/store"
)

// searcher stores testdata/corpus.json in a new SQLite store, indexes it
// in a new Bleve index the way the engine does (EntryOf, Annotate), and
// returns a Searcher with the built-in rules, roles and synonyms.
func searcher(t *testing.T) (*Searcher, *index.Index) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []stored
	if err := json.Unmarshal(data, &docs); err != nil {
		t.Fatal(err)
	}
	return searcherOf(t, docs)
}

// stored is a document and its passages as testdata/corpus.json has them.
type stored struct {
	Document evident.Document  `json:"document"`
	Passages []evident.Passage `json:"passages"`
}

// searcherOf stores and indexes docs, in their order.
func searcherOf(t *testing.T, docs []stored) (*Searcher, *index.Index) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(filepath.Join(dir, "evident.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ix, err := index.Recreate(filepath.Join(dir, "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	tax, syn := roles.Default(), DefaultSynonyms()
	about := NewAbout(tax)
	for _, d := range docs {
		sub := store.Submission{Origin: d.Document.Origin, File: d.Document.File, SHA256: d.Document.SHA256, Size: 1}
		if _, _, err := st.Register(ctx, sub); err != nil {
			t.Fatal(err)
		}
		for i := range d.Passages {
			d.Passages[i].Seq, d.Passages[i].ID = i, evident.PassageID(d.Document.SHA256, i)
		}
		if _, err := st.Save(ctx, &d.Document, nil, d.Passages); err != nil {
			t.Fatal(err)
		}
		var entries []index.Entry
		for i := range d.Passages {
			e := index.EntryOf(&d.Document, &d.Passages[i])
			Annotate(&e, &d.Passages[i], about, syn)
			entries = append(entries, e)
		}
		if err := ix.Apply(ctx, nil, entries); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkIndexed(ctx, map[string]string{d.Document.SHA256: index.SetStamp(entries)}); err != nil {
			t.Fatal(err)
		}
	}
	rules, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(rules.QueryWords(), rules.Categories(), tax)
	p.Synonyms = syn
	p.ResolveDoc = func(ref string) (string, error) {
		d, err := st.FindDocument(ctx, ref)
		if err != nil {
			return "", err
		}
		return d.SHA256, nil
	}
	return &Searcher{Store: st, Parser: p}, ix
}

// A hit as the tests compare it: id, and how it answers the role asked.
func brief(h Hit) string {
	s := h.ID
	if h.RoleMatch != "" {
		s += " " + h.RoleMatch
	}
	if h.About != "" {
		s += " about " + h.About
	}
	return s
}

// Searches as people type them: the role asked for first, then its
// group, then passages about it; interviewer turns on request; paging;
// and, when nothing matches, the nearest query that does.
func TestSearcher(t *testing.T) {
	s, ix := searcher(t)
	tests := []struct {
		name    string
		req     Request
		want    []string // brief(hit), in order
		relaxed bool     // the answer is a broader query's
		dropped string   // what it left out, when relaxed
	}{
		{"a role and a category", Request{Query: "what do CFOs hear"},
			[]string{"d1d1d1d1d1d1-1 exact", "d3d3d3d3d3d3-0 about cfo"}, false, ""},
		{"a role widens to its group", Request{Query: "what do CTOs say"},
			[]string{"d2d2d2d2d2d2-0 exact", "d2d2d2d2d2d2-1 group"}, false, ""},
		{"a group by name", Request{Query: "what does technical leadership say"},
			[]string{"d2d2d2d2d2d2-0 exact", "d2d2d2d2d2d2-1 exact"}, false, ""},
		{"an attribute", Request{Query: "company:Northwind pains"},
			[]string{"d1d1d1d1d1d1-1", "d1d1d1d1d1d1-2"}, false, ""},
		{"interviewer turns on request", Request{Query: "doc:interview-northwind.txt briefs", Interviewer: true},
			[]string{"d1d1d1d1d1d1-0"}, false, ""},
		{"interviewer turns left out, then the words dropped", Request{Query: "doc:interview-northwind.txt briefs"},
			[]string{"d1d1d1d1d1d1-1", "d1d1d1d1d1d1-2"}, true, "briefs"},
		{"the second page", Request{Query: "budget", Limit: 3, Offset: 3},
			[]string{"d3d3d3d3d3d3-0"}, false, ""},
		{"nothing matches: a category dropped", Request{Query: "what do CFOs gain"},
			[]string{"d1d1d1d1d1d1-1 exact", "d1d1d1d1d1d1-2 exact", "d3d3d3d3d3d3-0 about cfo"}, true, "GAINS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := s.Search(context.Background(), ix, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range resp.Hits {
				got = append(got, brief(h))
			}
			if tt.req.Offset == 0 && !slices.Equal(got, tt.want) || tt.req.Offset > 0 && len(got) != len(tt.want) {
				t.Errorf("hits %q, want %q (understood %v)", got, tt.want, resp.Query.Understood)
			}
			if (resp.Relaxed != "") != tt.relaxed || tt.relaxed && !strings.Contains(strings.Join(resp.Dropped, "; "), tt.dropped) {
				t.Errorf("relaxed %q, dropped %q, fallback %q", resp.Relaxed, resp.Dropped, resp.Fallback)
			}
			for _, h := range resp.Hits {
				if h.Citation == "" || h.Source.File == "" || h.Parts == nil {
					t.Errorf("hit %s without its citation, source or score parts: %+v", h.ID, h)
				}
			}
		})
	}
}

// Facets count every match, documents by file name; a misspelt attribute
// key or value is read as the one it is near.
func TestSearcherFacetsAndCorrections(t *testing.T) {
	s, ix := searcher(t)
	ctx := context.Background()
	resp, err := s.Search(ctx, ix, Request{Query: "budget", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Total != 4 || len(resp.Hits) != 1 {
		t.Errorf("total %d, %d hits", resp.Total, len(resp.Hits))
	}
	want := map[string]int{"interview-northwind.txt": 2, "podcast-halden.txt": 1, "article-forecasts.md": 1}
	if got := resp.Facets["docs"]; len(got) != len(want) || got["interview-northwind.txt"] != 2 || got["article-forecasts.md"] != 1 {
		t.Errorf("docs facet %v, want %v", got, want)
	}
	if keys := SortedKeys(resp.Facets["docs"]); keys[0] != "interview-northwind.txt" {
		t.Errorf("SortedKeys: %v", keys)
	}
	for _, q := range []string{"compnay:northwind", "company:northwnd"} {
		resp, err := s.Search(ctx, ix, Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Hits) != 2 || len(resp.Query.Corrections) == 0 {
			t.Errorf("%s: %d hits, corrections %v, fallback %q", q, len(resp.Hits), resp.Query.Corrections, resp.Fallback)
		}
	}
	resp, err = s.Search(ctx, ix, Request{Query: "company:contoso"})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Fallback == "" {
		t.Errorf("an attribute no passage has: no word why (%+v)", resp)
	}
}

// Hits the index scores alike come in the order of its segments, which
// merges and rebuilds change; a search answers the same whatever that
// order: the pool takes in every hit tied with its last place, and ties
// rank by passage id.
func TestTiesAnswerTheSameWhateverTheIndexOrder(t *testing.T) {
	var docs []stored
	for i := range 3 * poolSize {
		addNote(&docs, i*7919%1000003, "The price of the tool is too high for us.", 0)
	}
	reversed := slices.Clone(docs)
	slices.Reverse(reversed)
	var answers [2][]string
	for i, order := range [][]stored{docs, reversed} {
		s, ix := searcherOf(t, order)
		resp, err := s.Search(context.Background(), ix, Request{Query: "price", Limit: 10, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Total != uint64(len(docs)) {
			t.Fatalf("%d matches, want %d", resp.Total, len(docs))
		}
		for _, h := range resp.Hits {
			answers[i] = append(answers[i], h.ID)
		}
	}
	if !slices.Equal(answers[0], answers[1]) {
		t.Errorf("indexed in one order: %v\nin the other: %v", answers[0], answers[1])
	}
	if !slices.IsSorted(answers[0]) {
		t.Errorf("tied hits are not in id order: %v", answers[0])
	}
}

// A query of a category word alone ("gains") matches a few passages by
// the word and many more by the category, all tied: the pool takes those
// with the strongest cues among the many, not the first by id.
func TestHintQueryPoolTakesTheStrongestCues(t *testing.T) {
	var docs []stored
	const body = "The new dashboard helps our team close the month faster and the budget review is much easier now."
	addNote(&docs, 0, "Our gains this quarter came from the new dashboard and a faster close of the month.", 2)
	for i := 1; i <= 3*poolSize; i++ {
		addNote(&docs, i, body, 1) // weak cues, first by id
	}
	strong := map[string]bool{}
	for i := 3*poolSize + 1; i <= 3*poolSize+5; i++ {
		strong[addNote(&docs, i, body, 5.5)] = true
	}
	s, ix := searcherOf(t, docs)
	resp, err := s.Search(context.Background(), ix, Request{Query: "gains", Limit: 10, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, h := range resp.Hits {
		if strong[h.ID] {
			found++
		}
	}
	if found != len(strong) {
		var got []string
		for _, h := range resp.Hits {
			got = append(got, h.ID)
		}
		t.Errorf("%d of the %d passages with strong cues in the first ten: %v", found, len(strong), got)
	}
}

// A hint held by more passages than the pool holds: the pool has room for
// the hint's best and for the strongest cues without it as well, and the
// ranking, which weighs both, picks among them.
func TestHintQueryPoolHasRoomForCuesWithoutTheWord(t *testing.T) {
	var docs []stored
	long := strings.Repeat("The new dashboard helps our team close the month faster and the budget review is much easier now. ", 4)
	addNote(&docs, 0, "Gains, gains, gains.", 1)
	for i := 1; i <= 2*poolSize; i++ {
		addNote(&docs, i, long+"Some gains too.", 1) // the word once in a long text, weak cues
	}
	strong := map[string]bool{}
	for i := 2*poolSize + 1; i <= 2*poolSize+5; i++ {
		strong[addNote(&docs, i, long+"It saves us a week.", 5.5)] = true
	}
	s, ix := searcherOf(t, docs)
	resp, err := s.Search(context.Background(), ix, Request{Query: "gains", Limit: 10, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	var got []string
	for _, h := range resp.Hits {
		got = append(got, fmt.Sprintf("%s %.3f", h.ID, h.Score))
		if strong[h.ID] {
			found++
		}
	}
	if found != len(strong) {
		t.Errorf("%d of the %d passages with strong cues in the first ten: %v", found, len(strong), got)
	}
}

// addNote adds a document of one passage, number n, of a GAINS score
// (none when 0), and returns its passage's id.
func addNote(docs *[]stored, n int, text string, gains float64) string {
	sha := fmt.Sprintf("%012x%052d", n, 0)
	p := evident.Passage{Text: text}
	if gains > 0 {
		p.Categories, p.Scores = []string{"GAINS"}, map[string]float64{"GAINS": gains}
	}
	*docs = append(*docs, stored{
		Document: evident.Document{Origin: "inbox/" + sha[:12] + ".txt", File: sha[:12] + ".txt", SHA256: sha, Kind: evident.Notes},
		Passages: []evident.Passage{p},
	})
	return evident.PassageID(sha, 0)
}
