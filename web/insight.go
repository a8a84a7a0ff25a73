package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/evident/evident/maps"
)

// Insights are the themes, needs and assumptions of a map: the engine
// has them, and so does the Client, for the command line.
type Insights interface {
	ProposeThemes(ctx context.Context, name, cell string) (*maps.Proposals, error)
	ChangeThemes(ctx context.Context, name string, c maps.ThemeChange, by string) (*maps.Map, error)
	ChangeNeeds(ctx context.Context, name string, c maps.NeedChange, by string) (*maps.Map, error)
	ChangeAssumptions(ctx context.Context, name string, c maps.AssumptionChange, by string) (*maps.Map, error)
	SuggestNeeds(ctx context.Context, name string) ([]maps.NeedSuggestion, error)
}

// NeedSuggestions is the body of GET /api/maps/{name}/needs/suggest.
type NeedSuggestions struct {
	Suggestions []maps.NeedSuggestion `json:"suggestions"`
}

// routeInsights registers the API of themes, needs and assumptions. A
// change answers the whole map, as it is after the change.
func (s *Server) routeInsights(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/maps/{name}/themes", s.proposeThemes)
	mux.HandleFunc("POST /api/maps/{name}/themes", s.changeThemes)
	mux.HandleFunc("POST /api/maps/{name}/needs", s.changeNeeds)
	mux.HandleFunc("GET /api/maps/{name}/needs/suggest", s.suggestNeeds)
	mux.HandleFunc("POST /api/maps/{name}/assumptions", s.changeAssumptions)
}

func (s *Server) proposeThemes(w http.ResponseWriter, r *http.Request) {
	p, err := s.Engine.ProposeThemes(r.Context(), r.PathValue("name"), r.URL.Query().Get("cell"))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// change runs one change whose body is a C, and answers the map.
func change[C any](s *Server, w http.ResponseWriter, r *http.Request, fn func(context.Context, string, C, string) (*maps.Map, error)) {
	var c C
	if !readJSON(w, r, &c) {
		return
	}
	m, err := fn(r.Context(), r.PathValue("name"), c, user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) changeThemes(w http.ResponseWriter, r *http.Request) {
	change(s, w, r, s.Engine.ChangeThemes)
}

func (s *Server) changeNeeds(w http.ResponseWriter, r *http.Request) {
	change(s, w, r, s.Engine.ChangeNeeds)
}

func (s *Server) changeAssumptions(w http.ResponseWriter, r *http.Request) {
	change(s, w, r, s.Engine.ChangeAssumptions)
}

func (s *Server) suggestNeeds(w http.ResponseWriter, r *http.Request) {
	list, err := s.Engine.SuggestNeeds(r.Context(), r.PathValue("name"))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, NeedSuggestions{Suggestions: list})
}

// ProposeThemes asks the server for a proposal of themes.
func (c *Client) ProposeThemes(ctx context.Context, name, cell string) (*maps.Proposals, error) {
	path := mapPathOf(name) + "/themes"
	if cell != "" {
		path += "?cell=" + url.QueryEscape(cell)
	}
	var p maps.Proposals
	return &p, c.mapCall(ctx, http.MethodGet, path, "", nil, &p)
}

// ChangeThemes changes the themes of a cell.
func (c *Client) ChangeThemes(ctx context.Context, name string, ch maps.ThemeChange, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.mapCall(ctx, http.MethodPost, mapPathOf(name)+"/themes", by, ch, &m)
}

// ChangeNeeds changes the needs of a map.
func (c *Client) ChangeNeeds(ctx context.Context, name string, ch maps.NeedChange, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.mapCall(ctx, http.MethodPost, mapPathOf(name)+"/needs", by, ch, &m)
}

// ChangeAssumptions changes the assumptions of a map.
func (c *Client) ChangeAssumptions(ctx context.Context, name string, ch maps.AssumptionChange, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.mapCall(ctx, http.MethodPost, mapPathOf(name)+"/assumptions", by, ch, &m)
}

// SuggestNeeds asks the server for draft needs.
func (c *Client) SuggestNeeds(ctx context.Context, name string) ([]maps.NeedSuggestion, error) {
	var out NeedSuggestions
	err := c.mapCall(ctx, http.MethodGet, mapPathOf(name)+"/needs/suggest", "", nil, &out)
	return out.Suggestions, err
}
