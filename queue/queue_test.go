package queue

import (
	"context"
	"testing"
	"time"
)

// open starts an embedded JetStream server in a temporary folder and opens
// the queue on it.
func open(t *testing.T, cfg Config) *Queue {
	t.Helper()
	srv, err := StartServer(ServerOptions{Dir: t.TempDir()})
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
// with its document queued for ever.
func TestJobsPastTheirAttemptsComeBackUntilRecorded(t *testing.T) {
	q := open(t, Config{AckWait: 300 * time.Millisecond, MaxAttempts: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := q.Publish(ctx, Job{SHA256: "feed", File: "a.txt"}); err != nil {
		t.Fatal(err)
	}
	// Deliveries 1 and 2 are the attempt and the final one; the worker
	// dies before recording anything, three times over.
	for want := 1; want <= 4; want++ {
		d, err := q.Next(ctx)
		if err != nil {
			t.Fatalf("delivery %d never came: %v", want, err)
		}
		if d.Attempt != want || d.Final() != (want > 1) {
			t.Fatalf("delivery %d: attempt %d, final %v", want, d.Attempt, d.Final())
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
