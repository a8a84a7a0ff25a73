package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"

	"github.com/evident/evident"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/search"
)

// Client calls the API of a running server: the command line uses it when
// a server holds the data folder.
type Client struct {
	Base  string // http://127.0.0.1:7474
	Token string // the server's --token, when it has one
	HTTP  *http.Client
}

// send sends a request with the token, if any.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	return hc.Do(req)
}

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
	return &resp, c.get(ctx, "/api/search?"+v.Encode(), &resp)
}

// Documents lists the server's documents.
func (c *Client) Documents(ctx context.Context) ([]evident.Document, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	return st.Documents, nil
}

// Status lists the server's documents and says whether its disk is full.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var st Status
	return &st, c.get(ctx, "/api/status", &st)
}

// Matrix fetches the evidence matrix: passages per role and category.
func (c *Client) Matrix(ctx context.Context) (*engine.Matrix, error) {
	var m engine.Matrix
	return &m, c.get(ctx, "/api/matrix", &m)
}

// Show fetches one document and its passages.
func (c *Client) Show(ctx context.Context, ref string) (*engine.Shown, error) {
	var s engine.Shown
	return &s, c.get(ctx, "/api/documents/"+url.PathEscape(ref), &s)
}

// Reindex asks the server to rebuild its index from its store.
func (c *Client) Reindex(ctx context.Context) (int, error) {
	var out struct{ Passages int }
	err := c.do(ctx, http.MethodPost, "/api/reindex", "", nil, &out)
	return out.Passages, err
}

// Reclassify asks the server to reload its rules and apply them to every
// stored passage.
func (c *Client) Reclassify(ctx context.Context) (engine.Reclassified, error) {
	var out engine.Reclassified
	err := c.do(ctx, http.MethodPost, "/api/reclassify", "", nil, &out)
	return out, err
}

// Retry asks the server to run documents again (evident retry).
func (c *Client) Retry(ctx context.Context, refs []string, failed bool) (*engine.Retried, error) {
	body, err := json.Marshal(RetryRequest{Documents: refs, Failed: failed})
	if err != nil {
		return nil, err
	}
	var out engine.Retried
	err = c.do(ctx, http.MethodPost, "/api/retry", "application/json", bytes.NewReader(body), &out)
	return &out, err
}

// Upload sends a file, with its sidecar when it has one, streaming the
// bytes rather than holding them in memory.
func (c *Client) Upload(ctx context.Context, src engine.Source) (*Ingested, error) {
	f, err := os.Open(src.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var meta []byte
	if src.Meta.IsZero() {
		meta, err = os.ReadFile(src.Path + evident.SidecarSuffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	name := src.Name
	if name == "" {
		name = filepath.Base(src.Path)
	}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			for field, value := range map[string]string{"origin": src.Origin, "folder_role": src.FolderRole} {
				if value != "" {
					if err := mw.WriteField(field, value); err != nil {
						return err
					}
				}
			}
			if meta != nil {
				part, err := mw.CreateFormFile("meta", filepath.Base(src.Path)+evident.SidecarSuffix)
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
	var out Ingested
	err = c.do(ctx, http.MethodPost, "/api/ingest", mw.FormDataContentType(), pr, &out)
	pr.Close()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.Path, err)
	}
	return &out, nil
}

func (c *Client) get(ctx context.Context, path string, out any) error {
	return c.do(ctx, http.MethodGet, path, "", nil, out)
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.send(req)
	if err != nil {
		return fmt.Errorf("the evident server at %s does not answer: %w", c.Base, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e apiError
		if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&e) == nil && e.Error != "" {
			if resp.StatusCode == http.StatusNotFound {
				return engine.NotFound(e.Error)
			}
			return errors.New(e.Error)
		}
		return fmt.Errorf("the evident server at %s answered %s", c.Base, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("reading the answer of %s: %w", c.Base, err)
	}
	return nil
}
