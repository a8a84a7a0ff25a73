package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/evident/evident/maps"
)

// Maps is what the map API needs of an open data folder; the engine
// implements it (engine/maps.go). by names who makes a change.
type Maps interface {
	ListMaps(ctx context.Context) ([]maps.Summary, error)
	CreateMap(ctx context.Context, info maps.Info, by string) (*maps.Map, error)
	GetMap(ctx context.Context, name string) (*maps.Map, error)
	EditMap(ctx context.Context, name string, edit maps.Edit, by string) (*maps.Map, error)
	DeleteMap(ctx context.Context, name, by string) error
	AttachQuote(ctx context.Context, name string, a maps.Attachment, by string) (*maps.Quote, error)
	UpdateQuote(ctx context.Context, name, id string, u maps.QuoteUpdate, by string) (*maps.Quote, error)
	DetachQuote(ctx context.Context, name, ref, by string) (*maps.Quote, error)
	UndoMap(ctx context.Context, name, by string) (*maps.Undone, error)
	MapHistory(ctx context.Context, name string) ([]maps.Change, error)
	SuggestQuotes(ctx context.Context, name string, perCell int) (*maps.Suggestions, error)
	ExportMap(ctx context.Context, name, format string, o maps.ExportOptions) (*maps.Export, error)
	Imports  // REFI-QDA projects: web/import.go
	Insights // themes, needs and assumptions: web/insight.go
	ImportMap(ctx context.Context, data []byte, rename, by string) (*maps.Map, error)
}

// UserHeader names who makes a change through the API; "web" when absent.
const UserHeader = "X-Evident-User"

// Bodies of the map API are small; an imported map may be larger.
const (
	maxMapBody    = 1 << 20
	maxImportBody = 32 << 20
)

// MapList is the body of GET /api/maps.
type MapList struct {
	Maps []maps.Summary `json:"maps"`
}

// MapHistory is the body of GET /api/maps/{name}/history.
type MapHistory struct {
	Changes []maps.Change `json:"changes"`
}

// routeMaps registers the map API (see notes/maps-api.md).
func (s *Server) routeMaps(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/maps", s.listMaps)
	mux.HandleFunc("POST /api/maps", s.createMap)
	mux.HandleFunc("POST /api/maps/import", s.importMap)
	mux.HandleFunc("GET /api/maps/{name}", s.getMap)
	mux.HandleFunc("PATCH /api/maps/{name}", s.editMap)
	mux.HandleFunc("DELETE /api/maps/{name}", s.deleteMap)
	mux.HandleFunc("POST /api/maps/{name}/quotes", s.attachQuote)
	mux.HandleFunc("PATCH /api/maps/{name}/quotes/{id}", s.updateQuote)
	mux.HandleFunc("DELETE /api/maps/{name}/quotes/{id}", s.detachQuote)
	mux.HandleFunc("POST /api/maps/{name}/undo", s.undoMap)
	mux.HandleFunc("GET /api/maps/{name}/history", s.mapHistory)
	mux.HandleFunc("GET /api/maps/{name}/suggest", s.suggestQuotes)
	mux.HandleFunc("GET /api/maps/{name}/export", s.exportMap)
	s.routeInsights(mux)
}

// user is who makes a change: the X-Evident-User header, else "web".
func user(r *http.Request) string {
	if u := strings.TrimSpace(r.Header.Get(UserHeader)); u != "" && len(u) <= 200 {
		return u
	}
	return "web"
}

// mapError answers a failed map call: 404 for what does not exist, 400
// for bad input, 409 for a clash with what is there.
func mapError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, maps.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, maps.ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, maps.ErrConflict):
		code = http.StatusConflict
	}
	writeError(w, code, err)
}

// readJSON decodes a request body into v, with a clear error.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxMapBody)
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is larger than %d bytes", big.Limit))
		} else {
			writeError(w, http.StatusBadRequest, fmt.Errorf("the request body is not the JSON expected: %w", err))
		}
		return false
	}
	return true
}

func (s *Server) listMaps(w http.ResponseWriter, r *http.Request) {
	list, err := s.Engine.ListMaps(r.Context())
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, MapList{Maps: list})
}

