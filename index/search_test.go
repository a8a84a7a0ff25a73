package index

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/evident/evident"
)

// corpus opens a new index holding the entries of testdata/corpus.json,
// built with EntryOf as the indexer builds them. d3-0, the article, is
// about CFOs (Entry.About), and d1-2 is graded substance.
func corpus(t *testing.T) *Index {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Document evident.Document  `json:"document"`
		Passages []evident.Passage `json:"passages"`
	}
	if err := json.Unmarshal(data, &docs); err != nil {
		t.Fatal(err)
	}
	var entries []Entry
	for _, d := range docs {
		var es []Entry
		for i := range d.Passages {
			e := EntryOf(&d.Document, &d.Passages[i])
			switch e.ID {
			case "d3-0":
				e.About = []string{"cfo"}
				e.For = append(e.For, "cfo")
			case "d1-2":
				e.Grade = []string{"substance"}
			}
			es = append(es, e)
		}
		SetStamp(es)
		entries = append(entries, es...)
	}
	ix, err := Recreate(filepath.Join(t.TempDir(), "index"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	if err := ix.Apply(context.Background(), nil, entries); err != nil {
		t.Fatal(err)
	}
	return ix
}

// Every part of a Query selects what it says, and only that.
func TestSearch(t *testing.T) {
	ix := corpus(t)
	tests := []struct {
		name    string
		q       Query
		want    []string // the hits, in order when ordered is set
		ordered bool
	}{
		{"words", Query{Words: "budget"}, []string{"d2-0", "d3-0"}, false},
		{"stemmed words", Query{Words: "closes"}, []string{"d1-2"}, false},
		{"words and a role", Query{Words: "budget", Roles: []string{"cto"}}, []string{"d2-0"}, false},
		{"a role, interviewers left out", Query{Roles: []string{"cfo"}}, []string{"d1-1", "d1-2"}, false},
		{"a role and the passages about it", Query{Roles: []string{"cfo"}, About: true}, []string{"d1-1", "d1-2", "d3-0"}, false},
		{"a document", Query{Docs: []string{"d1"}}, []string{"d1-1", "d1-2"}, false},
		{"a document with its interviewer", Query{Docs: []string{"d1"}, Interviewer: true}, []string{"d1-0", "d1-1", "d1-2"}, false},
		{"all of the categories", Query{Categories: []string{"PAINS", "HEAR"}}, []string{"d1-1"}, false},
		{"a kind", Query{Kinds: []string{"podcast", "article"}}, []string{"d2-0", "d2-1", "d3-0"}, false},
		{"a speaker", Query{Speakers: []string{"Ravi"}}, []string{"d2-0", "d2-1"}, false},
		{"a code, in any case", Query{Codes: []string{"AUDIT"}}, []string{"d1-1"}, false},
		{"an attribute by one word", Query{Attrs: []Attr{{"company", "northwind"}}}, []string{"d1-1", "d1-2"}, false},
		{"an attribute whole", Query{Attrs: []Attr{{"Company", "Halden  Freight"}}}, []string{"d2-0", "d2-1"}, false},
		{"an attribute by words in another order", Query{Attrs: []Attr{{"company", "freight halden"}}}, []string{"d2-0", "d2-1"}, false},
		{"an attribute with a dash", Query{Attrs: []Attr{{"segment", "mid-market"}}}, []string{"d1-1", "d1-2"}, false},
		{"a speaker's attribute", Query{Attrs: []Attr{{"region", "emea"}}}, []string{"d1-1", "d1-2"}, false},
		{"an attribute nobody has", Query{Attrs: []Attr{{"company", "acme"}}}, nil, false},
		{"a phrase", Query{Phrases: []string{"nine days"}}, []string{"d1-2"}, false},
		{"a phrase out of order", Query{Phrases: []string{"days nine"}}, nil, false},
		{"all but a speaker", Query{Except: []Who{{Doc: "d2", Speaker: "Ravi"}}}, []string{"d1-1", "d1-2", "d3-0"}, false},
		{"all but a document", Query{Except: []Who{{Doc: "d1"}}}, []string{"d2-0", "d2-1", "d3-0"}, false},
		{"misspelt, fuzzy", Query{Words: "budjet", Fuzzy: true}, []string{"d2-0", "d3-0"}, false},
		{"misspelt", Query{Words: "budjet"}, nil, false},
		{"a synonym", Query{Words: "spreadsheet", Also: []string{"dashboard"}}, []string{"d2-0"}, false},
		{"a synonym phrase", Query{Words: "forecast", Also: []string{"annual budget"}}, []string{"d3-0"}, false},
		{"the word ranks above its synonym", Query{Words: "dashboard", Also: []string{"budget"}}, []string{"d2-0", "d3-0"}, true},
		{"hints rank without selecting", Query{Roles: []string{"cfo"}, Hints: "auditors"}, []string{"d1-1", "d1-2"}, true},
		{"graded first", Query{Roles: []string{"cfo"}, Grade: true}, []string{"d1-2", "d1-1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Size = 10
			res, err := ix.Search(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.ID)
			}
			if !tt.ordered {
				slices.Sort(got)
			}
			if !slices.Equal(got, tt.want) || res.Total != uint64(len(tt.want)) {
				t.Errorf("hits %v (total %d), want %v", got, res.Total, tt.want)
			}
		})
	}
}

