package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// reopen closes an idle engine and opens its data folder again.
func (r *running) reopen() *running {
	r.t.Helper()
	r.closeIdle()
	return openIdleOn(r.t, r.opts)
}

// A job a worker hands back as it stops is redelivered as soon as the
// folder is opened again, not after the acknowledgement timeout.
func TestJobHandedBackAtStopIsRedeliveredAfterRestart(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("handed-back.txt", "A note about the axolotl forecast.\n")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := e.Queue().Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Release(); err != nil {
		t.Fatal(err)
	}
	e = e.reopen()
	if ack := e.Queue().Config().AckWait; ack < 30*time.Second {
		t.Fatalf("AckWait %s: the test needs a long one to tell redelivery from expiry", ack)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err = e.Queue().Next(ctx)
	if err != nil {
		t.Fatalf("the job handed back before the stop did not come back within 10s: %v", err)
	}
	if d.Job.SHA256 != doc.SHA256 || d.Attempt != 1 {
		t.Errorf("got job %s attempt %d, want attempt 1 again", d.Job.File, d.Attempt)
	}
}

// Handing a job back costs no attempt, however often it happens; attempts
// that really failed before it still count.
func TestHandBacksSpendNoAttempts(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("stopped-often.txt", "A note about the quokka forecast.\n")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	max := e.Queue().Config().MaxAttempts
	for i := 0; i < max+2; i++ {
		d, err := e.Queue().Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Job.SHA256 != doc.SHA256 || d.Attempt != 1 || d.Final() {
			t.Fatalf("after %d hand-backs: job %s attempt %d (final %v), want attempt 1", i, d.Job.File, d.Attempt, d.Final())
		}
		if err := d.Release(); err != nil {
			t.Fatal(err)
		}
	}
	// A real failure, retried at once, then a stop: the next delivery is
	// the third attempt.
	d, err := e.Queue().Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Failed(ctx, "the test failed this attempt", 0); err != nil {
		t.Fatal(err)
	}
	if d, err = e.Queue().Next(ctx); err != nil || d.Attempt != 2 {
		t.Fatalf("after one failure: attempt %d, %v", d.Attempt, err)
	}
	if err := d.Release(); err != nil {
		t.Fatal(err)
	}
	if d, err = e.Queue().Next(ctx); err != nil || d.Attempt != 2 {
		t.Fatalf("after one failure and a hand-back: attempt %d, %v; want 2", d.Attempt, err)
	}
}

// A crash between recording a document and queueing its job loses
// nothing: the next start queues it again, and a document whose bytes
// never reached the queue fails with a reason until the file is added
// again.
func TestResumeRequeuesLostJobs(t *testing.T) {
	e := openIdle(t)
	ctx := context.Background()
	inbox := t.TempDir()
	register := func(name, content string, putFile bool) string {
		p := filepath.Join(inbox, name)
		writeFile(t, p, []byte(content))
		sum := sha256Hex(content)
		sub := store.Submission{Origin: "inbox/" + name, File: name, SHA256: sum, Size: int64(len(content))}
		if _, _, err := e.store.Register(ctx, sub); err != nil {
			t.Fatal(err)
		}
		if putFile {
			if err := e.Queue().PutFile(ctx, sum, name, strings.NewReader(content), false); err != nil {
				t.Fatal(err)
			}
		}
		return sum
	}
	register("unpublished.txt", "A note about the quetzal budget that was never queued.\n", true)
	register("bytes-lost.txt", "A note about the manatee budget whose bytes never arrived.\n", false)
	e.closeIdle()

	// Without the inbox first: resume alone must settle both.
	r := start(t, Options{Data: e.opts.Data})
	got := map[string]evident.Document{}
	r.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			got[d.File] = d
		}
		return got["unpublished.txt"].State == evident.Indexed && got["bytes-lost.txt"].State == evident.Failed,
			"resume has not settled both documents"
	})
	if why := got["bytes-lost.txt"].Error; !strings.Contains(why, "add the file again") {
		t.Errorf("bytes-lost.txt: reason %q", why)
	}
	if n := r.logs.checkDocLines(t, r.docs()); n < 2 {
		t.Errorf("resume wrote %d log lines about the two documents", n)
	}
	r.stop()

	// With the inbox: the failed file is still there and is taken again.
	r = start(t, Options{Data: e.opts.Data, Inbox: inbox})
	r.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.File == "bytes-lost.txt" {
				return d.State == evident.Indexed, "bytes-lost.txt is " + string(d.State)
			}
		}
		return false, "bytes-lost.txt is gone"
	})
	if len(r.docs()) != 2 || len(r.search("manatee").Hits) != 1 || len(r.search("quetzal").Hits) != 1 {
		t.Errorf("after the restart with the inbox:\n%s", describe(r.docs()))
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
