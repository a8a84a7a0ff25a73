// Package index keeps the Bleve full-text index of passages. It is derived
// from the store: everything in it can be rebuilt from SQLite (evident
// reindex), so it holds only what search needs to match, filter, facet and
// highlight.
package index

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/evident/evident"
)

// Version changes whenever the mapping does, or what entries hold; an
// index of another version is rebuilt from the store. 4: nothing stored,
// term vectors and doc values only where read, no _all field. 5: grades
// mark the strength of a passage's cues (CueGrades).
const Version = "5"

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
	// Stamp is the same on every entry of a document: what Stamp returns
	// for all of them. The store keeps it too, so that the two can be
	// compared after a crash (see Counts).
	Stamp string `json:"stamp,omitempty"`
	// Codes are the passage's qualitative codes, lower-cased (code:NAME).
	Codes []string `json:"codes,omitempty"`
	// Attrs are the passage's attributes (evident.Attributes) as filter
	// terms: "key=value" for the whole value and "key~word" for each of its
	// words, keys as evident.AttrKey spells them and values lower-cased.
	Attrs []string `json:"attrs,omitempty"`
	// AttrKeys are the attributes' keys, for telling a misspelt key.
	AttrKeys []string `json:"attr_keys,omitempty"`
	// AttrFacets are "key: Value" as written, for facet counts.
	AttrFacets []string `json:"attr_facets,omitempty"`
	// About are the roles the passage reports on (search.About), other
	// than its speaker's.
	About []string `json:"about,omitempty"`
	// For are the roles the passage is evidence for: its speaker's and
	// those it is about; one term to filter on when both count.
	For []string `json:"for,omitempty"`
	// Grade marks a passage worth reading first, for searches that match
	// no words: "substance" (long enough to say something, and of work),
	// and the strength of its cues (CueGrades).
	Grade []string `json:"grade,omitempty"`
}

// Stamp sums up a document's entries, in order: whatever changes in what
// the index holds of the document (a passage, a tag, the title) changes
// it. It ignores the entries' own Stamp.
func Stamp(entries []Entry) string {
	st := NewStamper()
	for i := range entries {
		st.Add(&entries[i])
	}
	return st.Sum()
}

// Stamper computes Stamp one entry at a time, for a document too large to
// hold its entries at once.
type Stamper struct{ h hash.Hash }

// NewStamper returns a Stamper of no entries.
func NewStamper() *Stamper { return &Stamper{h: sha256.New()} }

// Add adds the next entry, ignoring its Stamp.
func (st *Stamper) Add(e *Entry) {
	c := *e
	c.Stamp = ""
	b, _ := json.Marshal(c)
	fmt.Fprintf(st.h, "%s\x00%s\x00", c.ID, b)
}

// Sum is the stamp of the entries added.
func (st *Stamper) Sum() string { return hex.EncodeToString(st.h.Sum(nil)[:12]) }

// SetStamp stamps a document's entries with Stamp(entries) and returns it.
func SetStamp(entries []Entry) string {
	stamp := Stamp(entries)
	for i := range entries {
		entries[i].Stamp = stamp
	}
	return stamp
}

// Index is an open Bleve index. Only one process may write it; others
// may read it meanwhile (Options.ReadOnly).
type Index struct {
	idx  bleve.Index
	root string // the folder of all generations
	gen  string // this index's generation, a folder inside root
}

// An index folder holds generations: complete indexes, each in a folder of
// its own, and a file naming the one in force. Rebuilding the index
// (reindex, a new Version) builds a new generation beside the one in
// force, which serves searches until the new one is complete; one rename
// of the pointer file then swaps them. A crash at any moment leaves the
// old generation or the new one in force, never a half-built one.
const (
	currentFile  = "current"  // names the generation in force
	completeFile = "complete" // inside a generation: its Version, once complete
	bleveDir     = "bleve"
)

// ErrNoIndex is returned by Open when no complete index of this Version is
// in force: the caller must Build one from the store.
var ErrNoIndex = errors.New("the search index has not been built")

// Options say how to open an index.
type Options struct {
	// ReadOnly opens the index for searching only, beside a writer.
	ReadOnly bool
	// Wait bounds the wait for another process that holds the index files
	// (a writer holds them while it lives, a reader while it searches).
	// Zero waits 15 seconds.
	Wait time.Duration
}

