package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/queue"
)

// stopWithin cancels a Run and fails the test when it has not returned
// within limit: a stop that waits out windows, or hangs, is caught here.
func stopWithin(t *testing.T, cancel context.CancelFunc, done <-chan error, limit time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(limit):
		t.Fatalf("Run did not return within %s of being cancelled", limit)
	}
	return time.Since(began)
}

// Stopping while files are on their way, again and again, in a process
// whose NATS server is its own: the workers and the indexer give up their
// waits at once, and nothing is lost. Each stop comes while jobs wait in
// the stream, are being processed, or wait for the indexer; the next
// start takes each document up where it was, and in the end every file
// is indexed once, in SQLite and in Bleve alike.
func TestStopsAtOnceAndLosesNothing(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	const rounds, perRound = 6, 15
	var shas []string
	var slowest time.Duration
	for round := range rounds {
		e, err := Open(context.Background(), Options{Data: data, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- e.Run(ctx) }()
		for i := range perRound {
			n := round*perRound + i
			p := filepath.Join(src, fmt.Sprintf("note-%03d.txt", n))
			if err := os.WriteFile(p, []byte(note(n)), 0o644); err != nil {
				t.Fatal(err)
			}
			sub, err := e.Ingest(context.Background(), api.Submission{Path: p})
			if err != nil {
				t.Fatal(err)
			}
			shas = append(shas, sub.Document.SHA256)
		}
		// Stop at once after the last submission, or a little later, so
		// that the stops fall on different stages of the work.
		time.Sleep(time.Duration(round%3) * 15 * time.Millisecond)
		slowest = max(slowest, stopWithin(t, cancel, done, 5*time.Second))
		closed := make(chan error, 1)
		go func() { closed <- e.Close() }()
		select {
		case err := <-closed:
			if err != nil {
				t.Fatalf("Close: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Close did not return within 5s")
		}
	}
	t.Logf("slowest stop: %s", slowest)

	r := start(t, Options{Data: data, Workers: 2})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	ended, err := r.Await(ctx, shas, nil)
	if err != nil {
		t.Fatalf("waiting for the documents: %v (%s)", err, describe(r.docs()))
	}
	for _, d := range ended {
		if d.State != evident.Indexed || d.Passages != 2 {
			t.Errorf("%s: %s with %d passages (%s), want indexed with 2", d.File, d.State, d.Passages, d.Error)
		}
	}
	if got, want := r.indexCount(), r.passageSum(); got != want || want != 2*len(shas) {
		t.Errorf("Bleve holds %d passages, SQLite %d, want %d", got, want, 2*len(shas))
	}
}

// A job that a stopped Run's worker was handed but never received (a
// pull given up as the Run stopped, which the server answered all the
// same) is not left until its AckWait, here a minute: the next Run of the
// same engine hands it out again at once.
func TestRunAgainTakesUpWhatAStopDropped(t *testing.T) {
	dir := t.TempDir()
	e := openIdleOn(t, Options{Data: t.TempDir(), Workers: 1, Queue: queue.Config{AckWait: time.Minute}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	stopWithin(t, cancel, done, 5*time.Second)

	p := filepath.Join(dir, "dropped.txt")
	if err := os.WriteFile(p, []byte(note(1)), 0o644); err != nil {
		t.Fatal(err)
	}
	sub, err := e.Ingest(context.Background(), api.Submission{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	// The job is delivered, and dropped: neither acknowledged nor handed
	// back, as a delivery to a pull nobody listens to any more.
	take, stopTaking := context.WithTimeout(context.Background(), 5*time.Second)
	defer stopTaking()
	if d, err := e.Queue().Next(take); err != nil || d.Job.SHA256 != sub.Document.SHA256 {
		t.Fatalf("taking the job: %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	done = make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	waitFor, stopWaiting := context.WithTimeout(context.Background(), 15*time.Second)
	defer stopWaiting()
	ended, err := e.Await(waitFor, []string{sub.Document.SHA256}, nil)
	if err != nil {
		t.Fatalf("the dropped job was not handed out again: %v", err)
	}
	if ended[0].State != evident.Indexed {
		t.Errorf("%s: %s (%s)", ended[0].File, ended[0].State, ended[0].Error)
	}
	stopWithin(t, cancel, done, 5*time.Second)
}

// Await, in the process that indexes, reads the documents again when
// they end rather than on a timer: signalled, it returns at once.
func TestAwaitWakesWhenDocumentsEnd(t *testing.T) {
	var n ends
	calls := 0
	state := evident.Queued
	list := func(context.Context, ...string) ([]evident.Document, error) {
		calls++
		return []evident.Document{{SHA256: "a", State: state}}, nil
	}
	got := make(chan error, 1)
	began := time.Now()
	go func() {
		_, err := await(context.Background(), []string{"a"}, func(ctx context.Context, s ...string) ([]evident.Document, error) {
			docs, err := list(ctx, s...)
			if calls == 1 {
				state = evident.Indexed
				n.signal() // the first read has taken its channel: this wakes it
			}
			return docs, err
		}, n.wait, nil)
		got <- err
	}()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("await did not return")
	}
	if calls != 2 {
		t.Errorf("%d reads, want 2", calls)
	}
	// Without the signal the second read would come after a second.
	if took := time.Since(began); took > 500*time.Millisecond {
		t.Errorf("await took %s after the signal", took)
	}
}

// Open with Connect starts NATS while the database and the index open.
// When Open fails meanwhile, or after, it waits for the server it started
// and stops it: the next Open of the folder starts its own and works.
func TestOpenConnects(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	bad := filepath.Join(src, "rules.yaml")
	writeFile(t, bad, []byte("categories: [{name: SAY, rules: [{id: x, patterns: ['(']}]}]\n"))
	before := runtime.NumGoroutine()
	if _, err := Open(context.Background(), Options{Data: data, Rules: bad, Connect: true}); err == nil {
		t.Fatal("Open with rules that do not compile succeeded")
	}
	stopped(t, before)
	// The database cannot open (it is a folder) while the server starts.
	db := filepath.Join(data, "evident.db")
	os.Remove(db)
	if err := os.Mkdir(db, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), Options{Data: data, Connect: true}); err == nil {
		t.Fatal("Open with a folder for a database succeeded")
	}
	stopped(t, before)
	if err := os.Remove(db); err != nil {
		t.Fatal(err)
	}

	e, err := Open(context.Background(), Options{Data: data, Workers: 1, Connect: true})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.Queue() == nil {
		t.Fatal("Open with Connect returned an engine with no queue")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Run(ctx) }()
	p := filepath.Join(src, "note.txt")
	writeFile(t, p, []byte(note(1)))
	sub, err := e.Ingest(context.Background(), api.Submission{Path: p})
	if err != nil {
		t.Fatal(err)
	}
	wait, stop := context.WithTimeout(context.Background(), 30*time.Second)
	defer stop()
	docs, err := e.Await(wait, []string{sub.Document.SHA256}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].State != evident.Indexed {
		t.Errorf("documents %s, want one indexed", describe(docs))
	}
	stopWithin(t, cancel, done, 10*time.Second)
}

// stopped fails the test when goroutines started since before (a NATS
// server's) are still running a few seconds on.
func stopped(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines, %d before the Open that failed: a server was left running", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
