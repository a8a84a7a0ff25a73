package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/store"
)

const (
	cfoNote    = "Dana: Closing the books takes nine days every month and I dread the manatee ledger.\n"
	buyerNote  = "Sam: We bought the quetzal planner because the auditors kept asking for the numbers.\n"
	brokenNote = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"
)

// stored reports whether a document's bytes are in the queue's store.
func (r *running) stored(sha string) bool {
	r.t.Helper()
	has, err := r.Queue().HasFile(context.Background(), sha)
	if err != nil {
		r.t.Fatal(err)
	}
	return has
}

// waitStored waits until a document's bytes are stored or not, as wanted:
// they leave the store just after the document is marked indexed.
func (r *running) waitStored(sha, file string, want bool) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for r.stored(sha) != want {
		if time.Now().After(deadline) {
			r.t.Fatalf("%s: stored = %v, want %v", file, !want, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A file's bytes leave the queue's store once its document is indexed,
// and the disk they took is given back; a failed document keeps them, for
// a retry, apart from the others.
func TestBytesLeaveOnceIndexed(t *testing.T) {
	r := start(t, Options{})
	var rels []string
	size := 0
	for i := range 12 {
		var b strings.Builder
		for j := range 600 {
			fmt.Fprintf(&b, "Dana: Closing the books took %d days in month %d of year %d, and the manatee ledger was late.\n\n", j%29, j, i)
		}
		rel := fmt.Sprintf("note-%02d.txt", i)
		r.drop(rel, b.String())
		rels = append(rels, rel)
		size += b.Len()
	}
	r.drop("cfo.txt", cfoNote)
	r.drop("broken.txt", brokenNote)
	got := r.waitEnded(60*time.Second, append(rels, "cfo.txt", "broken.txt")...)
	if got["cfo.txt"].State != evident.Indexed || got["broken.txt"].State != evident.Failed {
		t.Fatalf("ended:\n%s", describe(r.docs()))
	}
	for _, rel := range append(rels, "cfo.txt") {
		r.waitStored(got[rel].SHA256, rel, false)
	}
	if !r.stored(got["broken.txt"].SHA256) {
		t.Error("the failed document's bytes left the store")
	}
	if n, err := r.Queue().StoredFiles(context.Background()); err != nil || n != 0 {
		t.Errorf("StoredFiles = %d, %v; want none: the failed one's are apart", n, err)
	}
	streams := filepath.Join(r.opts.Data, "jetstream", "jetstream", "$G", "streams")
	if n := dirSize(t, filepath.Join(streams, "OBJ_"+queue.BucketFiles, "msgs")); n > 64<<10 {
		t.Errorf("the bucket of files takes %d bytes on disk once its %d bytes are indexed", n, size)
	}
	// Everything people see comes from the store and the index.
	if hits := r.search("nine days every month").Hits; len(hits) == 0 || hits[0].Source.File != "cfo.txt" {
		t.Errorf("search after the bytes left: %d hits", len(hits))
	}
	shown, err := r.Show(context.Background(), "cfo.txt")
	if err != nil || len(shown.Passages) == 0 {
		t.Errorf("show after the bytes left: %v", err)
	}
}

// Kept on request: by the engine's option, or by one submission's.
func TestKeepFiles(t *testing.T) {
	ctx := context.Background()
	t.Run("option", func(t *testing.T) {
		r := start(t, Options{KeepFiles: true})
		r.drop("cfo.txt", cfoNote)
		d := r.waitIndexed(30*time.Second, "cfo.txt")["cfo.txt"]
		// Long enough for the indexer to have discarded them, were it to.
		time.Sleep(300 * time.Millisecond)
		if !r.stored(d.SHA256) {
			t.Error("--keep-files: the bytes left the store")
		}
		r.stop()
		// Kept by a later start without the option too.
		r = start(t, Options{Data: r.opts.Data})
		if err := r.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		if !r.stored(d.SHA256) || r.Resumed().Swept != 0 {
			t.Errorf("a start without --keep-files swept kept bytes (swept %d)", r.Resumed().Swept)
		}
	})
	t.Run("submission", func(t *testing.T) {
		r := start(t, Options{})
		kept := r.drop("kept/cfo.txt", cfoNote)
		other := r.drop("other/buyer.txt", buyerNote)
		// Submitted by hand, not by the inbox: the inbox also takes them.
		a, err := r.Ingest(ctx, api.Submission{Path: kept, Keep: true})
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Ingest(ctx, api.Submission{Path: other})
		if err != nil {
			t.Fatal(err)
		}
		r.waitDocs(30*time.Second, func(ds []evident.Document) (bool, string) {
			n := 0
			for _, d := range ds {
				if d.State == evident.Indexed {
					n++
				}
			}
			return n == 2, "not both indexed"
		})
		r.waitStored(b.Document.SHA256, "buyer.txt", false)
		if !r.stored(a.Document.SHA256) {
			t.Error("the bytes submitted with Keep left the store")
		}
	})
}

// The same bytes submitted again while their document is indexed, at
// the same path or another, are a duplicate: not stored again. New
// metadata for them runs the document again, from its file's bytes,
// which leave again once it is indexed.
func TestBytesOfDuplicates(t *testing.T) {
	r := start(t, Options{})
	ctx := context.Background()
	p := r.drop("cfo.txt", cfoNote)
	d := r.waitIndexed(30*time.Second, "cfo.txt")["cfo.txt"]
	r.waitStored(d.SHA256, "cfo.txt", false)
	copyPath := r.drop("copy/cfo-again.txt", cfoNote)
	for _, path := range []string{p, copyPath} {
		sub, err := r.Ingest(ctx, api.Submission{Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if sub.Outcome != store.Duplicate || sub.Document.State != evident.Indexed {
			t.Errorf("%s again: %s, %s", path, sub.Outcome, sub.Document.State)
		}
		if r.stored(d.SHA256) {
			t.Errorf("%s again: its bytes were stored again", path)
		}
	}
	sub, err := r.Ingest(ctx, api.Submission{Path: p, Origin: d.Origin, Meta: evident.Meta{Title: "Closing the books"}})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Outcome != store.Refreshed {
		t.Fatalf("new metadata: %s, want refreshed", sub.Outcome)
	}
	r.waitDocs(30*time.Second, func(ds []evident.Document) (bool, string) {
		for _, x := range ds {
			if x.SHA256 == d.SHA256 {
				return x.State == evident.Indexed && x.Title == "Closing the books", "not indexed again with its title: " + string(x.State) + " " + x.Error
			}
		}
		return false, "gone"
	})
	r.waitStored(d.SHA256, "cfo.txt", false)
}

// `evident retry` of an indexed document whose bytes left the store reads
// its file again when it is where it was found, and runs it; when it is
// not, it says so and where it was.
func TestRetryAfterBytesLeft(t *testing.T) {
	r := start(t, Options{})
	ctx := context.Background()
	r.drop("cfo.txt", cfoNote)
	r.drop("buyer.txt", buyerNote)
	got := r.waitIndexed(30*time.Second, "cfo.txt", "buyer.txt")
	for rel, d := range got {
		r.waitStored(d.SHA256, rel, false)
	}
	if err := os.Remove(r.inbox("buyer.txt")); err != nil {
		t.Fatal(err)
	}
	res, err := r.Retry(ctx, []string{"cfo.txt", "buyer.txt"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Queued) != 1 || res.Queued[0].File != "cfo.txt" || len(res.Skipped) != 1 {
		t.Fatalf("Retry: %+v", res)
	}
	why := res.Skipped[0].Reason
	for _, want := range []string{"left the queue's store once it was indexed", "--keep-files", "inbox/buyer.txt", "add the file again"} {
		if !strings.Contains(why, want) {
			t.Errorf("the reason %q does not say %q", why, want)
		}
	}
	cfo := got["cfo.txt"]
	r.waitDocs(30*time.Second, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.SHA256 == cfo.SHA256 {
				j, _ := r.store.Job(ctx, d.SHA256)
				return d.State == evident.Indexed && j.Run == 2, "cfo.txt is " + string(d.State) + ", run " + string(rune('0'+j.Run))
			}
		}
		return false, "cfo.txt is gone"
	})
	r.waitStored(cfo.SHA256, "cfo.txt", false)
	if len(r.search("manatee").Hits) != 1 || len(r.search("quetzal").Hits) != 1 {
		t.Errorf("after the retry:\n%s", describe(r.docs()))
	}
}

// A late copy of a job for an indexed document, its bytes gone, is no
// failure: the document stays indexed with its passages.
func TestLateJobWithoutBytes(t *testing.T) {
	r := start(t, Options{})
	ctx := context.Background()
	r.drop("cfo.txt", cfoNote)
	d := r.waitIndexed(30*time.Second, "cfo.txt")["cfo.txt"]
	r.waitStored(d.SHA256, "cfo.txt", false)
	sub, err := r.store.Job(ctx, d.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	sub.Run += 100 // another message id
	if err := r.Queue().Publish(ctx, jobOf(sub)); err != nil {
		t.Fatal(err)
	}
	// Three attempts, two seconds and four apart, as for any failure.
	deadline := time.Now().Add(40 * time.Second)
	for r.logs.count("dropping a result without bytes") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the late job's result was not dropped")
		}
		time.Sleep(10 * time.Millisecond)
	}
	now, err := r.store.DocumentBySHA(ctx, d.SHA256)
	if err != nil || now.State != evident.Indexed || now.Error != "" || now.Passages != d.Passages || len(r.search("manatee").Hits) != 1 {
		t.Errorf("after a late job: %+v, %v", now, err)
	}
}

// A crash between marking documents indexed and discarding their bytes
// leaves the bytes; the next start removes them, and bytes no document
// has, and leaves those of documents not yet indexed.
func TestSweepOnStart(t *testing.T) {
	r := start(t, Options{})
	ctx := context.Background()
	r.drop("cfo.txt", cfoNote)
	r.drop("broken.txt", brokenNote)
	got := r.waitEnded(30*time.Second, "cfo.txt", "broken.txt")
	cfo := got["cfo.txt"]
	r.waitStored(cfo.SHA256, "cfo.txt", false)
	// What a crash just after MarkIndexed leaves: the bytes, unmarked.
	if err := r.Queue().PutFile(ctx, cfo.SHA256, "cfo.txt", strings.NewReader(cfoNote), false); err != nil {
		t.Fatal(err)
	}
	// A submission stopped before its document was recorded.
	orphan := sha256Hex(buyerNote)
	if err := r.Queue().PutFile(ctx, orphan, "buyer.txt", strings.NewReader(buyerNote), false); err != nil {
		t.Fatal(err)
	}
	data := r.opts.Data
	r.stop()

	e := openIdleOn(t, Options{Data: data})
	if got := e.Resumed().Swept; got != 2 {
		t.Errorf("swept %d files' bytes on start, want 2", got)
	}
	if e.stored(cfo.SHA256) || e.stored(orphan) {
		t.Error("bytes of an indexed document, or of none, survived a start")
	}
	if !e.stored(got["broken.txt"].SHA256) {
		t.Error("a start swept the bytes of a failed document")
	}
	e.closeIdle()

	// Nothing to sweep: the store is not even listed.
	e = openIdleOn(t, Options{Data: data})
	if got := e.Resumed().Swept; got != 0 {
		t.Errorf("a second start swept %d", got)
	}
	e.closeIdle()
}

// dirSize adds up the sizes of the files in a folder.
func dirSize(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			n += int(info.Size())
		}
	}
	return n
}
