package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// newServer runs a real engine (embedded NATS, SQLite, Bleve in a temp
// folder) behind an httptest server on loopback.
func newServer(t *testing.T) (ts *httptest.Server, c *Client, uploads string) {
	t.Helper()
	return newServerWith(t, "")
}

// newServerWith is newServer with a token every request must carry.
func newServerWith(t *testing.T, token string) (ts *httptest.Server, c *Client, uploads string) {
	t.Helper()
	e, data := runEngine(t)
	uploads = filepath.Join(data, "uploads")
	ts = httptest.NewServer((&Server{Engine: e, Uploads: uploads, MaxUpload: 1 << 20, Token: token}).Handler())
	t.Cleanup(ts.Close)
	return ts, &Client{Base: ts.URL}, uploads
}

// runEngine runs a real engine in a temporary data folder until the test
// ends.
func runEngine(t *testing.T) (*engine.Engine, string) {
	t.Helper()
	data := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	e, err := engine.Open(ctx, engine.Options{Data: data, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { e.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		e.Close()
	})
	return e, data
}

// upload sends a file through the API and waits until it has ended.
func upload(t *testing.T, c *Client, name, text string) *evident.Document {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := c.Ingest(context.Background(), api.Submission{Path: path, Origin: path})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	docs, err := engine.Await(ctx, []string{res.Document.SHA256}, c.Documents, nil)
	if err != nil || len(docs) != 1 {
		t.Fatalf("waiting for %s: %v", name, err)
	}
	return &docs[0]
}

// A passage that carries markup shows as text: the page never runs it.
func TestPageEscapesPassages(t *testing.T) {
	ts, c, _ := newServer(t)
	doc := upload(t, c, "article.txt", "Great article <script>alert('owned')</script> about <b>budget</b> forecasts and planning.\n")
	if doc.State != evident.Indexed {
		t.Fatalf("%s: %s", doc.State, doc.Error)
	}
	for _, path := range []string{"/?q=budget", "/"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page := string(body)
		if strings.Contains(page, "<script>") || strings.Contains(page, "<b>budget") {
			t.Errorf("%s: markup from a passage reached the page unescaped", path)
		}
		if path != "/" && !strings.Contains(page, "&lt;script&gt;") {
			t.Errorf("%s: the passage text is missing from the page", path)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
	}
}

func TestGuards(t *testing.T) {
	ts, _, _ := newServer(t)
	tests := []struct {
		name, method, path string
		header             map[string]string
		want               int
	}{
		{"loopback host", "GET", "/api/health", nil, http.StatusOK},
		{"localhost host", "GET", "/api/health", map[string]string{"Host": "localhost:7474"}, http.StatusOK},
		{"DNS rebinding", "GET", "/api/status", map[string]string{"Host": "evil.example:7474"}, http.StatusForbidden},
		{"cross-origin upload", "POST", "/api/ingest", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"cross-origin reindex", "POST", "/api/reindex", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same-origin reindex", "POST", "/api/reindex", map[string]string{"Origin": ts.URL}, http.StatusOK},
		{"cross-origin tag", "POST", "/api/passages/b15e520f5400-1/tags", map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"cross-site tag", "POST", "/api/passages/b15e520f5400-1/tags", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cross-site tag form", "POST", "/passages/b15e520f5400-1/tags", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"tag without a body", "POST", "/api/passages/b15e520f5400-1/tags", nil, http.StatusBadRequest},
		{"bad limit", "GET", "/api/search?q=x&limit=lots", nil, http.StatusBadRequest},
		{"missing document", "GET", "/api/documents/nothing.txt", nil, http.StatusNotFound},
		{"upload without a form", "POST", "/api/ingest", nil, http.StatusBadRequest},
		{"wrong method", "GET", "/api/ingest", nil, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			for k, v := range tt.header {
				if k == "Host" {
					req.Host = v
				} else {
					req.Header.Set(k, v)
				}
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			if resp.StatusCode >= 400 && resp.StatusCode != http.StatusMethodNotAllowed && !strings.Contains(string(body), `"error"`) {
				t.Errorf("error body is not {\"error\": ...}: %s", body)
			}
		})
	}
}

// An uploaded file's name is a name, never a path: it cannot place bytes
// outside the uploads folder, and it is what the document is called.
func TestUploadNameIsNotAPath(t *testing.T) {
	_, c, uploads := newServer(t)
	src := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(src, []byte("We switched to rolling forecasts last year.\n"), 0o644)
	res, err := c.Ingest(context.Background(), api.Submission{Path: src, Name: "../../../../tmp/evil.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Document.File != "evil.txt" || res.Outcome != store.New {
		t.Errorf("document %q, outcome %s", res.Document.File, res.Outcome)
	}
	// Uploaded bytes live in the queue's object store; the temporary
	// copy is gone once the upload has been answered.
	if left, _ := filepath.Glob(filepath.Join(uploads, "*")); len(left) != 0 {
		t.Errorf("uploads left behind: %v", left)
	}
	// The same bytes again are the same document.
	again, err := c.Ingest(context.Background(), api.Submission{Path: src, Name: "notes.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if again.Document.SHA256 != res.Document.SHA256 {
		t.Errorf("same bytes became another document")
	}
}

func TestHighlight(t *testing.T) {
	tests := []struct {
		text  string
		spans [][2]int
		want  string
	}{
		{"budget cuts", [][2]int{{0, 6}}, "[budget] cuts"},
		{"budget cuts", nil, "budget cuts"},
		{"a b c", [][2]int{{0, 1}, {4, 5}}, "[a] b [c]"},
		{"short", [][2]int{{2, 99}}, "short"},              // out of range: ignored
		{"overlap", [][2]int{{0, 4}, {2, 6}}, "[over]lap"}, // overlapping: the second is ignored
	}
	for _, tt := range tests {
		var b strings.Builder
		for _, s := range highlight(tt.text, tt.spans) {
			if s.Mark {
				b.WriteString("[" + s.Text + "]")
			} else {
				b.WriteString(s.Text)
			}
		}
		if b.String() != tt.want {
			t.Errorf("highlight(%q, %v) = %q, want %q", tt.text, tt.spans, b.String(), tt.want)
		}
	}
}

// With --token, every request needs the token: as a bearer header, or as
// the cookie a browser gets by opening a link with ?token= once.
func TestToken(t *testing.T) {
	const token = "correct horse battery staple"
	ts, _, _ := newServerWith(t, token)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	tests := []struct {
		name, method, path string
		header             map[string]string
		want               int
		location           string // where a redirect sends the browser
		cookie             bool   // the answer sets the token cookie
	}{
		{"no token", "GET", "/api/health", nil, http.StatusUnauthorized, "", false},
		{"no token for a page", "GET", "/", nil, http.StatusUnauthorized, "", false},
		{"no token for a script", "GET", "/static/app.js", nil, http.StatusUnauthorized, "", false},
		{"bearer", "GET", "/api/health", map[string]string{"Authorization": "Bearer " + token}, http.StatusOK, "", false},
		{"wrong bearer", "GET", "/api/health", map[string]string{"Authorization": "Bearer nope"}, http.StatusUnauthorized, "", false},
		{"bearer of another scheme", "GET", "/api/health", map[string]string{"Authorization": "Basic " + token}, http.StatusUnauthorized, "", false},
		{"link with the token", "GET", "/?q=budget&token=" + url.QueryEscape(token), nil, http.StatusSeeOther, "/?q=budget", true},
		{"link with a wrong token", "GET", "/?token=nope", nil, http.StatusUnauthorized, "", false},
		{"link with the token after a doubled slash", "GET", "//evil.example/x?token=" + url.QueryEscape(token), nil, http.StatusSeeOther, "/evil.example/x", true},
		{"link with the token after a backslash", "GET", "/%5Cevil.example/x?token=" + url.QueryEscape(token), nil, http.StatusSeeOther, "/%5Cevil.example/x", true},
		{"cookie", "GET", "/", map[string]string{"Cookie": tokenCookie + "=" + cookieValue(token)}, http.StatusOK, "", false},
		{"wrong cookie", "GET", "/", map[string]string{"Cookie": tokenCookie + "=nope"}, http.StatusUnauthorized, "", false},
		{"post with the cookie", "POST", "/api/reindex", map[string]string{"Cookie": tokenCookie + "=" + cookieValue(token), "Origin": ts.URL}, http.StatusOK, "", false},
		{"token in a post's query", "POST", "/api/reindex?token=" + url.QueryEscape(token), nil, http.StatusUnauthorized, "", false},
		{"tag without the token", "POST", "/api/passages/b15e520f5400-1/tags", map[string]string{"Origin": ts.URL}, http.StatusUnauthorized, "", false},
		{"review export without the token", "GET", "/api/reviews/export", nil, http.StatusUnauthorized, "", false},
		{"cross-site post with the cookie", "POST", "/api/reindex", map[string]string{"Cookie": tokenCookie + "=" + cookieValue(token), "Origin": "http://evil.example"}, http.StatusForbidden, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := noRedirect.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.want, body)
			}
			if loc := resp.Header.Get("Location"); loc != tt.location {
				t.Errorf("Location %q, want %q", loc, tt.location)
			}
			var set *http.Cookie
			for _, c := range resp.Cookies() {
				if c.Name == tokenCookie {
					set = c
				}
			}
			if tt.cookie != (set != nil) {
				t.Fatalf("cookie set: %v, want %v", set != nil, tt.cookie)
			}
			if set != nil && (set.Value != cookieValue(token) || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode || set.Path != "/") {
				t.Errorf("cookie %+v: want the token's hash, HttpOnly, SameSite=Strict, Path=/", set)
			}
			if resp.StatusCode == http.StatusUnauthorized && (strings.Contains(string(body), token) || !strings.Contains(string(body), "token")) {
				t.Errorf("refusal %q: it must say a token is needed, and never show it", body)
			}
		})
	}
}

func TestCheckExposure(t *testing.T) {
	tests := []struct {
		addr  net.Addr
		token string
		ok    bool
	}{
		{&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7474}, "", true},
		{&net.TCPAddr{IP: net.IPv6loopback, Port: 7474}, "", true},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 7474}, "", false},
		{&net.TCPAddr{IP: net.IPv6unspecified, Port: 7474}, "", false},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 7474}, "", false},
		{&net.TCPAddr{IP: net.IPv4zero, Port: 7474}, "s3cret", true},
		{&net.TCPAddr{IP: net.IPv4(192, 168, 1, 20), Port: 7474}, "s3cret", true},
	}
	for _, tt := range tests {
		err := CheckExposure(tt.addr, tt.token)
		if (err == nil) != tt.ok {
			t.Errorf("CheckExposure(%s, %q) = %v, want ok=%v", tt.addr, tt.token, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--token") {
			t.Errorf("the refusal %q does not say what to do", err)
		}
	}
}

