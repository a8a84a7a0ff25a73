package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/store"
)

// indexer applies worker results to the store and the index: the one
// writer of results. It shares the engine's writer lock (writeMu) with
// reindex, reclassify and people's reviews, and keeps what is its own:
// whether the index must be reopened, and its timings.
type indexer struct {
	e *Engine
	// broken is set when a write to the search index failed: the index
	// is reopened before the next write. Guarded by e.writeMu.
	broken bool
	// processing is the workers' time per document, as their results
	// report it; indexing the time per batch of results (Metrics).
	processing, indexing summary
	fetching             repeated // failures to fetch results, logged without flooding
	// tidy takes the bytes to tidy after each batch, while Run runs its
	// tidier; nil otherwise, when batch tidies them itself.
	tidy chan tidyWork
}

// run applies worker results to the store and the index until ctx
// ends. It is the only writer of both. A batch once fetched is applied in
// full: stopping halfway would hand its results back, to wait out their
// redelivery after the next start.
//
// Its wait for results ends as soon as ctx does: a result the server
// hands over just then stays in the stream, unacknowledged, for the next
// start (recovery.resume resets the indexer's consumer), and what is
// waiting in the stream is applied by the drain of Run.
func (x *indexer) run(ctx context.Context) {
	work := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		x.batch(work, ctx, queue.UntilDone)
	}
}

// retryWait is how long the indexer waits before it tries again to
// fetch results or to reopen a broken index.
const retryWait = 100 * time.Millisecond

// batch applies up to 64 waiting results: each document's passages
// go to SQLite as they are read from the results bucket, and their index
// entries to Bleve in batches shared by the documents; then the documents
// are marked indexed, then the results acknowledged. A crash anywhere
// before the acks replays the results, which is harmless because saving
// replaces a document's passages; until it is marked, a saved document is
// still processing, never indexed with its passages missing from the
// index. A result that could not be applied is handed back, never
// acknowledged. It returns how many results it applied.
//
// No document is held whole: a result of a million passages costs the
// indexer a few batches of them at a time.
//
// It waits for a first result as queue.Results does, for wait (until
// fetch ends with queue.UntilDone; with 0 it takes only what is waiting
// already).
func (x *indexer) batch(ctx, fetch context.Context, wait time.Duration) int {
	if !x.ready(ctx, wait) {
		return 0
	}
	rs, err := x.e.queue.Results(fetch, 64, wait)
	if err != nil && fetch.Err() == nil {
		x.fetching.fail(x.e.log, "indexer: fetching results", err)
		select {
		case <-fetch.Done():
		case <-time.After(max(wait, retryWait)):
		}
	} else if err == nil {
		x.fetching.ok(x.e.log, "indexer: fetching results again")
	}
	if len(rs) == 0 {
		return 0
	}
	n, indexed, failed := x.applyAll(ctx, rs)
	// Their passages are on disk in the store and the index: the bytes
	// have served. Failed documents' bytes wait apart for a retry. While
	// Run runs, its tidier does it, and the next batch need not wait.
	if x.tidy != nil {
		x.tidy <- tidyWork{indexed, failed}
	} else {
		x.e.tidyBytes(ctx, tidyWork{indexed, failed})
	}
	return n
}

// applyAll applies a batch of results (see batch) and returns how many
// it applied, the documents it marked indexed and those that failed.
func (x *indexer) applyAll(ctx context.Context, rs []*queue.ResultDelivery) (n int, indexed, failed []string) {
	// Documents failed on the way end too, whatever becomes of the rest.
	defer x.e.ended.signal()
	began := time.Now()
	// One writer at a time changes passages in the store and the index
	// together: the indexer, reindex, reclassify, a person's review (Tag).
	x.e.writeMu.Lock()
	defer x.e.writeMu.Unlock()
	var err error
	w := &pending{e: x.e, adds: map[string]index.Entry{}}
	stamps := map[string]string{} // documents saved, to mark indexed
	var applied []*queue.ResultDelivery
	for _, r := range rs {
		saved, stamp, err := x.apply(ctx, r, w)
		if err == nil {
			err = w.err
		}
		if err != nil {
			if w.err != nil {
				break // the index cannot be written: hand everything back
			}
			if x.e.noSpace(err) {
				// Not the document's fault: it waits, and goes on by
				// itself when space returns.
				delay := queue.Backoff(r.Delivered)
				x.e.log.Warn("indexer: the disk is full; the result waits", "sha256", short(r.SHA256), "file", r.File, "err", err, "in", delay)
				x.e.store.Wait(ctx, r.SHA256, evident.Processing, queue.WaitReason(err))
				r.Later(delay)
				continue
			}
			x.e.log.Error("indexer: applying result", "sha256", short(r.SHA256), "file", r.File, "err", err)
			r.Nak()
			continue
		}
		applied = append(applied, r)
		if r.Duration > 0 {
			x.processing.observe(r.Duration)
		}
		delete(stamps, r.SHA256)
		if saved {
			stamps[r.SHA256] = stamp
		}
	}
	err = w.flush(ctx)
	if err == nil {
		err = x.e.store.MarkIndexed(ctx, stamps)
	}
	if err == nil {
		x.e.ended.signal() // before the acks: the documents are indexed
	}
	if err != nil {
		x.e.wrote(err)
		full := x.e.noSpace(err)
		if w.err != nil {
			// What the index holds in memory may not be on disk: it is
			// reopened before the next write (ready).
			x.broken = true
		}
		x.e.log.Error("indexer: writing the index; the results wait", "err", err, "disk_full", full)
		for _, r := range rs {
			if full {
				x.e.store.Wait(ctx, r.SHA256, evident.Processing, queue.WaitReason(err))
				r.Later(queue.Backoff(r.Delivered))
			} else {
				r.Nak()
			}
		}
		return 0, nil, nil
	}
	for _, r := range applied {
		if err := r.Ack(ctx); err != nil {
			x.e.log.Warn("indexer: ack", "err", err)
		}
		if _, ok := stamps[r.SHA256]; !ok && r.Failure() != "" && !r.Gone {
			failed = append(failed, r.SHA256)
		}
	}
	x.indexing.observe(time.Since(began))
	return len(applied), slices.Collect(maps.Keys(stamps)), failed
}

