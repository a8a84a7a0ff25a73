package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/evident/evident/engine"
)

// TestDiskFullShown fills the disk of the data folder: /api/status and
// the Ingestion page say so, and say that documents wait; with room again
// they say nothing of it.
func TestDiskFullShown(t *testing.T) {
	disk := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=30m,mode=0700", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system (root is needed): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", disk).Run() })
	ctx, cancel := context.WithCancel(context.Background())
	e, err := engine.Open(ctx, engine.Options{Data: filepath.Join(disk, "data"), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { e.Run(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		e.Close()
	})
	ts := httptest.NewServer((&Server{Engine: e, Uploads: filepath.Join(disk, "data", "uploads")}).Handler())
	t.Cleanup(ts.Close)
	c := &Client{Base: ts.URL}

	filler := filepath.Join(disk, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := f.Write(make([]byte, 64<<10)); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()
	for _, full := range []bool{true, false} {
		if !full {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
		}
		st, err := c.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Disk.Full != full {
			t.Errorf("/api/status: disk %+v, want full: %v", st.Disk, full)
		}
		res, err := http.Get(ts.URL + "/ingest")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(res.Body)
		res.Body.Close()
		banner := strings.Contains(string(page), "go on by themselves when space returns")
		if banner != full {
			t.Errorf("the Ingestion page says the disk is full: %v, want %v", banner, full)
		}
	}
}
