package engine

import (
	"context"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
	"github.com/evident/evident/queue"
)

// A result whose passages cannot be read (on a NATS cluster, a server that
// has not caught up answered the read) is not taken for applied: the
// document is queued again and ends indexed, rather than processing for
// good. A result whose document was already indexed stays applied.
func TestResultWithoutPassagesRunsAgain(t *testing.T) {
	ctx := context.Background()
	e := openIdle(t)
	doc := e.submitFile("lost.txt", "A note about the okapi budget review.\n")
	e.work("")
	js, err := jetstream.New(e.Queue().Conn())
	if err != nil {
		t.Fatal(err)
	}
	results, err := js.ObjectStore(ctx, queue.BucketResults)
	if err != nil {
		t.Fatal(err)
	}
	objects, err := results.List(ctx)
	if err != nil || len(objects) != 1 {
		t.Fatalf("the results bucket holds %d objects (%v), want 1", len(objects), err)
	}
	if err := results.Delete(ctx, objects[0].Name); err != nil {
		t.Fatal(err)
	}
	e.indexUntil(1)
	got, err := e.store.DocumentBySHA(ctx, doc.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != evident.Queued {
		t.Fatalf("after a result without its passages: %s, want queued again", got.State)
	}
	e.work("")
	e.indexUntil(1)
	if got, _ := e.store.DocumentBySHA(ctx, doc.SHA256); got.State != evident.Indexed || got.Passages != 1 {
		t.Fatalf("after the new run: %s with %d passages, want indexed with 1", got.State, got.Passages)
	}
	if ids := e.hitIDs("okapi"); len(ids) != 1 {
		t.Errorf("okapi: %d hits, want 1", len(ids))
	}
	// Applied, then its acknowledgement lost: the payload is gone and the
	// document indexed; nothing more happens.
	if err := e.payloadGone(ctx, doc.SHA256, "lost.txt"); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.store.DocumentBySHA(ctx, doc.SHA256); got.State != evident.Indexed {
		t.Errorf("an indexed document whose result came back: %s, want indexed", got.State)
	}
}
