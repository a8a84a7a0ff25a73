// Package search answers the questions people ask ("what do CFOs hear",
// "role:cfo category:pains budget") with ranked passages, each with its
// citation, highlights and the rules behind its tags.
package search

import (
	"context"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/store"
)

// Request is a search as a person or a script asks it.
type Request struct {
	Query  string
	Limit  int
	Offset int
	// Interviewer includes interviewer and host turns (left out by default).
	Interviewer bool
	// NoFacets leaves the facet counts out: they are most of a search's
	// time, and a list of passages (the command line's, a map's
	// suggestions) shows none.
	NoFacets bool
}

// Hit is one ranked passage with everything needed to cite it.
type Hit struct {
	ID         string             `json:"id"`
	Text       string             `json:"text"`
	Categories []string           `json:"categories"`
	Speaker    string             `json:"speaker,omitempty"`
	Role       string             `json:"role,omitempty"`
	Title      string             `json:"title,omitempty"` // the job title the speaker stated
	RoleSource evident.RoleSource `json:"role_source,omitempty"`
	// RoleMatch says how the passage answers a role asked for: "exact"
	// (the role asked for) or "group" (a role of its group).
	RoleMatch   string          `json:"role_match,omitempty"`
	Interviewer bool            `json:"interviewer,omitempty"`
	Context     string          `json:"context,omitempty"`
	Source      evident.Source  `json:"source"`
	Locator     evident.Locator `json:"locator"`
	Citation    string          `json:"citation"`
	// About is the role asked for that the passage reports on when
	// someone else said it ("my CFO keeps asking for…"): evidence about
	// the role rather than from it.
	About string `json:"about,omitempty"`
	// Attrs are the passage's attributes: its document's, its speaker's
	// and its own (evident.Attributes).
	Attrs map[string]string `json:"attributes,omitempty"`
	Score float64           `json:"score"`
	// Parts say what the score is made of.
	Parts      *Parts          `json:"score_parts,omitempty"`
	Highlights [][2]int        `json:"highlights,omitempty"` // byte ranges of matched words in text
	Matches    []evident.Match `json:"matches,omitempty"`    // the rules (or the person) behind the categories
	TaggedBy   string          `json:"tagged_by,omitempty"`  // the person whose categories outrank the rules'
	TaggedAt   time.Time       `json:"tagged_at,omitzero"`
}

// Response is a page of results.
type Response struct {
	Query  Parsed                    `json:"query"`
	Total  uint64                    `json:"total"`
	Hits   []Hit                     `json:"hits"`
	Facets map[string]map[string]int `json:"facets"`
	// Fallback says why the results are broader than asked, or, when
	// nothing matches at all, what was tried.
	Fallback string `json:"fallback,omitempty"`
	// Relaxed is the nearest query that finds something, when the one
	// asked finds nothing: the hits are its answers. Dropped names what
	// it leaves out ("category HEAR", "attribute company=Contoso").
	Relaxed string   `json:"relaxed,omitempty"`
	Dropped []string `json:"dropped,omitempty"`
}

// Searcher runs searches over one store and index.
type Searcher struct {
	Store  *store.Store
	Parser *Parser
}

// Search parses and runs a query. ix must stay open for the call.
//
// The index finds the passages that match and scores their text; the
// best poolSize are then ranked here (Parts: text, role, category, cues,
// substance), and the first results reordered so that they span people
// and documents. When nothing matches, the nearest query that finds
// something is run instead, and the response says what it dropped.
func (s *Searcher) Search(ctx context.Context, ix *index.Index, req Request) (*Response, error) {
	if req.Limit <= 0 {
		req.Limit = 10
	}
	req.Offset = max(req.Offset, 0)
	parsed, notes, err := s.understand(ix, req.Query, req.Interviewer)
	if err != nil {
		return nil, err
	}
	resp := &Response{Query: parsed}
	run, res, err := s.run(ctx, ix, parsed, req)
	if err != nil {
		return nil, err
	}
	if res.Total == 0 {
		relaxed, found, err := s.relax(ctx, ix, parsed, notes)
		if err != nil {
			return nil, err
		}
		resp.Fallback, resp.Relaxed, resp.Dropped = relaxed.why, relaxed.text, relaxed.dropped
		if found {
			if run, res, err = s.run(ctx, ix, relaxed.parsed, req); err != nil {
				return nil, err
			}
		}
	}
	resp.Query.Also = run.Also // the synonyms the answer used, if any
	resp.Total = res.Total
	resp.Facets = res.Facets
	if resp.Facets == nil {
		resp.Facets = map[string]map[string]int{}
	}
	page, err := s.order(ctx, ix, run, req, res)
	if err != nil {
		return nil, err
	}
	if err := highlight(ctx, ix, run, page); err != nil {
		return nil, err
	}
	if err := s.hydrate(ctx, resp, run, page); err != nil {
		return nil, err
	}
	return resp, nil
}

