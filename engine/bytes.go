package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/store"
)

// A file's bytes wait in the queue's object store until its document is
// indexed: workers, here or on other machines, read them from there. Once
// the document is indexed (its passages in SQLite and in the search
// index, both on disk) everything Evident shows, searches and exports
// comes from SQLite, and the bytes leave the store, unless they were to be
// kept (Options.KeepFiles, api.Submission.Keep). Failed documents keep
// theirs, for a retry. A crash between marking a document indexed and
// discarding its bytes leaves them, and the next start's sweep discards
// them; a crash before never discards anything.

// indexed reports whether a document with these bytes is indexed.
func (e *Engine) indexed(ctx context.Context, sha string) bool {
	d, err := e.store.DocumentBySHA(ctx, sha)
	return err == nil && d.State == evident.Indexed
}

// tidyWork is what a batch of results leaves to tidy: the bytes of the
// documents it indexed, and of those that failed.
type tidyWork struct{ indexed, failed []string }

// tidyBytes discards the bytes of indexed documents and moves failed
// ones' apart.
func (e *Engine) tidyBytes(ctx context.Context, w tidyWork) {
	e.discard(ctx, e.queue, w.indexed)
	e.park(ctx, e.queue, w.failed)
}

// tidier tidies what the indexer hands it until the channel closes.
func (e *Engine) tidier(ctx context.Context, work <-chan tidyWork) {
	for w := range work {
		if ctx.Err() == nil { // else left to the next start's sweep
			e.tidyBytes(ctx, w)
		}
	}
}

// discard removes the stored bytes of documents just indexed, unless they
// are kept. A document submitted again meanwhile (held) or no longer
// indexed (queued again) keeps them: its next run needs them.
func (e *Engine) discard(ctx context.Context, q *queue.Queue, shas []string) {
	if e.opts.KeepFiles {
		return
	}
	for _, sha := range shas {
		// Under subMu a submission cannot begin to store these bytes and
		// queue them while they are being removed (record holds first).
		e.subMu.Lock()
		var gone bool
		d, err := e.store.DocumentBySHA(ctx, sha)
		if err == nil && d.State == evident.Indexed && e.submitting[sha] == 0 {
			if gone, err = q.DiscardFile(ctx, sha); err == nil && !gone {
				// Kept on request: they stay, apart from those that go.
				err = q.ParkFile(ctx, sha)
			}
		}
		e.subMu.Unlock()
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			// They stay until the next start's sweep.
			e.log.Warn("removing the bytes of an indexed document", "sha256", short(sha), "err", err)
		case gone:
			e.log.Debug("bytes removed from the queue's store: indexed", "sha256", short(sha), "file", d.File)
		}
	}
}

// park moves the bytes of documents that just failed apart, where they
// wait for a retry (queue.ParkFile). With KeepFiles no bytes leave, and
// none need be apart.
func (e *Engine) park(ctx context.Context, q *queue.Queue, shas []string) {
	if e.opts.KeepFiles {
		return
	}
	for _, sha := range shas {
		if d, err := e.store.DocumentBySHA(ctx, sha); err != nil || d.State != evident.Failed {
			continue // changed or gone meanwhile: the sweep sees to its bytes
		}
		if err := q.ParkFile(ctx, sha); err != nil {
			// They stay where they are until the next start's sweep.
			e.log.Warn("moving the bytes of a failed document apart", "sha256", short(sha), "err", err)
		}
	}
}

