package maps

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/evident/evident/search"
)

// Searcher runs a search as a person types it; the engine implements it.
type Searcher interface {
	Search(ctx context.Context, req search.Request) (*search.Response, error)
}

// Suggestions are the strongest passages for each cell of a map, from its
// persona, that are not on the map yet, for a person to accept.
type Suggestions struct {
	Map   string                  `json:"map"`
	Role  string                  `json:"role,omitempty"` // the persona as searched
	Order []string                `json:"order"`          // the cells, in the map's order
	Cells map[string][]search.Hit `json:"cells"`
	// Notes say, per cell, when the suggestions are broader than the
	// persona (no passage of that role is in the cell) or there are none.
	Notes map[string]string `json:"notes,omitempty"`
}

// DefaultPerCell is how many passages Suggest proposes per cell unless told.
const DefaultPerCell = 3

// Suggest proposes, for each cell of m, up to perCell passages tagged with
// the cell's category and spoken by the map's persona, strongest first:
// by the weight of the rules that put them in the cell, then by search
// score. Passages already in the cell are left out. When the persona has
// no passage in a cell, the cell gets passages of any role, and a note
// saying so.
func Suggest(ctx context.Context, m *Map, s Searcher, perCell int) (*Suggestions, error) {
	if perCell <= 0 {
		perCell = DefaultPerCell
	}
	perCell = min(perCell, 50)
	out := &Suggestions{Map: m.Name, Role: m.Role, Order: []string{}, Cells: map[string][]search.Hit{}, Notes: map[string]string{}}
	for _, c := range m.Cells {
		out.Order = append(out.Order, c.Category)
		attached := map[string]bool{}
		for _, q := range c.Quotes {
			attached[q.PassageID] = true
		}
		query := "category:" + fieldValue(c.Category)
		if m.Role != "" {
			query = "role:" + fieldValue(m.Role) + " " + query
		}
		resp, err := s.Search(ctx, search.Request{Query: query, Limit: min(perCell*5+len(attached), 500), NoFacets: true})
		if err != nil {
			return nil, fmt.Errorf("suggestions for %s: %w", c.Category, err)
		}
		hits := []search.Hit{}
		skipped := 0
		for _, h := range resp.Hits {
			// The search broadens a query that finds nothing; a cell only
			// takes passages of its category.
			if !slices.Contains(h.Categories, c.Category) {
				continue
			}
			// Passages about the persona are someone else's words: a
			// suggestion is the persona's own.
			if h.About != "" {
				continue
			}
			if attached[h.ID] {
				skipped++
				continue
			}
			hits = append(hits, h)
		}
		sort.SliceStable(hits, func(i, j int) bool {
			a, b := strength(hits[i], c.Category), strength(hits[j], c.Category)
			if a != b {
				return a > b
			}
			if hits[i].Score != hits[j].Score {
				return hits[i].Score > hits[j].Score
			}
			return hits[i].ID < hits[j].ID
		})
		if len(hits) > perCell {
			hits = hits[:perCell]
		}
		out.Cells[c.Category] = hits
		switch {
		case len(hits) == 0 && skipped > 0:
			out.Notes[c.Category] = "Every passage found for this cell is in it already."
		case len(hits) == 0:
			out.Notes[c.Category] = fmt.Sprintf("No passage is tagged %s yet.", c.Category)
		case m.Role == "":
			out.Notes[c.Category] = "The map has no persona: these passages come from any role."
		case resp.Fallback != "":
			out.Notes[c.Category] = fmt.Sprintf("No passage of %s is tagged %s: these come from other roles.", m.Role, c.Category)
		}
	}
	return out, nil
}

// fieldValue quotes a value for the query syntax (role:"head of growth"),
// which has no escapes: a double quote inside cannot be searched for.
func fieldValue(v string) string {
	return `"` + strings.NewReplacer(`"`, "", "“", "", "”", "").Replace(v) + `"`
}

// strength is the weight of the rules that put a hit in a category.
func strength(h search.Hit, category string) float64 {
	var w float64
	for _, m := range h.Matches {
		if m.Category != category || m.Reason != "" {
			continue
		}
		if m.Weight > 0 {
			w += m.Weight
		} else {
			w++ // a rule without a weight counts once
		}
	}
	return w
}
