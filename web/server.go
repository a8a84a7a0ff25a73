// Package web serves an open data folder over HTTP: a JSON API under
// /api/ that the command line uses when a server holds the folder, and a
// page at / for people. It binds to loopback unless told otherwise, and
// refuses requests that a web page on another origin could forge.
package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/netutil"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/search"
)

// Engine is what the server needs of an open data folder: the Service
// that the API routes and the pages call, and the figures of the
// operations endpoints (web/ops.go).
type Engine interface {
	api.Service
	Ready(ctx context.Context) error
	Metrics(ctx context.Context) (*engine.Metrics, error)
}

// Server is the HTTP front of an engine.
type Server struct {
	Engine Engine
	// Uploads is a folder for uploaded files while they are hashed and
	// queued; they are deleted once their bytes are in the queue.
	Uploads string
	// MaxUpload bounds an upload's size in bytes.
	MaxUpload int64
	Log       *slog.Logger
	// Token, when set, is required of every request (see authorized).
	Token string

	// Limits of Serve; zero takes DefaultReadTimeout and the others.
	// ReadTimeout bounds reading a request; an upload may take longer as
	// long as no ReadTimeout passes without a byte arriving.
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from its headers to the end of its
	// answer; uploads, reindex and reclassify are exempt.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection left idle this long.
	IdleTimeout time.Duration
	// MaxConns bounds the connections open at once, idle ones included,
	// so that a flood of them cannot use up the process's file
	// descriptors: the next waits for one to close.
	MaxConns int
}

// The defaults of Server's limits.
const (
	DefaultReadTimeout  = time.Minute
	DefaultWriteTimeout = 2 * time.Minute
	DefaultIdleTimeout  = 2 * time.Minute
	DefaultMaxConns     = 512
	// maxHeaderBytes bounds a request's headers: a token and a cookie
	// need a few hundred bytes.
	maxHeaderBytes = 64 << 10
)

