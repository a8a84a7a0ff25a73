package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// indexBatch applies up to 64 waiting results: each document's passages
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
func (e *Engine) indexBatch(ctx context.Context, wait time.Duration) int {
	if !e.indexReady(ctx, wait) {
		return 0
	}
	rs, err := e.queue.Results(ctx, 64, wait)
	if err != nil && ctx.Err() == nil {
		e.fetching.fail(e.log, "indexer: fetching results", err)
		time.Sleep(wait)
	} else if err == nil {
		e.fetching.ok(e.log, "indexer: fetching results again")
	}
	if len(rs) == 0 {
		return 0
	}
	began := time.Now()
	// One writer at a time changes passages in the store and the index
	// together: the indexer, reindex, reclassify, a person's review (Tag).
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	w := &pending{e: e, adds: map[string]index.Entry{}}
	stamps := map[string]string{} // documents saved, to mark indexed
	var applied []*queue.ResultDelivery
	for _, r := range rs {
		saved, stamp, err := e.apply(ctx, r, w)
		if err == nil {
			err = w.err
		}
		if err != nil {
			if w.err != nil {
				break // the index cannot be written: hand everything back
			}
			if e.noSpace(err) {
				// Not the document's fault: it waits, and goes on by
				// itself when space returns.
				delay := queue.Backoff(r.Delivered)
				e.log.Warn("indexer: the disk is full; the result waits", "sha256", short(r.SHA256), "file", r.File, "err", err, "in", delay)
				e.store.Wait(ctx, r.SHA256, evident.Processing, queue.WaitReason(err))
				r.Later(delay)
				continue
			}
			e.log.Error("indexer: applying result", "sha256", short(r.SHA256), "file", r.File, "err", err)
			r.Nak()
			continue
		}
		applied = append(applied, r)
		if r.Duration > 0 {
			e.processing.observe(r.Duration)
		}
		delete(stamps, r.SHA256)
		if saved {
			stamps[r.SHA256] = stamp
		}
	}
	err = w.flush(ctx)
	if err == nil {
		err = e.store.MarkIndexed(ctx, stamps)
	}
	if err != nil {
		full := e.noSpace(err)
		if w.err != nil {
			// What the index holds in memory may not be on disk: it is
			// reopened before the next write (indexReady).
			e.indexBroken = true
		}
		e.log.Error("indexer: writing the index; the results wait", "err", err, "disk_full", full)
		for _, r := range rs {
			if full {
				e.store.Wait(ctx, r.SHA256, evident.Processing, queue.WaitReason(err))
				r.Later(queue.Backoff(r.Delivered))
			} else {
				r.Nak()
			}
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

// indexReady reopens the search index after a write to it failed, once
// the disk has room. It reports whether the indexer may go on; when not,
// it has waited for wait.
func (e *Engine) indexReady(ctx context.Context, wait time.Duration) bool {
	e.writeMu.Lock()
	broken := e.indexBroken
	if broken {
		if err := e.reopenIndex(ctx); err != nil {
			if !errors.Is(err, errDiskFull) {
				e.log.Error("indexer: reopening the search index", "err", err)
			}
		} else {
			e.indexBroken, broken = false, false
		}
	}
	e.writeMu.Unlock()
	if broken {
		time.Sleep(wait)
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
	w.err = w.e.Index(func(ix *index.Index) error { return ix.Apply(ctx, w.deletes, adds) })
	w.deletes, w.adds = w.deletes[:0], map[string]index.Entry{}
	return w.err
}

// heartbeatEvery is how often the indexer tells JetStream it is still
// applying a long result, well within the indexer consumer's AckWait.
const heartbeatEvery = 15 * time.Second

// apply records one result in the store and gives its index changes to w.
// It reports whether the document was saved, and the stamp of its entries.
func (e *Engine) apply(ctx context.Context, r *queue.ResultDelivery, w *pending) (saved bool, stamp string, err error) {
	res := r.Result
	sha, failure := res.SHA256, res.Error
	// A result for metadata that has changed since its job was queued (a
	// sidecar arrived) is stale: the job for the new metadata decides,
	// even when it finished first.
	if res.Version != "" {
		sub, err := e.store.Job(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			return false, "", nil // the document changed or went meanwhile
		}
		if err != nil {
			return false, "", err
		}
		if res.Version != queue.JobVersion(jobOf(sub)) {
			e.log.Info("indexer: dropping a result for outdated metadata", "sha256", short(sha), "file", sub.File)
			return false, "", nil
		}
	}
	if failure != "" {
		// A bare "gave up after N attempts" gains the cause the last retry
		// recorded; a failure that already gives it is not repeated.
		if doc, err := e.store.DocumentBySHA(ctx, sha); err == nil && doc.Error != "" && doc.State != evident.Failed &&
			!strings.Contains(failure, lastCause(doc.Error)) && !strings.HasPrefix(doc.Error, queue.WaitingForDisk) {
			failure = fmt.Sprintf("%s (last error: %s)", failure, doc.Error)
		}
		ids, err := e.store.Fail(ctx, sha, failure, e.configNow())
		if errors.Is(err, store.ErrNotFound) {
			return false, "", nil // the document changed or went meanwhile
		}
		w.delete(ctx, ids)
		return false, "", err
	}
	rd, err := e.openResult(ctx, r)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return false, "", e.payloadGone(ctx, sha, r.File)
	}
	if err != nil {
		return false, "", fmt.Errorf("fetching passages: %w", err)
	}
	defer rd.Close()
	if rd.err != nil {
		// Not retryable: record it rather than loop.
		ids, err := e.store.Fail(ctx, sha, "the worker's result could not be read: "+rd.err.Error(), "")
		w.delete(ctx, ids)
		return false, "", err
	}
	// What people said of the document's speakers outranks what the
	// worker detected.
	fix, err := e.speakerFixes(ctx, sha, rd.Document())
	if err != nil {
		return false, "", err
	}
	// The same bytes give the same passage ids: the categories people set
	// for them outrank the rules the worker applied.
	overrides, err := e.store.Overrides(ctx, sha)
	if err != nil {
		return false, "", err
	}
	sv, err := e.store.BeginSave(ctx, rd.Document())
	if errors.Is(err, store.ErrNotFound) {
		return false, "", nil
	}
	if err != nil {
		return false, "", err
	}
	doc, err := e.store.DocumentBySHA(ctx, sha)
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
				ids, ferr := e.store.Fail(ctx, sha, "the worker's result could not be read: "+err.Error(), "")
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
		entry := e.entry(doc, p)
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
		ps, err := e.store.PassageRange(ctx, doc.ID, first, first+index.MaxBatch-1)
		if err != nil {
			return false, "", err
		}
		entries := make([]index.Entry, len(ps))
		for i := range ps {
			entries[i] = e.entry(doc, &ps[i])
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
func (e *Engine) openResult(ctx context.Context, r *queue.ResultDelivery) (*result, error) {
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

// rewriteDocument writes a document's index entries again from the store,
// after a person changed some of its passages. The index stamps every entry
// of a document with one hash of them all (see index.SetStamp), so the
// whole document is written, and its new stamp recorded. The caller holds
// writeMu.
func (e *Engine) rewriteDocument(ctx context.Context, d *evident.Document) error {
	ps, err := e.store.Passages(ctx, d.ID)
	if err != nil {
		return err
	}
	entries, stamp := e.entriesOf(d, ps)
	if err := e.Index(func(ix *index.Index) error { return ix.Apply(ctx, nil, entries) }); err != nil {
		return err
	}
	return e.store.SetStamps(ctx, map[string]string{d.SHA256: stamp})
}

// entriesOf returns a document's index entries, stamped, and their stamp.
func (e *Engine) entriesOf(d *evident.Document, ps []evident.Passage) ([]index.Entry, string) {
	entries := make([]index.Entry, len(ps))
	for i := range ps {
		entries[i] = e.entry(d, &ps[i])
	}
	return entries, index.SetStamp(entries)
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

// eachIndexed calls fn with every indexed document and its passages.
func (e *Engine) eachIndexed(ctx context.Context, fn func(d *evident.Document, ps []evident.Passage) error) error {
	docs, err := e.store.Documents(ctx)
	if err != nil {
		return err
	}
	for i := range docs {
		d := &docs[i]
		if d.State != evident.Indexed {
			continue
		}
		ps, err := e.store.Passages(ctx, d.ID)
		if err != nil {
			return err
		}
		if err := fn(d, ps); err != nil {
			return err
		}
	}
	return nil
}

// fill indexes every stored passage of indexed documents into ix, which
// must be empty, and returns the documents' stamps.
func (e *Engine) fill(ctx context.Context, ix *index.Index) (map[string]string, error) {
	stamps := map[string]string{}
	var batch []index.Entry
	err := e.eachIndexed(ctx, func(d *evident.Document, ps []evident.Passage) error {
		entries, stamp := e.entriesOf(d, ps)
		stamps[d.SHA256] = stamp
		batch = append(batch, entries...)
		if len(batch) >= index.MaxBatch {
			err := ix.Apply(ctx, nil, batch)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stamps, ix.Apply(ctx, nil, batch)
}

// build builds a new index from the store beside the one in force, and
// puts it in force once complete; the old one serves searches until then.
// A crash or an error on the way leaves the old one in force. It returns
// how many documents it indexed. The caller holds writeMu.
func (e *Engine) build(ctx context.Context) (int, error) {
	ix, err := index.Build(e.indexDir())
	if err != nil {
		return 0, err
	}
	stamps, err := e.fill(ctx, ix)
	if err == nil {
		err = ix.Commit()
	}
	if err != nil {
		ix.Discard()
		return 0, err
	}
	e.mu.Lock()
	old := e.idx
	e.idx = ix
	e.mu.Unlock()
	if old != nil {
		old.Close()
	}
	ix.Prune()
	return len(stamps), e.store.SetStamps(ctx, stamps)
}

// openIndex opens the index in force, or builds one when there is none,
// then makes it agree with the store and finishes an interrupted
// reclassification (see Open).
func (e *Engine) openIndex(ctx context.Context) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	ix, err := index.Open(e.indexDir(), index.Options{})
	switch {
	case errors.Is(err, index.ErrNoIndex):
		n, err := e.build(ctx)
		if err != nil {
			return fmt.Errorf("building the search index: %w", err)
		}
		if n > 0 {
			e.log.Info("built the search index from the database", "documents", n)
			e.resumed.Rebuilt = true
		}
	case err != nil:
		return err
	default:
		e.idx = ix
		if e.resumed.Repaired, err = e.repair(ctx); err != nil {
			return fmt.Errorf("checking the search index against the database: %w", err)
		}
	}
	unfinished, err := e.store.Unfinished(ctx, journalReclassify)
	if err != nil || !unfinished {
		return err
	}
	e.log.Warn("finishing a reclassification that was interrupted")
	if _, err := e.reclassify(ctx); err != nil {
		return fmt.Errorf("finishing an interrupted reclassification: %w", err)
	}
	e.resumed.Reclassified = true
	return nil
}

// repair compares what the index holds of every document with what the
// store says it should (passage counts and stamps) and rewrites the
// entries of documents that differ from the store, and removes those of
// documents the store no longer has indexed: a crash between writing one
// and the other. It logs one line when it repaired anything, and returns
// how many documents it repaired. The caller holds writeMu.
func (e *Engine) repair(ctx context.Context) (int, error) {
	start := time.Now()
	inIndex, stampCounts, err := e.idx.Counts(ctx)
	if err != nil {
		return 0, err
	}
	want, err := e.store.Stamps(ctx)
	if err != nil {
		return 0, err
	}
	var rewrite, remove []string
	for sha, st := range want {
		if st.State == evident.Indexed && (st.Stamp == "" || inIndex[sha] != st.Passages || stampCounts[st.Stamp] != st.Passages) {
			rewrite = append(rewrite, sha)
		}
	}
	for sha := range inIndex {
		// Queued and processing documents keep their old entries until
		// their new ones arrive.
		if st, ok := want[sha]; !ok || st.State == evident.Failed {
			remove = append(remove, sha)
		}
	}
	if len(rewrite)+len(remove) == 0 {
		return 0, nil
	}
	slices.Sort(rewrite)
	slices.Sort(remove)
	stamps := map[string]string{}
	var names []string
	var dels []string
	var adds []index.Entry
	entries := 0
	flush := func() error {
		entries += len(dels) + len(adds)
		err := e.idx.Apply(ctx, dels, adds)
		dels, adds = dels[:0], adds[:0]
		return err
	}
	for _, sha := range slices.Concat(rewrite, remove) {
		old, err := e.idx.Entries(ctx, sha)
		if err != nil {
			return 0, err
		}
		var fresh []index.Entry
		if want[sha].State == evident.Indexed {
			d, err := e.store.DocumentBySHA(ctx, sha)
			if err != nil {
				return 0, err
			}
			ps, err := e.store.Passages(ctx, d.ID)
			if err != nil {
				return 0, err
			}
			fresh, stamps[sha] = e.entriesOf(d, ps)
			names = append(names, d.File)
		} else {
			names = append(names, short(sha))
		}
		keep := map[string]bool{}
		for _, a := range fresh {
			keep[a.ID] = true
		}
		dels = append(dels, slices.DeleteFunc(old, func(id string) bool { return keep[id] })...)
		adds = append(adds, fresh...)
		if len(dels)+len(adds) >= index.MaxBatch {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := e.store.SetStamps(ctx, stamps); err != nil {
		return 0, err
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	e.log.Warn(fmt.Sprintf("repaired the search index from the database: %d documents rewritten, %d removed (%s)",
		len(rewrite), len(remove), strings.Join(names, ", ")), "entries", entries, "took", time.Since(start).Round(time.Millisecond))
	return len(rewrite) + len(remove), nil
}

// Reindex rebuilds the index from the store, beside the one in force,
// which serves searches until the new one is complete and swapped in.
func (e *Engine) Reindex(ctx context.Context) (int, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if _, err := e.build(ctx); err != nil {
		return 0, err
	}
	var n uint64
	err := e.Index(func(ix *index.Index) error {
		var err error
		n, err = ix.Count()
		return err
	})
	return int(n), err
}
