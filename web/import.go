package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/evident/evident/engine"
)

// Imports is what the import of REFI-QDA projects needs of an engine.
type Imports interface {
	ImportQDA(ctx context.Context, data []byte, opts engine.ImportOptions) (*engine.ImportReport, error)
}

func (s *Server) routeImports(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/import", s.importQDA)
}

// readImport reads a project and its options from a request: a multipart
// form with a "file" and optional "map" and "cells" fields (the page's
// form), or the file as the body with ?map=, ?cells= and ?file= (the
// command line).
func (s *Server) readImport(w http.ResponseWriter, r *http.Request) ([]byte, engine.ImportOptions, error) {
	s.longBody(w, r)
	limit := s.MaxUpload
	if limit <= 0 {
		limit = engine.DefaultMaxSize
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	opts := engine.ImportOptions{By: user(r)}
	var data []byte
	var cells string
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, opts, err
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, opts, fmt.Errorf("the upload broke off: %w", err)
			}
			switch part.FormName() {
			case "file":
				opts.File = filepath.Base(filepath.Clean("/" + part.FileName()))
				if data, err = io.ReadAll(part); err != nil {
					return nil, opts, tooLarge(err, limit)
				}
			case "map", "cells", "by":
				b, _ := io.ReadAll(io.LimitReader(part, 64<<10))
				switch v := strings.TrimSpace(string(b)); part.FormName() {
				case "map":
					opts.Map = v
				case "cells":
					cells = v
				}
			}
		}
	} else {
		q := r.URL.Query()
		opts.Map, cells, opts.File = q.Get("map"), q.Get("cells"), filepath.Base(filepath.Clean("/"+q.Get("file")))
		if opts.File == "/" {
			opts.File = ""
		}
		var err error
		if data, err = io.ReadAll(r.Body); err != nil {
			return nil, opts, tooLarge(err, limit)
		}
	}
	if len(data) == 0 {
		return nil, opts, errors.New(`no project: send the .qdpx file as the body, or as the "file" of a form`)
	}
	var err error
	if opts.Cells, err = engine.ParseCells(cells); err != nil {
		return nil, opts, err
	}
	return data, opts, nil
}

func tooLarge(err error, limit int64) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return fmt.Errorf("the project is larger than the %d MiB this server accepts", limit>>20)
	}
	return err
}

// importQDA brings in a REFI-QDA project: POST /api/import.
func (s *Server) importQDA(w http.ResponseWriter, r *http.Request) {
	data, opts, err := s.readImport(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	noWriteDeadline(w) // the documents are ingested before it answers
	rep, err := s.Engine.ImportQDA(r.Context(), data, opts)
	if err != nil {
		mapError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// mapImport takes the maps page's import form and shows what came in.
func (u *ui) mapImport(w http.ResponseWriter, r *http.Request) {
	data, opts, err := u.s.readImport(w, r)
	form := mapForm{}
	if err != nil {
		u.renderImport(w, r, http.StatusBadRequest, form, nil, err)
		return
	}
	noWriteDeadline(w)
	rep, err := u.s.Engine.ImportQDA(r.Context(), data, opts)
	if err != nil {
		u.renderImport(w, r, failCode(err), form, nil, err)
		return
	}
	u.renderImport(w, r, http.StatusOK, form, rep, nil)
}

func (u *ui) renderImport(w http.ResponseWriter, r *http.Request, code int, form mapForm, rep *engine.ImportReport, problem error) {
	data := mapListPage{chrome: chrome{Title: "Maps", Nav: "maps"}, Form: form, Imported: rep}
	if problem != nil {
		data.ImportError = problem.Error()
	}
	var list struct {
		Maps []mapSummary `json:"maps"`
	}
	if err := u.call(r.Context(), "GET", "/api/maps", nil, &list); err != nil {
		u.s.failPage(w, failCode(err), "Maps", err)
		return
	}
	data.Maps = list.Maps
	u.s.render(w, "maps", code, data)
}

// ImportQDA sends a REFI-QDA project to be imported, and waits for it.
func (c *Client) ImportQDA(ctx context.Context, data []byte, opts engine.ImportOptions) (*engine.ImportReport, error) {
	q := url.Values{}
	for k, v := range map[string]string{"map": opts.Map, "file": opts.File} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var cells []string
	for code, cell := range opts.Cells {
		cells = append(cells, code+"="+cell)
	}
	if len(cells) > 0 {
		q.Set("cells", strings.Join(cells, ","))
	}
	resp, err := c.mapRequest(ctx, http.MethodPost, "/api/import?"+q.Encode(), opts.By, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var rep engine.ImportReport
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return &rep, nil
}
