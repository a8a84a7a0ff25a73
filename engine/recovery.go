package engine

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/store"
)

// recovery makes the database and the streams agree when a process
// starts (resume) and stops (stopped): it queues again what a crash lost
// and fails what can no longer be done.
type recovery struct {
	store *store.Store
	queue *queue.Queue
	// embedded is true when the NATS server is this process's own: no
	// worker outlived the last process.
	embedded bool
	config   string // the rules and roles in force (liveRules.configID)
	// keep is Options.KeepFiles: no stored bytes are swept.
	keep bool
	// fail fails a document in the store and takes it out of the index.
	fail func(ctx context.Context, sha, reason string) error
	// restore stores a document's bytes again from its file (see restore).
	restore func(ctx context.Context, d *evident.Document) (ok bool, why string, err error)
	log     *slog.Logger
}

// recovery returns the engine's recovery on q.
func (e *Engine) recovery(q *queue.Queue) *recovery {
	return &recovery{store: e.store, queue: q, embedded: e.srv.Load() != nil, config: e.configNow(), log: e.log, keep: e.opts.KeepFiles,
		fail: func(ctx context.Context, sha, reason string) error { return e.fail(ctx, sha, reason, "") },
		restore: func(ctx context.Context, d *evident.Document) (bool, string, error) {
			return restore(ctx, q, d, e.sourcePath, e.opts.KeepFiles)
		}}
}

// maxInterrupted is how many crashes in a row may cut a document's
// processing short before it fails: a file that kills the process (a
// parser running out of memory) must not do so for ever.
const maxInterrupted = 5

// Resumed says what a start found unfinished and what it did about it.
type Resumed struct {
	Queued      int  `json:"queued"`      // documents whose jobs were waiting
	Interrupted int  `json:"interrupted"` // documents being processed when the process died, handed to workers again at once
	Lost        int  `json:"lost"`        // documents whose job was lost, queued again
	Indexing    int  `json:"indexing"`    // documents whose results wait for the indexer
	Retried     int  `json:"retried"`     // failed documents tried again under new rules or roles
	Failed      int  `json:"failed"`      // documents failed now: bytes lost, or killed the process too often
	Repaired    int  `json:"repaired"`    // documents whose index entries were rewritten or removed
	Swept       int  `json:"swept"`       // files whose stored bytes no document needed (indexed, or none), removed
	Rebuilt     bool `json:"rebuilt"`     // the index was built from the database
	// Reclassified is true when a reclassification interrupted by a crash
	// was finished.
	Reclassified bool `json:"reclassified"`
}

// String is the line `evident serve` prints as it starts.
func (r Resumed) String() string {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, many))
		}
	}
	add(r.Queued, "queued", "queued")
	add(r.Interrupted, "processing re-queued", "processing re-queued")
	add(r.Lost, "lost job re-queued", "lost jobs re-queued")
	add(r.Indexing, "result to index", "results to index")
	add(r.Retried, "failed retried under new rules", "failed retried under new rules")
	add(r.Failed, "failed now", "failed now")
	add(r.Repaired, "index repair", "index repairs")
	add(r.Swept, "stored file no document needs removed", "stored files no document needs removed")
	if r.Rebuilt {
		parts = append(parts, "index rebuilt")
	}
	if r.Reclassified {
		parts = append(parts, "interrupted reclassify finished")
	}
	if len(parts) == 0 {
		return "resumed: nothing was pending"
	}
	return "resumed: " + strings.Join(parts, ", ")
}

