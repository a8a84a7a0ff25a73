package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/evident/evident/extract"
	"github.com/evident/evident/queue"
)

// openQueue starts an embedded JetStream server in a temporary folder and
// opens the queue on it.
func openQueue(t *testing.T, cfg queue.Config) *queue.Queue {
	t.Helper()
	srv, err := queue.StartServer(queue.ServerOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := srv.Connect("test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	q, err := queue.Open(context.Background(), nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// submit stores bytes and queues their job, as the engine does.
func submit(t *testing.T, q *queue.Queue, job queue.Job, stored []byte) {
	t.Helper()
	ctx := context.Background()
	if stored != nil {
		if err := q.PutFile(ctx, job.SHA256, job.File, bytes.NewReader(stored), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Publish(ctx, job); err != nil {
		t.Fatal(err)
	}
}

// result waits for the indexer's next result.
func result(t *testing.T, q *queue.Queue) *queue.ResultDelivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		rs, err := q.Results(ctx, 1, time.Second)
		if err != nil && ctx.Err() == nil {
			continue // the fetch timed out: ask again
		}
		if len(rs) == 1 {
			return rs[0]
		}
	}
	t.Fatal("no result came")
	return nil
}

// logBuffer is a slog destination the workers' goroutines may share.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Workers turn each job into one result: passages for a good file, a
// failure with its reason for a bad one, and a failure after the last
// attempt for one that keeps failing.
func TestWorkerResults(t *testing.T) {
	q := openQueue(t, queue.Config{MaxAttempts: 2})
	good, goodData := fixtureJob(t, "interview.txt")
	image, imageData := fixtureJob(t, "image.txt")
	// Stored bytes that do not match their hash fail every attempt.
	corrupt, _ := fixtureJob(t, "notes.txt")
	corrupt.File = "corrupt.txt"
	// A job whose attempts were used up by workers that died before
	// recording the failure.
	spent, _ := fixtureJob(t, "blank.txt")
	spent.Tried, spent.LastError = 2, "timeout (test)"

	submit(t, q, good, goodData)
	submit(t, q, image, imageData)
	submit(t, q, corrupt, []byte("other bytes"))
	submit(t, q, spent, nil)

	events := make(chan queue.Event, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go q.Events(ctx, func(e queue.Event) { events <- e })
	logs := &logBuffer{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		RunN(ctx, 2, func(i int) *Worker {
			return &Worker{Queue: q, Processor: &Processor{Formats: extract.Default(), Rules: live(t)}, Name: "w" + string(rune('1'+i)),
				Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
		})
	}()

	want := map[string]string{
		good.SHA256:    "",
		image.SHA256:   "unsupported format",
		corrupt.SHA256: "gave up after 2 attempts: stored bytes of corrupt.txt do not match their hash",
		spent.SHA256:   "gave up after 2 attempts: timeout (test)",
	}
	for n := len(want); n > 0; n-- {
		r := result(t, q)
		w, ok := want[r.SHA256]
		if !ok {
			t.Fatalf("a second result for %s: %+v", r.File, r.Result)
		}
		delete(want, r.SHA256)
		if w == "" {
			if r.Error != "" {
				t.Errorf("%s failed: %s", r.File, r.Error)
			}
			rc, err := r.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			payload, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			out := readAll(t, payload)
			if out.Document.SHA256 != good.SHA256 || len(out.Passages) != 4 {
				t.Errorf("output of %s: %s, %d passages", r.File, out.Document.SHA256, len(out.Passages))
			}
		} else if !strings.HasPrefix(r.Failure(), w) {
			t.Errorf("%s: error %q, want %q", r.File, r.Failure(), w)
		}
		if err := r.Ack(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	<-done
	if d, err := q.Depth(context.Background()); err != nil || d.Waiting != 0 || d.InFlight != 0 {
		t.Errorf("left in the queue: %+v, %v", d, err)
	}
	kinds := map[queue.EventKind]int{}
	for len(events) > 0 {
		kinds[(<-events).Kind]++
	}
	if kinds[queue.EventProcessing] < 3 || kinds[queue.EventRetry] != 1 {
		t.Errorf("events %v, want a processing event per attempt and one retry", kinds)
	}
	if !strings.Contains(logs.String(), "attempt failed; will retry") {
		t.Errorf("the retry is not logged:\n%s", logs)
	}
}

// A worker told to stop lets its job finish within the grace period, or
// hands it back to the queue, spending no attempt.
func TestWorkerStops(t *testing.T) {
	tests := []struct {
		name     string
		grace    time.Duration
		finishes bool
	}{
		{"the job finishes within the grace period", 5 * time.Second, true},
		{"the job is handed back", 50 * time.Millisecond, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := openQueue(t, queue.Config{})
			data := []byte("anything")
			sum := sha256.Sum256(data)
			job := queue.Job{SHA256: hex.EncodeToString(sum[:]), File: "x.stub", Run: 1}
			submit(t, q, job, data)
			started, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			slow := stub(func(ctx context.Context) (*extract.Doc, error) {
				once.Do(func() { close(started) })
				select {
				case <-release:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return &extract.Doc{Format: "stub", Blocks: []extract.Block{{Text: "We close the books by hand."}}}, nil
			})
			w := &Worker{Queue: q, Processor: &Processor{Formats: registry(slow), Rules: live(t)}, Name: "w",
				Log: slog.New(slog.DiscardHandler), Grace: tt.grace}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- w.Run(ctx) }()
			<-started
			cancel()
			if tt.finishes {
				close(release)
			}
			if err := <-done; err != nil {
				t.Fatalf("Run: %v", err)
			}
			if tt.finishes {
				r := result(t, q)
				if r.Error != "" || r.Attempt != 1 {
					t.Errorf("result %+v", r.Result)
				}
				return
			}
			next, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			d, err := q.Next(next)
			if err != nil {
				t.Fatalf("the job did not come back: %v", err)
			}
			if d.Attempt != 1 {
				t.Errorf("the job handed back comes as attempt %d, want 1", d.Attempt)
			}
		})
	}
}