// run searches the index for a parsed query's pool. A topic's other
// words are asked for only when the words themselves find less than a
// page: they rescue a query ("pains about pricing" finds "so expensive"),
// where a common word's synonyms would only multiply the matches to
// count. It returns the query as run.
func (s *Searcher) run(ctx context.Context, ix *index.Index, p Parsed, req Request) (Parsed, *index.Result, error) {
	exact := p
	exact.Also = nil
	res, err := fetch(ctx, ix, s.pool(exact, req))
	if err == nil {
		err = s.grade(ctx, ix, exact, req, res)
	}
	if err != nil || len(p.Also) == 0 || res.Total >= synonymsBelow {
		return exact, res, err
	}
	res, err = fetch(ctx, ix, s.pool(p, req))
	return p, res, err
}

// grade widens the pool of a query that hint words alone score ("gains"
// asks for category GAINS and hints "gains") with the passages the grades
// put first (substance, then the strength of the cues of the categories
// asked for), as a query of filters alone takes them. Ranking weighs
// both: were the pool the hint's alone, the thousands of matches without
// the word would tie at a score of 0 and those first by id would fill
// its tail, and strong cues without the word would never be ranked. The
// graded passages keep the score the hint query gives them.
func (s *Searcher) grade(ctx context.Context, ix *index.Index, p Parsed, req Request, res *index.Result) error {
	hits := res.Hits
	if strings.TrimSpace(p.Hints) == "" || p.scoredByWords() || len(hits) == 0 || res.Total <= uint64(len(hits)) {
		return nil
	}
	graded := p
	graded.Hints = ""
	q := s.pool(graded, req)
	q.NoFacets = true
	more, err := fetch(ctx, ix, q)
	if err != nil {
		return err
	}
	// Those that hold the hint, then as many graded ones.
	held := 0
	for held < len(hits) && hits[held].Score > 0 {
		held++
	}
	fill := slices.Clone(hits[:held])
	kept := make(map[string]bool, len(fill))
	for _, h := range fill {
		kept[h.ID] = true
	}
	var ids []string
	for _, h := range more.Hits {
		if len(ids) == len(hits) {
			break
		}
		if !kept[h.ID] {
			ids = append(ids, h.ID)
		}
	}
	scores := make(map[string]float64, len(ids))
	if held > 0 && len(ids) > 0 {
		hq := s.pool(p, req)
		hq.IDs, hq.Size, hq.NoFacets = ids, len(ids), true
		r, err := ix.Search(ctx, hq)
		if err != nil {
			return err
		}
		for _, h := range r.Hits {
			scores[h.ID] = h.Score
		}
	}
	for _, id := range ids {
		fill = append(fill, index.Hit{ID: id, Score: scores[id]})
	}
	res.Hits = fill
	return nil
}

// understand parses a query and reads its attribute filters against the
// attributes the index holds (see checkAttrs).
func (s *Searcher) understand(ix *index.Index, text string, interviewer bool) (Parsed, []string, error) {
	p := s.Parser.Parse(text)
	if interviewer {
		p.Interviewer = true
	}
	if len(p.Roles) == 0 && len(p.Related) > 0 {
		// A group asked for by name: its roles are the roles asked for.
		p.Roles, p.Related = p.Related, nil
	}
	notes, err := s.checkAttrs(ix, &p)
	return p, notes, err
}

