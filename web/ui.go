package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/evident/evident/api"
)

// ui serves the pages for people. They call the same Service as the JSON
// API that the browser's script calls, so the two cannot drift apart.
type ui struct {
	s   *Server
	svc api.Service
}

// routePages adds the pages and their static files to mux.
func (s *Server) routePages(mux *http.ServeMux) {
	u := &ui{s: s, svc: s.Engine}
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, assets()["icon.svg"], http.StatusMovedPermanently)
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

// failCode is the HTTP status a page shows for a failure: its kind's.
func failCode(err error) int { return api.KindOf(err).HTTPStatus() }

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
