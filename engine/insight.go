package engine

import (
	"context"

	"github.com/evident/evident/maps"
)

// Themes, needs and assumptions of a map (maps/insight.go), for the HTTP
// API and the command line alike.

// ProposeThemes proposes themes for a cell of a map, or for every cell
// with quotes when cell is "". It changes nothing.
func (e *Engine) ProposeThemes(ctx context.Context, name, cell string) (*maps.Proposals, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Proposals, error) { return s.ProposeThemes(ctx, name, cell) })
}

// ChangeThemes accepts, adds, renames, merges, splits, moves quotes
// between or drops themes of a cell.
func (e *Engine) ChangeThemes(ctx context.Context, name string, c maps.ThemeChange, by string) (*maps.Map, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.ChangeThemes(ctx, name, c, by) })
}

// ChangeNeeds adds, edits, links evidence to or deletes a need.
func (e *Engine) ChangeNeeds(ctx context.Context, name string, c maps.NeedChange, by string) (*maps.Map, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.ChangeNeeds(ctx, name, c, by) })
}

// ChangeAssumptions adds, edits, links evidence to or deletes an
// assumption.
func (e *Engine) ChangeAssumptions(ctx context.Context, name string, c maps.AssumptionChange, by string) (*maps.Map, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.ChangeAssumptions(ctx, name, c, by) })
}

// SuggestNeeds drafts needs from the themes of the map's PAINS and GAINS.
func (e *Engine) SuggestNeeds(ctx context.Context, name string) ([]maps.NeedSuggestion, error) {
	m, err := e.GetMap(ctx, name)
	if err != nil {
		return nil, err
	}
	return maps.SuggestNeeds(m), nil
}