// withoutToken sends the browser to a path on this server, whatever the
// request's path looks like.
func TestWithoutToken(t *testing.T) {
	for _, tt := range []struct{ target, want string }{
		{"/?q=budget&token=s", "/?q=budget"},
		{"/?token=s", "/"},
		{"/maps/cfo%20map?token=s", "/maps/cfo%20map"},
		{"/maps/?token=s", "/maps/"},
		{"//evil.example/x?token=s", "/evil.example/x"},
		{"///evil.example/x?token=s", "/evil.example/x"},
		{"/\\evil.example/x?token=s", "/%5Cevil.example/x"},
		{"/%5Cevil.example?token=s", "/%5Cevil.example"},
		{"/%2F%2Fevil.example?token=s", "/%2F%2Fevil.example"},
		{"/./../evil.example?token=s", "/evil.example"},
	} {
		u, err := url.ParseRequestURI(tt.target)
		if err != nil {
			t.Fatalf("%s: %v", tt.target, err)
		}
		got := withoutToken(u)
		if got != tt.want {
			t.Errorf("withoutToken(%q) = %q, want %q", tt.target, got, tt.want)
		}
		if len(got) > 1 && (got[1] == '/' || got[1] == '\\') {
			t.Errorf("withoutToken(%q) = %q: a browser reads that as another host", tt.target, got)
		}
	}
}

