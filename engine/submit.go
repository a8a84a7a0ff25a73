package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/index"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/store"
	"github.com/evident/evident/watch"
)

// found says where the inbox found a file; files handed in otherwise
// were found nowhere in particular.
type found struct {
	// Root, when set, is the folder the file was found in (the inbox): the
	// file and its sidecar are read only if they lie inside it when they
	// are opened (see openSource).
	Root string
	// SkipUnchanged leaves a file alone, without reading it, when it has
	// the size, modification time and metadata it had when its document
	// was indexed or failed: the inbox hands every file on at each start.
	SkipUnchanged bool
}

// Ingest hashes a file, stores its bytes, records it and queues a job for
// it, unless the same bytes with the same metadata are already a document.
// Files that cannot be processed at all (empty, too big, unreadable
// sidecar) are recorded as failed at once, with the reason.
//
// The bytes are stored before the document is recorded, so that a failure
// there leaves nothing behind; a failure to queue the job leaves a
// document queued without one, which the next submission of the same bytes
// (or the next start) queues again, rather than taking it for a duplicate.
func (e *Engine) Ingest(ctx context.Context, src api.Submission) (*api.Submitted, error) {
	return e.submit(ctx, src, found{})
}

func (e *Engine) submit(ctx context.Context, src api.Submission, from found) (*api.Submitted, error) {
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
	if from.Root != "" {
		root, err := realDir(from.Root)
		if err != nil {
			return nil, err
		}
		from.Root = root
	}
	f, info, err := openSource(src.Path, from.Root)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var problem string
	if src.Meta.IsZero() {
		meta, err := readSidecar(src.Path, from.Root)
		if err != nil {
			problem = err.Error()
		}
		src.Meta = meta
	}
	if from.SkipUnchanged && problem == "" {
		doc, err := e.store.Unchanged(ctx, src.Origin, info.Size(), info.ModTime(), src.Meta, src.FolderRole)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Path, err)
		}
		if doc != nil {
			return &api.Submitted{Document: doc, Outcome: store.Unchanged}, nil
		}
	}
	sum, err := contentHash(f)
	if err != nil {
		return nil, fmt.Errorf("%s: reading: %w", src.Path, err)
	}
	switch {
	case info.Size() == 0:
		problem = "the file is empty"
	case info.Size() > e.opts.MaxSize:
		problem = fmt.Sprintf("the file is %s, over the %s limit", api.HumanSize(info.Size()), api.HumanSize(e.opts.MaxSize))
	}
	sub := store.Submission{Origin: src.Origin, File: src.Name, SHA256: sum, Size: info.Size(), ModTime: info.ModTime(),
		Meta: src.Meta, FolderRole: src.FolderRole}
	res, err := e.record(ctx, sub, f, problem, src.Keep || e.opts.KeepFiles)
	if err != nil {
		e.noSpace(err)
		return nil, &hashedError{sha: sum, err: err}
	}
	return res, nil
}

// record stores a hashed file's bytes (unless it has a problem), then
// registers it and queues its job. A document registered but left without
// a job (its earlier submission failed halfway, or the job was lost) is
// queued again rather than taken for a duplicate.
//
// The bytes of a document already indexed are not stored again (they
// left the store once it was indexed, see discard), unless they are to be
// kept or its registration queues it after all (new metadata).
func (e *Engine) record(ctx context.Context, sub store.Submission, f *os.File, problem string, keep bool) (*api.Submitted, error) {
	sum := sub.SHA256
	// Held from before its bytes are stored: discard leaves them alone
	// meanwhile.
	e.hold(sum)
	defer e.release(sum)
	stored := problem != ""
	storeBytes := func() error {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		if err := e.queue.PutFile(ctx, sum, sub.File, f, keep); err != nil {
			return err
		}
		stored = true
		return nil
	}
	if !stored && (keep || !e.indexed(ctx, sum)) {
		if err := storeBytes(); err != nil {
			return nil, err
		}
	}
	outcome, doc, err := e.store.Register(ctx, sub)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	if outcome == store.Duplicate {
		if doc.State != evident.Queued && doc.State != evident.Processing {
			return &api.Submitted{Document: doc, Outcome: outcome}, nil
		}
		live, err := e.live(ctx, sum)
		if err != nil || live {
			return &api.Submitted{Document: doc, Outcome: outcome}, err
		}
		// Queued without a job: an earlier submission failed halfway, or
		// the job was lost. This one runs it.
		if sub, err = e.store.Requeue(ctx, sum); err != nil {
			return nil, err
		}
		outcome = store.Requeued
	} else if sub, err = e.store.Job(ctx, sum); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name(), err)
	}
	if problem != "" {
		if err := e.fail(ctx, sum, problem, ""); err != nil {
			return nil, err
		}
		e.log.Info("failed", "sha256", short(sum), "file", sub.File, "origin", sub.Origin, "reason", problem)
		doc, err = e.store.DocumentBySHA(ctx, sum)
		return &api.Submitted{Document: doc, Outcome: outcome}, err
	}
	if !stored {
		// Indexed when looked at, queued again since (new metadata): a
		// failure here leaves it queued without a job, which the next
		// submission of the file runs.
		if err := storeBytes(); err != nil {
			return nil, err
		}
	}
	if err := e.queue.Publish(ctx, jobOf(sub)); err != nil {
		return nil, err
	}
	e.log.Info("queued", "sha256", short(sum), "file", sub.File, "origin", sub.Origin, "outcome", outcome, "run", sub.Run)
	if doc, err = e.store.DocumentBySHA(ctx, sum); err != nil {
		return nil, err
	}
	return &api.Submitted{Document: doc, Outcome: outcome}, nil
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

