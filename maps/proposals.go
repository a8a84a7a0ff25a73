package maps

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Proposals are the themes proposed for the cells of a map.
type Proposals struct {
	Map   string         `json:"map"`
	Cells []CellProposal `json:"cells"`
}

// CellProposal is the proposal for one cell, beside the themes the cell
// has already.
type CellProposal struct {
	Category string `json:"category"`
	Quotes   int    `json:"quotes"`
	ThemeProposal
}

// ProposeThemes proposes themes for one cell of a map, or for every cell
// that has quotes when cell is "". It changes nothing: ChangeThemes with
// ThemeAccept keeps a proposal.
func (s *Store) ProposeThemes(ctx context.Context, name, cell string) (*Proposals, error) {
	m, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	want := ""
	if strings.TrimSpace(cell) != "" {
		if want, err = s.category(cell); err != nil {
			return nil, err
		}
	}
	out := &Proposals{Map: m.Name, Cells: []CellProposal{}}
	for _, c := range m.Cells {
		if (want != "" && c.Category != want) || (want == "" && len(c.Quotes) == 0) {
			continue
		}
		out.Cells = append(out.Cells, CellProposal{Category: c.Category, Quotes: len(c.Quotes), ThemeProposal: ProposeThemes(c.Quotes)})
	}
	return out, nil
}

// NeedSuggestion is a draft need made from a theme of PAINS or GAINS,
// for a person to reword and add.
type NeedSuggestion struct {
	Text     string   `json:"text"`
	Category string   `json:"category"`
	Theme    string   `json:"theme,omitempty"` // the stored theme's id; "" for a proposed one
	Name     string   `json:"theme_name"`
	Evidence []string `json:"evidence"`
	Roles    []string `json:"roles,omitempty"`
}

// needCells are the cells needs are drawn from, and how a draft reads.
var needCells = []struct{ category, draft string }{
	{"PAINS", "Relief from %s"},
	{"GAINS", "To get %s"},
}

// SuggestNeeds drafts needs from the themes of PAINS and GAINS: the
// cell's own themes, or the proposed ones when it has none. A theme whose
// quotes are half or more the evidence of a need already is left out.
// Biggest themes first.
func SuggestNeeds(m *Map) []NeedSuggestion {
	out := []NeedSuggestion{}
	for _, nc := range needCells {
		c := m.Cell(nc.category)
		if c == nil || len(c.Quotes) == 0 {
			continue
		}
		themes := c.Themes
		if len(themes) == 0 {
			themes = ProposeThemes(c.Quotes).Themes
		}
		for _, t := range themes {
			if len(t.Quotes) < 2 || covered(m.Needs, t.Quotes) {
				continue
			}
			words := t.Terms
			if len(words) == 0 || t.ID != "" && t.Name != strings.Join(t.Terms, " · ") {
				words = []string{lowerFirst(t.Name)} // a person's name for it, inside a sentence
			}
			var roles []string
			for _, id := range t.Quotes {
				if q := m.Quote(id); q != nil && q.Role != "" && !slices.Contains(roles, q.Role) {
					roles = append(roles, q.Role)
				}
			}
			slices.Sort(roles)
			out = append(out, NeedSuggestion{Text: fmt.Sprintf(nc.draft, phrase(words)), Category: c.Category, Theme: t.ID,
				Name: t.Name, Evidence: slices.Clone(t.Quotes), Roles: roles})
		}
	}
	slices.SortStableFunc(out, func(a, b NeedSuggestion) int { return cmp.Compare(len(b.Evidence), len(a.Evidence)) })
	return out
}

// covered says whether half or more of the quotes are evidence of one
// need already.
func covered(needs []Need, quotes []string) bool {
	for _, n := range needs {
		k := 0
		for _, id := range quotes {
			if slices.Contains(n.Evidence, id) {
				k++
			}
		}
		if 2*k >= len(quotes) {
			return true
		}
	}
	return false
}

// phrase joins words as a sentence does: "a", "a and b", "a, b and c".
func phrase(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}

// lowerFirst lowers the first letter of a name that starts a sentence
// ("Trust in the numbers"), not of one that is a name throughout ("NPS",
// "GitHub").
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && unicode.IsLower(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}
