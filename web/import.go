package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/evident/evident/api"
	"github.com/evident/evident/engine"
)

func (s *Server) routeImports(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/import", s.importQDA)
}

// readImport reads a project and its options from a request: a multipart
// form with a "file" and optional "map" and "cells" fields (the page's
// form), or the file as the body with ?map=, ?cells= and ?file= (the
// command line).
func (s *Server) readImport(w http.ResponseWriter, r *http.Request) ([]byte, api.ImportOptions, error) {
	s.longBody(w, r)
	limit := s.MaxUpload
	if limit <= 0 {
		limit = engine.DefaultMaxSize
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
	opts := api.ImportOptions{By: user(r)}
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
		writeError(w, api.WithKind(api.Invalid, err))
		return
	}
	noWriteDeadline(w) // the documents are ingested before it answers
	rep, err := s.Engine.ImportQDA(r.Context(), data, opts)
	if err != nil {
		writeError(w, err)
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
	rep, err := u.svc.ImportQDA(r.Context(), data, opts)
	if err != nil {
		u.renderImport(w, r, failCode(err), form, nil, err)
		return
	}
	u.renderImport(w, r, http.StatusOK, form, rep, nil)
}

func (u *ui) renderImport(w http.ResponseWriter, r *http.Request, code int, form mapForm, rep *api.ImportReport, problem error) {
	data := mapListPage{chrome: chrome{Title: "Maps", Nav: "maps"}, Form: form, Imported: rep}
	if problem != nil {
		data.ImportError = problem.Error()
	}
	list, err := u.svc.ListMaps(r.Context())
	if err != nil {
		u.s.failPage(w, failCode(err), "Maps", err)
		return
	}
	data.Maps = list
	u.s.render(w, "maps", code, data)
}
