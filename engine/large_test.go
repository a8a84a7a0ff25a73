package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident/index"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
)

// TestLargeDocument sends documents larger than the indexer's batches
// through the whole pipeline: a survey long enough to be streamed row by
// row, whose payload travels in many parts, and whose entries the indexer
// writes batch by batch; and a text whose passages number more than a
// batch. Each must end indexed with every passage in the store and in the
// index, stamped alike, so that a restart finds nothing to repair; and a
// file over a limit fails with a sentence naming it.
func TestLargeDocument(t *testing.T) {
	var survey strings.Builder
	survey.WriteString("Respondent,Job title,What slows your month-end close down?\n")
	const rows = 12_500
	for i := range rows {
		fmt.Fprintf(&survey, "%d,%s,\"Approvals for journal %d wait a week in the pangolin inbox, and we chase them by hand.\"\n", i+1, []string{"CFO", "Controller"}[i%2], i)
	}
	var text strings.Builder
	const paragraphs = 2_500
	for i := range paragraphs {
		fmt.Fprintf(&text, "Paragraph %d: the wombat forecast is rebuilt by hand every week.\n\n", i)
	}
	data := t.TempDir()
	opts := Options{
		Data:   data,
		Queue:  queue.Config{ResultPart: 64 << 10},
		Limits: ingest.Limits{MaxParagraphs: 3_000},
	}
	e := start(t, opts)
	e.drop("survey.csv", survey.String())
	e.drop("notes.txt", text.String())
	e.drop("too-long.txt", strings.Repeat("One more paragraph about the close.\n\n", 3_001))
	got := e.waitEnded(2*time.Minute, "survey.csv", "notes.txt", "too-long.txt")
	for name, want := range map[string]int{"survey.csv": rows, "notes.txt": paragraphs} {
		d := got[name]
		if d.State != "indexed" || d.Passages != want {
			t.Errorf("%s: %s with %d passages (%s), want indexed with %d", name, d.State, d.Passages, d.Error, want)
		}
	}
	if d := got["too-long.txt"]; d.State != "failed" || !strings.Contains(d.Error, "more than 3,000 paragraphs") || !strings.Contains(d.Error, "MaxParagraphs") {
		t.Errorf("too-long.txt: %s (%s), want failed naming the MaxParagraphs limit", d.State, d.Error)
	}
	// The last answer and the last paragraph are searchable.
	for _, q := range []string{fmt.Sprintf("journal %d pangolin", rows-1), fmt.Sprintf("paragraph %d wombat", paragraphs-1)} {
		if len(e.search(q).Hits) == 0 {
			t.Errorf("%q finds nothing", q)
		}
	}
	var n uint64
	e.Index(func(ix *index.Index) error {
		var err error
		n, err = ix.Count()
		return err
	})
	if n != rows+paragraphs {
		t.Errorf("the index holds %d entries, want %d", n, rows+paragraphs)
	}
	// The results bucket is empty again: every part was dropped.
	js, err := jetstream.New(e.Queue().Conn())
	if err != nil {
		t.Fatal(err)
	}
	bucket, err := js.ObjectStore(context.Background(), queue.BucketResults)
	if err != nil {
		t.Fatal(err)
	}
	if left, err := bucket.List(context.Background()); err == nil || !errors.Is(err, jetstream.ErrNoObjectsFound) {
		t.Errorf("%d objects left in the results bucket (%v)", len(left), err)
	}
	e.stop()
	again, err := Open(context.Background(), Options{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if r := again.Resumed(); r.Repaired != 0 || r.Rebuilt {
		t.Errorf("the index disagreed with the database after a restart: %+v", r)
	}
}
