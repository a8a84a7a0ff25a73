package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/search"
)

// running is an engine whose Run goroutine a test controls.
type running struct {
	*Engine
	t      *testing.T
	opts   Options
	logs   *logRecorder
	cancel context.CancelFunc
	done   chan error
	closed bool
}

// start opens an engine on real components (embedded NATS JetStream, SQLite,
// Bleve, all under temporary folders) and runs it until the test ends.
// Zero fields of opts get test defaults: fresh Data and Inbox folders, a
// 50 ms settle time and one worker.
func start(t *testing.T, opts Options) *running {
	t.Helper()
	if opts.Data == "" {
		opts.Data = t.TempDir()
	}
	if opts.Inbox == "" {
		opts.Inbox = t.TempDir()
	}
	if opts.Settle == 0 {
		opts.Settle = 50 * time.Millisecond
	}
	if opts.Workers == 0 {
		opts.Workers = 1
	}
	logs := &logRecorder{}
	opts.Log = slog.New(logs)
	ctx, cancel := context.WithCancel(context.Background())
	e, err := Open(ctx, opts)
	if err != nil {
		cancel()
		t.Fatalf("Open: %v", err)
	}
	r := &running{Engine: e, t: t, opts: opts, logs: logs, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- e.Run(ctx) }()
	t.Cleanup(func() {
		if t.Failed() {
			logs.dump(t)
		}
		r.stop()
	})
	return r
}

// stop cancels Run, waits for it to return and closes the engine. It is
// safe to call more than once.
func (r *running) stop() {
	r.t.Helper()
	if r.closed {
		return
	}
	r.closed = true
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Errorf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		r.t.Errorf("Run did not return within 30s of being cancelled")
	}
	if err := r.Close(); err != nil {
		r.t.Errorf("Close: %v", err)
	}
}

// inbox returns the path of name inside the inbox.
func (r *running) inbox(name string) string {
	return filepath.Join(r.opts.Inbox, filepath.FromSlash(name))
}

// drop writes a file into the inbox (creating folders as needed).
func (r *running) drop(name, content string) string {
	r.t.Helper()
	p := r.inbox(name)
	writeFile(r.t, p, []byte(content))
	return p
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// docs lists the documents now.
func (r *running) docs() []evident.Document {
	r.t.Helper()
	ds, err := r.Documents(context.Background())
	if err != nil {
		r.t.Fatalf("Documents: %v", err)
	}
	return ds
}

// waitDocs polls the document list until cond holds, and fails the test
// with cond's last explanation after the deadline.
func (r *running) waitDocs(timeout time.Duration, cond func([]evident.Document) (bool, string)) []evident.Document {
	r.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ds := r.docs()
		ok, why := cond(ds)
		if ok {
			return ds
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %s: %s\ndocuments:\n%s", timeout, why, describe(ds))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitEnded waits until a document with each of the given origins
// (inbox-relative paths) exists and has ended, indexed or failed, and
// returns them by origin.
func (r *running) waitEnded(timeout time.Duration, rels ...string) map[string]evident.Document {
	r.t.Helper()
	out := map[string]evident.Document{}
	r.waitDocs(timeout, func(ds []evident.Document) (bool, string) {
		clear(out)
		for _, d := range ds {
			if d.State == evident.Indexed || d.State == evident.Failed {
				out[strings.TrimPrefix(d.Origin, "inbox/")] = d
			}
		}
		for _, rel := range rels {
			if _, ok := out[rel]; !ok {
				return false, fmt.Sprintf("%s has not ended", rel)
			}
		}
		return true, ""
	})
	return out
}

// waitIndexed is waitEnded that also requires every document indexed.
func (r *running) waitIndexed(timeout time.Duration, rels ...string) map[string]evident.Document {
	r.t.Helper()
	got := r.waitEnded(timeout, rels...)
	for _, rel := range rels {
		if d := got[rel]; d.State != evident.Indexed {
			r.t.Fatalf("%s ended %s (%s), want indexed", rel, d.State, d.Error)
		}
	}
	return got
}

func describe(ds []evident.Document) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "  %-28s %-10s passages=%d sha=%.12s title=%q role=%q err=%q\n", d.Origin, d.State, d.Passages, d.SHA256, d.Title, d.Role, d.Error)
	}
	return b.String()
}

// search runs a query and fails the test on error.
func (r *running) search(q string) *search.Response {
	r.t.Helper()
	resp, err := r.Search(context.Background(), search.Request{Query: q, Limit: 100})
	if err != nil {
		r.t.Fatalf("Search(%q): %v", q, err)
	}
	return resp
}