// pool is the index query for a search: the best poolSize matches, or as
// many as the page asked for reaches.
func (s *Searcher) pool(p Parsed, req Request) index.Query {
	q := p.indexQuery()
	q.Size, q.From, q.NoFacets = max(poolSize, req.Offset+req.Limit), 0, req.NoFacets
	return q
}

// order ranks the pool, diversifies its first results, and returns the
// page asked for.
func (s *Searcher) order(ctx context.Context, ix *index.Index, p Parsed, req Request, res *index.Result) ([]candidate, error) {
	hits := res.Hits
	found, err := s.Store.Candidates(ctx, hitIDs(hits))
	if err != nil {
		return nil, err
	}
	// Passages about a role rank after those said by it; should the pool
	// hold some of the former and leave some of the latter out, those are
	// fetched on their own.
	if len(p.Roles) > 0 && res.Total > uint64(len(hits)) && slices.ContainsFunc(hits, func(h index.Hit) bool {
		c, ok := found[h.ID]
		return ok && !slices.Contains(p.Roles, c.Role)
	}) {
		q := s.pool(p, req)
		q.About, q.NoFacets = false, true
		said, err := fetch(ctx, ix, q)
		if err != nil {
			return nil, err
		}
		var more []index.Hit
		for _, h := range said.Hits {
			if _, ok := found[h.ID]; !ok {
				more = append(more, h)
			}
		}
		extra, err := s.Store.Candidates(ctx, hitIDs(more))
		if err != nil {
			return nil, err
		}
		maps.Copy(found, extra)
		hits = append(slices.Clone(hits), more...)
	}
	cands := make([]candidate, 0, len(hits))
	for _, h := range hits {
		c, ok := found[h.ID]
		if !ok {
			continue // deleted since it was indexed
		}
		cands = append(cands, candidate{hit: h, c: c})
	}
	rank(cands, p, s.Parser.Synonyms)
	capSpeakers, capDocs := len(p.Speakers) == 0, len(p.Docs) == 0
	// The first results span people and documents; the rest follow. When
	// the pool has too few people to fill them and the index has more
	// matches, the best passages of the others are fetched.
	if full := capped(cands, diversityWindow, capSpeakers, capDocs); len(full) > 0 && res.Total > uint64(len(hits)) {
		q := s.pool(p, req)
		q.Except, q.NoFacets = full, true
		others, err := fetch(ctx, ix, q)
		if err != nil {
			return nil, err
		}
		var more []index.Hit
		for _, h := range others.Hits {
			if _, ok := found[h.ID]; !ok {
				more = append(more, h)
			}
		}
		extra, err := s.Store.Candidates(ctx, hitIDs(more))
		if err != nil {
			return nil, err
		}
		for _, h := range more {
			if c, ok := extra[h.ID]; ok {
				cands = append(cands, candidate{hit: h, c: c})
			}
		}
		rank(cands, p, s.Parser.Synonyms)
	}
	cands = diversify(cands, diversityWindow, capSpeakers, capDocs)
	from := min(req.Offset, len(cands))
	return cands[from:min(len(cands), from+req.Limit)], nil
}

// highlight finds where the page's passages match the words asked for:
// the query's words, synonyms, hints and phrases, asked again of these
// passages alone. Its filters would select the same passages and mark no
// words.
func highlight(ctx context.Context, ix *index.Index, p Parsed, page []candidate) error {
	q := p.indexQuery().TextPart()
	if len(page) == 0 || strings.TrimSpace(q.Words) == "" && strings.TrimSpace(q.Hints) == "" && len(q.Phrases) == 0 {
		return nil
	}
	q.IDs = make([]string, len(page))
	for i, c := range page {
		q.IDs[i] = c.hit.ID
	}
	q.Size, q.NoFacets, q.Spans = len(page), true, true
	res, err := ix.Search(ctx, q)
	if err != nil {
		return err
	}
	spans := make(map[string][][2]int, len(res.Hits))
	for _, h := range res.Hits {
		spans[h.ID] = h.Spans
	}
	for i := range page {
		page[i].hit.Spans = spans[page[i].hit.ID]
	}
	return nil
}