// sweep discards the stored bytes that no document needs: those of
// indexed documents (a crash came between indexing and discarding, or an
// earlier version kept every file) and those no document has (a
// submission that stopped halfway, bytes a file had before it changed);
// and it moves the bytes that stay (failed documents', kept ones) apart. Only when the store holds
// more files than the documents on their way does it list the store. It
// runs on start, before anything is submitted or processed.
func (rc *recovery) sweep(ctx context.Context, outstanding []evident.Document) (int, error) {
	stored, err := rc.queue.StoredFiles(ctx)
	if err != nil || stored <= len(outstanding) {
		return 0, err
	}
	files, err := rc.queue.Files(ctx)
	if err != nil {
		return 0, err
	}
	// The states of the stored files' documents only: their number, not
	// the store's, is what this costs.
	shas := make([]string, len(files))
	for i, f := range files {
		shas[i] = f.SHA256
	}
	docs, err := rc.store.DocumentsOf(ctx, shas)
	if err != nil {
		return 0, err
	}
	state := make(map[string]evident.State, len(docs))
	for _, d := range docs {
		state[d.SHA256] = d.State
	}
	n := 0
	for _, f := range files {
		s, known := state[f.SHA256]
		if known && (s == evident.Queued || s == evident.Processing) {
			continue // on their way
		}
		if s == evident.Failed || f.Kept {
			if err := rc.queue.ParkFile(ctx, f.SHA256); err != nil {
				return n, err
			}
			continue
		}
		gone, err := rc.queue.DiscardFile(ctx, f.SHA256)
		if err != nil {
			return n, err
		}
		if gone {
			n++
		}
	}
	if n > 0 {
		rc.log.Info("removed the stored bytes of indexed documents, or of none", "files", n)
	}
	return n, nil
}

// restore stores a document's bytes again from the file it was found
// at, when that file is still there with the same bytes. It returns why
// not otherwise.
func restore(ctx context.Context, q *queue.Queue, d *evident.Document, src func(*evident.Document) (string, bool), keep bool) (ok bool, why string, err error) {
	path, found := src(d)
	if !found {
		return false, goneReason(d, "its file is no longer at "+where(d)+": add the file again"), nil
	}
	f, _, err := openSource(path, "")
	if err != nil {
		return false, goneReason(d, "its file cannot be read again: "+err.Error()), nil
	}
	defer f.Close()
	sum, err := contentHash(f)
	if err != nil {
		return false, goneReason(d, fmt.Sprintf("its file cannot be read again: %s: %v", path, err)), nil
	}
	if sum != d.SHA256 {
		return false, goneReason(d, "the file at "+path+" has other bytes now: add it again"), nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return false, "", fmt.Errorf("%s: %w", path, err)
	}
	if err := q.PutFile(ctx, d.SHA256, d.File, f, keep); err != nil {
		return false, "", err
	}
	return true, "", nil
}

// contentHash reads r to its end and returns the hex SHA-256 of what it read:
// a document's identity.
func contentHash(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goneReason says that a document's bytes are no longer stored, why they
// cannot be read again, and what to do.
func goneReason(d *evident.Document, why string) string {
	gone := "its original bytes are not in the queue's store"
	if d.State == evident.Indexed {
		gone = "its original bytes left the queue's store once it was indexed (--keep-files keeps them)"
	}
	return gone + ", and " + why
}

// where says where a document's file was found, for people.
func where(d *evident.Document) string {
	switch {
	case strings.HasPrefix(d.Origin, "upload:"):
		return "the upload it came from (" + strings.TrimPrefix(d.Origin, "upload:") + ")"
	case strings.HasPrefix(d.Origin, "qdpx:"):
		return "the project it was imported from (" + strings.TrimPrefix(d.Origin, "qdpx:") + ")"
	}
	return d.Origin
}

// errGone is a document that cannot run again: its bytes are gone.
var errGone = errors.New("original bytes gone")

// requeueStored queues a registered document again, as a new run, with
// its bytes stored: they are stored again from its file when they are
// gone and the file is still where it was found. Held meanwhile, so
// that discard leaves the bytes alone. It returns an error wrapping
// errGone, saying why, when the bytes cannot be had.
func (e *Engine) requeueStored(ctx context.Context, q *queue.Queue, d *evident.Document) (store.Submission, error) {
	e.hold(d.SHA256)
	defer e.release(d.SHA256)
	has, err := q.HasFile(ctx, d.SHA256)
	if err != nil {
		return store.Submission{}, err
	}
	if !has {
		ok, why, err := restore(ctx, q, d, e.sourcePath, e.opts.KeepFiles)
		if err != nil {
			return store.Submission{}, err
		}
		if !ok {
			return store.Submission{}, fmt.Errorf("%w: %s", errGone, why)
		}
	}
	sub, err := e.store.Requeue(ctx, d.SHA256)
	if err != nil {
		return sub, err
	}
	return sub, q.Publish(ctx, jobOf(sub))
}

// sourcePath is the file a document came from, when it is still there.
func (e *Engine) sourcePath(d *evident.Document) (string, bool) {
	src, ok := e.sourceOf(d)
	return src.Path, ok
}