// resume makes the database and the streams agree before any work starts:
//
//   - results the indexer took and never acknowledged (a crash) come back
//     at once rather than after their AckWait;
//   - with the embedded NATS server, no worker outlived the last process,
//     so jobs that were being processed come back at once too, spending no
//     attempt; a document cut short by maxInterrupted crashes in a row fails;
//   - a document queued or processing without a job or a result gets a job
//     (a crash between recording it and queueing it, a stream reset), or
//     fails when its bytes were lost;
//   - a document that failed under other rules or roles is tried again.
//
// A failed document is otherwise left alone: the inbox takes it again only
// when its file changes, and `evident retry` on request.
func (rc *recovery) resume(ctx context.Context, r *Resumed) error {
	q := rc.queue
	if err := q.ResetIndexer(ctx); err != nil {
		return err
	}
	embedded := rc.embedded
	if embedded {
		if err := q.ResetWorkers(ctx); err != nil {
			return err
		}
	}
	jobs, results, err := q.Pending(ctx)
	if err != nil {
		return err
	}
	// Only unfinished documents: a start costs what is outstanding, not
	// what is stored.
	docs, err := rc.store.Outstanding(ctx)
	if err != nil {
		return err
	}
	for _, d := range docs {
		switch {
		case jobs[d.SHA256] && d.State == evident.Processing && embedded:
			n, err := rc.store.Interrupted(ctx, d.SHA256)
			if err != nil {
				return err
			}
			if n < maxInterrupted {
				r.Interrupted++
				continue
			}
			if err := q.Drop(ctx, d.SHA256); err != nil {
				return err
			}
			r.Failed++
			why := fmt.Sprintf("evident stopped %d times while processing this file (killed or crashed) and gave up on it; `evident retry %s` tries again", n, d.File)
			if err := rc.fail(ctx, d.SHA256, why); err != nil {
				return err
			}
		case jobs[d.SHA256]:
			r.Queued++
		case results[d.SHA256]:
			r.Indexing++
		default:
			queued, err := rc.requeue(ctx, &d)
			if err != nil {
				return err
			}
			if queued {
				rc.log.Info("re-queueing a document whose job was lost", "sha256", short(d.SHA256), "file", d.File)
				r.Lost++
			} else {
				r.Failed++
			}
		}
	}
	again, err := rc.store.FailedUnder(ctx, rc.config)
	if err != nil {
		return err
	}
	for _, sha := range again {
		// Failed documents keep their bytes; should they be gone all the
		// same, failed it stays, with the reason it has.
		if has, err := q.HasFile(ctx, sha); err != nil || !has {
			continue
		}
		sub, err := rc.store.Requeue(ctx, sha)
		if err != nil {
			return err
		}
		if err := q.Publish(ctx, jobOf(sub)); err != nil {
			return err
		}
		r.Retried++
	}
	if !rc.keep {
		if r.Swept, err = rc.sweep(ctx, docs); err != nil {
			// Not worth failing a start for: they wait for the next one.
			rc.log.Warn("removing stored bytes no document needs", "err", err)
		}
	}
	return nil
}

// requeue queues a registered document again, as a new run, when its
// bytes are stored or can be stored again from its file; otherwise it
// fails the document. It reports whether the document was queued.
func (rc *recovery) requeue(ctx context.Context, d *evident.Document) (bool, error) {
	q := rc.queue
	has, err := q.HasFile(ctx, d.SHA256)
	if err != nil {
		return false, err
	}
	if !has {
		ok, why, err := rc.restore(ctx, d)
		if err != nil {
			return false, err
		}
		if !ok {
			return false, rc.fail(ctx, d.SHA256, "the file could not be processed: "+why)
		}
	}
	sub, err := rc.store.Requeue(ctx, d.SHA256)
	if err != nil {
		return false, err
	}
	return true, q.Publish(ctx, jobOf(sub))
}

// stopped records, once the workers have stopped, that the documents whose
// jobs they handed back are queued rather than processing: the next start
// then takes them for waiting, not for cut short by a crash.
func (rc *recovery) stopped(ctx context.Context) {
	jobs, results, err := rc.queue.Pending(ctx)
	if err != nil {
		return
	}
	docs, err := rc.store.Outstanding(ctx)
	if err != nil {
		return
	}
	for _, d := range docs {
		if d.State == evident.Processing && jobs[d.SHA256] && !results[d.SHA256] {
			rc.store.SetState(ctx, d.SHA256, evident.Queued, d.Error)
		}
	}
}
