package queue

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
)

// testCtx is a context that ends with the test, or after a minute.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Original bytes are stored once under their hash, fetched and deleted.
func TestFiles(t *testing.T) {
	q := open(t, Config{})
	ctx := testCtx(t)
	const sha = "0123456789abcdef0123"
	has := func(want bool) {
		t.Helper()
		if ok, err := q.HasFile(ctx, sha); err != nil || ok != want {
			t.Fatalf("HasFile: %v, %v; want %v", ok, err, want)
		}
	}
	has(false)
	if _, err := q.File(ctx, sha); err == nil || !strings.Contains(err.Error(), sha[:12]) {
		t.Errorf("File of nothing stored: %v, want an error naming %s", err, sha[:12])
	}
	if err := q.PutFile(ctx, sha, "a.txt", strings.NewReader("first bytes"), false); err != nil {
		t.Fatal(err)
	}
	has(true)
	// Stored already: the reader is not even read.
	if err := q.PutFile(ctx, sha, "a.txt", errReader{}, false); err != nil {
		t.Errorf("storing the same hash again: %v", err)
	}
	got, err := q.File(ctx, sha)
	if err != nil || string(got) != "first bytes" {
		t.Errorf("File: %q, %v", got, err)
	}
	for range 2 { // deleting what is gone is no error
		if err := q.DeleteFile(ctx, sha); err != nil {
			t.Errorf("DeleteFile: %v", err)
		}
	}
	has(false)
	if err := q.PutFile(ctx, "other", "b.txt", errReader{}, false); err == nil || !strings.Contains(err.Error(), "b.txt") {
		t.Errorf("a reader that fails: %v, want an error naming b.txt", err)
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire (test)") }

// Configuration published by the server reaches every watcher: the
// current value first (nil when there is none), then every new one, and
// publishing the same value again is no news.
func TestConfig(t *testing.T) {
	q := open(t, Config{})
	ctx := testCtx(t)
	got := make(chan []byte, 10)
	if err := q.WatchConfig(ctx, ConfigRules, func(b []byte) { got <- b }); err != nil {
		t.Fatal(err)
	}
	next := func() []byte {
		t.Helper()
		select {
		case b := <-got:
			return b
		case <-ctx.Done():
			t.Fatal("no configuration came")
			return nil
		}
	}
	if b := next(); b != nil {
		t.Errorf("before any was published: %q, want nil", b)
	}
	for _, v := range []string{"rules: 1", "rules: 1", "rules: 2"} {
		if err := q.PutConfig(ctx, ConfigRules, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	// The bucket keeps one value per key: a watcher that falls behind
	// quick writes may see only the newest. What it must see is each
	// value once, in order, ending with the last.
	var seen []string
	for len(seen) == 0 || seen[len(seen)-1] != "rules: 2" {
		seen = append(seen, string(next()))
	}
	if want := []string{"rules: 1", "rules: 2"}; !slices.Equal(seen, want) && !slices.Equal(seen, want[1:]) {
		t.Errorf("updates %q, want %q or its last alone (the same value published twice came twice?)", seen, want)
	}
	// A watcher that starts later gets the current value at once.
	late := make(chan []byte, 1)
	if err := q.WatchConfig(ctx, ConfigRules, func(b []byte) { late <- b }); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-late:
		if string(b) != "rules: 2" {
			t.Errorf("a late watcher got %q", b)
		}
	default:
		t.Error("WatchConfig returned before its first call")
	}
}

// Progress events reach subscribers until their context ends.
func TestEvents(t *testing.T) {
	q := open(t, Config{})
	ctx, cancel := context.WithCancel(testCtx(t))
	got := make(chan Event, 1)
	done := make(chan error, 1)
	go func() { done <- q.Events(ctx, func(e Event) { got <- e }) }()
	want := Event{SHA256: "feed", Kind: "retry", Worker: "w1", Attempt: 2, Error: "it broke"}
	// The subscription starts on its own goroutine: publish until it hears.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for received := false; !received; {
		q.Notify(want)
		select {
		case e := <-got:
			if e != want {
				t.Errorf("event %+v, want %+v", e, want)
			}
			received = true
		case <-tick.C:
		case <-time.After(10 * time.Second):
			t.Fatal("no event came")
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Events: %v", err)
	}
}

// Jobs and results: what is live, what is pending, how deep the queue is,
// and dropping a document's jobs.
func TestPendingLiveDepthDrop(t *testing.T) {
	q := open(t, Config{})
	ctx := testCtx(t)
	for _, sha := range []string{"aaaa", "bbbb", "cccc"} {
		if err := q.Publish(ctx, Job{SHA256: sha, File: sha + ".txt", Run: 1}); err != nil {
			t.Fatal(err)
		}
	}
	d, err := q.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Job.SHA256 != "aaaa" {
		t.Fatalf("first job %s, want aaaa", d.Job.SHA256)
	}
	waitDepth(t, q, Depth{Waiting: 2, InFlight: 1}, "with a job taken")
	if err := d.Done(ctx, Result{Worker: "w"}, []byte(`{"passages":[]}`)); err != nil {
		t.Fatal(err)
	}
	if err := q.Drop(ctx, "cccc"); err != nil {
		t.Fatal(err)
	}
	jobs, results, err := q.Pending(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || !jobs["bbbb"] || len(results) != 1 || !results["aaaa"] {
		t.Errorf("Pending: jobs %v, results %v", jobs, results)
	}
	for sha, want := range map[string]bool{"aaaa": true, "bbbb": true, "cccc": false, "dddd": false} {
		if live, err := q.Live(ctx, sha); err != nil || live != want {
			t.Errorf("Live(%s) = %v, %v; want %v", sha, live, err, want)
		}
	}
	waitDepth(t, q, Depth{Waiting: 1, Results: 1}, "after a result and a drop")
}

// waitDepth waits until the queue's depth is want: the consumer's counts
// follow the stream a moment later.
func waitDepth(t *testing.T, q *Queue, want Depth, when string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := q.Depth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Depth %s: %+v, want %+v", when, got, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// The indexer's side: a result with its payload, acknowledged (its payload
// dropped) or handed back; a reset hands back every unacknowledged one.
func TestResults(t *testing.T) {
	q := open(t, Config{})
	ctx := testCtx(t)
	payloads := map[string]string{"aaaa": `{"n":1}`, "bbbb": ""}
	for sha := range payloads {
		if err := q.Publish(ctx, Job{SHA256: sha, File: sha + ".txt", Run: 1, Meta: testMeta}); err != nil {
			t.Fatal(err)
		}
	}
	for range payloads {
		d, err := q.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var payload []byte
		res := Result{Worker: "w", Duration: time.Second}
		if p := payloads[d.Job.SHA256]; p != "" {
			payload = []byte(p)
		} else {
			res.Error = "no passages (test)"
		}
		if err := d.Done(ctx, res, payload); err != nil {
			t.Fatal(err)
		}
	}
	if rs, err := q.Results(ctx, 10, 5*time.Second); err != nil || len(rs) != 2 {
		t.Fatalf("Results: %d, %v", len(rs), err)
	} else {
		for _, r := range rs {
			if r.File != r.SHA256+".txt" || r.Attempt != 1 || r.Worker != "w" || r.Version != JobVersion(Job{Meta: testMeta}) {
				t.Errorf("result %+v", r.Result)
			}
			b, err := r.Payload(ctx)
			if err != nil || string(b) != payloads[r.SHA256] {
				t.Errorf("payload of %s: %q, %v", r.SHA256, b, err)
			}
			if r.Error != "" {
				if err := r.Ack(ctx); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := r.Nak(); err != nil { // handed back: comes again
				t.Fatal(err)
			}
		}
	}
	again, err := q.Results(ctx, 10, 5*time.Second)
	if err != nil || len(again) != 1 || again[0].SHA256 != "aaaa" {
		t.Fatalf("after a Nak: %d results, %v", len(again), err)
	}
	// Taken and never acknowledged: a reset hands it back at once.
	if err := q.ResetIndexer(ctx); err != nil {
		t.Fatal(err)
	}
	again, err = q.Results(ctx, 1, 5*time.Second)
	if err != nil || len(again) != 1 {
		t.Fatalf("after a reset: %d results, %v", len(again), err)
	}
	if err := again[0].Ack(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := q.results.GetInfo(ctx, again[0].Object); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Errorf("the acknowledged result's payload is still stored: %v", err)
	}
	if rs, err := q.Results(ctx, 10, 100*time.Millisecond); err != nil || len(rs) != 0 {
		t.Errorf("results left: %d, %v", len(rs), err)
	}
}

var testMeta = evident.Meta{Title: "Interview 3", Role: "cfo"}

// Delivery control: a released job comes back at once with the same
// attempt; one put off comes back later; a failed attempt waits out its
// delay; an undecodable job is dropped; a reset of the workers hands back
// what they held.
func TestDeliveries(t *testing.T) {
	q := open(t, Config{AckWait: time.Minute})
	ctx := testCtx(t)
	next := func(want string) *Delivery {
		t.Helper()
		d, err := q.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Job.SHA256 != want {
			t.Fatalf("job %s, want %s", d.Job.SHA256, want)
		}
		return d
	}
	if err := q.nc.Publish(subjectJobs+"junk", []byte("not json")); err != nil {
		t.Fatal(err)
	}
	if err := q.Publish(ctx, Job{SHA256: "aaaa", File: "a.txt", Run: 1}); err != nil {
		t.Fatal(err)
	}
	d := next("aaaa") // the junk before it was dropped
	if err := d.Heartbeat(); err != nil {
		t.Errorf("Heartbeat: %v", err)
	}
	if err := d.Release(); err != nil {
		t.Fatal(err)
	}
	d = next("aaaa")
	if d.Attempt != 1 {
		t.Errorf("a released job comes back as attempt %d, want 1", d.Attempt)
	}
	start := time.Now()
	if err := d.Later(300 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	d = next("aaaa")
	if waited := time.Since(start); waited < 250*time.Millisecond {
		t.Errorf("a job put off for 300ms came back after %v", waited)
	}
	start = time.Now()
	if err := d.Failed(ctx, "timeout (test)", 700*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	d = next("aaaa")
	if waited := time.Since(start); waited < 600*time.Millisecond || d.Attempt != 2 || d.Job.LastError != "timeout (test)" {
		t.Errorf("after a failed attempt: attempt %d, last error %q, after %v", d.Attempt, d.Job.LastError, waited)
	}
	// Held by a worker that died: a reset hands it back without waiting
	// for AckWait.
	if err := q.ResetWorkers(ctx); err != nil {
		t.Fatal(err)
	}
	reset, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	d, err := q.Next(reset)
	if err != nil || d.Job.SHA256 != "aaaa" || d.Attempt != 2 {
		t.Fatalf("after ResetWorkers: %+v, %v", d, err)
	}
	if err := d.Done(ctx, Result{}, nil); err != nil {
		t.Fatal(err)
	}
	// Nothing left: Next waits until its context ends.
	short, cancel2 := context.WithTimeout(ctx, 700*time.Millisecond)
	defer cancel2()
	if d, err := q.Next(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next on an empty queue: %+v, %v", d, err)
	}
}

// Opening is idempotent: a second process's Open binds to the same
// streams.
func TestOpenTwice(t *testing.T) {
	q := open(t, Config{})
	ctx := testCtx(t)
	if err := q.Publish(ctx, Job{SHA256: "aaaa", File: "a.txt", Run: 1}); err != nil {
		t.Fatal(err)
	}
	q2, err := Open(ctx, q.Conn(), Config{MaxAttempts: 5})
	if err != nil {
		t.Fatal(err)
	}
	if c := q2.Config(); c.MaxAttempts != 5 || c.AckWait != 60*time.Second {
		t.Errorf("Config: %+v", c)
	}
	d, err := q2.Next(ctx)
	if err != nil || d.Job.File != "a.txt" {
		t.Fatalf("the second queue's Next: %+v, %v", d, err)
	}
	b, _ := json.Marshal(d.Job)
	if !strings.Contains(string(b), `"sha256":"aaaa"`) {
		t.Errorf("job %s", b)
	}
}

// Bytes stored without keep leave the store when discarded, and leave no
// deletion marker: the disk they took is given back. Bytes kept on request
// stay, and so do those marked kept when stored again with keep.
func TestDiscardFile(t *testing.T) {
	dir := t.TempDir()
	q := openIn(t, dir, Config{})
	ctx := testCtx(t)
	// Random bytes do not compress: what the disk holds is what was put.
	body := make([]byte, 64<<10)
	const n = 40
	name := func(i int) string { return fmt.Sprintf("%064x", i) }
	for i := range n {
		rand.Read(body)
		if err := q.PutFile(ctx, name(i), fmt.Sprintf("f%d.bin", i), bytes.NewReader(body), i == 0); err != nil {
			t.Fatal(err)
		}
	}
	// Stored without keep, then submitted again with it: kept.
	if err := q.PutFile(ctx, name(1), "f1.bin", errReader{}, true); err != nil {
		t.Fatal(err)
	}
	if got, err := q.StoredFiles(ctx); err != nil || got != n {
		t.Errorf("StoredFiles = %d, %v; want %d", got, err, n)
	}
	files, err := q.Files(ctx)
	if err != nil || len(files) != n {
		t.Fatalf("Files: %d, %v; want %d", len(files), err, n)
	}
	for _, f := range files {
		if want := f.SHA256 == name(0) || f.SHA256 == name(1); f.Kept != want {
			t.Errorf("%s kept = %v, want %v", f.SHA256[60:], f.Kept, want)
		}
	}
	msgs := filepath.Join(dir, "jetstream", "jetstream", "$G", "streams", "OBJ_"+BucketFiles, "msgs")
	before := dirSize(t, msgs)
	if before < n*len(body) {
		t.Fatalf("the bucket takes %d bytes on disk, less than the %d put", before, n*len(body))
	}
	for i := range n {
		gone, err := q.DiscardFile(ctx, name(i))
		if err != nil {
			t.Fatal(err)
		}
		if want := i > 1; gone != want {
			t.Errorf("DiscardFile(%d) = %v, want %v", i, gone, want)
		}
		if has, _ := q.HasFile(ctx, name(i)); has == gone {
			t.Errorf("HasFile(%d) = %v after discarding it (%v)", i, has, gone)
		}
	}
	if _, err := q.File(ctx, name(5)); !errors.Is(err, ErrFileGone) {
		t.Errorf("File of discarded bytes: %v, want ErrFileGone", err)
	}
	if got, _ := q.StoredFiles(ctx); got != 2 {
		t.Errorf("StoredFiles = %d after discarding, want the 2 kept", got)
	}
	// Discarding what is gone is no error.
	if gone, err := q.DiscardFile(ctx, name(5)); gone || err != nil {
		t.Errorf("DiscardFile of nothing: %v, %v", gone, err)
	}
	for i := range 2 {
		if err := q.DeleteFile(ctx, name(i)); err != nil {
			t.Fatal(err)
		}
	}
	if after := dirSize(t, msgs); after > 64<<10 {
		t.Errorf("the bucket takes %d bytes on disk once every file is removed (%d before)", after, before)
	}
}

func dirSize(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		n += int(info.Size())
	}
	return n
}

// A failed document's bytes move to their own bucket, still found by
// HasFile and File, and DiscardFile removes them there too.
func TestParkFile(t *testing.T) {
	q := open(t, Config{})
	ctx := testCtx(t)
	const sha = "feedfacefeedfacefeedface"
	if err := q.PutFile(ctx, sha, "broken.pdf", strings.NewReader("%PDF-1.7 broken"), false); err != nil {
		t.Fatal(err)
	}
	for range 2 { // parking what is parked changes nothing
		if err := q.ParkFile(ctx, sha); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := q.StoredFiles(ctx); n != 0 {
		t.Errorf("StoredFiles = %d after parking the only file", n)
	}
	if has, err := q.HasFile(ctx, sha); !has || err != nil {
		t.Errorf("HasFile of parked bytes: %v, %v", has, err)
	}
	if got, err := q.File(ctx, sha); err != nil || string(got) != "%PDF-1.7 broken" {
		t.Errorf("File of parked bytes: %q, %v", got, err)
	}
	// Stored again (a retry): found where they are, not stored twice.
	if err := q.PutFile(ctx, sha, "broken.pdf", errReader{}, false); err != nil {
		t.Fatal(err)
	}
	if gone, err := q.DiscardFile(ctx, sha); !gone || err != nil {
		t.Errorf("DiscardFile of parked bytes: %v, %v", gone, err)
	}
	if has, _ := q.HasFile(ctx, sha); has {
		t.Error("parked bytes survived DiscardFile")
	}
}