// hold and release mark a hash as being submitted in this process, from
// before its document is recorded until its job is queued: meanwhile the
// document has no job, yet is not lost.
func (e *Engine) hold(sha string) {
	e.subMu.Lock()
	e.submitting[sha]++
	e.subMu.Unlock()
}

func (e *Engine) release(sha string) {
	e.subMu.Lock()
	if e.submitting[sha]--; e.submitting[sha] <= 0 {
		delete(e.submitting, sha)
	}
	e.subMu.Unlock()
}

// live reports whether a document has a job on its way: one in the
// streams, or another submission of it in this process about to queue one.
func (e *Engine) live(ctx context.Context, sha string) (bool, error) {
	e.subMu.Lock()
	others := e.submitting[sha] > 1
	e.subMu.Unlock()
	if others {
		return true, nil
	}
	return e.queue.Live(ctx, sha)
}

// fail records a document as failed and drops its passages from the index.
// config is the rules and roles it failed under, when others might do
// better (see store.Fail).
func (e *Engine) fail(ctx context.Context, sha, reason, config string) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	ids, err := e.store.Fail(ctx, sha, reason, config)
	if err != nil {
		return err
	}
	e.ended.signal()
	return e.wrote(e.Index(func(ix *index.Index) error { return ix.Apply(ctx, ids, nil) }))
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