// ready reopens the search index after a write to it failed, once
// the disk has room. It reports whether the indexer may go on; when not,
// it has waited for wait (retryWait at least).
func (x *indexer) ready(ctx context.Context, wait time.Duration) bool {
	x.e.writeMu.Lock()
	broken := x.broken
	if broken {
		if err := x.e.reopenIndex(ctx); err != nil {
			if !errors.Is(err, errDiskFull) {
				x.e.log.Error("indexer: reopening the search index", "err", err)
			}
		} else {
			x.broken, broken = false, false
		}
	}
	x.e.writeMu.Unlock()
	if broken {
		time.Sleep(max(wait, retryWait))
	}
	return !broken
}

// pending gathers index changes from several results and writes them to
// the index in batches of about index.MaxBatch. Bleve applies all deletes
// of a batch before all its adds, so an add that a later result deletes
// again (the same document indexed, then failed) is dropped here rather
// than sent.
type pending struct {
	e       *Engine
	deletes []string
	adds    map[string]index.Entry
	err     error // a write that failed: nothing more is written
}

func (w *pending) delete(ctx context.Context, ids []string) {
	for _, id := range ids {
		delete(w.adds, id)
		w.deletes = append(w.deletes, id)
		w.maybeFlush(ctx)
	}
}

func (w *pending) add(ctx context.Context, entries []index.Entry) {
	for _, a := range entries {
		w.adds[a.ID] = a
		w.maybeFlush(ctx)
	}
}

func (w *pending) maybeFlush(ctx context.Context) {
	if len(w.deletes)+len(w.adds) >= index.MaxBatch {
		w.flush(ctx)
	}
}

func (w *pending) flush(ctx context.Context) error {
	if w.err != nil || len(w.deletes)+len(w.adds) == 0 {
		return w.err
	}
	adds := slices.Collect(maps.Values(w.adds))
	w.err = w.e.wrote(w.e.Index(func(ix *index.Index) error { return ix.Apply(ctx, w.deletes, adds) }))
	w.deletes, w.adds = w.deletes[:0], map[string]index.Entry{}
	return w.err
}

// heartbeatEvery is how often the indexer tells JetStream it is still
// applying a long result, well within the indexer consumer's AckWait.
const heartbeatEvery = 15 * time.Second

