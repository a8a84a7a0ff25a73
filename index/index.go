// Package index keeps the Bleve full-text index of passages. It is derived
// from the store: everything in it can be rebuilt from SQLite (evident
// reindex), so it holds only what search needs to match, filter, facet and
// highlight.
package index

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/evident/evident"
)

// Version changes whenever the mapping does; an index of another version is
// rebuilt from the store.
const Version = "2"

// MaxBatch caps the operations sent to Bleve at once: unbounded batches
// have used more than 10 GB.
const MaxBatch = 1000

// Entry is one passage as the index sees it.
type Entry struct {
	ID          string   `json:"-"`
	Text        string   `json:"text"`
	Context     string   `json:"context,omitempty"`
	Title       string   `json:"title,omitempty"`
	Speaker     string   `json:"speaker,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	Role        string   `json:"role,omitempty"`
	Kind        string   `json:"kind,omitempty"`
	Doc         string   `json:"doc"` // content hash of the document
	File        string   `json:"file,omitempty"`
	Section     string   `json:"section,omitempty"`
	Interviewer bool     `json:"interviewer"`
	// Codes are the passage's qualitative codes, lower-cased (code:NAME).
	Codes []string `json:"codes,omitempty"`
}

// Index is an open Bleve index. Only one process may hold it.
type Index struct {
	idx  bleve.Index
	path string
}

// Open opens the index at dir, creating it if absent. It reports stale=true
// when the index on disk was built by another mapping version and has been
// recreated empty, so the caller must rebuild it from the store.
func Open(dir string) (ix *Index, stale bool, err error) {
	version, verr := os.ReadFile(filepath.Join(dir, "evident-version"))
	if verr == nil && strings.TrimSpace(string(version)) == Version {
		idx, err := bleve.Open(filepath.Join(dir, "bleve"))
		if err == nil {
			if err := private(dir); err != nil {
				idx.Close()
				return nil, false, err
			}
			return &Index{idx: idx, path: dir}, false, nil
		}
		// A damaged index is not data: the store has everything.
	}
	ix, err = Recreate(dir)
	return ix, err == nil, err
}

// Recreate deletes whatever is at dir and creates an empty index there.
func Recreate(dir string) (*Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	idx, err := bleve.New(filepath.Join(dir, "bleve"), newMapping())
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "evident-version"), []byte(Version+"\n"), 0o600); err != nil {
		idx.Close()
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	if err := private(dir); err != nil {
		idx.Close()
		return nil, err
	}
	return &Index{idx: idx, path: dir}, nil
}

// private narrows the index folder to its owner: folders 0700, files 0600.
// The index holds every passage's text; Bleve writes some of its files
// readable by all, and earlier versions made the folder so.
func private(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("index %s: %w", dir, err)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("index %s: %w", dir, err)
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() == want {
			return nil
		}
		if err := os.Chmod(p, want); err != nil {
			return fmt.Errorf("index %s: %w", dir, err)
		}
		return nil
	})
}

// Dir is the folder the index lives in.
func (ix *Index) Dir() string { return ix.path }

func newMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	text.Store = true
	text.IncludeTermVectors = true // for highlighting
	text.IncludeInAll = false

	prose := bleve.NewTextFieldMapping()
	prose.Analyzer = en.AnalyzerName
	prose.Store = false
	prose.IncludeInAll = false

	kw := bleve.NewKeywordFieldMapping()
	kw.Analyzer = keyword.Name
	kw.Store = false
	kw.IncludeInAll = false
	kw.DocValues = true // facets

	flag := bleve.NewBooleanFieldMapping()
	flag.Store = false
	flag.IncludeInAll = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", text)
	doc.AddFieldMappingsAt("context", prose)
	doc.AddFieldMappingsAt("title", prose)
	for _, f := range []string{"speaker", "categories", "role", "kind", "doc", "file", "section", "codes"} {
		doc.AddFieldMappingsAt(f, kw)
	}
	doc.AddFieldMappingsAt("interviewer", flag)

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// Close closes the index.
func (ix *Index) Close() error { return ix.idx.Close() }

// Count returns how many passages are indexed.
func (ix *Index) Count() (uint64, error) { return ix.idx.DocCount() }

// Apply deletes and then adds entries, in batches of at most MaxBatch.
func (ix *Index) Apply(ctx context.Context, deletes []string, adds []Entry) error {
	b := ix.idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ix.idx.Batch(b); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		b.Reset()
		return ctx.Err()
	}
	for _, id := range deletes {
		b.Delete(id)
		if b.Size() >= MaxBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	for i := range adds {
		e := &adds[i]
		if err := b.Index(e.ID, e); err != nil {
			return fmt.Errorf("index passage %s: %w", e.ID, err)
		}
		if b.Size() >= MaxBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Query is a structured search: analysed words plus filters.
type Query struct {
	Words      string   // free text, analysed and stemmed
	Hints      string   // words that raise a passage's rank without being required
	Phrases    []string // exact phrases
	Roles      []string // any of these roles
	Categories []string // all of these categories
	Kinds      []string // any of these kinds
	Docs       []string // any of these document hashes
	Speakers   []string // any of these speakers
	Codes      []string // all of these codes (lower case)
	// Interviewer includes interviewer and host turns, left out by default.
	Interviewer bool
	Size, From  int
}

// Hit is one matching passage.
type Hit struct {
	ID    string
	Score float64
	// Spans are byte ranges of matched words in the passage text.
	Spans [][2]int
}

// Result is a page of hits with facet counts over all matches.
type Result struct {
	Total  uint64
	Hits   []Hit
	Facets map[string]map[string]int // categories, roles, kinds, docs
}

// ErrEmptyQuery is returned for a query with nothing to match on.
var ErrEmptyQuery = errors.New("empty query")

// Search runs a query.
func (ix *Index) Search(ctx context.Context, q Query) (*Result, error) {
	req := bleve.NewSearchRequestOptions(build(q), max(q.Size, 0), max(q.From, 0), false)
	req.IncludeLocations = true
	for name, field := range map[string]string{"categories": "categories", "roles": "role", "kinds": "kind", "docs": "doc"} {
		req.AddFacet(name, bleve.NewFacetRequest(field, 50))
	}
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &Result{Total: res.Total, Facets: map[string]map[string]int{}}
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, Hit{ID: h.ID, Score: h.Score, Spans: spans(h.Locations["text"])})
	}
	for name, f := range res.Facets {
		counts := map[string]int{}
		if f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				counts[t.Term] = t.Count
			}
		}
		out.Facets[name] = counts
	}
	return out, nil
}

func build(q Query) query.Query {
	var must []query.Query
	var should []query.Query
	if w := strings.TrimSpace(q.Words); w != "" {
		text := bleve.NewMatchQuery(w)
		text.SetField("text")
		ctxq := bleve.NewMatchQuery(w)
		ctxq.SetField("context")
		ctxq.SetBoost(0.3)
		title := bleve.NewMatchQuery(w)
		title.SetField("title")
		title.SetBoost(0.2)
		// The words must be in the passage; its question or title only add weight.
		must = append(must, text)
		should = append(should, ctxq, title)
	}
	if h := strings.TrimSpace(q.Hints); h != "" {
		hint := bleve.NewMatchQuery(h)
		hint.SetField("text")
		hint.SetBoost(0.5)
		should = append(should, hint)
	}
	for _, p := range q.Phrases {
		ph := bleve.NewMatchPhraseQuery(p)
		ph.SetField("text")
		must = append(must, ph)
	}
	any := func(field string, values []string) {
		if len(values) == 0 {
			return
		}
		var alts []query.Query
		for _, v := range values {
			t := bleve.NewTermQuery(v)
			t.SetField(field)
			alts = append(alts, t)
		}
		d := bleve.NewDisjunctionQuery(alts...)
		must = append(must, d)
	}
	any("role", q.Roles)
	any("kind", q.Kinds)
	any("doc", q.Docs)
	any("speaker", q.Speakers)
	for _, c := range q.Categories {
		t := bleve.NewTermQuery(c)
		t.SetField("categories")
		must = append(must, t)
	}
	for _, c := range q.Codes {
		t := bleve.NewTermQuery(strings.ToLower(c))
		t.SetField("codes")
		must = append(must, t)
	}
	var mustNot []query.Query
	if !q.Interviewer {
		iv := bleve.NewBoolFieldQuery(true)
		iv.SetField("interviewer")
		mustNot = append(mustNot, iv)
	}
	if len(must) == 0 {
		must = append(must, bleve.NewMatchAllQuery())
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(must...)
	if len(should) > 0 {
		b.AddShould(should...)
		b.SetMinShould(0)
	}
	if len(mustNot) > 0 {
		b.AddMustNot(mustNot...)
	}
	return b
}

// spans flattens Bleve term locations into sorted, merged byte ranges.
func spans(terms search.TermLocationMap) [][2]int {
	var out [][2]int
	for _, locs := range terms {
		for _, l := range locs {
			out = append(out, [2]int{int(l.Start), int(l.End)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s[0] <= merged[n-1][1] {
			merged[n-1][1] = max(merged[n-1][1], s[1])
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// EntryOf builds the index entry of a stored passage.
func EntryOf(d *evident.Document, p *evident.Passage) Entry {
	return Entry{
		ID:          p.ID,
		Text:        p.Text,
		Context:     p.Context,
		Title:       d.Title,
		Speaker:     p.Speaker,
		Categories:  p.Categories,
		Role:        p.Role,
		Kind:        string(d.Kind),
		Doc:         d.SHA256,
		File:        d.File,
		Section:     p.Section,
		Interviewer: p.Interviewer,
		Codes:       lowerAll(p.Codes),
	}
}

func lowerAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, strings.ToLower(s))
	}
	return out
}