// fetch runs a pool query. The index returns hits it scores alike in the
// order of its segments, which merges and rebuilds change: were the
// pool's last place tied with hits beyond it, which of them made the pool
// would change too. The index is asked for more (tiedPool), and the tied
// hits of least passage id fill the pool; ranking, which puts ties in
// passage id order too, gives the same answer whatever the index's
// layout.
func fetch(ctx context.Context, ix *index.Index, q index.Query) (*index.Result, error) {
	size := q.Size
	q.Size = max(tiedPool, size+1)
	res, err := ix.Search(ctx, q)
	if err != nil || len(res.Hits) <= size {
		return res, err
	}
	// The hits above the last place's score, then the tied ones of least
	// id: the pool keeps its size.
	hits, last := res.Hits, res.Hits[size-1].Score
	above := 0
	for above < len(hits) && hits[above].Score > last {
		above++
	}
	tied := 0
	for above+tied < len(hits) && hits[above+tied].Score == last {
		tied++
	}
	slices.SortFunc(hits[above:above+tied], func(a, b index.Hit) int { return strings.Compare(a.ID, b.ID) })
	res.Hits = hits[:size]
	return res, nil
}

func hitIDs(hits []index.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

// hydrate loads the page's passages from the store (the source of truth)
// and builds their citations.
func (s *Searcher) hydrate(ctx context.Context, resp *Response, p Parsed, page []candidate) error {
	ids := make([]string, len(page))
	for i, c := range page {
		ids[i] = c.hit.ID
	}
	found, err := s.Store.PassagesByID(ctx, ids)
	if err != nil {
		return err
	}
	resp.Hits = []Hit{}
	for _, c := range page {
		sh, ok := found[c.hit.ID]
		if !ok {
			continue // deleted since it was indexed
		}
		h := HitOf(sh.Document, &sh.Passage, math.Round(c.score*1000)/1000, c.hit.Spans)
		parts := c.parts
		h.Parts = &parts
		switch {
		case c.about:
			h.About = s.aboutRole(p, &sh.Passage)
		case slices.Contains(p.Roles, h.Role):
			h.RoleMatch = "exact"
		case slices.Contains(p.Related, h.Role):
			h.RoleMatch = "group"
		}
		resp.Hits = append(resp.Hits, h)
	}
	// The document facet is keyed by hash; show file names.
	if docs := resp.Facets["docs"]; len(docs) > 0 {
		files, err := s.Store.FileNames(ctx, slices.Collect(maps.Keys(docs)))
		if err != nil {
			return err
		}
		named := map[string]int{}
		for sha, n := range docs {
			if f, ok := files[sha]; ok {
				named[f] += n
			}
		}
		resp.Facets["docs"] = named
	}
	return nil
}

// aboutRole says which of the roles asked for a passage reports on.
func (s *Searcher) aboutRole(p Parsed, ps *evident.Passage) string {
	for _, r := range s.Parser.about.Roles(ps.Text) {
		if slices.Contains(p.Roles, r) {
			return r
		}
	}
	return p.Roles[0]
}

// HitOf builds a hit from a stored passage.
func HitOf(d *evident.Document, p *evident.Passage, score float64, spans [][2]int) Hit {
	cats := p.Categories
	if cats == nil {
		cats = []string{}
	}
	return Hit{
		ID:          p.ID,
		Text:        p.Text,
		Categories:  cats,
		Speaker:     p.Speaker,
		Role:        p.Role,
		Title:       p.Title,
		RoleSource:  p.RoleSource,
		Interviewer: p.Interviewer,
		Context:     p.Context,
		Attrs:       evident.Attributes(d, p),
		Source:      evident.SourceOf(d),
		Locator:     p.Locator,
		Citation:    evident.Citation(d, p),
		Score:       score,
		Highlights:  spans,
		Matches:     p.Matches,
		TaggedBy:    p.TaggedBy,
		TaggedAt:    p.TaggedAt,
	}
}

// SortedKeys returns a facet's keys by descending count, then name.
func SortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}
