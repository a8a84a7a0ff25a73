package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/persona"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// Client is the Service of a running server, over its HTTP API: the
// command line uses it when a server holds the data folder. Its failures
// are the api.Errors the server sent.
type Client struct {
	Base  string // http://127.0.0.1:7474
	Token string // the server's --token, when it has one
	HTTP  *http.Client
}

var _ api.Service = (*Client)(nil)

// Search runs a query on the server.
func (c *Client) Search(ctx context.Context, req search.Request) (*search.Response, error) {
	v := url.Values{"q": {req.Query}}
	if req.Limit > 0 {
		v.Set("limit", strconv.Itoa(req.Limit))
	}
	if req.Offset > 0 {
		v.Set("offset", strconv.Itoa(req.Offset))
	}
	if req.Interviewer {
		v.Set("interviewer", "1")
	}
	if !req.NoFacets {
		v.Set("facets", "1")
	}
	var resp search.Response
	return &resp, c.call(ctx, http.MethodGet, "/api/search?"+v.Encode(), "", nil, &resp)
}

// Documents lists the server's documents.
func (c *Client) Documents(ctx context.Context, shas ...string) ([]evident.Document, error) {
	if len(shas) > 0 {
		// A body, not a query: a thousand hashes would not fit a URL.
		var out struct {
			Documents []evident.Document `json:"documents"`
		}
		return out.Documents, c.call(ctx, http.MethodPost, "/api/documents", "", documentsOf{SHA256: shas}, &out)
	}
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	return st.Documents, nil
}

// documentsOf is the body of POST /api/documents: the hashes of the
// documents wanted.
type documentsOf struct {
	SHA256 []string `json:"sha256"`
}

// Status lists the server's documents and says whether its disk is full.
func (c *Client) Status(ctx context.Context) (*api.Status, error) {
	var st api.Status
	return &st, c.call(ctx, http.MethodGet, "/api/status", "", nil, &st)
}

// Show fetches one document and its passages.
func (c *Client) Show(ctx context.Context, ref string) (*api.Shown, error) {
	var s api.Shown
	return &s, c.call(ctx, http.MethodGet, "/api/documents/"+url.PathEscape(ref), "", nil, &s)
}

// Passage fetches a passage with the passages around it.
func (c *Client) Passage(ctx context.Context, id string, around int) (*api.InContext, error) {
	var in api.InContext
	path := "/api/passages/" + url.PathEscape(id) + "?around=" + strconv.Itoa(around)
	return &in, c.call(ctx, http.MethodGet, path, "", nil, &in)
}

// Matrix fetches the evidence matrix: passages per role and category.
func (c *Client) Matrix(ctx context.Context) (*api.Matrix, error) {
	var m api.Matrix
	return &m, c.call(ctx, http.MethodGet, "/api/matrix", "", nil, &m)
}

// Categories fetches the categories of the server's rules.
func (c *Client) Categories(ctx context.Context) ([]string, error) {
	var out api.Categories
	err := c.call(ctx, http.MethodGet, "/api/categories", "", nil, &out)
	return out.Categories, err
}

// Reindex asks the server to rebuild its index from its store.
func (c *Client) Reindex(ctx context.Context) (int, error) {
	var out api.Reindexed
	err := c.call(ctx, http.MethodPost, "/api/reindex", "", nil, &out)
	return out.Passages, err
}

// Reclassify asks the server to reload its rules and apply them to every
// stored passage.
func (c *Client) Reclassify(ctx context.Context) (api.Reclassified, error) {
	var out api.Reclassified
	err := c.call(ctx, http.MethodPost, "/api/reclassify", "", nil, &out)
	return out, err
}

// Retry asks the server to run documents again (evident retry).
func (c *Client) Retry(ctx context.Context, refs []string, failed bool) (*api.Retried, error) {
	var out api.Retried
	err := c.call(ctx, http.MethodPost, "/api/retry", "", api.RetryRequest{Documents: refs, Failed: failed}, &out)
	return &out, err
}

