package ingest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/evident/evident/queue"
)

// Worker pulls jobs off the shared consumer one at a time.
type Worker struct {
	Queue     *queue.Queue
	Processor *Processor
	Name      string
	Log       *slog.Logger
	// Grace is how long an in-flight job may run on after shutdown begins
	// before it is handed back to the queue; zero means DefaultGrace.
	Grace time.Duration

	results *Writer // reused from job to job; nil until the first
}

// DefaultGrace is Worker.Grace unless set.
const DefaultGrace = 10 * time.Second

// Run processes jobs until ctx ends. An in-flight job then finishes within
// the grace period or goes back to the queue; nothing is lost.
func (w *Worker) Run(ctx context.Context) error {
	for {
		d, err := w.Queue.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		w.handle(ctx, d)
	}
}

// RunN runs n workers and waits for all of them.
func RunN(ctx context.Context, n int, mk func(i int) *Worker) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			w := mk(i)
			if err := w.Run(ctx); err != nil {
				w.Log.Error("worker stopped", "worker", w.Name, "err", err)
			}
		})
	}
	wg.Wait()
}

func (w *Worker) handle(ctx context.Context, d *queue.Delivery) {
	log := w.Log.With("file", d.Job.File, "sha256", d.Job.SHA256[:12], "attempt", d.Attempt, "worker", w.Name)
	// The job's own context outlives shutdown by the grace period.
	work, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	if d.Final() {
		res := queue.Result{Worker: w.Name, Attempts: d.Job.Tried, Error: d.Job.LastError}
		if err := d.Done(work, res, nil); err != nil {
			// The job comes back until its failure is recorded.
			w.wait(d, log, "recording the failure", err)
		}
		return
	}
	w.Queue.Notify(queue.Event{SHA256: d.Job.SHA256, Kind: queue.EventProcessing, Worker: w.Name, Attempt: d.Attempt})

	stopBeat := heartbeat(work, d, w.Queue.Config().AckWait/4)
	defer stopBeat()

	type outcome struct {
		object   string // the stored payload
		parts    int
		passages int
		err      error
		results  *Writer
	}
	done := make(chan outcome, 1)
	start := time.Now()
	rw := w.results
	w.results = nil // back once the job is done with it, not if it is abandoned
	go func() {
		data, err := w.Queue.File(work, d.Job.SHA256)
		if err != nil {
			done <- outcome{err: err}
			return
		}
		// The passages go to the results bucket as they are classified.
		var passages int
		object, parts, err := d.PutResult(work, func(out io.Writer) error {
			if rw == nil {
				rw = NewWriter(out)
			} else {
				rw.Reset(out)
			}
			err := w.Processor.Stream(work, InputOf(d.Job, data), rw)
			passages = rw.n
			return err
		})
		done <- outcome{object, parts, passages, err, rw}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
		grace := w.Grace
		if grace <= 0 {
			grace = DefaultGrace
		}
		select {
		case o = <-done:
		case <-time.After(grace):
			cancel()
			log.Info("shutting down: job handed back to the queue")
			d.Release()
			return
		}
	}
	w.results = o.results
	res := queue.Result{Worker: w.Name, Duration: time.Since(start), Tried: d.Job.Tried, LastError: d.Job.LastError}
	switch {
	case o.err == nil:
		res.Object, res.Parts, res.Encoding = o.object, o.parts, Encoding
		if err := d.Done(work, res, nil); err != nil {
			w.Queue.DeleteResult(work, o.object, o.parts)
			w.wait(d, log, "publishing the result", err)
			return
		}
		log.Debug("processed", "passages", o.passages, "took", res.Duration)
		return
	case errors.Is(o.err, queue.ErrWrite):
		// The queue could not store the result (a full disk): not the
		// file's fault, and no attempt spent.
		w.wait(d, log, "storing the result", o.err)
		return
	}
	if IsPermanent(o.err) || d.Attempt >= w.Queue.Config().MaxAttempts {
		res.Error = o.err.Error()
		if !IsPermanent(o.err) {
			res.Attempts = d.Attempt
		}
		if err := d.Done(work, res, nil); err != nil {
			w.wait(d, log, "recording the failure", err)
			return
		}
		log.Info("failed", "reason", res.Failure())
		return
	}
	log.Warn("attempt failed; will retry", "err", o.err)
	w.Queue.Notify(queue.Event{SHA256: d.Job.SHA256, Kind: queue.EventRetry, Worker: w.Name, Attempt: d.Attempt, Error: o.err.Error()})
	if err := d.Failed(work, o.err.Error(), time.Duration(d.Attempt)*2*time.Second); err != nil {
		// Not recorded, so not counted: the same attempt comes back.
		w.wait(d, log, "recording the failed attempt", err)
	}
}

// wait hands the job back for later, spending no attempt, when the queue
// could not record what became of it: JetStream refusing writes, most
// often because the disk is full. The wait grows with each delivery, up
// to queue.MaxBackoff, and the document says why it waits.
func (w *Worker) wait(d *queue.Delivery, log *slog.Logger, doing string, err error) {
	delay := queue.Backoff(d.Delivered)
	why := queue.WaitReason(err)
	log.Warn(doing+": will try again", "err", err, "in", delay)
	w.Queue.Notify(queue.Event{SHA256: d.Job.SHA256, Kind: queue.EventWait, Worker: w.Name, Attempt: d.Attempt, Error: why})
	d.Later(delay)
}

// heartbeat tells JetStream the job is alive until the returned stop is called.
func heartbeat(ctx context.Context, d *queue.Delivery, every time.Duration) (stop func()) {
	if every <= 0 {
		every = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.Heartbeat()
			}
		}
	}()
	return cancel
}
