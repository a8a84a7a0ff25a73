package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/search"
	"github.com/evident/evident/web"
)

var crashFiles = flag.Int("crash.files", 300, "files TestServeStoppedMidIngest ingests through its ten stops (BENCHMARKS.md uses 1000)")

// crashNote is a note of two passages: the first holds its own token and
// a word every note shares, so that one search counts the notes' first
// passages in the index.
func crashNote(i int) string {
	return fmt.Sprintf("Interview note %d, in which the controller says quarterly close takes forever, marker%05dq, and crashcount appears once.\n\n"+
		"A second paragraph about the budget approvals the team keeps waiting for.\n", i, i)
}

// A real `evident serve` is stopped ten times in the middle of an ingest,
// five times with kill -9 and five with SIGINT, each time with a new tenth
// of the files just dropped into its inbox, and started again. After each
// restart every file dropped so far must end indexed, once, within a
// minute: none lost (no document, or not in the index), none duplicated
// (two documents for a file, a passage twice in the index), none stuck
// (queued or processing after the minute). It logs the table that
// BENCHMARKS.md shows (go test ./cmd/evident -run TestServeStoppedMidIngest
// -crash.files 1000 -v).
func TestServeStoppedMidIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("stops a server ten times; -short skips it")
	}
	const stops = 10
	n := *crashFiles
	if n < stops {
		t.Fatalf("-crash.files %d: give at least %d", n, stops)
	}
	data, inbox := t.TempDir(), t.TempDir()
	ctx := context.Background()
	began := time.Now()

	serve := func() (*daemon, *web.Client, string) {
		t.Helper()
		d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--settle", "100ms", "--workers", "2")
		url := d.expect(t, `^Evident is serving (\S+)`)[1]
		resumed := d.expect(t, `^Resumed: (.*)`)[1]
		return d, &web.Client{Base: url}, resumed
	}
	docs := func(c *web.Client) []evident.Document {
		t.Helper()
		ds, err := c.Documents(ctx)
		if err != nil {
			t.Fatalf("status: %v", err)
		}
		return ds
	}

	type row struct {
		how                     string
		dropped                 int // files dropped so far
		atStop, inFlight        int // when stopped: indexed; queued or processing
		unseen                  int // when stopped: not yet submitted by the inbox
		resumed                 string
		took                    time.Duration // from the restart until every file ended
		indexed, failed         int
		lost, duplicated, stuck int
	}
	var rows []row
	d, c, _ := serve()
	dropped := 0
	for stop := range stops {
		// A tenth of the files, the last stop takes the rest.
		batch := n / stops
		if stop == stops-1 {
			batch = n - dropped
		}
		for i := dropped; i < dropped+batch; i++ {
			writeFileT(t, filepath.Join(inbox, fmt.Sprintf("batch-%02d", stop), fmt.Sprintf("note-%05d.txt", i)), crashNote(i))
		}
		before := dropped
		dropped += batch
		// Mid-ingest: a third of the new files indexed.
		deadline := time.Now().Add(60 * time.Second)
		for {
			atStop := countState(docs(c), evident.Indexed)
			if atStop >= before+batch/3 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stop %d: %d indexed after 60s, want %d", stop+1, atStop, before+batch/3)
			}
			time.Sleep(5 * time.Millisecond)
		}
		at := docs(c)
		r := row{how: "kill -9", dropped: dropped, atStop: countState(at, evident.Indexed),
			inFlight: len(at) - countState(at, evident.Indexed) - countState(at, evident.Failed), unseen: dropped - len(at)}
		if stop%2 == 1 {
			r.how = "SIGINT"
			d.cmd.Process.Signal(syscall.SIGINT)
		} else {
			d.cmd.Process.Signal(syscall.SIGKILL)
		}
		select {
		case err := <-d.done:
			d.done <- err // for the cleanup
		case <-time.After(60 * time.Second):
			t.Fatalf("stop %d: serve still running 60s after %s", stop+1, r.how)
		}

		restarted := time.Now()
		d, c, r.resumed = serve()
		// Every file dropped so far ends, or is stuck after a minute.
		var ds []evident.Document
		deadline = time.Now().Add(60 * time.Second)
		for {
			ds = docs(c)
			ended := countState(ds, evident.Indexed) + countState(ds, evident.Failed)
			if len(ds) >= dropped && ended == len(ds) || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		r.took = time.Since(restarted)
		perFile := map[string]int{}
		for _, doc := range ds {
			perFile[doc.File]++
			switch doc.State {
			case evident.Indexed:
				r.indexed++
				if doc.Passages != 2 {
					t.Errorf("stop %d: %s indexed with %d passages, want 2", stop+1, doc.File, doc.Passages)
				}
			case evident.Failed:
				r.failed++
				t.Errorf("stop %d: %s failed: %s", stop+1, doc.File, doc.Error)
			default:
				r.stuck++
				t.Errorf("stop %d: %s still %s %s after the restart", stop+1, doc.File, doc.State, r.took.Round(time.Millisecond))
			}
		}
		for i := range dropped {
			switch perFile[fmt.Sprintf("note-%05d.txt", i)] {
			case 0:
				r.lost++
			case 1:
			default:
				r.duplicated++
			}
		}
		// The index: each note's first passage once, the interrupted
		// batch's notes each found by their token once.
		resp, err := c.Search(ctx, search.Request{Query: "crashcount", Limit: 1, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		if int(resp.Total) > r.indexed {
			r.duplicated += int(resp.Total) - r.indexed
		}
		if int(resp.Total) < r.indexed {
			r.lost += r.indexed - int(resp.Total)
		}
		for i := before; i < dropped; i++ {
			resp, err := c.Search(ctx, search.Request{Query: fmt.Sprintf("marker%05dq", i), Limit: 5, NoFacets: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(resp.Hits) != 1 {
				t.Errorf("stop %d: marker%05dq found %d times, want once", stop+1, i, len(resp.Hits))
			}
		}
		if r.lost+r.duplicated+r.stuck+r.failed > 0 {
			t.Errorf("stop %d (%s): %d lost, %d duplicated, %d stuck, %d failed", stop+1, r.how, r.lost, r.duplicated, r.stuck, r.failed)
		}
		rows = append(rows, r)
	}
	d.stop(t)

	// Last, the whole index against the database, as a start checks it.
	e, err := engine.Open(ctx, engine.Options{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if rep := e.Resumed(); rep.Repaired > 0 || rep.Rebuilt {
		t.Errorf("the index needed repairs after the last stop: %s", rep)
	}
	for i := range n {
		resp, err := e.Search(ctx, search.Request{Query: fmt.Sprintf("marker%05dq", i), Limit: 5, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Hits) != 1 {
			t.Errorf("marker%05dq found %d times, want once", i, len(resp.Hits))
		}
	}

	var b strings.Builder
	fmt.Fprintf(&b, "%d files, %d stops, %s in all\n", n, stops, time.Since(began).Round(time.Second))
	fmt.Fprintf(&b, "| stop | how | files dropped | when stopped: indexed / queued or processing / not yet seen | the restart's line | all ended after | indexed | lost | duplicated | stuck |\n")
	fmt.Fprintf(&b, "|---|---|---|---|---|---|---|---|---|---|\n")
	var lost, dup, stuck int
	for i, r := range rows {
		fmt.Fprintf(&b, "| %d | %s | %d | %d / %d / %d | %s | %.1f s | %d | %d | %d | %d |\n", i+1, r.how, r.dropped, r.atStop, r.inFlight, r.unseen, r.resumed,
			r.took.Seconds(), r.indexed, r.lost, r.duplicated, r.stuck)
		lost, dup, stuck = lost+r.lost, dup+r.duplicated, stuck+r.stuck
	}
	fmt.Fprintf(&b, "| all | | %d | | | | %d | %d | %d | %d |\n", n, rows[len(rows)-1].indexed, lost, dup, stuck)
	t.Log("\n" + b.String())
}

func countState(ds []evident.Document, s evident.State) int {
	k := 0
	for _, d := range ds {
		if d.State == s {
			k++
		}
	}
	return k
}

func writeFileT(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
