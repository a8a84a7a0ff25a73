package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/store"
)

// Reviews is what the review API needs of an open data folder: people
// accepting or correcting passages' tags. The engine implements it
// (engine/review.go). by names who reviews.
type Reviews interface {
	Tag(ctx context.Context, id string, edit engine.TagEdit, by string) (*engine.Reviewed, error)
	Reviews(ctx context.Context, passageID string) ([]store.Review, error)
	ReviewGold(ctx context.Context) ([]classify.Gold, error)
	// SetSpeaker records what a person says of a speaker of a document
	// (engine/speakers.go).
	SetSpeaker(ctx context.Context, doc, name string, edit engine.SpeakerEdit, by string) (*evident.Document, error)
}

// ReviewLog is the body of GET /api/reviews.
type ReviewLog struct {
	Reviews []store.Review `json:"reviews"`
}

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
	var edit engine.SpeakerEdit
	if !readJSON(w, r, &edit) {
		return
	}
	d, err := s.Engine.SetSpeaker(r.Context(), r.PathValue("doc"), r.PathValue("name"), edit, user(r))
	if err != nil {
		reviewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// reviewError answers a failed review: 404 for a passage that does not
// exist, 400 for a request that cannot be done as asked.
func reviewError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch {
	case errors.Is(err, engine.ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, engine.ErrInvalid):
		code = http.StatusBadRequest
	}
	writeError(w, code, err)
}

// tag takes a TagEdit: {"accept": true}, {"clear": true}, {"set": [...]}
// or {"add": [...], "remove": [...]}; the reviewer is the X-Evident-User
// header, else "web".
func (s *Server) tag(w http.ResponseWriter, r *http.Request) {
	var edit engine.TagEdit
	if !readJSON(w, r, &edit) {
		return
	}
	res, err := s.Engine.Tag(r.Context(), r.PathValue("id"), edit, user(r))
	if err != nil {
		reviewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// reviewLog lists the review log, oldest first; ?passage=ID keeps one
// passage's entries.
func (s *Server) reviewLog(w http.ResponseWriter, r *http.Request) {
	log, err := s.Engine.Reviews(r.Context(), r.URL.Query().Get("passage"))
	if err != nil {
		reviewError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, ReviewLog{Reviews: log})
}

// reviewExport sends one labelled passage per passage people tagged, as
// JSON lines that `evident rules eval` reads.
func (s *Server) reviewExport(w http.ResponseWriter, r *http.Request) {
	gold, err := s.Engine.ReviewGold(r.Context())
	if err != nil {
		reviewError(w, err)
		return
	}
	var buf bytes.Buffer
	if err := classify.WriteGold(&buf, gold); err != nil {
		reviewError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/jsonl; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reviews.jsonl"`)
	w.Write(buf.Bytes())
}
