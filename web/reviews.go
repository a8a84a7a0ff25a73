package web

import (
	"bytes"
	"net/http"

	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/persona"
)

// routeReviews registers the review API.
func (s *Server) routeReviews(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/passages/{id}/tags", s.tag)
	mux.HandleFunc("GET /api/reviews", s.reviewLog)
	mux.HandleFunc("GET /api/reviews/export", s.reviewExport)
	mux.HandleFunc("POST /api/documents/{doc}/speakers/{name}", s.setSpeaker)
}

// setSpeaker takes what a person says of a speaker, any of {"role":
// "VP of Engineering", "title": "...", "company": "...", "interviewer":
// false}, and answers the document as it now stands; the person is the
// X-Evident-User header, else "web".
func (s *Server) setSpeaker(w http.ResponseWriter, r *http.Request) {
	var edit persona.Correction
	if !readJSON(w, r, &edit) {
		return
	}
	d, err := s.Engine.SetSpeaker(r.Context(), r.PathValue("doc"), r.PathValue("name"), edit, user(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// tag takes a TagEdit: {"accept": true}, {"clear": true}, {"set": [...]}
// or {"add": [...], "remove": [...]}; the reviewer is the X-Evident-User
// header, else "web".
func (s *Server) tag(w http.ResponseWriter, r *http.Request) {
	var edit api.TagEdit
	if !readJSON(w, r, &edit) {
		return
	}
	res, err := s.Engine.Tag(r.Context(), r.PathValue("id"), edit, user(r))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// reviewLog lists the review log, oldest first; ?passage=ID keeps one
// passage's entries.
func (s *Server) reviewLog(w http.ResponseWriter, r *http.Request) {
	log, err := s.Engine.Reviews(r.Context(), r.URL.Query().Get("passage"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ReviewLog{Reviews: log})
}

// reviewExport sends one labelled passage per passage people tagged, as
// JSON lines that `evident rules eval` reads.
func (s *Server) reviewExport(w http.ResponseWriter, r *http.Request) {
	gold, err := s.Engine.ReviewGold(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	var buf bytes.Buffer
	if err := classify.WriteGold(&buf, gold); err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reviews.jsonl"`)
	w.Write(buf.Bytes())
}