func orDefault[T time.Duration | int](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// longBody lets a request whose body is an upload take as long as bytes
// keep arriving: each read moves the read deadline ReadTimeout on, and
// the write deadline WriteTimeout past that.
func (s *Server) longBody(w http.ResponseWriter, r *http.Request) {
	r.Body = &deadlineReader{ReadCloser: r.Body, rc: http.NewResponseController(w),
		idle: orDefault(s.ReadTimeout, DefaultReadTimeout), write: orDefault(s.WriteTimeout, DefaultWriteTimeout)}
}

// noWriteDeadline lifts the write deadline of a request that may work for
// long before it answers (reindex, reclassify).
func noWriteDeadline(w http.ResponseWriter) {
	// Fails only where w is not a connection (a page calling the API in
	// process), which has no deadline to lift.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
}

type deadlineReader struct {
	io.ReadCloser
	rc          *http.ResponseController
	idle, write time.Duration
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	now := time.Now()
	// Errors mean w is not a connection: there are no deadlines to move.
	_ = d.rc.SetReadDeadline(now.Add(d.idle))
	_ = d.rc.SetWriteDeadline(now.Add(d.idle + d.write))
	return d.ReadCloser.Read(p)
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /api/search", s.search)
	mux.HandleFunc("GET /api/status", s.status)
	mux.HandleFunc("GET /api/matrix", s.matrix)
	mux.HandleFunc("GET /api/categories", s.categories)
	mux.HandleFunc("GET /api/passages/{id}", s.passage)
	mux.HandleFunc("GET /api/documents/{ref...}", s.show)
	mux.HandleFunc("POST /api/documents", s.documents)
	mux.HandleFunc("POST /api/ingest", s.ingest)
	mux.HandleFunc("POST /api/reindex", s.reindex)
	mux.HandleFunc("POST /api/reclassify", s.reclassify)
	mux.HandleFunc("POST /api/retry", s.retry)
	s.routeMaps(mux)
	s.routeReviews(mux)
	s.routeImports(mux)
	s.routeOps(mux)
	s.routePages(mux)
	return guard(mux, s.Token)
}

// guard refuses requests a hostile page could make the browser send: any
// non-GET request that carries another origin, and (against DNS
// rebinding) any request whose Host is not a loopback name when the
// server listens on loopback. With a token it also refuses every request
// that does not carry it, except the operations endpoints (/healthz,
// /readyz, /metrics) asked from this machine over loopback.
func guard(next http.Handler, token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local := isLoopback(r.Context())
		if local && !loopbackHost(r.Host) {
			writeError(w, api.Errorf(api.Forbidden, "host %q is not this machine", r.Host))
			return
		}
		ops := opsPath(r.URL.Path) && (r.Method == http.MethodGet || r.Method == http.MethodHead) && fromThisMachine(r.Context(), r.RemoteAddr)
		if token != "" && !ops && !authorized(w, r, token) {
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// Browsers say where a request comes from even when they
			// send no Origin; a form on another site is refused.
			if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
				writeError(w, api.Errorf(api.Forbidden, "requests from other sites are not accepted"))
				return
			}
			if o := r.Header.Get("Origin"); o != "" && !sameOrigin(o, r.Host) {
				writeError(w, api.Errorf(api.Forbidden, "requests from %s are not accepted", o))
				return
			}
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// tokenCookie carries the token in a browser after a visit to /?token=...
const tokenCookie = "evident_token"

// authorized checks the server's token: an "Authorization: Bearer" header,
// or the cookie set when a person opens a link with ?token=. When the
// token is missing or wrong it answers the request itself.
func authorized(w http.ResponseWriter, r *http.Request, token string) bool {
	if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && sameToken(strings.TrimSpace(t), token) {
		return true
	}
	if t := r.URL.Query().Get("token"); t != "" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		if !sameToken(t, token) {
			writeError(w, api.Errorf(api.Unauthorized, "the token in this link is not this server's token"))
			return false
		}
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: cookieValue(token), Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
		// Send the browser on without the token, so that it stays out of
		// the address bar, the history and the Referer header.
		http.Redirect(w, r, withoutToken(r.URL), http.StatusSeeOther)
		return false
	}
	if c, err := r.Cookie(tokenCookie); err == nil && sameToken(c.Value, cookieValue(token)) {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Bearer realm="evident"`)
	writeError(w, api.Errorf(api.Unauthorized, "this server needs its token: open the link with ?token= that whoever started it gave you, or send the header Authorization: Bearer TOKEN"))
	return false
}

// withoutToken is the local address of a request without its token: the
// path cleaned so that it starts with exactly one "/" (a request for
// "//evil.example/x" must not send the browser to evil.example), with
// the rest of the query.
func withoutToken(u *url.URL) string {
	p := u.EscapedPath() // a backslash comes out as %5C, never as "/\"
	trailing := strings.HasSuffix(p, "/")
	p = path.Clean("/" + p)
	if trailing && p != "/" {
		p += "/"
	}
	if strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		p = "/" // cannot happen after Clean and escaping; never risk it
	}
	q := u.Query()
	q.Del("token")
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	return p
}

// cookieValue is what the cookie holds: a hash of the token, which any
// token's characters fit in and which does not show the token itself.
func cookieValue(token string) string {
	sum := sha256.Sum256([]byte("evident cookie\x00" + token))
	return hex.EncodeToString(sum[:])
}

func sameToken(got, want string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// CheckExposure refuses an address beyond this machine when there is no
// token: anyone who reaches it could read every document and change maps.
func CheckExposure(addr net.Addr, token string) error {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() || token != "" {
		return nil
	}
	return fmt.Errorf("%s can be reached from other machines; give --token SECRET (or set EVIDENT_TOKEN) so that only people with the secret get in, or listen on 127.0.0.1", addr)
}

func isLoopback(ctx context.Context) bool {
	addr, ok := ctx.Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	host, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func sameOrigin(origin, host string) bool {
	rest, ok := strings.CutPrefix(origin, "http://")
	if !ok {
		rest, ok = strings.CutPrefix(origin, "https://")
	}
	return ok && strings.EqualFold(rest, host)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	req, err := searchRequest(r)
	if err != nil {
		writeError(w, api.WithKind(api.Invalid, err))
		return
	}
	resp, err := s.Engine.Search(r.Context(), req)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

func searchRequest(r *http.Request) (search.Request, error) {
	q := r.URL.Query()
	req := search.Request{Query: q.Get("q")}
	for name, dst := range map[string]*int{"limit": &req.Limit, "offset": &req.Offset} {
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return req, fmt.Errorf("%s=%q is not a whole number", name, v)
			}
			*dst = n
		}
	}
	req.Limit = min(req.Limit, 1000)
	switch strings.ToLower(q.Get("interviewer")) {
	case "", "0", "false", "no":
	default:
		req.Interviewer = true
	}
	// Facets are counted only when asked (facets=1): they are most of a
	// search's time, and a list of hits needs none.
	switch strings.ToLower(q.Get("facets")) {
	case "1", "true", "yes":
	default:
		req.NoFacets = true
	}
	return req, nil
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Status(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// documents answers the documents of the hashes in the body: what a
// client waiting for its submissions polls.
func (s *Server) documents(w http.ResponseWriter, r *http.Request) {
	var req documentsOf
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || len(req.SHA256) == 0 {
		writeError(w, api.Errorf(api.Invalid, "the body must be {\"sha256\": [hashes]}"))
		return
	}
	docs, err := s.Engine.Documents(r.Context(), req.SHA256...)
	if err != nil {
		writeError(w, err)
		return
	}
	if docs == nil {
		docs = []evident.Document{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"documents": docs})
}

func (s *Server) matrix(w http.ResponseWriter, r *http.Request) {
	m, err := s.Engine.Matrix(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) show(w http.ResponseWriter, r *http.Request) {
	shown, err := s.Engine.Show(r.Context(), r.PathValue("ref"))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, shown)
}

// passage answers a passage in its document: ?around= passages either
// side (default 5), as the in-context page shows it.
func (s *Server) passage(w http.ResponseWriter, r *http.Request) {
	around, err := aroundOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	in, err := s.Engine.Passage(r.Context(), r.PathValue("id"), around)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, in)
}

func (s *Server) categories(w http.ResponseWriter, r *http.Request) {
	cats, err := s.Engine.Categories(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, api.Categories{Categories: cats})
}

// ingest takes a multipart form: "file" (the bytes, required, one per
// request, streamed to disk; removed on every way out), "meta" (sidecar
// YAML, optional) and "origin" (the path the file had on the client,
// optional; it identifies the source across re-sends, within the origins
// an upload may take: see UploadOrigin), "folder_role" and "keep" (true
// keeps the file's bytes in the queue's store once it is indexed).
func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	s.longBody(w, r)
	if s.MaxUpload > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, s.MaxUpload+1<<20)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, api.Errorf(api.Invalid, "upload: %w (send a multipart form with a \"file\" field)", err))
		return
	}
	var src api.Submission
	var tmp string
	defer func() {
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, api.Errorf(api.Invalid, "upload: %w", err))
			return
		}
		switch part.FormName() {
		case "file":
			if src.Path != "" {
				// Only one file is kept per request; a second one would
				// be stored and then lost, its temporary copy left behind.
				writeError(w, api.Errorf(api.Invalid, `upload: one "file" per request; send each file in a request of its own`))
				return
			}
			name := filepath.Base(filepath.Clean("/" + part.FileName()))
			if name == "/" || name == "." {
				writeError(w, api.Errorf(api.Invalid, "upload: the file part has no file name"))
				return
			}
			if tmp, err = s.save(part); err != nil {
				writeError(w, api.Errorf(api.TooLarge, "upload %s: %w", name, err))
				return
			}
			src.Path, src.Name = tmp, name
		case "meta":
			b, err := io.ReadAll(io.LimitReader(part, 1<<20))
			if err != nil {
				writeError(w, api.Errorf(api.Invalid, "upload: meta: %w", err))
				return
			}
			if src.Meta, err = evident.ParseMeta(b); err != nil {
				writeError(w, api.Errorf(api.Invalid, "upload: sidecar: %w", err))
				return
			}
		case "origin":
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			src.Origin = strings.TrimSpace(string(b))
		case "folder_role":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			src.FolderRole = strings.TrimSpace(string(b))
		case "keep":
			b, _ := io.ReadAll(io.LimitReader(part, 16))
			src.Keep, _ = strconv.ParseBool(strings.TrimSpace(string(b)))
		}
	}
	if src.Path == "" {
		writeError(w, api.Errorf(api.Invalid, `upload: no "file" field`))
		return
	}
	src.Origin = UploadOrigin(src.Origin, src.Name)
	sub, err := s.Engine.Ingest(r.Context(), src)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, sub)
}

// UploadOrigin is the origin an upload is recorded under. An upload
// creates or replaces only an upload's origin, never an inbox file's:
// "upload:NAME" when it names none, an origin already under "upload:"
// as it is, the clean absolute path that `evident ingest` sends for a
// file on its own machine as it is (the same origin the command gives a
// file when it works without a server), and anything else under
// "upload:" ("inbox/notes.txt" becomes "upload:inbox/notes.txt").
func UploadOrigin(origin, name string) string {
	switch {
	case origin == "":
		return "upload:" + name
	case strings.HasPrefix(origin, "upload:"):
		return origin
	case filepath.IsAbs(origin) && filepath.Clean(origin) == origin:
		return origin
	}
	return "upload:" + origin
}

func (s *Server) save(r io.Reader) (string, error) {
	if err := os.MkdirAll(s.Uploads, 0o700); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(s.Uploads, "upload-*")
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func (s *Server) reindex(w http.ResponseWriter, r *http.Request) {
	noWriteDeadline(w)
	n, err := s.Engine.Reindex(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, api.Reindexed{Passages: n})
}

// reclassify reloads the rules file and applies it to every passage. Rules
// that do not compile are refused (422) and the rules in force stay.
func (s *Server) reclassify(w http.ResponseWriter, r *http.Request) {
	noWriteDeadline(w)
	res, err := s.Engine.Reclassify(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// retry runs documents again (evident retry).
func (s *Server) retry(w http.ResponseWriter, r *http.Request) {
	var req api.RetryRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, api.Errorf(api.Invalid, "retry: %w (send {\"documents\": [...], \"failed\": true})", err))
		return
	}
	res, err := s.Engine.Retry(r.Context(), req.Documents, req.Failed)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// writeError answers a failed call with the body every failure has,
// {"error": message, "kind": kind}, and the status of its kind.
func writeError(w http.ResponseWriter, err error) {
	e := api.AsError(err)
	writeJSON(w, e.Kind.HTTPStatus(), e)
}

// Serve runs the server on ln until ctx ends, then stops accepting and
// waits up to five seconds for requests in flight. It bounds how long a
// request may take to arrive and to be answered, how long a connection
// may stay idle, the size of headers and the connections open at once
// (see Server's fields).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	read := orDefault(s.ReadTimeout, DefaultReadTimeout)
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: min(10*time.Second, read),
		ReadTimeout:       read,
		WriteTimeout:      orDefault(s.WriteTimeout, DefaultWriteTimeout),
		IdleTimeout:       orDefault(s.IdleTimeout, DefaultIdleTimeout),
		MaxHeaderBytes:    maxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	ln = netutil.LimitListener(ln, orDefault(s.MaxConns, DefaultMaxConns))
	if s.Log != nil {
		hs.ErrorLog = slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)
	}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return hs.Shutdown(stop)
}
