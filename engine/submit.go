package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
	"github.com/evident/evident/watch"
)

// Source is a file to submit.
type Source struct {
	Path       string       // where to read the bytes
	Origin     string       // identity of the source: inbox-relative path, absolute path, upload:name
	Name       string       // file name shown to people
	Meta       evident.Meta // what the user said (sidecar or upload form); read from Path's sidecar when zero
	FolderRole string
	// Root, when set, is the folder Path was found in (the inbox): the
	// file and its sidecar are read only if they lie inside it when they
	// are opened (see openSource).
	Root string
}

// Submitted says what became of a submission.
type Submitted struct {
	Document *evident.Document
	Outcome  store.Outcome
}

// Submit hashes a file, records it and queues a job for it, unless the same
// bytes with the same metadata are already a document. Files that cannot
// be processed at all (empty, too big, unreadable sidecar) are recorded as
// failed at once, with the reason.
func (e *Engine) Submit(ctx context.Context, src Source) (*Submitted, error) {
	if err := e.Connect(ctx); err != nil {
		return nil, err
	}
	if src.Name == "" {
		src.Name = filepath.Base(src.Path)
	}
	if src.Origin == "" {
		abs, err := filepath.Abs(src.Path)
		if err != nil {
			return nil, err
		}
		src.Origin = abs
	}
	if src.Root != "" {
		root, err := realDir(src.Root)
		if err != nil {
			return nil, err
		}
		src.Root = root
	}
	f, info, err := openSource(src.Path, src.Root)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var problem string
	if src.Meta.IsZero() {
		meta, err := readSidecar(src.Path, src.Root)
		if err != nil {
			problem = err.Error()
		}
		src.Meta = meta
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("%s: reading: %w", src.Path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	switch {
	case info.Size() == 0:
		problem = "the file is empty"
	case info.Size() > e.opts.MaxSize:
		problem = fmt.Sprintf("the file is %s, over the %s limit", humanSize(info.Size()), humanSize(e.opts.MaxSize))
	}
	sub := store.Submission{Origin: src.Origin, File: src.Name, SHA256: sum, Size: info.Size(), Meta: src.Meta, FolderRole: src.FolderRole}
	res, err := e.record(ctx, sub, f, problem)
	if err != nil {
		return nil, &hashedError{sha: sum, err: err}
	}
	return res, nil
}

// record registers a hashed file and, unless it is a duplicate or has a
// problem, stores its bytes and queues its job.
func (e *Engine) record(ctx context.Context, sub store.Submission, f *os.File, problem string) (*Submitted, error) {
	sum := sub.SHA256
	outcome, doc, err := e.store.Register(ctx, sub)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	if outcome == store.Duplicate {
		return &Submitted{Document: doc, Outcome: outcome}, nil
	}
	if problem != "" {
		if err := e.fail(ctx, sum, problem); err != nil {
			return nil, err
		}
		e.log.Info("failed", "sha256", short(sum), "file", sub.File, "origin", sub.Origin, "reason", problem)
		doc, err = e.store.DocumentBySHA(ctx, sum)
		return &Submitted{Document: doc, Outcome: outcome}, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := e.queue.PutFile(ctx, sum, sub.File, f); err != nil {
		return nil, err
	}
	if err := e.queue.Publish(ctx, jobOf(sub)); err != nil {
		return nil, err
	}
	e.log.Info("queued", "sha256", short(sum), "file", sub.File, "origin", sub.Origin, "outcome", outcome)
	return &Submitted{Document: doc, Outcome: outcome}, nil
}

// hashedError is a submission that failed after its file was hashed: the
// log can name the document by its hash.
type hashedError struct {
	sha string
	err error
}

func (h *hashedError) Error() string { return h.err.Error() }
func (h *hashedError) Unwrap() error { return h.err }

// hashOf returns the hash an error of Submit carries, or "".
func hashOf(err error) string {
	var h *hashedError
	if errors.As(err, &h) {
		return h.sha
	}
	return ""
}

// short is the first 12 hex digits of a hash, which is how log lines name a
// document (and what `evident show` takes).
func short(sha string) string { return sha[:min(len(sha), 12)] }

// fail records a document as failed and drops its passages from the index.
func (e *Engine) fail(ctx context.Context, sha, reason string) error {
	ids, err := e.store.Fail(ctx, sha, reason)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.idx.Apply(ctx, ids, nil)
}

// realDir returns a folder's absolute path with its symlinks resolved.
func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	return real, nil
}

// readSidecar reads a file's sidecar, if it has one, with the checks of
// openSource: a sidecar that is a named pipe must not stall the inbox.
func readSidecar(path, root string) (evident.Meta, error) {
	name := filepath.Base(path) + evident.SidecarSuffix
	if _, err := os.Lstat(path + evident.SidecarSuffix); errors.Is(err, os.ErrNotExist) {
		return evident.Meta{}, nil
	}
	f, _, err := openSource(path+evident.SidecarSuffix, root)
	var ref *refusal
	if errors.As(err, &ref) {
		return evident.Meta{}, &refusal{"sidecar " + name, ref.why}
	}
	if err != nil {
		return evident.Meta{}, fmt.Errorf("sidecar %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return evident.Meta{}, fmt.Errorf("sidecar %s: %w", name, err)
	}
	m, err := evident.ParseMeta(data)
	if err != nil {
		return evident.Meta{}, fmt.Errorf("sidecar %s: %w", name, err)
	}
	return m, nil
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// watch feeds settled inbox files to Submit.
func (e *Engine) watch(ctx context.Context) error {
	w := &watch.Watcher{Root: e.opts.Inbox, Settle: e.opts.Settle, Log: e.log}
	return w.Run(ctx, func(ctx context.Context, f watch.File) {
		path := f.Path
		rel := f.Rel
		if f.Sidecar {
			// A sidecar that arrives after its document updates it.
			path = strings.TrimSuffix(f.Path, evident.SidecarSuffix)
			rel = strings.TrimSuffix(f.Rel, evident.SidecarSuffix)
			if !fileExists(path) {
				return
			}
		}
		src := Source{Path: path, Origin: "inbox/" + rel, FolderRole: folderOf(rel), Root: e.opts.Inbox}
		for attempt := 0; ; attempt++ {
			_, err := e.Submit(ctx, src)
			if err == nil || ctx.Err() != nil {
				return
			}
			if attempt == 2 || errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrNotAFile) {
				// The hash is known once the file was read.
				e.log.Error("inbox: cannot submit", "sha256", short(hashOf(err)), "file", filepath.Base(path), "origin", src.Origin, "err", err)
				return
			}
			time.Sleep(time.Second)
		}
	})
}

// folderOf returns the first folder of an inbox-relative path: inbox/cfo/x.txt → cfo.
func folderOf(rel string) string {
	dir, _, ok := strings.Cut(rel, "/")
	if !ok {
		return ""
	}
	return dir
}