// Hits carry the byte ranges of the words that matched, and facets count
// all matches, not only the page.
func TestSearchSpansAndFacets(t *testing.T) {
	ix := corpus(t)
	ctx := context.Background()
	res, err := ix.Search(ctx, Query{Words: "budget board", Size: 1, Spans: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 || res.Hits[0].ID != "d2-0" || res.Total != 2 {
		t.Fatalf("hits %+v, total %d", res.Hits, res.Total)
	}
	text := "We ship the budget dashboard weekly and the board loves it."
	var words []string
	for _, s := range res.Hits[0].Spans {
		words = append(words, text[s[0]:s[1]])
	}
	if !slices.Equal(words, []string{"budget", "board"}) {
		t.Errorf("spans cover %q, want budget and board", words)
	}
	want := map[string]map[string]int{
		"categories": {"GAINS": 1, "SAY": 1, "HEAR": 1},
		"roles":      {"cto": 1, "": 1}, // the article has no role
		"kinds":      {"podcast": 1, "article": 1},
		"docs":       {"d2": 1, "d3": 1},
		"attributes": {"company: Halden Freight": 1},
	}
	for name, counts := range want {
		if got := res.Facets[name]; !maps.Equal(got, counts) {
			t.Errorf("facet %s: %v, want %v", name, got, counts)
		}
	}
	// Spans only when asked for; IDs keep those passages alone.
	res, err = ix.Search(ctx, Query{Words: "budget board", Size: 10, NoFacets: true})
	if err != nil || len(res.Hits) != 2 || res.Hits[0].Spans != nil || res.Hits[1].Spans != nil {
		t.Errorf("without Spans: %+v, %v", res, err)
	}
	res, err = ix.Search(ctx, Query{Words: "budget board", IDs: []string{"d2-0", "d1-1"}, Size: 10, NoFacets: true, Spans: true})
	if err != nil || res.Total != 1 || res.Hits[0].ID != "d2-0" || len(res.Hits[0].Spans) != 2 {
		t.Errorf("IDs d2-0 and d1-1 of budget board: %+v, %v", res, err)
	}
	// IDs select without scoring: a passage scores what it scores among all.
	all, err := ix.Search(ctx, Query{Words: "budget board", Size: 10, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range all.Hits {
		one, err := ix.Search(ctx, Query{Words: "budget board", IDs: []string{h.ID}, Size: 1, NoFacets: true})
		if err != nil || len(one.Hits) != 1 || one.Hits[0].Score != h.Score {
			t.Errorf("%s alone: %+v, %v; among all it scores %v", h.ID, one, err, h.Score)
		}
	}
	probe, err := ix.Search(ctx, Query{Words: "budget", NoFacets: true})
	if err != nil || probe.Total != 2 || len(probe.Hits) != 0 || len(probe.Facets) != 0 {
		t.Errorf("a probe: %+v, %v", probe, err)
	}
}

// The attribute keys and the words of one key's values, for telling a
// misspelt key or value.
func TestAttrTerms(t *testing.T) {
	ix := corpus(t)
	keys, err := ix.AttrKeys()
	if err != nil || !slices.Equal(keys, []string{"company", "region", "segment"}) {
		t.Errorf("AttrKeys: %v, %v", keys, err)
	}
	words, err := ix.AttrWordsOf("Company")
	if err != nil || !slices.Equal(words, []string{"freight", "halden", "logistics", "northwind"}) {
		t.Errorf("AttrWordsOf(company): %v, %v", words, err)
	}
	if words, err := ix.AttrWordsOf("nope"); err != nil || len(words) != 0 {
		t.Errorf("AttrWordsOf(nope): %v, %v", words, err)
	}
}

// EntryOf carries what search filters on: attributes of the document,
// the speaker and the passage, with the passage's winning, as whole
// values, words and facets; codes lower-cased.
func TestEntryOf(t *testing.T) {
	d := &evident.Document{SHA256: "d9", File: "f.txt", Title: "T", Kind: evident.Survey,
		Attrs:    map[string]string{"Company": "Acme Corp", "Segment": "SMB"},
		Speakers: []evident.Person{{Name: "R1", Company: "Acme Europe"}}}
	p := &evident.Passage{ID: "d9-0", Text: "x", Speaker: "R1", Role: "cfo", Codes: []string{"Pricing"},
		Attrs: map[string]string{"company size": "200-500", "label": "CFO, Acme"}}
	e := EntryOf(d, p)
	// The order of the terms is the attributes' keys as written, of no
	// consequence to matching.
	for _, terms := range [][]string{e.AttrKeys, e.Attrs, e.AttrFacets} {
		slices.Sort(terms)
	}
	want := Entry{ID: "d9-0", Text: "x", Title: "T", Speaker: "R1", Role: "cfo", Kind: "survey", Doc: "d9", File: "f.txt",
		Codes: []string{"pricing"}, For: []string{"cfo"},
		AttrKeys:   []string{"company", "company-size", "segment"},
		Attrs:      []string{"company-size=200-500", "company-size~200", "company-size~500", "company=acme europe", "company~acme", "company~europe", "segment=smb", "segment~smb"},
		AttrFacets: []string{"company-size: 200-500", "company: Acme Europe", "segment: SMB"}}
	g, _ := json.Marshal(e)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("EntryOf:\n got %s\nwant %s", g, w)
	}
}
