package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/store"
)

// runIndexer applies worker results to the store and the index until ctx
// ends. It is the only writer of both.
func (e *Engine) runIndexer(ctx context.Context) {
	for ctx.Err() == nil {
		e.indexBatch(ctx, 250*time.Millisecond)
	}
}

// indexBatch applies up to 64 waiting results: each document in its own
// SQLite transaction, then one Bleve batch for all of them, then the acks.
// A crash anywhere before the acks replays the results, which is harmless
// because saving replaces a document's passages. It returns how many
// results it applied.
func (e *Engine) indexBatch(ctx context.Context, wait time.Duration) int {
	rs, err := e.queue.Results(ctx, 64, wait)
	if err != nil && ctx.Err() == nil {
		e.log.Warn("indexer: fetching results", "err", err)
		time.Sleep(wait)
	}
	if len(rs) == 0 {
		return 0
	}
	var deletes []string
	var adds []index.Entry
	for _, r := range rs {
		del, add, err := e.apply(ctx, r.Result.SHA256, r.Result.Error, r.Payload)
		if err != nil {
			e.log.Error("indexer: applying result", "sha256", r.SHA256, "err", err)
			r.Nak()
			continue
		}
		deletes = append(deletes, del...)
		adds = append(adds, add...)
	}
	e.mu.Lock()
	err = e.idx.Apply(ctx, deletes, adds)
	e.mu.Unlock()
	if err != nil {
		e.log.Error("indexer: writing the index", "err", err)
		for _, r := range rs {
			r.Nak()
		}
		return 0
	}
	for _, r := range rs {
		if err := r.Ack(ctx); err != nil {
			e.log.Warn("indexer: ack", "err", err)
		}
	}
	return len(rs)
}

// apply records one result in the store and returns the index changes.
func (e *Engine) apply(ctx context.Context, sha, failure string, payload func(context.Context) ([]byte, error)) (deletes []string, adds []index.Entry, err error) {
	if failure != "" {
		if doc, err := e.store.DocumentBySHA(ctx, sha); err == nil && doc.Error != "" && doc.State != evident.Failed {
			failure = fmt.Sprintf("%s (last error: %s)", failure, doc.Error)
		}
		deletes, err = e.store.Fail(ctx, sha, failure)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil // the document changed or went meanwhile
		}
		return deletes, nil, err
	}
	data, err := payload(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching passages: %w", err)
	}
	var out ingest.Output
	if err := json.Unmarshal(data, &out); err != nil {
		// Not retryable: record it rather than loop.
		deletes, err = e.store.Fail(ctx, sha, "the worker's result could not be read: "+err.Error())
		return deletes, nil, err
	}
	deletes, err = e.store.Save(ctx, &out.Document, out.Warnings, out.Passages)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	doc, err := e.store.DocumentBySHA(ctx, sha)
	if err != nil {
		return nil, nil, err
	}
	for i := range out.Passages {
		adds = append(adds, index.EntryOf(doc, &out.Passages[i]))
	}
	return deletes, adds, nil
}

// fill indexes every stored passage; the index must be empty.
func (e *Engine) fill(ctx context.Context) error {
	var batch []index.Entry
	err := e.store.EachPassage(ctx, func(d *evident.Document, p *evident.Passage) error {
		batch = append(batch, index.EntryOf(d, p))
		if len(batch) >= index.MaxBatch {
			err := e.idx.Apply(ctx, nil, batch)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	return e.idx.Apply(ctx, nil, batch)
}

// Reindex rebuilds the index from the store. Searches wait meanwhile.
func (e *Engine) Reindex(ctx context.Context) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	dir := e.idx.Dir()
	if err := e.idx.Close(); err != nil {
		return 0, err
	}
	idx, err := index.Recreate(dir)
	if err != nil {
		return 0, err
	}
	e.idx = idx
	if err := e.fill(ctx); err != nil {
		return 0, err
	}
	n, err := e.idx.Count()
	return int(n), err
}