// apply records one result in the store and gives its index changes to w.
// It reports whether the document was saved, and the stamp of its entries.
func (x *indexer) apply(ctx context.Context, r *queue.ResultDelivery, w *pending) (saved bool, stamp string, err error) {
	res := r.Result
	sha, failure := res.SHA256, res.Failure()
	// A result for metadata that has changed since its job was queued (a
	// sidecar arrived) is stale: the job for the new metadata decides,
	// even when it finished first.
	if res.Version != "" {
		sub, err := x.e.store.Job(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			return false, "", nil // the document changed or went meanwhile
		}
		if err != nil {
			return false, "", err
		}
		if res.Version != queue.JobVersion(jobOf(sub)) {
			x.e.log.Info("indexer: dropping a result for outdated metadata", "sha256", short(sha), "file", sub.File)
			return false, "", nil
		}
	}
	if failure != "" && res.Gone {
		// No worker found the bytes: a late copy of a job whose document
		// is indexed, its bytes discarded since, changes nothing.
		doc, err := x.e.store.DocumentBySHA(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			return false, "", nil
		}
		if err != nil {
			return false, "", err
		}
		if doc.State == evident.Indexed {
			x.e.log.Info("indexer: dropping a result without bytes for an indexed document", "sha256", short(sha), "file", doc.File)
			return false, "", nil
		}
		if has, err := x.e.queue.HasFile(ctx, sha); err != nil {
			return false, "", err
		} else if has {
			// Found now: the worker read a server of a cluster that had
			// not caught up. Another run.
			x.e.log.Warn("indexer: a worker did not find bytes that are stored; queueing the document again", "sha256", short(sha), "file", doc.File)
			_, err := x.e.recovery(x.e.queue).requeue(ctx, doc)
			return false, "", err
		}
		failure = goneReason(doc, "its file is no longer at "+where(doc)+": add the file again")
		if _, ok := x.e.sourceOf(doc); ok {
			failure = goneReason(doc, "`evident retry "+doc.File+"` reads its file again from "+doc.Origin)
		}
	}
	if failure != "" {
		ids, err := x.e.store.Fail(ctx, sha, failure, x.e.configNow())
		if errors.Is(err, store.ErrNotFound) {
			return false, "", nil // the document changed or went meanwhile
		}
		w.delete(ctx, ids)
		return false, "", err
	}
	rd, err := x.openResult(ctx, r)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return false, "", x.e.payloadGone(ctx, sha, r.File)
	}
	if err != nil {
		return false, "", fmt.Errorf("fetching passages: %w", err)
	}
	defer rd.Close()
	if rd.err != nil {
		// Not retryable: record it rather than loop.
		ids, err := x.e.store.Fail(ctx, sha, "the worker's result could not be read: "+rd.err.Error(), "")
		w.delete(ctx, ids)
		return false, "", err
	}
	// What people said of the document's speakers outranks what the
	// worker detected.
	fix, err := x.e.speakerFixes(ctx, sha, rd.Document())
	if err != nil {
		return false, "", err
	}
	// The same bytes give the same passage ids: the categories people set
	// for them outrank the rules the worker applied.
	overrides, err := x.e.store.Overrides(ctx, sha)
	if err != nil {
		return false, "", err
	}
	sv, err := x.e.store.BeginSave(ctx, rd.Document())
	if errors.Is(err, store.ErrNotFound) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	doc, err := x.e.store.DocumentBySHA(ctx, sha)
	if err != nil {
		sv.Abort()
		return false, "", err
	}
	// Small documents keep their entries for the index; a large one is
	// read back from the store in batches once its stamp is known.
	st := index.NewStamper()
	var held []index.Entry
	n := 0
	beat := time.Now()
	for {
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			sv.Abort()
			if errors.Is(err, ingest.ErrBadResult) {
				ids, ferr := x.e.store.Fail(ctx, sha, "the worker's result could not be read: "+err.Error(), "")
				w.delete(ctx, ids)
				return false, "", ferr
			}
			return false, "", err // the bucket: read it again later
		}
		fix(p)
		if o, ok := overrides[p.ID]; ok {
			overrule(p, o)
		}
		if err := sv.Add(ctx, p); err != nil {
			sv.Abort()
			return false, "", err
		}
		entry := x.e.entry(doc, p)
		st.Add(&entry)
		if n < index.MaxBatch {
			held = append(held, entry)
		} else {
			held = nil
		}
		n++
		if time.Since(beat) > heartbeatEvery {
			r.InProgress()
			beat = time.Now()
		}
	}
	old, err := sv.Commit(ctx, rd.Warnings(), rd.Redacted())
	if err != nil {
		return false, "", err
	}
	stamp = st.Sum()
	w.delete(ctx, old)
	if n <= index.MaxBatch {
		for i := range held {
			held[i].Stamp = stamp
		}
		w.add(ctx, held)
		return true, stamp, nil
	}
	for first := 0; first < n && w.err == nil; first += index.MaxBatch {
		ps, err := x.e.store.PassageRange(ctx, doc.ID, first, first+index.MaxBatch-1)
		if err != nil {
			return false, "", err
		}
		entries := make([]index.Entry, len(ps))
		for i := range ps {
			entries[i] = x.e.entry(doc, &ps[i])
			entries[i].Stamp = stamp
		}
		w.add(ctx, entries)
		if time.Since(beat) > heartbeatEvery {
			r.InProgress()
			beat = time.Now()
		}
	}
	return true, stamp, nil
}

// result is a result's payload being read.
type result struct {
	*ingest.Reader
	body io.ReadCloser
	err  error // the payload cannot be read: the worker's fault, not a retry's
}

func (r *result) Close() error { return r.body.Close() }

// openResult opens a result's payload, written by a worker of this
// version (records, read as they come) or of an earlier one (one JSON
// object).
func (x *indexer) openResult(ctx context.Context, r *queue.ResultDelivery) (*result, error) {
	body, err := r.Open(ctx)
	if err != nil {
		return nil, err
	}
	rd, err := ingest.NewReader(body, r.Encoding)
	if errors.Is(err, ingest.ErrBadResult) || err != nil && r.Encoding != "" && r.Encoding != ingest.Encoding {
		return &result{body: body, err: err}, nil
	}
	if err != nil {
		body.Close()
		return nil, err
	}
	return &result{Reader: rd, body: body}, nil
}