// hitIDs returns the sorted passage ids of a query's hits.
func (r *running) hitIDs(q string) []string {
	r.t.Helper()
	var ids []string
	for _, h := range r.search(q).Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

// indexCount is the number of passages in Bleve.
func (r *running) indexCount() int {
	r.t.Helper()
	var n uint64
	if err := r.Index(func(ix *index.Index) error {
		var err error
		n, err = ix.Count()
		return err
	}); err != nil {
		r.t.Fatalf("index count: %v", err)
	}
	return int(n)
}

// passageSum is the number of passages SQLite holds, counted row by row,
// and checked against each document's passage count.
func (r *running) passageSum() int {
	r.t.Helper()
	var rows, counted int
	if err := r.Store().DB().QueryRow(`SELECT COUNT(*) FROM passages`).Scan(&rows); err != nil {
		r.t.Fatal(err)
	}
	for _, d := range r.docs() {
		counted += d.Passages
	}
	if rows != counted {
		r.t.Fatalf("SQLite holds %d passage rows but the documents count %d", rows, counted)
	}
	return rows
}

// warnings returns a document's extraction warnings as `show` reports them.
func (r *running) warnings(sha string) string {
	r.t.Helper()
	s, err := r.Show(context.Background(), sha)
	if err != nil {
		r.t.Fatal(err)
	}
	return strings.Join(s.Document.Warnings, "\n")
}

// logRecorder is a slog handler that keeps every record for the test.
type logRecorder struct {
	mu    sync.Mutex
	lines []string
	attrs []slog.Attr
	root  *logRecorder
}

// Enabled leaves out the NATS server's protocol trace, below debug.
func (l *logRecorder) Enabled(_ context.Context, level slog.Level) bool {
	return level >= slog.LevelDebug
}

func (l *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", rec.Time.Format("15:04:05.000"), rec.Level, rec.Message)
	for _, a := range l.attrs {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
	}
	rec.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	root := l.rootOf()
	root.mu.Lock()
	root.lines = append(root.lines, b.String())
	root.mu.Unlock()
	return nil
}

func (l *logRecorder) WithAttrs(as []slog.Attr) slog.Handler {
	return &logRecorder{attrs: append(slices.Clone(l.attrs), as...), root: l.rootOf()}
}

func (l *logRecorder) WithGroup(string) slog.Handler { return l }

func (l *logRecorder) rootOf() *logRecorder {
	if l.root != nil {
		return l.root
	}
	return l
}

// count returns how many records contain every one of the given strings.
func (l *logRecorder) count(parts ...string) int {
	root := l.rootOf()
	root.mu.Lock()
	defer root.mu.Unlock()
	n := 0
next:
	for _, line := range root.lines {
		for _, p := range parts {
			if !strings.Contains(line, p) {
				continue next
			}
		}
		n++
	}
	return n
}

func (l *logRecorder) dump(t *testing.T) {
	root := l.rootOf()
	root.mu.Lock()
	defer root.mu.Unlock()
	max := 300
	if n, err := strconv.Atoi(os.Getenv("EVIDENT_TEST_LOG_LINES")); err == nil {
		max = n
	}
	lines := root.lines
	if len(lines) > max {
		t.Logf("engine log: %d lines, showing the last %d", len(lines), max)
		lines = lines[len(lines)-max:]
	}
	for _, line := range lines {
		t.Log(line)
	}
}

// humane checks that a reason shown to a person reads as prose rather than
// a Go error chain or a stack trace.
func humane(t *testing.T, what, reason string) {
	t.Helper()
	if strings.TrimSpace(reason) == "" {
		t.Errorf("%s: empty reason", what)
		return
	}
	for _, bad := range []string{"goroutine ", ".go:", "panic(", "runtime.", "context deadline exceeded", "context canceled", "%!"} {
		if strings.Contains(reason, bad) {
			t.Errorf("%s: reason %q contains %q", what, reason, bad)
		}
	}
}

// checkDocLines fails the test for every log line that names one of docs
// (by its file name or its hash prefix) without both its sha256 and its
// file as attributes. It returns how many lines named a document.
func (l *logRecorder) checkDocLines(t *testing.T, docs []evident.Document) int {
	t.Helper()
	root := l.rootOf()
	root.mu.Lock()
	defer root.mu.Unlock()
	n := 0
	for _, line := range root.lines {
		if strings.Contains(line, "component=nats") {
			continue
		}
		for _, d := range docs {
			short := d.SHA256[:12]
			if !strings.Contains(line, d.File) && !strings.Contains(line, short) {
				continue
			}
			n++
			if !strings.Contains(line, "sha256="+short) || !strings.Contains(line, "file="+d.File) {
				t.Errorf("a log line about %s lacks sha256=%s or file=%s:\n%s", d.File, short, d.File, line)
			}
		}
	}
	return n
}
