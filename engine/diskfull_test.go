package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/queue"
)

// smallDisk mounts a tmpfs of the given size at a new folder and returns
// it; it skips the test where mounting is not allowed (not root).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system (root is needed): %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file into dir until the disk is full but for spare
// bytes, and returns its path.
func fill(t *testing.T, dir string, spare int64) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	block := make([]byte, 64<<10)
	for _, b := range [][]byte{block, block[:512]} {
		for {
			if _, err := f.Write(b); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatal(err)
				}
				break
			}
		}
	}
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(max(0, info.Size()-spare)); err != nil {
		t.Fatal(err)
	}
	return path
}

// notes writes n notes of paragraphs paragraphs into the inbox and
// returns their names; note i is found by the word "aardvark<tag><i>".
func (r *running) notes(tag string, n, paragraphs int) []string {
	var names []string
	for i := range n {
		name := fmt.Sprintf("%s-%02d.txt", tag, i)
		names = append(names, name)
		var b strings.Builder
		for j := range paragraphs {
			fmt.Fprintf(&b, "Note %d, paragraph %d: the aardvark%s%d forecast is rebuilt by hand every week, and the board keeps asking why.\n\n", i, j, tag, i)
		}
		r.drop(name, b.String())
	}
	return names
}

// TestDiskFull fills the data folder's disk while files arrive: nothing
// panics, no document fails, the disk is reported full, and once space
// returns every document ends indexed and searchable, without a restart.
// Once with the disk full to the last byte (the queue refuses the files),
// once with a little room left (the queue takes them, then the database
// or the index refuses to grow).
func TestDiskFull(t *testing.T) {
	disk := smallDisk(t, "40m")
	e := start(t, Options{Data: filepath.Join(disk, "data"), Rescan: 300 * time.Millisecond})
	e.drop("first.txt", "A first note about the pangolin budget, indexed before the disk fills.\n")
	e.waitIndexed(20*time.Second, "first.txt")
	for _, tt := range []struct {
		name       string
		spare      int64
		paragraphs int
	}{
		{"full", 0, 200},
		{"almost full", 900 << 10, 1500},
	} {
		t.Run(tt.name, func(t *testing.T) {
			filler := fill(t, disk, tt.spare)
			names := e.notes(strings.ReplaceAll(tt.name, " ", ""), 6, tt.paragraphs)
			deadline := time.Now().Add(30 * time.Second)
			for !e.Disk().Full {
				if time.Now().After(deadline) {
					t.Fatalf("the disk is not reported full: %+v", e.Disk())
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(5 * time.Second) // the documents wait meanwhile
			disk := e.Disk()
			t.Logf("while full: %s\n%s", disk, describe(e.docs()))
			if !strings.Contains(disk.String(), "go on by themselves when space returns") {
				t.Errorf("Disk().String() = %q", disk)
			}
			for _, d := range e.docs() {
				if d.State == evident.Failed {
					t.Errorf("%s failed while the disk was full: %s", d.Origin, d.Error)
				}
				if d.State != evident.Indexed && !strings.HasPrefix(d.Error, queue.WaitingForDisk) {
					t.Errorf("%s waits with the reason %q, want one saying it waits for disk space", d.Origin, d.Error)
				}
			}
			freed := time.Now()
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			e.waitIndexed(2*time.Minute, names...)
			t.Logf("%d documents indexed %s after space returned", len(names), time.Since(freed).Round(10*time.Millisecond))
			for i, name := range names {
				if hits := e.search(fmt.Sprintf("aardvark%s%d", strings.ReplaceAll(tt.name, " ", ""), i)).Hits; len(hits) == 0 {
					t.Errorf("%s is indexed but not searchable", name)
				}
			}
			if n, want := e.indexCount(), e.passageSum(); n != want {
				t.Errorf("the index holds %d passages, the database %d", n, want)
			}
			deadline = time.Now().Add(30 * time.Second)
			for e.Disk().Full {
				if time.Now().After(deadline) {
					t.Fatalf("the disk is still reported full: %+v", e.Disk())
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

// TestIndexWriteFails fills the disk between the database and the search
// index: the document is saved, but its entries cannot be written. The
// indexer hands the result back and reopens the index once the disk has
// room; the document then ends indexed and searchable, never indexed in
// the database alone.
func TestIndexWriteFails(t *testing.T) {
	disk := smallDisk(t, "40m")
	e := openIdleOn(t, Options{Data: filepath.Join(disk, "data")})
	var text strings.Builder
	for j := range 3000 {
		fmt.Fprintf(&text, "Paragraph %d: the quokka%d budget is rebuilt by hand every week, and the board keeps asking why.\n\n", j, j)
	}
	broke := false
	for _, spare := range []int64{200 << 10, 400 << 10, 600 << 10, 800 << 10, 1 << 20, 1200 << 10, 1400 << 10} {
		doc := e.submitFile(fmt.Sprintf("quokka-%d.txt", spare), fmt.Sprintf("Spare %d.\n\n", spare)+text.String())
		e.work("")
		filler := fill(t, disk, spare)
		n := e.indexer.batch(context.Background(), context.Background(), time.Second)
		t.Logf("spare %d KiB: %d applied, index broken %v; disk %+v", spare>>10, n, e.indexer.broken, e.Disk())
		if err := os.Remove(filler); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			broke = broke || e.indexer.broken
			deadline := time.Now().Add(time.Minute)
			for {
				if time.Now().After(deadline) {
					t.Fatalf("%s was not indexed after the disk had room again", doc.File)
				}
				if e.indexer.batch(context.Background(), context.Background(), 100*time.Millisecond) > 0 {
					break
				}
			}
		}
		got, err := e.store.DocumentBySHA(context.Background(), doc.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != evident.Indexed {
			t.Fatalf("%s: %s (%s)", got.File, got.State, got.Error)
		}
		if hits := e.search("quokka2999").Hits; len(hits) == 0 {
			t.Errorf("%s is indexed but not searchable", got.File)
		}
		if n, want := e.indexCount(), e.passageSum(); n != want {
			t.Errorf("the index holds %d passages, the database %d", n, want)
		}
	}
	if !broke {
		t.Error("no spare left the database room and the index none: the index's failure was not exercised")
	}
}

// TestDiskWhileConnecting asks for the disk's state, as /readyz and status
// do, while the engine starts its NATS server. The server field was read
// and written unguarded; `go test -race ./engine -run DiskWhileConnecting`
// reports it on the code before the fix.
func TestDiskWhileConnecting(t *testing.T) {
	ctx := context.Background()
	e, err := Open(ctx, Options{Data: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	done := make(chan struct{})
	asked := make(chan int)
	go func() {
		n := 0
		for {
			select {
			case <-done:
				asked <- n
				return
			default:
				e.Disk()
				n++
			}
		}
	}()
	err = e.Connect(ctx)
	close(done)
	if n := <-asked; n == 0 {
		t.Log("Disk was not asked while connecting")
	}
	if err != nil {
		t.Fatal(err)
	}
}
