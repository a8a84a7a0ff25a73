package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// runIndexer applies worker results to the store and the index until ctx
// ends. It is the only writer of both. A batch once fetched is applied in
// full: stopping halfway would hand its results back, to wait out their
// redelivery after the next start.
func (e *Engine) runIndexer(ctx context.Context) {
	work := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		e.indexBatch(work, 250*time.Millisecond)
	}
}

// indexBatch applies up to 64 waiting results: each document in its own
// SQLite transaction, then one Bleve batch for all of them, then the acks.
// A crash anywhere before the acks replays the results, which is harmless
// because saving replaces a document's passages. A result that could not
// be applied is handed back, never acknowledged. It returns how many
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
	began := time.Now()
	// Bleve applies all deletes before all adds, so an add that a later
	// result of the batch deletes again (the same document indexed, then
	// failed) must not reach it.
	var deletes []string
	adds := map[string]index.Entry{}
	var applied []*queue.ResultDelivery
	e.tagMu.Lock() // until the index has the batch: see Tag
	for _, r := range rs {
		del, add, err := e.apply(ctx, r.Result, r.Payload)
		if err != nil {
			e.log.Error("indexer: applying result", "sha256", short(r.SHA256), "file", r.File, "err", err)
			r.Nak()
			continue
		}
		applied = append(applied, r)
		if r.Duration > 0 {
			e.processing.observe(r.Duration)
		}
		for _, id := range del {
			delete(adds, id)
		}
		deletes = append(deletes, del...)
		for _, a := range add {
			adds[a.ID] = a
		}
	}
	e.mu.Lock()
	err = e.idx.Apply(ctx, deletes, slices.Collect(maps.Values(adds)))
	e.mu.Unlock()
	e.tagMu.Unlock()
	if err != nil {
		e.log.Error("indexer: writing the index", "err", err)
		for _, r := range applied {
			r.Nak()
		}
		return 0
	}
	for _, r := range applied {
		if err := r.Ack(ctx); err != nil {
			e.log.Warn("indexer: ack", "err", err)
		}
	}
	e.indexing.observe(time.Since(began))
	return len(applied)
}

// apply records one result in the store and returns the index changes.
func (e *Engine) apply(ctx context.Context, res queue.Result, payload func(context.Context) ([]byte, error)) (deletes []string, adds []index.Entry, err error) {
	sha, failure := res.SHA256, res.Error
	// A result for metadata that has changed since its job was queued (a
	// sidecar arrived) is stale: the job for the new metadata decides,
	// even when it finished first.
	if res.Version != "" {
		sub, err := e.store.Job(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil // the document changed or went meanwhile
		}
		if err != nil {
			return nil, nil, err
		}
		if res.Version != queue.JobVersion(jobOf(sub)) {
			e.log.Info("indexer: dropping a result for outdated metadata", "sha256", short(sha), "file", sub.File)
			return nil, nil, nil
		}
	}
	if failure != "" {
		// A bare "gave up after N attempts" gains the cause the last retry
		// recorded; a failure that already gives it is not repeated.
		if doc, err := e.store.DocumentBySHA(ctx, sha); err == nil && doc.Error != "" && doc.State != evident.Failed &&
			!strings.Contains(failure, lastCause(doc.Error)) {
			failure = fmt.Sprintf("%s (last error: %s)", failure, doc.Error)
		}
		deletes, err = e.store.Fail(ctx, sha, failure)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil // the document changed or went meanwhile
		}
		return deletes, nil, err
	}
	data, err := payload(ctx)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		// Acknowledging drops the payload first: this result was applied
		// and only its acknowledgement was lost.
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fetching passages: %w", err)
	}
	var out ingest.Output
	if err := json.Unmarshal(data, &out); err != nil {
		// Not retryable: record it rather than loop.
		deletes, err = e.store.Fail(ctx, sha, "the worker's result could not be read: "+err.Error())
		return deletes, nil, err
	}
	// The same bytes give the same passage ids: the categories people set
	// for them outrank the rules the worker applied.
	overrides, err := e.store.Overrides(ctx, sha)
	if err != nil {
		return nil, nil, err
	}
	overruleAll(out.Passages, overrides)
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
		adds = append(adds, e.entry(doc, &out.Passages[i]))
	}
	return deletes, adds, nil
}

// lastCause strips the "attempt N failed: " that onEvent puts before the
// cause of a failed attempt.
func lastCause(reason string) string {
	if _, cause, ok := strings.Cut(reason, " failed: "); ok && strings.HasPrefix(reason, "attempt ") {
		return cause
	}
	return reason
}

// entry is a passage's index entry, with what search derives from it:
// the roles it reports on and its grade.
func (e *Engine) entry(d *evident.Document, p *evident.Passage) index.Entry {
	en := index.EntryOf(d, p)
	search.Annotate(&en, p, e.about, e.synonyms)
	return en
}

// fill indexes every stored passage; the index must be empty.
func (e *Engine) fill(ctx context.Context) error {
	var batch []index.Entry
	err := e.store.EachPassage(ctx, func(d *evident.Document, p *evident.Passage) error {
		batch = append(batch, e.entry(d, p))
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
