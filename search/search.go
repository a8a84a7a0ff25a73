// Package search answers the questions people ask ("what do CFOs hear",
// "role:cfo category:pains budget") with ranked passages, each with its
// citation, highlights and the rules behind its tags.
package search

import (
	"context"
	"fmt"
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
}

// Source is the cited document of a hit.
type Source struct {
	Title  string `json:"title"`
	File   string `json:"file"`
	Path   string `json:"path,omitempty"`
	SHA256 string `json:"sha256"`
	Kind   string `json:"kind,omitempty"`
	URL    string `json:"url,omitempty"`
	Author string `json:"author,omitempty"`
	Date   string `json:"date,omitempty"`
}

// Hit is one ranked passage with everything needed to cite it.
type Hit struct {
	ID         string   `json:"id"`
	Text       string   `json:"text"`
	Categories []string `json:"categories"`
	Speaker    string   `json:"speaker,omitempty"`
	Role       string   `json:"role,omitempty"`
	Title      string   `json:"title,omitempty"` // the job title the speaker stated
	RoleSource string   `json:"role_source,omitempty"`
	// RoleMatch says how the passage answers a role asked for: "exact"
	// (the role asked for) or "group" (a role of its group).
	RoleMatch   string            `json:"role_match,omitempty"`
	Interviewer bool              `json:"interviewer,omitempty"`
	Context     string            `json:"context,omitempty"`
	Attrs       map[string]string `json:"attrs,omitempty"`
	Source      Source            `json:"source"`
	Locator     evident.Locator   `json:"locator"`
	Citation    string            `json:"citation"`
	Score       float64           `json:"score"`
	Highlights  [][2]int          `json:"highlights,omitempty"` // byte ranges of matched words in text
	Matches     []evident.Match   `json:"matches,omitempty"`    // the rules (or the person) behind the categories
	TaggedBy    string            `json:"tagged_by,omitempty"`  // the person whose categories outrank the rules'
	TaggedAt    time.Time         `json:"tagged_at,omitzero"`
}

// Response is a page of results.
type Response struct {
	Query    Parsed                    `json:"query"`
	Total    uint64                    `json:"total"`
	Hits     []Hit                     `json:"hits"`
	Facets   map[string]map[string]int `json:"facets"`
	Fallback string                    `json:"fallback,omitempty"` // why the results are broader than asked
}

// Searcher runs searches over one store and index.
type Searcher struct {
	Store  *store.Store
	Parser *Parser
}

// Search parses and runs a query. ix must stay open for the call.
func (s *Searcher) Search(ctx context.Context, ix *index.Index, req Request) (*Response, error) {
	if req.Limit <= 0 {
		req.Limit = 10
	}
	parsed := s.Parser.Parse(req.Query)
	if req.Interviewer {
		parsed.Interviewer = true
	}
	q := parsed.indexQuery()
	q.Size, q.From = req.Limit, req.Offset
	res, err := searchRoles(ctx, ix, q, parsed.Related)
	if err != nil {
		return nil, err
	}
	resp := &Response{Query: parsed}
	// Asked for a role or category that has no evidence: say so and show
	// the nearest thing rather than an empty page. The role is kept longest,
	// since a persona's map wants that person's words first.
	if res.Total == 0 {
		for _, step := range fallbacks(parsed) {
			broader, related := q, parsed.Related
			if step.dropRoles {
				broader.Roles, related = nil, nil
			}
			if step.dropCategories {
				broader.Categories = nil
			}
			r, err := searchRoles(ctx, ix, broader, related)
			if err != nil {
				return nil, err
			}
			if r.Total > 0 {
				res, resp.Fallback = r, step.why
				break
			}
		}
	}
	resp.Total = res.Total
	resp.Facets = res.Facets
	if err := s.hydrate(ctx, resp, res); err != nil {
		return nil, err
	}
	for i := range resp.Hits {
		h := &resp.Hits[i]
		switch {
		case slices.Contains(parsed.Roles, h.Role):
			h.RoleMatch = "exact"
		case slices.Contains(parsed.Related, h.Role):
			h.RoleMatch = "group"
		}
	}
	return resp, nil
}

