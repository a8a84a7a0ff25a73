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
	"strconv"

	"github.com/evident/evident/maps"
)

// The map API as the command line calls it when a server holds the data
// folder: the same methods, with the same errors, as engine/maps.go.

func mapPathOf(name string) string { return "/api/maps/" + url.PathEscape(name) }

// ListMaps lists the server's maps.
func (c *Client) ListMaps(ctx context.Context) ([]maps.Summary, error) {
	var out MapList
	err := c.mapCall(ctx, http.MethodGet, "/api/maps", "", nil, &out)
	return out.Maps, err
}

// CreateMap makes an empty map.
func (c *Client) CreateMap(ctx context.Context, info maps.Info, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.mapCall(ctx, http.MethodPost, "/api/maps", by, info, &m)
}

// GetMap fetches a map with its quotes' statuses.
func (c *Client) GetMap(ctx context.Context, name string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.mapCall(ctx, http.MethodGet, mapPathOf(name), "", nil, &m)
}

// EditMap changes a map's persona, goal or description.
func (c *Client) EditMap(ctx context.Context, name string, edit maps.Edit, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.mapCall(ctx, http.MethodPatch, mapPathOf(name), by, edit, &m)
}

// DeleteMap removes a map.
func (c *Client) DeleteMap(ctx context.Context, name, by string) error {
	return c.mapCall(ctx, http.MethodDelete, mapPathOf(name), by, nil, nil)
}

// AttachQuote puts a passage in a cell of a map.
func (c *Client) AttachQuote(ctx context.Context, name string, a maps.Attachment, by string) (*maps.Quote, error) {
	var q maps.Quote
	return &q, c.mapCall(ctx, http.MethodPost, mapPathOf(name)+"/quotes", by, a, &q)
}

// UpdateQuote changes a quote's note or place.
func (c *Client) UpdateQuote(ctx context.Context, name, id string, u maps.QuoteUpdate, by string) (*maps.Quote, error) {
	var q maps.Quote
	return &q, c.mapCall(ctx, http.MethodPatch, mapPathOf(name)+"/quotes/"+url.PathEscape(id), by, u, &q)
}

// DetachQuote takes a quote off a map and returns it.
func (c *Client) DetachQuote(ctx context.Context, name, ref, by string) (*maps.Quote, error) {
	var q maps.Quote
	return &q, c.mapCall(ctx, http.MethodDelete, mapPathOf(name)+"/quotes/"+url.PathEscape(ref), by, nil, &q)
}

// UndoMap undoes the last change to a map.
func (c *Client) UndoMap(ctx context.Context, name, by string) (*maps.Undone, error) {
	u := maps.Undone{Map: &maps.Map{}}
	return &u, c.mapCall(ctx, http.MethodPost, mapPathOf(name)+"/undo", by, nil, &u)
}

// MapHistory lists the changes to a map, oldest first.
func (c *Client) MapHistory(ctx context.Context, name string) ([]maps.Change, error) {
	var h MapHistory
	err := c.mapCall(ctx, http.MethodGet, mapPathOf(name)+"/history", "", nil, &h)
	return h.Changes, err
}

// SuggestQuotes asks for the strongest passages for each cell.
func (c *Client) SuggestQuotes(ctx context.Context, name string, perCell int) (*maps.Suggestions, error) {
	path := mapPathOf(name) + "/suggest"
	if perCell > 0 {
		path += "?per_cell=" + strconv.Itoa(perCell)
	}
	var s maps.Suggestions
	return &s, c.mapCall(ctx, http.MethodGet, path, "", nil, &s)
}

// ExportMap downloads a map in a format.
func (c *Client) ExportMap(ctx context.Context, name, format string, o maps.ExportOptions) (*maps.Export, error) {
	q := url.Values{"format": {format}}
	if o.LineEndings != "" {
		q.Set("line_endings", o.LineEndings)
	}
	if o.Offsets != "" {
		q.Set("offsets", o.Offsets)
	}
	resp, err := c.mapRequest(ctx, http.MethodGet, mapPathOf(name)+"/export?"+q.Encode(), "", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the export from %s: %w", c.Base, err)
	}
	exp := &maps.Export{ContentType: resp.Header.Get("Content-Type"), Data: data}
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil {
		exp.Filename = params["filename"]
	}
	return exp, nil
}

// ImportMap sends a JSON export to be stored as a map.
func (c *Client) ImportMap(ctx context.Context, data []byte, rename, by string) (*maps.Map, error) {
	path := "/api/maps/import"
	if rename != "" {
		path += "?name=" + url.QueryEscape(rename)
	}
	resp, err := c.mapRequest(ctx, http.MethodPost, path, by, bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var m maps.Map
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return &m, nil
}

// mapCall sends body as JSON and decodes the answer into out, if any.
func (c *Client) mapCall(ctx context.Context, method, path, by string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	resp, err := c.mapRequest(ctx, method, path, by, rd)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return nil
}

// mapRequest sends one request of the map API, which answers 200, 201 or
// 204 on success, and turns an error answer back into the error the
// engine gave: not found, invalid or conflict.
func (c *Client) mapRequest(ctx context.Context, method, path, by string, body io.Reader) (*http.Response, error) {
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
	req.Header.Set("Prefer", "return=representation")
	resp, err := c.send(req)
	if err != nil {
		return nil, fmt.Errorf("the evident server at %s does not answer: %w", c.Base, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e apiError
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) != nil || e.Error == "" {
		return nil, fmt.Errorf("the evident server at %s answered %s", c.Base, resp.Status)
	}
	kind := errors.New(e.Error)
	switch resp.StatusCode {
	case http.StatusNotFound:
		kind = maps.ErrNotFound
	case http.StatusBadRequest:
		kind = maps.ErrInvalid
	case http.StatusConflict:
		kind = maps.ErrConflict
	}
	return nil, &maps.Error{Kind: kind, Msg: e.Error}
}