// Open opens the generation in force under dir. It returns an error
// matching ErrNoIndex when there is none of this Version. A writer removes
// what interrupted builds left behind.
func Open(dir string, opts Options) (*Index, error) {
	if opts.Wait <= 0 {
		opts.Wait = 15 * time.Second
	}
	config := map[string]any{"bolt_timeout": opts.Wait.String()}
	if opts.ReadOnly {
		config["read_only"] = true
	}
	var err error
	// A writer can swap generations between reading the pointer and
	// opening what it names: read it again.
	for range 3 {
		var gen string
		if gen, err = current(dir); err != nil {
			return nil, err
		}
		var idx bleve.Index
		if idx, err = bleve.OpenUsing(filepath.Join(dir, gen, bleveDir), config); err == nil {
			ix := &Index{idx: idx, root: dir, gen: gen}
			if !opts.ReadOnly {
				ix.prune()
				if err := private(dir); err != nil {
					idx.Close()
					return nil, err
				}
			}
			return ix, nil
		}
		if errors.Is(err, bolterrors.ErrTimeout) {
			if opts.ReadOnly {
				return nil, fmt.Errorf("index %s: another evident process is writing it; try again when it has finished", dir)
			}
			return nil, fmt.Errorf("index %s: another evident process held it for %s: %w", dir, opts.Wait, err)
		}
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	if opts.ReadOnly {
		// A writer (serve, ingest, reindex) repairs or rebuilds it.
		return nil, fmt.Errorf("index %s cannot be read (%w): it is damaged; the next evident serve, ingest or reindex rebuilds it from the database, which has everything", dir, err)
	}
	// A damaged index is not data: the store has everything.
	return nil, fmt.Errorf("index %s: %w (%v)", dir, ErrNoIndex, err)
}

// current returns the complete generation of this Version in force.
func current(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("index %s: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return "", fmt.Errorf("index %s: %w", dir, err)
	}
	gen := strings.TrimSpace(string(b))
	version, err := os.ReadFile(filepath.Join(dir, gen, completeFile))
	if err != nil || strings.TrimSpace(string(version)) != Version || gen == "" || strings.ContainsAny(gen, `/\`) {
		return "", fmt.Errorf("index %s: %w", dir, ErrNoIndex)
	}
	return gen, nil
}

// Build creates an empty index of this Version beside the one in force
// under dir. Fill it, then Commit it; until then searches go on against
// the one in force, and a crash leaves that one in force.
func Build(dir string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	gen, err := os.MkdirTemp(dir, "gen-")
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	idx, err := bleve.New(filepath.Join(gen, bleveDir), newMapping())
	if err != nil {
		os.RemoveAll(gen)
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	return &Index{idx: idx, root: dir, gen: filepath.Base(gen)}, nil
}

// Commit makes a built index the one in force: it marks it complete, then
// renames the pointer file over the old one. Prune removes the old one
// once it is closed.
func (ix *Index) Commit() error {
	gen := filepath.Join(ix.root, ix.gen)
	if err := writeSynced(filepath.Join(gen, completeFile), []byte(Version+"\n")); err != nil {
		return fmt.Errorf("index %s: %w", ix.root, err)
	}
	syncDir(gen)
	tmp := filepath.Join(ix.root, currentFile+".tmp")
	if err := writeSynced(tmp, []byte(ix.gen+"\n")); err != nil {
		return fmt.Errorf("index %s: %w", ix.root, err)
	}
	if err := os.Rename(tmp, filepath.Join(ix.root, currentFile)); err != nil {
		return fmt.Errorf("index %s: %w", ix.root, err)
	}
	syncDir(ix.root)
	return private(ix.root)
}

// private narrows the index folder to its owner: folders 0700, files 0600.
// The index holds every passage's text; Bleve writes some of its files
// readable by all, and earlier versions made the folder so.
func private(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err := narrow(p, d, err); err != nil {
			return fmt.Errorf("index %s: %w", dir, err)
		}
		return nil
	})
}

// narrow gives one entry of the walk its owner's mode. An entry that is
// gone is skipped: an index just opened removes the segment files its
// last merge made obsolete meanwhile.
func narrow(p string, d fs.DirEntry, err error) error {
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && d != nil {
			return nil
		}
		return err
	}
	info, err := d.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	want := fs.FileMode(0o600)
	if d.IsDir() {
		want = 0o700
	}
	if info.Mode().Perm() == want {
		return nil
	}
	if err := os.Chmod(p, want); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Discard closes and removes an index that was built but not committed.
func (ix *Index) Discard() error {
	err := ix.idx.Close()
	return errors.Join(err, os.RemoveAll(filepath.Join(ix.root, ix.gen)))
}

// Prune removes everything in the index folder but the pointer and this
// generation: older generations, interrupted builds, the layout of
// versions before generations. Only the writer calls it, with no other
// generation open.
func (ix *Index) Prune() { ix.prune() }

func (ix *Index) prune() {
	ents, err := os.ReadDir(ix.root)
	if err != nil {
		return
	}
	for _, e := range ents {
		if name := e.Name(); name != currentFile && name != ix.gen {
			os.RemoveAll(filepath.Join(ix.root, name))
		}
	}
}

func writeSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Recreate deletes whatever is at dir and makes an empty index there, in
// force at once (benchmarks and tests).
func Recreate(dir string) (*Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("index %s: %w", dir, err)
	}
	ix, err := Build(dir)
	if err != nil {
		return nil, err
	}
	if err := ix.Commit(); err != nil {
		ix.Discard()
		return nil, err
	}
	ix.prune()
	return ix, nil
}

// facetFields are the keyword fields that Search and Counts count values
// of: only they keep doc values.
var facetFields = []string{"categories", "role", "kind", "doc", "attr_facets", "stamp"}

// newMapping says what the index keeps of each field, and no more: the
// index is derived from the store and is most of a data folder's size.
// Nothing is stored (hits are read from the store by id); only the text
// keeps term vectors (Search's highlights and phrases read its term
// locations); only facetFields keep doc values; there is no _all field
// (every query names its fields).
func newMapping() mapping.IndexMapping {
	text := bleve.NewTextFieldMapping()
	text.Analyzer = en.AnalyzerName
	text.Store = false
	text.IncludeTermVectors = true // for highlighting and phrases
	text.IncludeInAll = false
	text.DocValues = false

	prose := bleve.NewTextFieldMapping()
	prose.Analyzer = en.AnalyzerName
	prose.Store = false
	prose.IncludeTermVectors = false
	prose.IncludeInAll = false
	prose.DocValues = false

	kw := bleve.NewKeywordFieldMapping()
	kw.Analyzer = keyword.Name
	kw.Store = false
	kw.IncludeTermVectors = false
	kw.IncludeInAll = false
	kw.DocValues = false
	facet := *kw
	facet.DocValues = true

	flag := bleve.NewBooleanFieldMapping()
	flag.Store = false
	flag.IncludeInAll = false
	flag.DocValues = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("text", text)
	doc.AddFieldMappingsAt("context", prose)
	doc.AddFieldMappingsAt("title", prose)
	for _, f := range []string{"speaker", "categories", "role", "kind", "doc", "file", "section", "stamp", "codes", "attrs", "attr_keys", "attr_facets", "about", "for", "grade"} {
		if slices.Contains(facetFields, f) {
			doc.AddFieldMappingsAt(f, &facet)
		} else {
			doc.AddFieldMappingsAt(f, kw)
		}
	}
	doc.AddFieldMappingsAt("interviewer", flag)
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	m := bleve.NewIndexMapping()
	m.DefaultMapping = doc
	m.DefaultAnalyzer = en.AnalyzerName
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m
}

// Close closes the index. A panic in the index library (an index that
// failed to write) is returned as an error.
func (ix *Index) Close() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("index: closing: the index library crashed (%v)", r)
		}
	}()
	return ix.idx.Close()
}

// Count returns how many passages are indexed.
func (ix *Index) Count() (uint64, error) { return ix.idx.DocCount() }

// Counts returns how many entries the index holds per document (content
// hash) and per stamp, to compare with what the store says it should hold.
func (ix *Index) Counts(ctx context.Context) (docs, stamps map[string]int, err error) {
	n, err := ix.idx.DocCount()
	if err != nil {
		return nil, nil, fmt.Errorf("index: %w", err)
	}
	docs, stamps = map[string]int{}, map[string]int{}
	if n == 0 {
		return docs, stamps, nil
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	req.AddFacet("doc", bleve.NewFacetRequest("doc", int(n)))
	req.AddFacet("stamp", bleve.NewFacetRequest("stamp", int(n)))
	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("index: %w", err)
	}
	for name, into := range map[string]map[string]int{"doc": docs, "stamp": stamps} {
		if f := res.Facets[name]; f != nil && f.Terms != nil {
			for _, t := range f.Terms.Terms() {
				into[t.Term] = t.Count
			}
		}
	}
	return docs, stamps, nil
}

// Entries returns the ids of every entry of a document (content hash).
func (ix *Index) Entries(ctx context.Context, doc string) ([]string, error) {
	q := bleve.NewTermQuery(doc)
	q.SetField("doc")
	var ids []string
	for from := 0; ; from += MaxBatch {
		req := bleve.NewSearchRequestOptions(q, MaxBatch, from, false)
		req.SortBy([]string{"_id"})
		res, err := ix.idx.SearchInContext(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("index: %w", err)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if len(res.Hits) < MaxBatch {
			return ids, nil
		}
	}
}

// ErrWrite is wrapped by Apply's errors when the index could not be
// written: a full disk most often (errors.Is(err, syscall.ENOSPC) tells),
// or the index library crashing on the way. The index must then be
// reopened (Open) before it is trusted again: what it holds in memory may
// not be what it holds on disk.
var ErrWrite = errors.New("the search index could not be written")

// Apply deletes and then adds entries, in batches of at most MaxBatch. A
// panic in the index library is returned as an error wrapping ErrWrite.
func (ix *Index) Apply(ctx context.Context, deletes []string, adds []Entry) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("index: %w: the index library crashed (%v)", ErrWrite, r)
		}
	}()
	b := ix.idx.NewBatch()
	flush := func() error {
		if b.Size() == 0 {
			return nil
		}
		if err := ix.idx.Batch(b); err != nil {
			return fmt.Errorf("index: %w: %w", ErrWrite, err)
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

// Query is a structured search: analysed words plus filters. Only the
// words, phrases and hints score; the filters select.
type Query struct {
	Words string // free text, analysed and stemmed
	// Also are other words and phrases the words stand for (a topic's
	// synonyms): a passage may match them instead, for less.
	Also []string
	// Fuzzy lets each word match words one or two letters away.
	Fuzzy      bool
	Hints      string   // words that raise a passage's rank without being required
	Phrases    []string // exact phrases
	Roles      []string // any of these roles
	About      bool     // passages about the roles (Entry.About) count too
	Categories []string // all of these categories
	Kinds      []string // any of these kinds
	Docs       []string // any of these document hashes
	Speakers   []string // any of these speakers
	Codes      []string // all of these codes (lower case)
	Attrs      []Attr   // all of these attributes
	// Interviewer includes interviewer and host turns, left out by default.
	Interviewer bool
	// Grade ranks passages by their grade when no words score (see
	// Entry.Grade).
	Grade bool
	// Except leaves out the passages of these speakers (a document's
	// speaker, or a whole document when Speaker is empty).
	Except []Who
	// NoFacets leaves facet counts out: a probe that only asks whether
	// anything matches.
	NoFacets bool
	// IDs keeps only these passages.
	IDs []string `json:",omitempty"`
	// Spans asks for each hit's Spans. Bleve then records where each
	// term matched in every hit it returns, a fifth of the time of a
	// search for a pool of 50: a search asks for the page it shows only.
	Spans      bool `json:",omitempty"`
	Size, From int
}

// TextPart is the part of q that matches words of the text: the words,
// their synonyms, hints and phrases, which Spans come from.
func (q Query) TextPart() Query {
	return Query{Words: q.Words, Also: q.Also, Fuzzy: q.Fuzzy, Hints: q.Hints, Phrases: q.Phrases, Interviewer: true}
}

// Who is a speaker of a document (by content hash), or the whole document
// when Speaker is empty.
type Who struct {
	Doc, Speaker string
}

// Attr filters on one attribute: Key as evident.AttrKey spells it, Value
// as the person typed it. A passage matches when its value is Value or
// holds all of Value's words ("company:Northwind" matches "Northwind
// Logistics").
type Attr struct {
	Key, Value string
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
	req.IncludeLocations = q.Spans && q.Size > 0
	if !q.NoFacets {
		for name, field := range map[string]string{"categories": "categories", "roles": "role", "kinds": "kind", "docs": "doc", "attributes": "attr_facets"} {
			req.AddFacet(name, bleve.NewFacetRequest(field, 50))
		}
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
	filter := func(f query.Query) { must = append(must, f) }
	if w := strings.TrimSpace(q.Words); w != "" {
		text := bleve.NewMatchQuery(w)
		text.SetField("text")
		if q.Fuzzy {
			text.SetFuzziness(1)
		}
		var alts []query.Query
		alts = append(alts, text)
		var also []string
		for _, a := range q.Also {
			if strings.Contains(strings.TrimSpace(a), " ") {
				ph := bleve.NewMatchPhraseQuery(a)
				ph.SetField("text")
				ph.SetBoost(0.6)
				alts = append(alts, ph)
				continue
			}
			also = append(also, a)
		}
		if len(also) > 0 {
			syn := bleve.NewMatchQuery(strings.Join(also, " "))
			syn.SetField("text")
			syn.SetBoost(0.6)
			alts = append(alts, syn)
		}
		ctxq := bleve.NewMatchQuery(w)
		ctxq.SetField("context")
		ctxq.SetBoost(0.3)
		title := bleve.NewMatchQuery(w)
		title.SetField("title")
		title.SetBoost(0.2)
		// The words (or what they stand for) must be in the passage; its
		// question or title only add weight.
		if len(alts) == 1 {
			must = append(must, text)
		} else {
			must = append(must, bleve.NewDisjunctionQuery(alts...))
		}
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
	if q.Grade {
		t := bleve.NewTermQuery("substance")
		t.SetField("grade")
		should = append(should, t)
		// The strongest cues of the categories asked for come first too:
		// each level a passage reaches adds to its score.
		cats := q.Categories
		if len(cats) == 0 {
			cats = []string{anyCategory}
		}
		for _, c := range cats {
			for level := 1; level <= cueLevels; level++ {
				t := bleve.NewTermQuery(cueGrade(c, level))
				t.SetField("grade")
				should = append(should, t)
			}
		}
	}
	// Filters select without scoring (boost 0) when something else
	// scores, so that a hit's score is its text relevance alone; with
	// nothing else they score as terms do, all matches alike.
	boost := 1.0
	if strings.TrimSpace(q.Words) != "" || len(q.Phrases) > 0 || len(should) > 0 {
		boost = 0
	}
	terms := func(field string, values []string) []query.Query {
		var alts []query.Query
		for _, v := range values {
			alts = append(alts, filterTerm(field, v, boost))
		}
		return alts
	}
	any := func(field string, values []string) {
		if len(values) > 0 {
			filter(bleve.NewDisjunctionQuery(terms(field, values)...))
		}
	}
	if q.About {
		any("for", q.Roles)
	} else {
		any("role", q.Roles)
	}
	any("kind", q.Kinds)
	any("doc", q.Docs)
	any("speaker", q.Speakers)
	for _, c := range q.Categories {
		filter(filterTerm("categories", c, boost))
	}
	for _, a := range q.Attrs {
		filter(attrQuery(a, boost))
	}
	for _, c := range q.Codes {
		t := bleve.NewTermQuery(strings.ToLower(c))
		t.SetField("codes")
		must = append(must, t)
	}
	var mustNot []query.Query
	for _, w := range q.Except {
		if w.Speaker == "" {
			mustNot = append(mustNot, filterTerm("doc", w.Doc, 0))
			continue
		}
		mustNot = append(mustNot, bleve.NewConjunctionQuery(filterTerm("doc", w.Doc, 0), filterTerm("speaker", w.Speaker, 0)))
	}
	if !q.Interviewer {
		iv := bleve.NewBoolFieldQuery(true)
		iv.SetField("interviewer")
		mustNot = append(mustNot, iv)
	}
	if len(q.IDs) > 0 {
		// It selects without scoring: the passages keep the scores the
		// query gives them among all.
		ids := bleve.NewDocIDQuery(q.IDs)
		ids.SetBoost(0)
		must = append(must, ids)
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

// filterTerm matches one keyword, adding to the score by boost (0: not at
// all).
func filterTerm(field, value string, boost float64) *query.TermQuery {
	t := bleve.NewTermQuery(value)
	t.SetField(field)
	t.SetBoost(boost)
	return t
}

// attrQuery matches an attribute's whole value, or all the words of the
// value asked for.
func attrQuery(a Attr, boost float64) query.Query {
	key := evident.AttrKey(a.Key)
	whole := filterTerm("attrs", key+"="+AttrValue(a.Value), boost)
	words := AttrWords(a.Value)
	if len(words) == 0 {
		return whole
	}
	var each []query.Query
	for _, w := range words {
		each = append(each, filterTerm("attrs", key+"~"+w, boost))
	}
	return bleve.NewDisjunctionQuery(whole, bleve.NewConjunctionQuery(each...))
}

// AttrValue is an attribute's value as the index compares it: lower case,
// spaces collapsed.
func AttrValue(v string) string { return strings.ToLower(strings.Join(strings.Fields(v), " ")) }

// AttrWords are the words of an attribute's value, lower case.
func AttrWords(v string) []string {
	return strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// AttrKeys lists the attribute keys the index holds, sorted.
func (ix *Index) AttrKeys() ([]string, error) {
	return ix.terms("attr_keys", "")
}

// AttrWordsOf lists the words the values of one attribute hold (key as
// evident.AttrKey spells it), sorted.
func (ix *Index) AttrWordsOf(key string) ([]string, error) {
	return ix.terms("attrs", evident.AttrKey(key)+"~")
}

// terms lists a keyword field's terms that start with prefix, without it.
func (ix *Index) terms(field, prefix string) ([]string, error) {
	d, err := ix.idx.FieldDictPrefix(field, []byte(prefix))
	if err != nil {
		return nil, fmt.Errorf("index: terms of %s: %w", field, err)
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("index: terms of %s: %w", field, err)
		}
		if e == nil {
			break
		}
		if e.Count > 0 {
			out = append(out, strings.TrimPrefix(e.Term, prefix))
		}
	}
	sort.Strings(out)
	return out, nil
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

// cueLevels is how many strengths of a category's cues grades mark: level
// n is a score (evident.Passage.Scores) of cueStep×n or more. A category
// fires at 1; the ranking counts cues fully at 6.
const (
	cueLevels = 4
	cueStep   = 1.5
)

// anyCategory stands for a passage's strongest category in cue grades.
const anyCategory = "*"

func cueGrade(category string, level int) string {
	return "cue:" + category + ":" + strconv.Itoa(level)
}

// CueGrades returns the grades of the strength of a passage's cues: for
// each of its categories, and for the strongest of them, one term per
// level its score reaches. A search that matches no words ranks the
// passages with the strongest cues of the categories it asks for among
// the first it takes, rather than any of the thousands that tie.
func CueGrades(categories []string, scores map[string]float64) []string {
	var out []string
	best := 0.0
	for _, c := range categories {
		v := scores[c]
		best = max(best, v)
		for level := 1; level <= cueLevels && v >= cueStep*float64(level); level++ {
			out = append(out, cueGrade(c, level))
		}
	}
	for level := 1; level <= cueLevels && best >= cueStep*float64(level); level++ {
		out = append(out, cueGrade(anyCategory, level))
	}
	return out
}

// EntryOf builds the index entry of a stored passage.
func EntryOf(d *evident.Document, p *evident.Passage) Entry {
	e := Entry{
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
	if p.Role != "" {
		e.For = []string{p.Role}
	}
	attrs := evident.Attributes(d, p)
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		key, v := evident.AttrKey(k), attrs[k]
		if key == "" {
			continue
		}
		e.AttrKeys = append(e.AttrKeys, key)
		e.Attrs = append(e.Attrs, key+"="+AttrValue(v))
		for _, w := range AttrWords(v) {
			if t := key + "~" + w; !slices.Contains(e.Attrs, t) {
				e.Attrs = append(e.Attrs, t)
			}
		}
		e.AttrFacets = append(e.AttrFacets, key+": "+strings.Join(strings.Fields(v), " "))
	}
	return e
}

func lowerAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, strings.ToLower(s))
	}
	return out
}