// Ingest sends a file, with its sidecar when it has one, streaming the
// bytes rather than holding them in memory.
func (c *Client) Ingest(ctx context.Context, s api.Submission) (*api.Submitted, error) {
	f, err := os.Open(s.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var meta []byte
	if s.Meta.IsZero() {
		meta, err = os.ReadFile(s.Path + evident.SidecarSuffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	name := s.Name
	if name == "" {
		name = filepath.Base(s.Path)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			keep := ""
			if s.Keep {
				keep = "1"
			}
			for field, value := range map[string]string{"origin": s.Origin, "folder_role": s.FolderRole, "keep": keep} {
				if value != "" {
					if err := mw.WriteField(field, value); err != nil {
						return err
					}
				}
			}
			if meta != nil {
				part, err := mw.CreateFormFile("meta", filepath.Base(s.Path)+evident.SidecarSuffix)
				if err != nil {
					return err
				}
				if _, err := part.Write(meta); err != nil {
					return err
				}
			}
			part, err := mw.CreateFormFile("file", name)
			if err != nil {
				return err
			}
			if _, err := io.Copy(part, f); err != nil {
				return err
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	var out api.Submitted
	resp, err := c.send(ctx, http.MethodPost, "/api/ingest", mw.FormDataContentType(), "", pr)
	if err == nil {
		err = c.decode(resp, &out)
	}
	pr.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Path, err)
	}
	return &out, nil
}

// ImportQDA sends a REFI-QDA project to be imported, and waits for it.
func (c *Client) ImportQDA(ctx context.Context, data []byte, opts api.ImportOptions) (*api.ImportReport, error) {
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
	var rep api.ImportReport
	return &rep, c.raw(ctx, http.MethodPost, "/api/import?"+q.Encode(), opts.By, data, &rep)
}

func mapPath(name string) string { return "/api/maps/" + url.PathEscape(name) }

// ListMaps lists the server's maps.
func (c *Client) ListMaps(ctx context.Context) ([]maps.Summary, error) {
	var out api.MapList
	err := c.call(ctx, http.MethodGet, "/api/maps", "", nil, &out)
	return out.Maps, err
}

// CreateMap makes an empty map.
func (c *Client) CreateMap(ctx context.Context, info maps.Info, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.call(ctx, http.MethodPost, "/api/maps", by, info, &m)
}

// GetMap fetches a map with its quotes' statuses.
func (c *Client) GetMap(ctx context.Context, name string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.call(ctx, http.MethodGet, mapPath(name), "", nil, &m)
}

// EditMap changes a map's persona, goal or description.
func (c *Client) EditMap(ctx context.Context, name string, edit maps.Edit, by string) (*maps.Map, error) {
	var m maps.Map
	return &m, c.call(ctx, http.MethodPatch, mapPath(name), by, edit, &m)
}

// DeleteMap removes a map.
func (c *Client) DeleteMap(ctx context.Context, name, by string) error {
	return c.call(ctx, http.MethodDelete, mapPath(name), by, nil, nil)
}

// AttachQuote puts a passage in a cell of a map.
func (c *Client) AttachQuote(ctx context.Context, name string, a maps.Attachment, by string) (*maps.Quote, error) {
	var q maps.Quote
	return &q, c.call(ctx, http.MethodPost, mapPath(name)+"/quotes", by, a, &q)
}

// UpdateQuote changes a quote's note or place.
func (c *Client) UpdateQuote(ctx context.Context, name, id string, u maps.QuoteUpdate, by string) (*maps.Quote, error) {
	var q maps.Quote
	return &q, c.call(ctx, http.MethodPatch, mapPath(name)+"/quotes/"+url.PathEscape(id), by, u, &q)
}

// DetachQuote takes a quote off a map and returns it.
func (c *Client) DetachQuote(ctx context.Context, name, ref, by string) (*maps.Quote, error) {
	var q maps.Quote
	return &q, c.call(ctx, http.MethodDelete, mapPath(name)+"/quotes/"+url.PathEscape(ref), by, nil, &q)
}

// UndoMap undoes the last change to a map.
func (c *Client) UndoMap(ctx context.Context, name, by string) (*maps.Undone, error) {
	u := maps.Undone{Map: &maps.Map{}}
	return &u, c.call(ctx, http.MethodPost, mapPath(name)+"/undo", by, nil, &u)
}

// MapHistory lists the changes to a map, oldest first.
func (c *Client) MapHistory(ctx context.Context, name string) ([]maps.Change, error) {
	var h api.MapHistory
	err := c.call(ctx, http.MethodGet, mapPath(name)+"/history", "", nil, &h)
	return h.Changes, err
}

// SuggestQuotes asks for the strongest passages for each cell.
func (c *Client) SuggestQuotes(ctx context.Context, name string, perCell int) (*maps.Suggestions, error) {
	path := mapPath(name) + "/suggest"
	if perCell > 0 {
		path += "?per_cell=" + strconv.Itoa(perCell)
	}
	var s maps.Suggestions
	return &s, c.call(ctx, http.MethodGet, path, "", nil, &s)
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
	resp, err := c.send(ctx, http.MethodGet, mapPath(name)+"/export?"+q.Encode(), "", "", nil)
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
	var m maps.Map
	return &m, c.raw(ctx, http.MethodPost, path, by, data, &m)
}

// Tag sends a person's review of a passage's tags.
func (c *Client) Tag(ctx context.Context, id string, edit api.TagEdit, by string) (*api.Reviewed, error) {
	var out api.Reviewed
	return &out, c.call(ctx, http.MethodPost, "/api/passages/"+url.PathEscape(id)+"/tags", by, edit, &out)
}

// SetSpeaker sends what a person says of a speaker of a document.
func (c *Client) SetSpeaker(ctx context.Context, doc, name string, edit persona.Correction, by string) (*evident.Document, error) {
	var out evident.Document
	path := "/api/documents/" + url.PathEscape(doc) + "/speakers/" + url.PathEscape(name)
	return &out, c.call(ctx, http.MethodPost, path, by, edit, &out)
}

// Reviews fetches the review log: one passage's entries, or every entry
// when passageID is empty.
func (c *Client) Reviews(ctx context.Context, passageID string) ([]store.Review, error) {
	path := "/api/reviews"
	if passageID != "" {
		path += "?passage=" + url.QueryEscape(passageID)
	}
	var out api.ReviewLog
	err := c.call(ctx, http.MethodGet, path, "", nil, &out)
	return out.Reviews, err
}

// ReviewGold fetches the reviewed passages as labelled passages.
func (c *Client) ReviewGold(ctx context.Context) ([]classify.Gold, error) {
	resp, err := c.send(ctx, http.MethodGet, "/api/reviews/export", "", "", nil)
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

// call sends body (when not nil) as JSON and decodes the answer into out
// (when not nil).
func (c *Client) call(ctx context.Context, method, path, by string, body, out any) error {
	var rd io.Reader
	contentType := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd, contentType = bytes.NewReader(b), "application/json"
	}
	resp, err := c.send(ctx, method, path, contentType, by, rd)
	if err != nil {
		return err
	}
	return c.decode(resp, out)
}

// raw sends data as the body and decodes the JSON answer into out.
func (c *Client) raw(ctx context.Context, method, path, by string, data []byte, out any) error {
	resp, err := c.send(ctx, method, path, "application/json", by, bytes.NewReader(data))
	if err != nil {
		return err
	}
	return c.decode(resp, out)
}

// decode reads a successful answer's JSON into out, if any, and closes it.
func (c *Client) decode(resp *http.Response, out any) error {
	defer resp.Body.Close()
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return nil
}

// send sends one request with the token, if any, and who makes the
// change, if anyone. It returns a 2xx answer for the caller to read, and
// any other as the api.Error the server sent.
func (c *Client) send(ctx context.Context, method, path, contentType, by string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if by != "" {
		req.Header.Set(UserHeader, by)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	// A DELETE answers with what it took off (RFC 7240).
	req.Header.Set("Prefer", "return=representation")
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("the evident server at %s does not answer: %w", c.Base, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	var e api.Error
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) != nil || e.Message == "" {
		return nil, &api.Error{Kind: api.KindOfStatus(resp.StatusCode), Message: fmt.Sprintf("the evident server at %s answered %s", c.Base, resp.Status)}
	}
	if e.Kind == "" { // a server from before the kinds
		e.Kind = api.KindOfStatus(resp.StatusCode)
	}
	return nil, &e
}
