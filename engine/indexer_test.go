package engine

import (
	"context"
	"encoding/json"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/store"
)

// The tests in this file drive the indexer by hand on an engine that is
// open and connected but not running, so that results reach it in exactly
// the order and batches a test needs.

func openIdle(t *testing.T) *running {
	t.Helper()
	return openIdleOn(t, Options{Data: t.TempDir()})
}

func openIdleOn(t *testing.T, opts Options) *running {
	t.Helper()
	logs := &logRecorder{}
	opts.Log = slog.New(logs)
	ctx := context.Background()
	e, err := Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := &running{Engine: e, t: t, opts: opts, logs: logs}
	t.Cleanup(func() {
		if t.Failed() {
			logs.dump(t)
		}
		r.closeIdle()
	})
	if err := e.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

// closeIdle closes an engine that is not running, once.
func (r *running) closeIdle() {
	r.t.Helper()
	if r.closed {
		return
	}
	r.closed = true
	if err := r.Close(); err != nil {
		r.t.Errorf("Close: %v", err)
	}
}

// submitFile writes a file outside any inbox and submits it.
func (r *running) submitFile(name, content string) *evident.Document {
	r.t.Helper()
	p := filepath.Join(r.t.TempDir(), name)
	writeFile(r.t, p, []byte(content))
	sub, err := r.Ingest(context.Background(), api.Submission{Path: p})
	if err != nil {
		r.t.Fatal(err)
	}
	return sub.Document
}

// work takes the next job and does what a worker does with it, except
// that failure, when given, is reported instead of the passages.
func (r *running) work(failure string) *queue.Delivery {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := r.Queue().Next(ctx)
	if err != nil {
		r.t.Fatalf("no job: %v", err)
	}
	res := queue.Result{Worker: "test"}
	var payload []byte
	if failure != "" {
		res.Error = failure
	} else {
		data, err := r.Queue().File(ctx, d.Job.SHA256)
		if err != nil {
			r.t.Fatal(err)
		}
		out, err := r.Processor().Process(ctx, ingest.InputOf(d.Job, data))
		if err != nil {
			r.t.Fatal(err)
		}
		if payload, err = json.Marshal(out); err != nil {
			r.t.Fatal(err)
		}
	}
	if err := d.Done(ctx, res, payload); err != nil {
		r.t.Fatal(err)
	}
	return d
}

// indexUntil runs indexer batches until n results in all were applied.
func (r *running) indexUntil(n int) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for got := 0; got < n; {
		if time.Now().After(deadline) {
			r.t.Fatalf("the indexer applied %d results of %d", got, n)
		}
		got += r.indexer.batch(context.Background(), context.Background(), 100*time.Millisecond)
	}
}

// A result the indexer cannot apply (here: the database is unavailable)
// is handed back and applied later, not acknowledged and lost with the
// document stuck in "processing".
func TestIndexerKeepsResultsItCouldNotApply(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("kept.txt", "A note about the pangolin budget review.\n")
	e.work("")

	// The database goes away for a moment.
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	if n := e.indexer.batch(context.Background(), context.Background(), time.Second); n != 0 {
		t.Fatalf("applied %d results without a database", n)
	}
	_, pending, err := e.Queue().Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !pending[doc.SHA256] {
		t.Fatalf("the result that could not be applied was acknowledged and is gone")
	}
	if e.store, err = store.Open(filepath.Join(e.opts.Data, "evident.db")); err != nil {
		t.Fatal(err)
	}
	e.indexUntil(1)
	d, err := e.store.DocumentBySHA(context.Background(), doc.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != evident.Indexed || d.Passages != 1 || len(e.search("pangolin").Hits) != 1 {
		t.Errorf("after the database came back: %s", describe([]evident.Document{*d}))
	}
}

// A result replayed after its acknowledgement was lost (its payload is
// already gone) is acknowledged, not handed back forever.
func TestIndexerAcknowledgesReplayedResult(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("replayed.txt", "A note about the tapir procurement.\n")
	e.work("")
	rs, err := e.Queue().Results(context.Background(), 1, time.Second)
	if err != nil || len(rs) != 1 {
		t.Fatalf("results: %v %v", rs, err)
	}
	// What Ack does first, as if the process died before the second step.
	obj := rs[0].Object
	if err := rs[0].Nak(); err != nil {
		t.Fatal(err)
	}
	js, err := e.Queue().Conn().JetStream()
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := js.ObjectStore(queue.BucketResults)
	if err != nil {
		t.Fatal(err)
	}
	if err := bucket.Delete(obj); err != nil {
		t.Fatal(err)
	}
	e.indexUntil(1)
	_, pending, err := e.Queue().Pending(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if pending[doc.SHA256] {
		t.Errorf("the replayed result is still waiting")
	}
}

// Results for one document that arrive in one batch are applied in order
// in Bleve as in SQLite: indexed, then failed, leaves no passages behind.
func TestIndexerBatchKeepsOrder(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("twice.txt", "A note about the okapi contract.\n\nAnd a second paragraph about renewals.\n")
	// A second job for the same document, as after a redelivery (published
	// directly: Publish would take it for a duplicate of the first).
	js, err := jetstream.New(e.Queue().Conn())
	if err != nil {
		t.Fatal(err)
	}
	sub, err := e.store.Job(context.Background(), doc.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	job, _ := json.Marshal(jobOf(sub))
	if _, err := js.Publish(context.Background(), "evident.jobs."+doc.SHA256, job); err != nil {
		t.Fatal(err)
	}
	e.work("")
	e.work("the parser crashed on this file (test); it is probably malformed")
	if n := e.indexer.batch(context.Background(), context.Background(), 500*time.Millisecond); n != 2 {
		t.Fatalf("the indexer took %d results in its batch, want both", n)
	}
	d, err := e.store.DocumentBySHA(context.Background(), doc.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != evident.Failed || d.Passages != 0 {
		t.Fatalf("after indexed-then-failed: %s", describe([]evident.Document{*d}))
	}
	if n := e.indexCount(); n != 0 {
		t.Errorf("Bleve holds %d passages of a failed document", n)
	}
	if hits := e.search("okapi").Hits; len(hits) != 0 {
		t.Errorf("okapi: %+v", hits)
	}
}
