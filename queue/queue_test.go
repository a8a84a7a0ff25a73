package queue

import (
	"context"
	"errors"
	"testing"
	"time"
)

// open starts an embedded JetStream server in a temporary folder and opens
// the queue on it.
func open(t *testing.T, cfg Config) *Queue {
	t.Helper()
	return openIn(t, t.TempDir(), cfg)
}

// openIn is open with the server's store in dir.
func openIn(t *testing.T, dir string, cfg Config) *Queue {
	t.Helper()
	srv, err := StartServer(ServerOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Connect("test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	q, err := Open(context.Background(), nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// A job whose attempts are used up keeps coming back until its failure is
// recorded: JetStream must never give up on it and leave it in the stream
// with its document queued for ever. Deliveries are not attempts: only a
// recorded failure (Failed) spends one.
func TestJobsPastTheirAttemptsComeBackUntilRecorded(t *testing.T) {
	q := open(t, Config{AckWait: 300 * time.Millisecond, MaxAttempts: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := q.Publish(ctx, Job{SHA256: "feed", File: "a.txt", Run: 1}); err != nil {
		t.Fatal(err)
	}
	// The worker dies twice before recording anything: the same attempt.
	for delivery := 1; delivery <= 3; delivery++ {
		d, err := q.Next(ctx)
		if err != nil {
			t.Fatalf("delivery %d never came: %v", delivery, err)
		}
		if d.Attempt != 1 || d.Final() {
			t.Fatalf("delivery %d: attempt %d, final %v; want attempt 1", delivery, d.Attempt, d.Final())
		}
		if delivery == 3 {
			if err := d.Failed(ctx, "it broke (test)", 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The attempt failed; the worker that must record the failure dies
	// three times over.
	for delivery := 1; delivery <= 3; delivery++ {
		d, err := q.Next(ctx)
		if err != nil {
			t.Fatalf("final delivery %d never came: %v", delivery, err)
		}
		if d.Attempt != 2 || !d.Final() || d.Job.LastError != "it broke (test)" {
			t.Fatalf("final delivery %d: attempt %d, final %v, last error %q", delivery, d.Attempt, d.Final(), d.Job.LastError)
		}
	}
	d, err := q.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Done(ctx, Result{Error: "gave up"}, nil); err != nil {
		t.Fatal(err)
	}
	info, err := q.jobs.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 {
		t.Errorf("%d job messages left in the stream after the failure was recorded", info.State.Msgs)
	}
}

// Each run of a document is a job of its own, however soon it follows the
// last; the same run published twice is one job, and Publish says so.
func TestEveryRunIsAJob(t *testing.T) {
	q := open(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for run := 1; run <= 3; run++ {
		if err := q.Publish(ctx, Job{SHA256: "beef", File: "b.txt", Run: run}); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		d, err := q.Next(ctx)
		if err != nil {
			t.Fatalf("run %d: no job: %v", run, err)
		}
		if d.Job.Run != run {
			t.Fatalf("got run %d, want %d", d.Job.Run, run)
		}
		if err := d.Done(ctx, Result{Error: "failed (test)"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	err := q.Publish(ctx, Job{SHA256: "beef", File: "b.txt", Run: 3})
	if !errors.Is(err, ErrDuplicateJob) {
		t.Errorf("run 3 again: %v, want ErrDuplicateJob", err)
	}
}
