package engine

import (
	"context"
	"errors"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// payloadGone deals with a result whose passages are not in the results
// bucket. Acknowledging a result drops its payload only after its document
// is marked indexed, so for a document that has ended the result was
// applied and only its acknowledgement was lost: nothing to do. For one
// that has not, the payload was not found where it was read: on a NATS
// cluster a read may reach a server that has not caught up yet (one just
// restarted, or behind a new leader). Rather than take the result for
// applied, and leave the document processing for good, the document is
// queued again, as a new run.
func (e *Engine) payloadGone(ctx context.Context, sha, file string) error {
	doc, err := e.store.DocumentBySHA(ctx, sha)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the document changed or went meanwhile
	}
	if err != nil {
		return err
	}
	if doc.State == evident.Indexed || doc.State == evident.Failed {
		return nil
	}
	e.log.Warn("indexer: a result's passages were not found; queueing the document again", "sha256", short(sha), "file", file)
	_, err = e.recovery(e.queue).requeue(ctx, doc)
	return err
}
