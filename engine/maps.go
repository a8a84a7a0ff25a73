package engine

import (
	"context"

	"github.com/evident/evident/maps"
)

// The methods in this file are the empathy maps of the data folder, for
// the HTTP API and the command line alike. by names who makes a change.

// mapStore opens the maps with the rules and roles in force now: a cell
// per category of the rules file.
func (e *Engine) mapStore(ctx context.Context) (*maps.Store, error) {
	f := e.ruleFile()
	names := f.CategoryNames()
	cats := make([]maps.Category, len(names))
	for i, name := range names {
		cats[i] = maps.Category{Name: name, Question: f.Categories[i].Question}
	}
	return maps.Open(ctx, e.store.DB(), maps.Config{Sources: e.store, Categories: cats, Roles: e.roles})
}

// withMaps runs fn on the maps store.
func withMaps[T any](ctx context.Context, e *Engine, fn func(*maps.Store) (T, error)) (T, error) {
	s, err := e.mapStore(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(s)
}

// ListMaps lists every map, by name.
func (e *Engine) ListMaps(ctx context.Context) ([]maps.Summary, error) {
	return withMaps(ctx, e, func(s *maps.Store) ([]maps.Summary, error) { return s.List(ctx) })
}

// CreateMap makes an empty map for a persona.
func (e *Engine) CreateMap(ctx context.Context, info maps.Info, by string) (*maps.Map, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.Create(ctx, info, by) })
}

// GetMap returns a map with the status of every quote's source.
func (e *Engine) GetMap(ctx context.Context, name string) (*maps.Map, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.Get(ctx, name) })
}

// EditMap changes a map's persona, goal or description.
func (e *Engine) EditMap(ctx context.Context, name string, edit maps.Edit, by string) (*maps.Map, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.Edit(ctx, name, edit, by) })
}

// DeleteMap removes a map for good (nothing restores it; export it first).
func (e *Engine) DeleteMap(ctx context.Context, name, by string) error {
	_, err := withMaps(ctx, e, func(s *maps.Store) (struct{}, error) { return struct{}{}, s.Delete(ctx, name, by) })
	return err
}

// AttachQuote puts a passage in a cell of a map.
func (e *Engine) AttachQuote(ctx context.Context, name string, a maps.Attachment, by string) (*maps.Quote, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Quote, error) { return s.Attach(ctx, name, a, by) })
}

// UpdateQuote changes a quote's note or moves it.
func (e *Engine) UpdateQuote(ctx context.Context, name, id string, u maps.QuoteUpdate, by string) (*maps.Quote, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Quote, error) { return s.Update(ctx, name, id, u, by) })
}

// DetachQuote takes a quote (by its id, or its passage's) off a map.
func (e *Engine) DetachQuote(ctx context.Context, name, ref, by string) (*maps.Quote, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Quote, error) { return s.Detach(ctx, name, ref, by) })
}

// UndoMap undoes the last change to a map not yet undone.
func (e *Engine) UndoMap(ctx context.Context, name, by string) (*maps.Undone, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Undone, error) { return s.Undo(ctx, name, by) })
}

// MapHistory lists every change to a map, oldest first.
func (e *Engine) MapHistory(ctx context.Context, name string) ([]maps.Change, error) {
	return withMaps(ctx, e, func(s *maps.Store) ([]maps.Change, error) { return s.History(ctx, name) })
}

// SuggestQuotes proposes the strongest passages of the map's persona for
// each cell, leaving out those already there.
func (e *Engine) SuggestQuotes(ctx context.Context, name string, perCell int) (*maps.Suggestions, error) {
	m, err := e.GetMap(ctx, name)
	if err != nil {
		return nil, err
	}
	return maps.Suggest(ctx, m, e, perCell)
}

// ExportMap renders a map as md, json, csv, html or qdpx.
func (e *Engine) ExportMap(ctx context.Context, name, format string, o maps.ExportOptions) (*maps.Export, error) {
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Export, error) { return s.Export(ctx, name, format, o) })
}

// ImportMap stores a map from a JSON export, under rename when given.
func (e *Engine) ImportMap(ctx context.Context, data []byte, rename, by string) (*maps.Map, error) {
	m, err := maps.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	return withMaps(ctx, e, func(s *maps.Store) (*maps.Map, error) { return s.Import(ctx, m, rename, by) })
}
