package engine

import (
	"context"

	"github.com/evident/evident/maps"
)

// Themes, needs and assumptions of a map (maps/insight.go): api.Insights.

// ProposeThemes proposes themes for a cell of a map, or for every cell
// with quotes when cell is "". It changes nothing.
func (s *Maps) ProposeThemes(ctx context.Context, name, cell string) (*maps.Proposals, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Proposals, error) { return m.ProposeThemes(ctx, name, cell) })
}

// ChangeThemes accepts, adds, renames, merges, splits, moves quotes
// between or drops themes of a cell.
func (s *Maps) ChangeThemes(ctx context.Context, name string, c maps.ThemeChange, by string) (*maps.Map, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.ChangeThemes(ctx, name, c, by) })
}

// ChangeNeeds adds, edits, links evidence to or deletes a need.
func (s *Maps) ChangeNeeds(ctx context.Context, name string, c maps.NeedChange, by string) (*maps.Map, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.ChangeNeeds(ctx, name, c, by) })
}

// ChangeAssumptions adds, edits, links evidence to or deletes an
// assumption.
func (s *Maps) ChangeAssumptions(ctx context.Context, name string, c maps.AssumptionChange, by string) (*maps.Map, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.ChangeAssumptions(ctx, name, c, by) })
}

// SuggestNeeds drafts needs from the themes of the map's PAINS and GAINS.
func (s *Maps) SuggestNeeds(ctx context.Context, name string) ([]maps.NeedSuggestion, error) {
	m, err := s.GetMap(ctx, name)
	if err != nil {
		return nil, err
	}
	return maps.SuggestNeeds(m), nil
}
