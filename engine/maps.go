package engine

import (
	"context"
	"sync"

	"github.com/evident/evident/classify"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/store"
)

// Maps are the empathy maps of a data folder: api.Maps over the maps
// store, which it opens once, with a cell per category of the rules in
// force at each call. by names who makes a change. The engine hands it
// out embedded, so that an Engine is the whole api.Service.
type Maps struct {
	store    *store.Store
	rules    func() *classify.File // the rules file in force now
	roles    *roles.Taxonomy
	searcher maps.Searcher // suggestions search the folder

	mu   sync.Mutex
	maps *maps.Store // opened at the first use: see open
}

// open returns the maps with the rules in force now. The tables are
// created at the first call, not before: a reader may open a database
// before any writer made them.
func (s *Maps) open(ctx context.Context) (*maps.Store, error) {
	m, err := s.tables(ctx)
	if err != nil {
		return nil, err
	}
	f := s.rules()
	names := f.CategoryNames()
	cats := make([]maps.Category, len(names))
	for i, name := range names {
		cats[i] = maps.Category{Name: name, Question: f.Categories[i].Question}
	}
	return m.WithCategories(cats), nil
}

// tables opens the maps store, creating its tables at the first call. It
// needs no rules: a writer's engine calls it while its rules compile.
func (s *Maps) tables(ctx context.Context) (*maps.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maps == nil {
		m, err := maps.Open(ctx, s.store.DB(), maps.Config{Sources: s.store, Roles: s.roles})
		if err != nil {
			return nil, err
		}
		s.maps = m
	}
	return s.maps, nil
}

// with runs fn on the maps store.
func with[T any](ctx context.Context, s *Maps, fn func(*maps.Store) (T, error)) (T, error) {
	m, err := s.open(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return fn(m)
}

// ListMaps lists every map, by name.
func (s *Maps) ListMaps(ctx context.Context) ([]maps.Summary, error) {
	return with(ctx, s, func(m *maps.Store) ([]maps.Summary, error) { return m.List(ctx) })
}

// CreateMap makes an empty map for a persona.
func (s *Maps) CreateMap(ctx context.Context, info maps.Info, by string) (*maps.Map, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.Create(ctx, info, by) })
}

// GetMap returns a map with the status of every quote's source.
func (s *Maps) GetMap(ctx context.Context, name string) (*maps.Map, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.Get(ctx, name) })
}

// EditMap changes a map's persona, goal or description.
func (s *Maps) EditMap(ctx context.Context, name string, edit maps.Edit, by string) (*maps.Map, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.Edit(ctx, name, edit, by) })
}

// DeleteMap removes a map for good (nothing restores it; export it first).
func (s *Maps) DeleteMap(ctx context.Context, name, by string) error {
	_, err := with(ctx, s, func(m *maps.Store) (struct{}, error) { return struct{}{}, m.Delete(ctx, name, by) })
	return err
}

// AttachQuote puts a passage in a cell of a map.
func (s *Maps) AttachQuote(ctx context.Context, name string, a maps.Attachment, by string) (*maps.Quote, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Quote, error) { return m.Attach(ctx, name, a, by) })
}

// UpdateQuote changes a quote's note or moves it.
func (s *Maps) UpdateQuote(ctx context.Context, name, id string, u maps.QuoteUpdate, by string) (*maps.Quote, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Quote, error) { return m.Update(ctx, name, id, u, by) })
}

// DetachQuote takes a quote (by its id, or its passage's) off a map.
func (s *Maps) DetachQuote(ctx context.Context, name, ref, by string) (*maps.Quote, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Quote, error) { return m.Detach(ctx, name, ref, by) })
}

// UndoMap undoes the last change to a map not yet undone.
func (s *Maps) UndoMap(ctx context.Context, name, by string) (*maps.Undone, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Undone, error) { return m.Undo(ctx, name, by) })
}

// MapHistory lists every change to a map, oldest first.
func (s *Maps) MapHistory(ctx context.Context, name string) ([]maps.Change, error) {
	return with(ctx, s, func(m *maps.Store) ([]maps.Change, error) { return m.History(ctx, name) })
}

// SuggestQuotes proposes the strongest passages of the map's persona for
// each cell, leaving out those already there.
func (s *Maps) SuggestQuotes(ctx context.Context, name string, perCell int) (*maps.Suggestions, error) {
	m, err := s.GetMap(ctx, name)
	if err != nil {
		return nil, err
	}
	return maps.Suggest(ctx, m, s.searcher, perCell)
}

// ExportMap renders a map in one of maps.Formats.
func (s *Maps) ExportMap(ctx context.Context, name, format string, o maps.ExportOptions) (*maps.Export, error) {
	return with(ctx, s, func(m *maps.Store) (*maps.Export, error) { return m.Export(ctx, name, format, o) })
}

// ImportMap stores a map from a JSON export, under rename when given.
func (s *Maps) ImportMap(ctx context.Context, data []byte, rename, by string) (*maps.Map, error) {
	mp, err := maps.ParseJSON(data)
	if err != nil {
		return nil, err
	}
	return with(ctx, s, func(m *maps.Store) (*maps.Map, error) { return m.Import(ctx, mp, rename, by) })
}
