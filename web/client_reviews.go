package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/store"
)

// The review API as the command line calls it when a server holds the
// data folder: the same methods, with the same errors, as
// engine/review.go.

// Tag sends a person's review of a passage's tags.
func (c *Client) Tag(ctx context.Context, id string, edit engine.TagEdit, by string) (*engine.Reviewed, error) {
	body, err := json.Marshal(edit)
	if err != nil {
		return nil, err
	}
	resp, err := c.reviewRequest(ctx, http.MethodPost, "/api/passages/"+url.PathEscape(id)+"/tags", by, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out engine.Reviewed
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return &out, nil
}

// SetSpeaker sends what a person says of a speaker of a document.
func (c *Client) SetSpeaker(ctx context.Context, doc, name string, edit engine.SpeakerEdit, by string) (*evident.Document, error) {
	body, err := json.Marshal(edit)
	if err != nil {
		return nil, err
	}
	resp, err := c.reviewRequest(ctx, http.MethodPost, "/api/documents/"+url.PathEscape(doc)+"/speakers/"+url.PathEscape(name), by, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out evident.Document
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return &out, nil
}

// Reviews fetches the review log: one passage's entries, or every entry
// when passageID is empty.
func (c *Client) Reviews(ctx context.Context, passageID string) ([]store.Review, error) {
	path := "/api/reviews"
	if passageID != "" {
		path += "?passage=" + url.QueryEscape(passageID)
	}
	resp, err := c.reviewRequest(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out ReviewLog
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return out.Reviews, nil
}

// ReviewGold fetches the reviewed passages as labelled passages.
func (c *Client) ReviewGold(ctx context.Context) ([]classify.Gold, error) {
	resp, err := c.reviewRequest(ctx, http.MethodGet, "/api/reviews/export", "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	gold, err := classify.ReadGold(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the export of %s: %w", c.Base, err)
	}
	return gold, nil
}

// reviewRequest sends one request of the review API and turns an error
// answer back into the error the engine gave: not found or invalid.
func (c *Client) reviewRequest(ctx context.Context, method, path, by string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if by != "" {
		req.Header.Set(UserHeader, by)
	}
	resp, err := c.send(req)
	if err != nil {
		return nil, fmt.Errorf("the evident server at %s does not answer: %w", c.Base, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var e apiError
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) != nil || e.Error == "" {
		return nil, fmt.Errorf("the evident server at %s answered %s", c.Base, resp.Status)
	}
	switch resp.StatusCode {
	case http.StatusNotFound:
		return nil, engine.NotFound(e.Error)
	case http.StatusBadRequest:
		return nil, engine.Invalid(e.Error)
	}
	return nil, errors.New(e.Error)
}