// searchRoles runs q, then, when the roles asked for have a group, the
// same query for the group's other roles: the asked roles' passages rank
// first, the group's after them, and a page may hold both.
func searchRoles(ctx context.Context, ix *index.Index, q index.Query, related []string) (*index.Result, error) {
	if len(related) == 0 {
		return ix.Search(ctx, q)
	}
	var exact *index.Result
	if len(q.Roles) > 0 {
		var err error
		if exact, err = ix.Search(ctx, q); err != nil {
			return nil, err
		}
	} else {
		exact = &index.Result{Facets: map[string]map[string]int{}}
	}
	group := q
	group.Roles = related
	group.From = max(0, q.From-int(exact.Total))
	group.Size = max(0, q.Size-len(exact.Hits))
	more, err := ix.Search(ctx, group)
	if err != nil {
		return nil, err
	}
	out := &index.Result{Total: exact.Total + more.Total, Facets: map[string]map[string]int{}}
	out.Hits = append(append(out.Hits, exact.Hits...), more.Hits...)
	for _, r := range []*index.Result{exact, more} {
		for name, counts := range r.Facets {
			if out.Facets[name] == nil {
				out.Facets[name] = map[string]int{}
			}
			for k, n := range counts {
				out.Facets[name][k] += n
			}
		}
	}
	return out, nil
}

type fallback struct {
	dropRoles, dropCategories bool
	why                       string
}

// fallbacks lists the broader searches to try, nearest first, each with
// the sentence that tells the user what they are looking at.
func fallbacks(p Parsed) []fallback {
	roles, cats := strings.Join(p.Roles, ", "), strings.Join(p.Categories, ", ")
	if len(p.Roles) == 0 && len(p.Related) > 0 {
		// A group asked for by name.
		p.Roles, roles = p.Related, strings.Join(p.Related, ", ")
	}
	var out []fallback
	if len(p.Roles) > 0 && len(p.Categories) > 0 {
		out = append(out,
			fallback{dropCategories: true, why: fmt.Sprintf("No passages from %s are tagged %s; showing %s passages in any category.", roles, cats, roles)},
			fallback{dropRoles: true, why: fmt.Sprintf("No passages from %s match; showing %s passages from any role.", roles, cats)})
	} else if len(p.Roles) > 0 {
		out = append(out, fallback{dropRoles: true, why: fmt.Sprintf("No passages from %s match; showing passages from any role.", roles)})
	} else if len(p.Categories) > 0 {
		out = append(out, fallback{dropCategories: true, why: fmt.Sprintf("No passages tagged %s match; showing passages in any category.", cats)})
	}
	if len(p.Roles) > 0 && len(p.Categories) > 0 {
		out = append(out, fallback{dropRoles: true, dropCategories: true,
			why: fmt.Sprintf("No passages from %s or tagged %s match; showing the closest passages from anyone.", roles, cats)})
	}
	return out
}

// hydrate loads the hits' passages from the store (the source of truth)
// and builds their citations.
func (s *Searcher) hydrate(ctx context.Context, resp *Response, res *index.Result) error {
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	found, err := s.Store.PassagesByID(ctx, ids)
	if err != nil {
		return err
	}
	resp.Hits = []Hit{}
	for _, h := range res.Hits {
		sh, ok := found[h.ID]
		if !ok {
			continue // deleted since it was indexed
		}
		resp.Hits = append(resp.Hits, HitOf(sh.Document, &sh.Passage, h.Score, h.Spans))
	}
	// The document facet is keyed by hash; show file names.
	if docs := resp.Facets["docs"]; len(docs) > 0 {
		named := map[string]int{}
		for sha, n := range docs {
			if d, err := s.Store.DocumentBySHA(ctx, sha); err == nil {
				named[d.File] += n
			}
		}
		resp.Facets["docs"] = named
	}
	return nil
}

// SourceOf is the citation's view of a document.
func SourceOf(d *evident.Document) Source {
	return Source{Title: d.Title, File: d.File, Path: d.Origin, SHA256: d.SHA256, Kind: string(d.Kind),
		URL: d.URL, Author: d.Author, Date: d.Date}
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
		Attrs:       p.Attrs,
		Source:      SourceOf(d),
		Locator:     p.Locator,
		Citation:    evident.Citation(d, p),
		Score:       score,
		Highlights:  spans,
		Matches:     p.Tags,
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
