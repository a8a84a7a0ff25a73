package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/queue/queuetest"
)

// On a three-server NATS cluster with three copies of everything, losing
// the server that leads the jobs stream in the middle of an ingest loses
// nothing, duplicates nothing and leaves nothing stuck: the engine (its
// indexer and a worker) and a worker of its own connection, as `evident
// worker` runs, carry on with the other two servers. The server then
// starts again from its store and catches up, and work goes on.
func TestClusterNodeLossLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS cluster and stops one of its servers; -short skips it")
	}
	const notes = 60
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := queuetest.StartCluster(t, 3)
	qcfg := queue.Config{Replicas: 3, AckWait: 5 * time.Second}
	e := start(t, Options{NATS: c.URLs(), Queue: qcfg, Workers: 1})
	if err := e.Connect(ctx); err != nil {
		t.Fatal(err)
	}

	// A worker elsewhere, given the servers in another order.
	urls := queue.SplitURLs(c.URLs())
	nc, err := queue.Dial(queue.DialOptions{URL: strings.Join([]string{urls[2], urls[1], urls[0]}, ","), Name: "outside-worker", Log: e.opts.Log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	wq, err := queue.Open(ctx, nc, queue.Config{AckWait: qcfg.AckWait})
	if err != nil {
		t.Fatal(err)
	}
	if got := wq.Config().Replicas; got != 3 {
		t.Fatalf("the outside worker's queue keeps %d copies, want the 3 the engine set up", got)
	}
	wctx, stopWorker := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	workers.Go(func() {
		ingest.RunN(wctx, 1, func(int) *ingest.Worker {
			return &ingest.Worker{Queue: wq, Processor: e.Processor(), Name: "outside", Log: e.opts.Log}
		})
	})
	t.Cleanup(func() { stopWorker(); workers.Wait() })

	// Real files: the examples, and notes whose tokens tell duplicates.
	src := t.TempDir()
	var files []string
	examples, err := filepath.Glob("../examples/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range examples {
		if strings.HasSuffix(p, ".meta.yaml") {
			b, _ := os.ReadFile(p)
			writeFile(t, filepath.Join(src, filepath.Base(p)), b)
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, filepath.Join(src, filepath.Base(p)))
		writeFile(t, files[len(files)-1], b)
	}
	for i := range notes {
		p := filepath.Join(src, fmt.Sprintf("note-%03d.txt", i))
		writeFile(t, p, []byte(note(i)))
		files = append(files, p)
	}
	// Paced, so that the server stops while files are still arriving.
	submitAll := func(paths []string) (failures int) {
		for _, p := range paths {
			time.Sleep(25 * time.Millisecond)
			// A submission refused while the cluster elects a leader is
			// tried again, as the inbox's next look or a user would.
			for try := 1; ; try++ {
				_, err := e.Ingest(ctx, api.Submission{Path: p})
				if err == nil {
					break
				}
				failures++
				t.Logf("submitting %s, try %d: %v", filepath.Base(p), try, err)
				if try == 10 || ctx.Err() != nil {
					t.Errorf("submitting %s: %v", filepath.Base(p), err)
					return
				}
				time.Sleep(500 * time.Millisecond)
			}
		}
		return failures
	}

	var submitted sync.WaitGroup
	var refused int
	submitted.Go(func() { refused = submitAll(files) })

	// Stop the server that leads the jobs stream once a third is indexed.
	e.waitDocs(30*time.Second, func(ds []evident.Document) (bool, string) {
		n := count(ds, evident.Indexed)
		return n >= len(files)/3, fmt.Sprintf("%d of %d indexed", n, len(files))
	})
	// The worst server to lose: the one the engine is connected to, made
	// the leader of the streams and buckets first.
	leader := c.Node(e.nc.ConnectedUrl())
	if leader < 0 {
		t.Fatalf("the engine is connected to %q, none of the cluster's servers", e.nc.ConnectedUrl())
	}
	for _, s := range []string{queue.StreamJobs, queue.StreamResults, "OBJ_" + queue.BucketFiles, "OBJ_" + queue.BucketResults} {
		if err := c.MoveLeader(ctx, nc, s, leader); err != nil {
			t.Fatal(err)
		}
	}
	before := e.docs()
	on := []string{}
	if e.nc.ConnectedUrl() == c.URL(leader) {
		on = append(on, "the engine's")
	}
	if nc.ConnectedUrl() == c.URL(leader) {
		on = append(on, "the outside worker's")
	}
	stopped := time.Now()
	c.Stop(leader)
	t.Logf("stopped n%d, the streams' leader (connections on it: %v), with %d documents submitted and %d indexed of %d",
		leader+1, on, len(before), count(before, evident.Indexed), len(files))

	submitted.Wait()
	t.Cleanup(func() {
		if t.Failed() {
			dumpQueue(t, nc)
		}
	})
	ds := e.waitDocs(60*time.Second, func(ds []evident.Document) (bool, string) {
		n := count(ds, evident.Indexed)
		return len(ds) == len(files) && n == len(files), fmt.Sprintf("%d documents, %d of %d indexed", len(ds), n, len(files))
	})
	t.Logf("every document indexed %s after the server stopped; %d submissions refused meanwhile and tried again",
		time.Since(stopped).Round(time.Millisecond), refused)
	checkOnce(t, e, ds, notes)

	// The server comes back from its store and catches up; work goes on.
	c.Restart(leader)
	deadline := time.Now().Add(30 * time.Second)
	for _, s := range []string{queue.StreamJobs, queue.StreamResults, "OBJ_" + queue.BucketFiles} {
		for {
			ok, err := queuetest.Current(ctx, nc, s, 3)
			if ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s has not caught up on n%d 30s after its restart (%v)", s, leader+1, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	t.Logf("n%d rejoined and caught up %s after its restart", leader+1, time.Since(deadline.Add(-30*time.Second)).Round(time.Millisecond))
	var more []string
	for i := notes; i < notes+5; i++ {
		p := filepath.Join(src, fmt.Sprintf("note-%03d.txt", i))
		writeFile(t, p, []byte(note(i)))
		more = append(more, p)
	}
	submitAll(more)
	ds = e.waitDocs(30*time.Second, func(ds []evident.Document) (bool, string) {
		n := count(ds, evident.Indexed)
		return n == len(files)+len(more), fmt.Sprintf("%d of %d indexed", n, len(files)+len(more))
	})
	checkOnce(t, e, ds, notes+5)
}

func count(ds []evident.Document, state evident.State) int {
	n := 0
	for _, d := range ds {
		if d.State == state {
			n++
		}
	}
	return n
}

// checkOnce checks that each note is one indexed document of two passages
// found once by its token, and that the index holds exactly the
// database's passages.
func checkOnce(t *testing.T, e *running, ds []evident.Document, notes int) {
	t.Helper()
	byFile := map[string]int{}
	for _, d := range ds {
		byFile[d.File]++
		if d.State != evident.Indexed {
			t.Errorf("%s: %s (%s)", d.File, d.State, d.Error)
		}
		if strings.HasPrefix(d.File, "note-") && d.Passages != 2 {
			t.Errorf("%s: %d passages, want 2", d.File, d.Passages)
		}
	}
	for f, n := range byFile {
		if n != 1 {
			t.Errorf("%s: %d documents", f, n)
		}
	}
	if got, want := e.indexCount(), e.passageSum(); got != want {
		t.Errorf("the index holds %d passages, the database %d", got, want)
	}
	for i := range notes {
		if ids := e.hitIDs(fmt.Sprintf("token%03dx", i)); len(ids) != 1 {
			t.Errorf("token%03dx: %d hits, want 1", i, len(ids))
		}
	}
}

// dumpQueue logs what the streams and consumers hold, for a failure.
func dumpQueue(t *testing.T, nc *nats.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)
	for _, sc := range [][2]string{{queue.StreamJobs, queue.ConsumerWorkers}, {queue.StreamResults, queue.ConsumerIndexer}} {
		if s, err := js.Stream(ctx, sc[0]); err == nil {
			i, _ := s.Info(ctx, jetstream.WithSubjectFilter(">"))
			if i != nil {
				t.Logf("%s: %d messages, subjects %v, cluster %+v", sc[0], i.State.Msgs, i.State.Subjects, i.Cluster)
			}
		}
		if c, err := js.Consumer(ctx, sc[0], sc[1]); err == nil {
			i, _ := c.Info(ctx)
			if i != nil {
				t.Logf("%s/%s: pending %d, ack pending %d, redelivered %d, delivered %+v, ack floor %+v, cluster %+v",
					sc[0], sc[1], i.NumPending, i.NumAckPending, i.NumRedelivered, i.Delivered, i.AckFloor, i.Cluster)
			}
		}
	}
}