func (s *Server) createMap(w http.ResponseWriter, r *http.Request) {
	var info maps.Info
	if !readJSON(w, r, &info) {
		return
	}
	m, err := s.Engine.CreateMap(r.Context(), info, user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}

func (s *Server) getMap(w http.ResponseWriter, r *http.Request) {
	m, err := s.Engine.GetMap(r.Context(), r.PathValue("name"))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) editMap(w http.ResponseWriter, r *http.Request) {
	var e maps.Edit
	if !readJSON(w, r, &e) {
		return
	}
	m, err := s.Engine.EditMap(r.Context(), r.PathValue("name"), e, user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) deleteMap(w http.ResponseWriter, r *http.Request) {
	if err := s.Engine.DeleteMap(r.Context(), r.PathValue("name"), user(r)); err != nil {
		mapError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) attachQuote(w http.ResponseWriter, r *http.Request) {
	var a maps.Attachment
	if !readJSON(w, r, &a) {
		return
	}
	q, err := s.Engine.AttachQuote(r.Context(), r.PathValue("name"), a, user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, q)
}

func (s *Server) updateQuote(w http.ResponseWriter, r *http.Request) {
	var u maps.QuoteUpdate
	if !readJSON(w, r, &u) {
		return
	}
	q, err := s.Engine.UpdateQuote(r.Context(), r.PathValue("name"), r.PathValue("id"), u, user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

// detachQuote takes a quote off a map; {id} may also be the id of a
// passage that is on the map once. It answers 204, or 200 with the quote
// taken off when asked with "Prefer: return=representation" (RFC 7240).
func (s *Server) detachQuote(w http.ResponseWriter, r *http.Request) {
	q, err := s.Engine.DetachQuote(r.Context(), r.PathValue("name"), r.PathValue("id"), user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	if strings.Contains(r.Header.Get("Prefer"), "return=representation") {
		writeJSON(w, http.StatusOK, q)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// undoMap answers with the map after the undo, and (an addition to the
// map's shape) "undone": the change that was undone.
func (s *Server) undoMap(w http.ResponseWriter, r *http.Request) {
	u, err := s.Engine.UndoMap(r.Context(), r.PathValue("name"), user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (s *Server) mapHistory(w http.ResponseWriter, r *http.Request) {
	changes, err := s.Engine.MapHistory(r.Context(), r.PathValue("name"))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, MapHistory{Changes: changes})
}

func (s *Server) suggestQuotes(w http.ResponseWriter, r *http.Request) {
	n := 0
	if v := r.URL.Query().Get("per_cell"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, fmt.Errorf("per_cell=%q is not a whole number above 0", v))
			return
		}
	}
	sug, err := s.Engine.SuggestQuotes(r.Context(), r.PathValue("name"), n)
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sug)
}

func (s *Server) exportMap(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		writeError(w, http.StatusBadRequest, fmt.Errorf("give a format: ?format= one of %s", maps.FormatNames))
		return
	}
	q := r.URL.Query()
	exp, err := s.Engine.ExportMap(r.Context(), r.PathValue("name"), format,
		maps.ExportOptions{LineEndings: q.Get("line_endings"), Offsets: q.Get("offsets")})
	if err != nil {
		mapError(w, err)
		return
	}
	w.Header().Set("Content-Type", exp.ContentType)
	w.Header().Set("Content-Disposition", attachment(exp.Filename))
	w.Header().Set("Content-Length", strconv.Itoa(len(exp.Data)))
	// An exported page is a file to save, not part of this site: it runs
	// nothing even when opened from here.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
	w.WriteHeader(http.StatusOK)
	w.Write(exp.Data)
}

// attachment is a Content-Disposition that saves the file under its name
// (portable ASCII, see maps.FileName).
func attachment(filename string) string {
	v := mime.FormatMediaType("attachment", map[string]string{"filename": filename})
	if v == "" {
		return `attachment; filename="map"`
	}
	// Quote the name as the API promises, even when it needs no quotes.
	if name, ok := strings.CutPrefix(v, "attachment; filename="); ok && !strings.HasPrefix(name, `"`) {
		v = `attachment; filename="` + name + `"`
	}
	return v
}

// importMap takes a JSON export as the body; ?name= imports it under
// another name.
func (s *Server) importMap(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImportBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Errorf("the map file is larger than %d MiB", maxImportBody>>20))
		return
	}
	m, err := s.Engine.ImportMap(r.Context(), body, r.URL.Query().Get("name"), user(r))
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, m)
}
