package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/queue/queuetest"
	"github.com/evident/evident/search"
	"github.com/evident/evident/web"
)

var clusterProcs = flag.Bool("cluster.procs", false, "run TestClusterProcesses: a minute or more, for the figures in BENCHMARKS.md")

// The deployment the README describes, in processes: a three-server NATS
// cluster (nats-server processes, built from the module evident embeds),
// `evident serve --nats … --replicas 3 --workers 0` and two `evident
// worker`s. Mid-ingest one worker is killed with SIGKILL and, later, the
// NATS server that leads the jobs stream is killed with SIGKILL too. Every file must end indexed once: none lost, duplicated or
// stuck. The killed worker's job comes back after the 60-second
// acknowledgement timeout, so this runs only with -cluster.procs.
func TestClusterProcesses(t *testing.T) {
	if !*clusterProcs {
		t.Skip("a minute or more; -cluster.procs runs it")
	}
	const n = 300
	ctx := context.Background()
	c := queuetest.StartClusterProcesses(t, 3, queuetest.BuildServer(t))
	data, inbox := t.TempDir(), t.TempDir()
	s := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--settle", "100ms",
		"--nats", c.URLs(), "--replicas", "3", "--workers", "0")
	url := s.expect(t, `^Evident is serving (\S+)`)[1]
	client := &web.Client{Base: url}
	var workers []*daemon
	for range 2 {
		workers = append(workers, start(t, "worker", "--data", t.TempDir(), "--nats", c.URLs(), "--workers", "1"))
	}
	for _, w := range workers {
		w.expect(t, `^Evident worker: 1 workers taking jobs`)
	}
	began := time.Now()
	for i := range n {
		writeFileT(t, filepath.Join(inbox, fmt.Sprintf("note-%05d.txt", i)), crashNote(i))
	}
	waitIndexedAtLeast := func(k int) []evident.Document {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			ds, err := client.Documents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if countState(ds, evident.Indexed) >= k {
				return ds
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d indexed after 60s, want %d", countState(ds, evident.Indexed), k)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	ds := waitIndexedAtLeast(n / 3)
	workers[0].cmd.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	t.Logf("killed a worker with SIGKILL after %s: %d indexed, %d known of %d", killed.Sub(began).Round(time.Millisecond),
		countState(ds, evident.Indexed), len(ds), n)

	ds = waitIndexedAtLeast(2 * n / 3)
	nc, err := queue.Dial(queue.DialOptions{URL: c.URLs(), Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	leader, err := c.StreamLeader(ctx, nc, queue.StreamJobs)
	if err != nil || leader < 0 {
		t.Fatalf("the jobs stream's leader: %d, %v", leader, err)
	}
	c.Kill(leader)
	stopped := time.Now()
	t.Logf("killed n%d with SIGKILL, the jobs stream's leader, after %s: %d indexed", leader+1, stopped.Sub(began).Round(time.Millisecond),
		countState(ds, evident.Indexed))

	deadline := time.Now().Add(150 * time.Second)
	for {
		ds, err = client.Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == n && countState(ds, evident.Indexed) == n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var lost, dup, stuck int
	per := map[string]int{}
	for _, d := range ds {
		per[d.File]++
		if d.State != evident.Indexed {
			stuck++
			t.Errorf("%s: %s %s", d.File, d.State, d.Error)
		}
	}
	for i := range n {
		switch per[fmt.Sprintf("note-%05d.txt", i)] {
		case 0:
			lost++
		case 1:
		default:
			dup++
		}
	}
	resp, err := client.Search(ctx, search.Request{Query: "crashcount", Limit: 1, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	if int(resp.Total) != n {
		t.Errorf("the index holds %d notes' first passages, want %d", resp.Total, n)
	}
	t.Logf("%d files: all indexed %s after the start, %s after the worker was killed, %s after the NATS server was killed; %d lost, %d duplicated, %d stuck; %d first passages in the index",
		n, time.Since(began).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond), time.Since(stopped).Round(time.Millisecond),
		lost, dup, stuck, resp.Total)
	if lost+dup+stuck > 0 {
		t.Errorf("%d lost, %d duplicated, %d stuck", lost, dup, stuck)
	}
	c.Restart(leader)
	s.stop(t)
}