// POST /api/ingest keeps one file per request; a second file part is
// refused, and no temporary file stays behind on any way out.
func TestIngestLeavesNoTemporaryFiles(t *testing.T) {
	ts, _, uploads := newServer(t)
	type part struct{ field, file, body string }
	for _, tt := range []struct {
		name  string
		parts []part
		code  int
		want  string
	}{
		{"two files", []part{{"file", "a1.txt", "first"}, {"file", "a2.txt", "second"}}, http.StatusBadRequest, "per request; send each file"},
		{"a file and a bad sidecar", []part{{"file", "a1.txt", "first"}, {"meta", "", "title: [unclosed"}}, http.StatusBadRequest, "sidecar"},
		{"a file too large", []part{{"file", "big.txt", strings.Repeat("x", 2<<20+1)}}, http.StatusRequestEntityTooLarge, "upload big.txt"},
		{"a file without a name", []part{{"file", "a1.txt", "first"}, {"file", "", "x"}}, http.StatusBadRequest, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for _, p := range tt.parts {
				var w io.Writer
				if p.file != "" || p.field == "file" {
					w, _ = mw.CreateFormFile(p.field, p.file)
				} else {
					w, _ = mw.CreateFormField(p.field)
				}
				io.WriteString(w, p.body)
			}
			mw.Close()
			req, _ := http.NewRequest("POST", ts.URL+"/api/ingest", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.code || !strings.Contains(string(msg), tt.want) {
				t.Errorf("status %d: %s, want %d saying %q", resp.StatusCode, msg, tt.code, tt.want)
			}
			if left, _ := filepath.Glob(filepath.Join(uploads, "*")); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
	// Uploads wait there while they are hashed: the folder is private.
	if info, err := os.Stat(uploads); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("%s: %v %v, want mode 0700", uploads, info.Mode(), err)
	}
}

func TestUploadOrigin(t *testing.T) {
	tests := []struct{ origin, want string }{
		{"", "upload:notes.txt"},
		{"upload:notes.txt", "upload:notes.txt"},
		{"/home/ana/research/notes.txt", "/home/ana/research/notes.txt"},
		{"inbox/notes.txt", "upload:inbox/notes.txt"},
		{"inbox/cfo/notes.txt", "upload:inbox/cfo/notes.txt"},
		{"./inbox/notes.txt", "upload:./inbox/notes.txt"},
		{"/home/ana/../../inbox/notes.txt", "upload:/home/ana/../../inbox/notes.txt"},
		{"notes.txt", "upload:notes.txt"},
	}
	for _, tt := range tests {
		if got := UploadOrigin(tt.origin, "notes.txt"); got != tt.want {
			t.Errorf("UploadOrigin(%q) = %q, want %q", tt.origin, got, tt.want)
		}
	}
}

// An upload that names an inbox file's origin becomes a document of its
// own: the inbox file's document keeps its bytes and passages.
func TestUploadCannotReplaceAnInboxFile(t *testing.T) {
	e, _ := runEngine(t)
	ts := httptest.NewServer((&Server{Engine: e, Uploads: t.TempDir(), MaxUpload: 1 << 20}).Handler())
	t.Cleanup(ts.Close)
	c := &Client{Base: ts.URL}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(path, []byte("The finance director keeps the okapi budget in a spreadsheet.\n"), 0o644)
	inbox, err := e.Ingest(ctx, api.Submission{Path: path, Origin: "inbox/notes.txt"})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte("Replaced by an upload: nothing about budgets any more.\n"), 0o644)
	res, err := c.Ingest(ctx, api.Submission{Path: path, Origin: "inbox/notes.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Document.Origin != "upload:inbox/notes.txt" || res.Outcome != store.New {
		t.Errorf("the upload became %q (%s), want a new document at upload:inbox/notes.txt", res.Document.Origin, res.Outcome)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	docs, err := engine.Await(wctx, []string{inbox.Document.SHA256, res.Document.SHA256}, c.Documents, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if d.SHA256 == inbox.Document.SHA256 && (d.Origin != "inbox/notes.txt" || d.State != evident.Indexed) {
			t.Errorf("the inbox file's document: origin %q, %s (%s)", d.Origin, d.State, d.Error)
		}
	}
	if hits, err := c.Search(ctx, search.Request{Query: "okapi"}); err != nil || len(hits.Hits) != 1 {
		t.Errorf("the inbox file's passage is gone: %v %v", hits, err)
	}
}
