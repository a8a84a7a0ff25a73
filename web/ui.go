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
	"strings"
)

// ui serves the pages for people. Pages that read or change maps go
// through the same JSON API the browser's script calls (run in process,
// never over the network), so the two paths cannot drift apart.
type ui struct {
	s   *Server
	api http.Handler
}

// routePages adds the pages and their static files to mux, whose API
// routes the pages call in process.
func (s *Server) routePages(mux *http.ServeMux) {
	u := &ui{s: s, api: mux}
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, assets["icon.svg"], http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /{$}", u.search)
	mux.HandleFunc("GET /passages/{id}", u.inContext)
	mux.HandleFunc("GET /matrix", u.matrix)
	mux.HandleFunc("GET /ingest", u.ingestPage)
	mux.HandleFunc("POST /ingest", u.ingestForm)
	mux.HandleFunc("GET /maps", u.mapList)
	mux.HandleFunc("POST /maps", u.form(u.mapCreate))
	mux.HandleFunc("POST /maps/import", u.mapImport)
	mux.HandleFunc("GET /maps/{name}", u.mapCanvas)
	mux.HandleFunc("POST /maps/{name}/undo", u.form(u.mapUndo))
	mux.HandleFunc("POST /maps/{name}/delete", u.form(u.mapDelete))
	mux.HandleFunc("POST /maps/{name}/quotes/{id}", u.form(u.quoteEdit))
	mux.HandleFunc("POST /maps/{name}/quotes/{id}/detach", u.form(u.quoteDetach))
	mux.HandleFunc("POST /attach", u.form(u.attach))
	s.routeInsightPages(u, mux)
	mux.HandleFunc("POST /passages/{id}/tags", u.form(u.tagForm))
	mux.HandleFunc("POST /documents/{doc}/speakers/{name}", u.form(u.speakerForm))
}

// maxFormBody bounds a form that a page posts: a name, a note and a few
// fields. (The upload form streams its files and has limits of its own.)
const maxFormBody = 1 << 20

// form reads a posted form before h runs, refusing one larger than
// maxFormBody: FormValue alone would read a body of any size, a
// multipart one into memory and temporary files.
func (u *ui) form(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tooBig := fmt.Errorf("the form sent is larger than %d KiB, far more than a map's fields need; send less text", maxFormBody>>10)
		if r.ContentLength > maxFormBody {
			u.s.failPage(w, http.StatusRequestEntityTooLarge, "Form too large", tooBig)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		var err error
		if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
			err = r.ParseMultipartForm(maxFormBody)
		} else {
			err = r.ParseForm()
		}
		var big *http.MaxBytesError
		switch {
		case errors.As(err, &big):
			u.s.failPage(w, http.StatusRequestEntityTooLarge, "Form too large", tooBig)
			return
		case err != nil:
			u.s.failPage(w, http.StatusBadRequest, "Form", fmt.Errorf("the form could not be read: %w", err))
			return
		}
		h(w, r)
	}
}

// apiFailure is an error answer of the JSON API.
type apiFailure struct {
	Code int
	Msg  string
}

func (e *apiFailure) Error() string { return e.Msg }

// errNoMaps says that this server has no map API: no route answered.
var errNoMaps = errors.New("maps are not available in this server")

// call runs one request through the JSON API in process and decodes its
// answer into out (when out is not nil). Only a 2xx answer is a success:
// a redirect means the API did not do what was asked (ServeMux answers a
// path holding "." or ".." with 301).
func (u *ui) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := &recorder{header: http.Header{}, code: http.StatusOK}
	u.api.ServeHTTP(rec, req)
	isJSON := strings.HasPrefix(rec.header.Get("Content-Type"), "application/json")
	if rec.code < 200 || rec.code > 299 {
		var e apiError
		if rec.code >= 400 && isJSON && json.Unmarshal(rec.body.Bytes(), &e) == nil && e.Error != "" {
			return &apiFailure{Code: rec.code, Msg: e.Error}
		}
		switch {
		case rec.code == http.StatusNotFound || rec.code == http.StatusMethodNotAllowed:
			return errNoMaps
		case rec.code < 400:
			return &apiFailure{Code: http.StatusNotFound,
				Msg: fmt.Sprintf("nothing was done: %s is not the address of a map or a quote (it answered %d %s)", path, rec.code, http.StatusText(rec.code))}
		}
		return &apiFailure{Code: rec.code, Msg: strings.TrimSpace(rec.body.String())}
	}
	if out == nil || rec.code == http.StatusNoContent {
		return nil
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s answered in an unexpected shape: %w", method, path, err)
	}
	return nil
}

// recorder is the response of an in-process API call.
type recorder struct {
	header http.Header
	code   int
	body   bytes.Buffer
	wrote  bool
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.code, r.wrote = code, true
	}
}

// failCode is the HTTP status a page shows for an API failure.
func failCode(err error) int {
	var f *apiFailure
	switch {
	case errors.As(err, &f):
		return f.Code
	case errors.Is(err, errNoMaps):
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// back returns the local page a form came from (its "_back" field), so
// that after a plain form post the browser returns there. Anything but a
// path on this server is ignored.
func back(r *http.Request, fallback string) string {
	b := r.FormValue("_back")
	if b == "" || !strings.HasPrefix(b, "/") || strings.HasPrefix(b, "//") || strings.Contains(b, "\\") {
		return fallback
	}
	if u, err := url.Parse(b); err != nil || u.Host != "" || u.Scheme != "" {
		return fallback
	}
	return b
}

// withNotice adds a notice key to a local URL; the page shows the
// matching sentence (never text from the URL itself).
func withNotice(path, key string) string {
	u, err := url.Parse(path)
	if err != nil {
		return path
	}
	q := u.Query()
	q.Set("done", key)
	u.RawQuery = q.Encode()
	return u.String()
}

var notices = map[string]string{
	"attached":       "The quote was attached to the map.",
	"detached":       "The quote was taken off the map.",
	"saved":          "Saved.",
	"undone":         "The last change was undone.",
	"created":        "The map was created.",
	"deleted":        "The map was deleted.",
	"uploaded":       "The files are in the queue; they show below as they are processed.",
	"tags-accepted":  "The tags were accepted: they stay whatever the rules say.",
	"tags-corrected": "The tags were corrected: a person's tags outrank the rules.",
	"tags-cleared":   "The person's tags were cleared: the rules' tags stand again.",
	"speaker-saved":  "The speaker was corrected: what a person says outranks what was detected.",
}

func notice(r *http.Request) string { return notices[r.URL.Query().Get("done")] }