// watch feeds settled inbox files to Submit. A file that cannot be
// submitted (NATS is unavailable, say) is tried again by the watcher's
// next rescan.
func (e *Engine) watch(ctx context.Context) error {
	w := &watch.Watcher{Root: e.opts.Inbox, Settle: e.opts.Settle, Rescan: e.opts.Rescan, Log: e.log}
	return w.Run(ctx, func(ctx context.Context, f watch.File) error {
		path := f.Path
		rel := f.Rel
		if f.Sidecar {
			// A sidecar that arrives after its document updates it.
			path = strings.TrimSuffix(f.Path, evident.SidecarSuffix)
			rel = strings.TrimSuffix(f.Rel, evident.SidecarSuffix)
			if !fileExists(path) {
				return nil
			}
		}
		src := api.Submission{Path: path, Origin: "inbox/" + rel, FolderRole: folderOf(rel)}
		from := found{Root: e.opts.Inbox, SkipUnchanged: true}
		for attempt := 0; ; attempt++ {
			_, err := e.submit(ctx, src, from)
			if err == nil || ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrNotAFile) {
				// Gone, or not a file we read: nothing to try again. The
				// hash is known once the file was read.
				e.log.Error("inbox: cannot submit", "sha256", short(hashOf(err)), "file", filepath.Base(path), "origin", src.Origin, "err", err)
				return nil
			}
			if queue.IsNoSpace(err) || !e.hasRoom() {
				// Nothing goes in while the disk is full: wait for room,
				// then go on at once, spending no attempt.
				e.log.Warn("inbox: the disk is full; waiting for room", "file", filepath.Base(path), "origin", src.Origin, "err", err)
				if !e.awaitRoom(ctx) {
					return nil
				}
				attempt = -1
				continue
			}
			if attempt == 2 {
				e.log.Error("inbox: cannot submit; the next rescan tries again", "sha256", short(hashOf(err)), "file", filepath.Base(path), "origin", src.Origin, "err", err)
				return err
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

// Retry runs documents again: those refs name (a file name, a path or a
// prefix of the hash, as Show takes them) and, with failed, every failed
// one. A document whose job is already waiting is left alone; one whose
// original bytes are gone (indexed documents' leave the store) is read
// again from its file when that is still where it was found (a path, or
// the inbox), else left alone with the reason. Attempts and crash counts
// start again from nothing.
func (e *Engine) Retry(ctx context.Context, refs []string, failed bool) (*api.Retried, error) {
	if err := e.Connect(ctx); err != nil {
		return nil, err
	}
	var docs []*evident.Document
	seen := map[string]bool{}
	add := func(d *evident.Document) {
		if !seen[d.SHA256] {
			seen[d.SHA256] = true
			docs = append(docs, d)
		}
	}
	for _, ref := range refs {
		d, err := e.store.FindDocument(ctx, ref)
		if errors.Is(err, store.ErrNotFound) {
			return nil, api.Errorf(api.NotFound, "no document is called %q; `evident status` lists them", ref)
		}
		if err != nil {
			return nil, err
		}
		add(d)
	}
	if failed {
		all, err := e.store.Documents(ctx)
		if err != nil {
			return nil, err
		}
		for i := range all {
			if all[i].State == evident.Failed {
				add(&all[i])
			}
		}
	}
	out := &api.Retried{Queued: []evident.Document{}}
	// fromFile submits d again from its file as it is now.
	fromFile := func(d *evident.Document, src api.Submission) {
		s, err := e.Ingest(ctx, src)
		if err != nil {
			out.Skipped = append(out.Skipped, api.Skipped{File: d.File, SHA256: d.SHA256, Reason: err.Error()})
			return
		}
		out.Queued = append(out.Queued, *s.Document)
	}
	for _, d := range docs {
		if d.State == evident.Queued || d.State == evident.Processing {
			if live, err := e.live(ctx, d.SHA256); err != nil {
				return nil, err
			} else if live {
				out.Skipped = append(out.Skipped, api.Skipped{File: d.File, SHA256: d.SHA256, Reason: "already queued", Queued: true})
				continue
			}
		}
		has, err := e.queue.HasFile(ctx, d.SHA256)
		if err != nil {
			return nil, err
		}
		if !has && d.State != evident.Indexed {
			// Never stored (a file refused at once) or lost: submitted
			// again from its file, as it is now.
			src, ok := e.sourceOf(d)
			if !ok {
				out.Skipped = append(out.Skipped, api.Skipped{File: d.File, SHA256: d.SHA256,
					Reason: goneReason(d, "its file is no longer at "+where(d)+": add the file again")})
				continue
			}
			fromFile(d, src)
			continue
		}
		// Stored, or discarded once indexed: stored again from its file.
		sub, err := e.requeueStored(ctx, e.queue, d)
		if errors.Is(err, errGone) {
			// Its file has other bytes now: they are what runs.
			if src, ok := e.sourceOf(d); ok {
				fromFile(d, src)
				continue
			}
			out.Skipped = append(out.Skipped, api.Skipped{File: d.File, SHA256: d.SHA256,
				Reason: strings.TrimPrefix(err.Error(), errGone.Error()+": ")})
			continue
		}
		if err != nil {
			return nil, err
		}
		e.log.Info("queued", "file", d.Origin, "sha256", short(d.SHA256), "outcome", "retry", "run", sub.Run)
		now, err := e.store.DocumentBySHA(ctx, d.SHA256)
		if err != nil {
			return nil, err
		}
		out.Queued = append(out.Queued, *now)
	}
	return out, nil
}

// sourceOf finds the file a document came from, when it is still there.
func (e *Engine) sourceOf(d *evident.Document) (api.Submission, bool) {
	var src api.Submission
	switch {
	case strings.HasPrefix(d.Origin, "inbox/") && e.opts.Inbox != "":
		rel := strings.TrimPrefix(d.Origin, "inbox/")
		src = api.Submission{Path: filepath.Join(e.opts.Inbox, filepath.FromSlash(rel)), Origin: d.Origin, FolderRole: folderOf(rel)}
	case filepath.IsAbs(d.Origin):
		src = api.Submission{Path: d.Origin, Origin: d.Origin}
	default:
		return src, false
	}
	return src, fileExists(src.Path)
}
