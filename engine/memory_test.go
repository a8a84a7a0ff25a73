package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/internal/hostile"
)

// TestMemoryCeiling ingests hostile files, each in a child process (this
// test binary again) with a fresh data folder, and reads the child's peak
// resident memory from the kernel: the file must end as expected within
// its ceiling. By default it runs the five-megabyte single-line file;
// EVIDENT_MEMORY=all adds the million-row survey and the whole hostile
// set at once (minutes). BENCHMARKS.md has the figures.
func TestMemoryCeiling(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests megabytes in child processes")
	}
	type run struct {
		name    string
		files   []string
		ceiling int64 // MiB
		failed  int   // documents expected to fail
	}
	// The aim for the command is 300 MB (BENCHMARKS.md measures the
	// binary: 229 MB); this test binary, built with -cover in CI and run
	// beside other packages' tests, peaked at 222-310 MiB, so it checks
	// with headroom: a regression to the 750 MB of before still fails.
	runs := []run{{"5 MB single line", []string{"one-word.txt"}, 360, 0}}
	if os.Getenv("EVIDENT_MEMORY") == "all" {
		var set []string
		for _, f := range hostile.Files() {
			if f.Set {
				set = append(set, f.Name)
			}
		}
		runs = append(runs,
			run{"1M-row CSV", []string{"survey-1m.csv"}, 500, 0},
			run{"hostile set", set, 1024, 4})
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, name := range r.files {
				f, _ := hostile.Find(name)
				p, err := f.Write(dir)
				if err != nil {
					t.Fatal(err)
				}
				paths = append(paths, p)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryChild$", "-test.v")
			// The child's soft heap limit sits under the ceiling: what is
			// checked is the memory the work needs, not how lazily the
			// collector runs on a loaded machine (with the command's 512
			// MiB limit, a 5 MB line peaked at 220-380 MiB by load alone).
			cmd.Env = append(os.Environ(), "EVIDENT_MEMORY_CHILD="+strings.Join(paths, string(os.PathListSeparator)),
				fmt.Sprintf("EVIDENT_MEMORY_FAILED=%d", r.failed), fmt.Sprintf("EVIDENT_MEMORY_LIMIT=%d", min(r.ceiling*3/4, 512)))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss >> 10 // KiB on Linux
			t.Logf("%s: peak RSS %d MiB (ceiling %d MiB), %s", r.name, peak, r.ceiling, cmd.ProcessState.UserTime().Round(time.Second))
			if peak > r.ceiling {
				t.Errorf("%s: peak RSS %d MiB, over the %d MiB ceiling", r.name, peak, r.ceiling)
			}
		})
	}
}

// TestMemoryChild is TestMemoryCeiling's child: it ingests the files
// EVIDENT_MEMORY_CHILD names the way `evident ingest` does, two workers
// and a soft memory limit (EVIDENT_MEMORY_LIMIT MiB, else the command's),
// and checks their outcome.
func TestMemoryChild(t *testing.T) {
	files := os.Getenv("EVIDENT_MEMORY_CHILD")
	if files == "" {
		t.Skip("run by TestMemoryCeiling")
	}
	limit, err := strconv.ParseInt(os.Getenv("EVIDENT_MEMORY_LIMIT"), 10, 64)
	if err != nil {
		limit = 512 // as cmd/evident does
	}
	debug.SetMemoryLimit(limit << 20)
	ctx := context.Background()
	e, err := Open(ctx, Options{Data: filepath.Join(t.TempDir(), "data"), Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(run) }()
	defer func() { stop(); <-done }()
	if err := e.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, p := range filepath.SplitList(files) {
		sub, err := e.Submit(ctx, Source{Path: p})
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, sub.Document.SHA256)
	}
	wait, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	docs, err := e.Await(wait, shas, nil)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, d := range docs {
		if d.State == evident.Failed {
			failed++
			t.Logf("%s failed: %s", d.File, d.Error)
		}
	}
	if want := os.Getenv("EVIDENT_MEMORY_FAILED"); fmt.Sprint(failed) != want {
		t.Errorf("%d documents failed, want %s", failed, want)
	}
}
