package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/index"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// The tests in this file stop engines where a crash would (an engine
// closed or abandoned halfway, a NATS asset gone, the index closed under
// the indexer) and open the data folder again: nothing may stay stuck,
// nothing may be lost, and the database and the index must tell one truth.

// A submission that fails halfway (the bytes cannot be stored, the job
// cannot be queued) leaves nothing that a later submission takes for a
// duplicate: submitting again runs the document.
func TestSubmitFailingHalfwayIsRunBySubmittingAgain(t *testing.T) {
	tests := []struct {
		name string
		cut  func(ctx context.Context, js jetstream.JetStream) error
		want store.Outcome // of the second submission
	}{
		{"bytes not stored", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteObjectStore(ctx, queue.BucketFiles)
		}, store.New},
		{"job not queued", func(ctx context.Context, js jetstream.JetStream) error {
			return js.DeleteStream(ctx, queue.StreamJobs)
		}, store.Requeued},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := openIdle(t)
			ctx := context.Background()
			p := filepath.Join(t.TempDir(), "upload.txt")
			writeFile(t, p, []byte("A note about the dugong procurement review.\n"))
			js, err := jetstream.New(e.Queue().Conn())
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.cut(ctx, js); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Ingest(ctx, api.Submission{Path: p}); err == nil {
				t.Fatal("Submit succeeded with a NATS asset missing")
			}
			// NATS comes back (queue.Open recreates what is missing).
			if _, err := queue.Open(ctx, e.Queue().Conn(), e.Queue().Config()); err != nil {
				t.Fatal(err)
			}
			sub, err := e.Ingest(ctx, api.Submission{Path: p})
			if err != nil {
				t.Fatal(err)
			}
			if sub.Outcome != tt.want {
				t.Errorf("submitting again: %s, want %s", sub.Outcome, tt.want)
			}
			e.work("")
			e.indexUntil(1)
			if d := e.docs(); len(d) != 1 || d[0].State != evident.Indexed || len(e.search("dugong").Hits) != 1 {
				t.Errorf("after submitting again:\n%s", describe(d))
			}
		})
	}
}

// A file the inbox could not submit (NATS lost its bytes' bucket for a
// while) is not forgotten: the watcher's next rescan hands it on again.
func TestInboxFileNotSubmittedIsTriedAgain(t *testing.T) {
	e := start(t, Options{Rescan: 200 * time.Millisecond})
	ctx := context.Background()
	if err := e.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(e.Queue().Conn())
	if err != nil {
		t.Fatal(err)
	}
	if err := js.DeleteObjectStore(ctx, queue.BucketFiles); err != nil {
		t.Fatal(err)
	}
	e.drop("while-down.txt", "A note about the hoatzin budget, dropped while NATS was down.\n")
	e.waitDocs(wait, func([]evident.Document) (bool, string) {
		return e.logs.count("cannot submit", "while-down.txt") > 0, "the inbox has not given up on the file yet"
	})
	if _, err := queue.Open(ctx, e.Queue().Conn(), e.Queue().Config()); err != nil {
		t.Fatal(err)
	}
	e.waitIndexed(wait, "while-down.txt")
}

// A failed document submitted again within the stream's de-duplication
// window gets a job: each run has a message id of its own.
func TestResubmittingAFailedDocumentQueuesItAgain(t *testing.T) {
	e := openIdle(t)
	p := filepath.Join(t.TempDir(), "flaky.txt")
	writeFile(t, p, []byte("A note about the kakapo budget.\n"))
	submit := func() *evident.Document {
		t.Helper()
		sub, err := e.Ingest(context.Background(), api.Submission{Path: p})
		if err != nil {
			t.Fatal(err)
		}
		return sub.Document
	}
	doc := submit()
	e.work("the parser crashed on this file (test)")
	e.indexUntil(1)
	if d, _ := e.store.DocumentBySHA(context.Background(), doc.SHA256); d.State != evident.Failed {
		t.Fatalf("after the failure: %s", describe([]evident.Document{*d}))
	}
	again := submit() // the same file: a copy elsewhere would be a duplicate
	if again.SHA256 != doc.SHA256 {
		t.Fatal("not the same bytes")
	}
	d := e.work("") // fails the test when no job comes
	if d.Job.Run != 2 {
		t.Errorf("the second job is run %d, want 2", d.Job.Run)
	}
	e.indexUntil(1)
	if len(e.search("kakapo").Hits) != 1 {
		t.Errorf("the document was not run again:\n%s", describe(e.docs()))
	}
}

// abandon stops an engine the way a crash would as far as the work in
// flight is concerned: a job taken and never finished, nothing handed back.
func (r *running) abandon() {
	r.t.Helper()
	r.closeIdle()
}

// A crash while a document is being processed leaves it processing only
// until the next start, which hands its job out again at once (not after
// the acknowledgement timeout) without spending an attempt; only a file
// that kills the process again and again fails, with the reason.
func TestCrashWhileProcessingResumesAtOnce(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("killed.txt", "A note about the aye-aye forecast.\n")
	for crash := 1; crash <= maxInterrupted; crash++ {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		d, err := e.Queue().Next(ctx)
		cancel()
		if err != nil {
			t.Fatalf("crash %d: the job did not come back within 5s: %v", crash, err)
		}
		if d.Attempt != 1 {
			t.Errorf("crash %d: attempt %d, want 1: crashes are not failed attempts", crash, d.Attempt)
		}
		if err := e.store.MarkProcessing(context.Background(), doc.SHA256); err != nil {
			t.Fatal(err)
		}
		e.abandon()
		e = openIdleOn(t, e.opts)
		got := e.docs()[0]
		res := e.Resumed()
		if crash < maxInterrupted {
			if res.Interrupted != 1 || got.State != evident.Queued {
				t.Fatalf("crash %d: resumed %+v, document %s", crash, res, describe(got1(got)))
			}
			if s := res.String(); s != "resumed: 1 processing re-queued" {
				t.Errorf("crash %d: %q", crash, s)
			}
			continue
		}
		if got.State != evident.Failed || !strings.Contains(got.Error, "stopped 5 times") || !strings.Contains(got.Error, "evident retry") {
			t.Fatalf("after %d crashes: %s", crash, describe(got1(got)))
		}
		humane(t, "killed.txt", got.Error)
	}
}

func got1(d evident.Document) []evident.Document { return []evident.Document{d} }

// A crash while the indexer holds results it has not acknowledged leaves
// them for the next start, which applies them at once (not after the
// indexer's acknowledgement timeout).
func TestCrashWhileIndexingResumesAtOnce(t *testing.T) {
	e := openIdle(t)
	e.submitFile("half-indexed.txt", "A note about the olm renewal.\n")
	e.work("")
	rs, err := e.Queue().Results(context.Background(), 1, 5*time.Second)
	if err != nil || len(rs) != 1 {
		t.Fatalf("results: %d, %v", len(rs), err)
	}
	e.abandon() // taken, never acknowledged
	e = openIdleOn(t, e.opts)
	if res := e.Resumed(); res.Indexing != 1 {
		t.Errorf("resumed: %+v", res)
	}
	e.indexUntil(1) // fails the test after 10s
	if len(e.search("olm").Hits) != 1 {
		t.Errorf("olm not found:\n%s", describe(e.docs()))
	}
}

// Deliveries are not attempts: a job whose worker vanished (its delivery
// expires) comes back as the same attempt; only recorded failures count,
// and the last one's cause is given when the worker gives up.
func TestOnlyRecordedFailuresSpendAttempts(t *testing.T) {
	e := openIdleOn(t, Options{Data: t.TempDir(), Queue: queue.Config{AckWait: 500 * time.Millisecond, MaxAttempts: 2}})
	doc := e.submitFile("vanishing.txt", "A note about the solenodon audit.\n")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for i := range 4 {
		d, err := e.Queue().Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Attempt != 1 || d.Final() {
			t.Fatalf("delivery %d: attempt %d (final %v), want attempt 1: the worker vanished, nothing failed", i+1, d.Attempt, d.Final())
		}
		// Not acknowledged: it comes back after AckWait.
	}
	for attempt := 1; attempt <= 2; attempt++ {
		d, err := e.Queue().Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Attempt != attempt {
			t.Fatalf("attempt %d, want %d", d.Attempt, attempt)
		}
		if err := d.Failed(ctx, "the disk hiccuped (test)", 0); err != nil {
			t.Fatal(err)
		}
	}
	d, err := e.Queue().Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Final() || d.Job.Tried != 2 || d.Job.LastError != "the disk hiccuped (test)" || d.Job.SHA256 != doc.SHA256 {
		t.Errorf("after two failures: final %v, job %+v", d.Final(), d.Job)
	}
}

// A file that failed is not read again at each start: only when it
// changes, or when the rules change.
func TestFailedFilesAreRetriedOnStartOnlyWhenSomethingChanged(t *testing.T) {
	data, inbox := t.TempDir(), t.TempDir()
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 600)...)
	writeFile(t, filepath.Join(inbox, "picture.txt"), png)
	e := start(t, Options{Data: data, Inbox: inbox})
	first := e.waitEnded(wait, "picture.txt")["picture.txt"]
	if first.State != evident.Failed {
		t.Fatalf("picture.txt: %s", describe(got1(first)))
	}
	e.stop()

	// restart starts again on the same folders and waits until the inbox
	// has been looked at: a sentinel dropped after the start is indexed
	// after every file that was there before.
	restart := func(sentinel string) *running {
		t.Helper()
		r := start(t, Options{Data: data, Inbox: inbox})
		r.drop(sentinel, "A sentinel called "+sentinel+" about nothing in particular.\n")
		r.waitIndexed(wait, sentinel)
		return r
	}
	e = restart("sentinel-1.txt")
	if n := e.logs.count("queued", "picture.txt"); n != 0 {
		t.Errorf("the unchanged failed file was queued %d times on start", n)
	}
	if got := e.waitEnded(wait, "picture.txt")["picture.txt"]; !got.Updated.Equal(first.Updated) {
		t.Errorf("the unchanged failed file was touched: updated %s, was %s", got.Updated, first.Updated)
	}
	e.stop()

	// New rules: failures may differ.
	writeFile(t, filepath.Join(data, "rules.yaml"), append(configs.Rules(), "\n# edited by the test\n"...))
	e = restart("sentinel-2.txt")
	if res := e.Resumed(); res.Retried != 1 || !strings.Contains(res.String(), "1 failed retried") {
		t.Errorf("with new rules: %+v", res)
	}
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.File == "picture.txt" {
				return d.State == evident.Failed && d.Updated.After(first.Updated), "picture.txt has not failed again"
			}
		}
		return false, "picture.txt is gone"
	})
	e.stop()

	// The file is saved again: the inbox takes it.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(inbox, "picture.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	e = restart("sentinel-3.txt")
	if n := e.logs.count("queued", "picture.txt"); n != 1 {
		t.Errorf("the touched failed file was queued %d times, want once", n)
	}
}

// A document is indexed in the database only once its passages are in the
// search index: a failure to write the index leaves it processing, and
// the result is applied again.
func TestIndexedOnlyOnceTheIndexHoldsThePassages(t *testing.T) {
	e := openIdle(t)
	doc := e.submitFile("late.txt", "A note about the tuatara renewal.\n")
	e.work("")
	e.mu.Lock()
	if err := e.idx.Close(); err != nil {
		t.Fatal(err)
	}
	e.mu.Unlock()
	if n := e.indexer.batch(context.Background(), context.Background(), time.Second); n != 0 {
		t.Fatalf("applied %d results without an index", n)
	}
	d, err := e.store.DocumentBySHA(context.Background(), doc.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if d.State == evident.Indexed {
		t.Errorf("the document is indexed although the index could not be written")
	}
	ix, err := index.Open(e.indexDir(), index.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.mu.Lock()
	e.idx = ix
	e.mu.Unlock()
	e.indexUntil(1)
	if d, _ := e.store.DocumentBySHA(context.Background(), doc.SHA256); d.State != evident.Indexed || len(e.search("tuatara").Hits) != 1 {
		t.Errorf("once the index is back: %s", describe(got1(*d)))
	}
}

// indexFiles submits files, works and indexes them, and returns their
// documents by file name.
func (r *running) indexFiles(files map[string]string) map[string]evident.Document {
	r.t.Helper()
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range files {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range names {
		r.submitFile(n, files[n])
		r.work("")
	}
	r.indexUntil(len(files))
	out := map[string]evident.Document{}
	for _, d := range r.docs() {
		out[d.File] = d
	}
	return out
}

var threeNotes = map[string]string{
	"a.txt": "A note about the quoll budget.\n\nIts second paragraph is about approvals.\n",
	"b.txt": "A note about the numbat contract.\n\nIts second paragraph is about renewals.\n",
	"c.txt": "A note about the bilby forecast.\n\nIts second paragraph is about spreadsheets.\n",
}

// A reindex that stops halfway (here: cancelled; a crash alike) leaves the
// index it was replacing in force, complete, and an unfinished build is
// cleared away on the next start.
func TestInterruptedReindexKeepsTheOldIndex(t *testing.T) {
	e := openIdle(t)
	e.indexFiles(threeNotes)
	want := e.passageSum()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Reindex(ctx); err == nil {
		t.Fatal("a cancelled reindex succeeded")
	}
	if got := e.indexCount(); got != want || len(e.search("numbat").Hits) != 1 {
		t.Errorf("after an interrupted reindex the index holds %d passages, want %d", got, want)
	}
	// A crash in the middle of a build leaves a generation never
	// committed.
	half, err := index.Build(e.indexDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := half.Apply(context.Background(), nil, []index.Entry{{ID: "x-1", Text: "half built", Doc: "x"}}); err != nil {
		t.Fatal(err)
	}
	half.Close()
	e = e.reopen()
	if got := e.indexCount(); got != want || len(e.search("quoll").Hits) != 1 || e.Resumed().Rebuilt {
		t.Errorf("after a restart the index holds %d passages, want %d (resumed %+v)", got, want, e.Resumed())
	}
	ents, _ := os.ReadDir(e.indexDir())
	if len(ents) != 2 {
		var names []string
		for _, d := range ents {
			names = append(names, d.Name())
		}
		t.Errorf("the index folder holds %v, want the pointer and one generation", names)
	}
	if n, err := e.Reindex(context.Background()); err != nil || n != want {
		t.Errorf("reindex: %d, %v; want %d", n, err, want)
	}
}

// What a crash between writing the database and writing the index leaves
// apart, the next start puts together, and says so in one line.
func TestStartRepairsTheIndexFromTheDatabase(t *testing.T) {
	tests := []struct {
		name  string
		crash func(t *testing.T, e *running, docs map[string]evident.Document)
		check func(t *testing.T, e *running)
	}{
		{
			name: "tags changed in the database only (reclassify)",
			crash: func(t *testing.T, e *running, docs map[string]evident.Document) {
				ps, err := e.store.Passages(context.Background(), docs["a.txt"].ID)
				if err != nil {
					t.Fatal(err)
				}
				ps[0].Categories = []string{"GAINS"}
				_, stamp := e.Engine.entriesOf(&evident.Document{SHA256: docs["a.txt"].SHA256, File: "a.txt"}, ps)
				if err := e.store.UpdateTags(context.Background(), ps[:1], map[string]string{docs["a.txt"].SHA256: stamp}); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, e *running) {
				if hits := e.search("category:gains quoll").Hits; len(hits) != 1 {
					t.Errorf("category:gains quoll: %d hits, want the retagged passage", len(hits))
				}
			},
		},
		{
			name: "failed in the database, still in the index",
			crash: func(t *testing.T, e *running, docs map[string]evident.Document) {
				if _, err := e.store.Fail(context.Background(), docs["b.txt"].SHA256, "failed by the test", ""); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, e *running) {
				if hits := e.search("numbat").Hits; len(hits) != 0 {
					t.Errorf("numbat: %d hits of a failed document", len(hits))
				}
			},
		},
		{
			name: "indexed in the database, missing from the index",
			crash: func(t *testing.T, e *running, docs map[string]evident.Document) {
				err := e.Index(func(ix *index.Index) error {
					ids, err := ix.Entries(context.Background(), docs["c.txt"].SHA256)
					if err != nil {
						return err
					}
					return ix.Apply(context.Background(), ids[:1], nil)
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, e *running) {
				if hits := e.search("bilby").Hits; len(hits) != 1 {
					t.Errorf("bilby: %d hits, want 1", len(hits))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := openIdle(t)
			docs := e.indexFiles(threeNotes)
			tt.crash(t, e, docs)
			e = e.crashed()
			tt.check(t, e)
			if got, want := e.indexCount(), e.passageSum(); got != want {
				t.Errorf("the index holds %d passages, the database %d", got, want)
			}
			if res := e.Resumed(); res.Repaired != 1 || !strings.Contains(res.String(), "1 index repair") {
				t.Errorf("resumed: %+v", res)
			}
			if n := e.logs.count("repaired the search index"); n != 1 {
				t.Errorf("%d log lines say what was repaired, want 1", n)
			}
			// Repaired once: the next start finds nothing to do.
			e = e.reopen()
			if res := e.Resumed(); res.Repaired != 0 {
				t.Errorf("a second start repaired again: %+v", res)
			}
		})
	}
}

// A reclassification interrupted by a crash is finished by the next start.
func TestInterruptedReclassifyIsFinishedOnStart(t *testing.T) {
	e := openIdle(t)
	e.indexFiles(threeNotes)
	bilbyPains := func() bool {
		shown, err := e.Show(context.Background(), "c.txt")
		if err != nil {
			t.Fatal(err)
		}
		return slices.Contains(shown.Passages[0].Categories, "PAINS")
	}
	if bilbyPains() {
		t.Fatalf("the built-in rules already tag the bilby note PAINS")
	}
	// The new rules file, and a reclassification that began and never
	// ended.
	writeFile(t, filepath.Join(e.opts.Data, "rules.yaml"), []byte(bilbyRules(t)))
	if err := e.store.Begin(context.Background(), journalReclassify, "test"); err != nil {
		t.Fatal(err)
	}
	e = e.reopen()
	if res := e.Resumed(); !res.Reclassified {
		t.Errorf("resumed: %+v", res)
	}
	if !bilbyPains() {
		t.Errorf("the bilby note is not tagged PAINS after the reclassification was finished")
	}
	if got, want := e.hitIDs("category:pains bilby"), e.hitIDs("bilby"); len(got) != 1 || !slices.Equal(got, want) {
		t.Errorf("the index does not have the new tag: category:pains bilby %v, bilby %v", got, want)
	}
	if unfinished, err := e.store.Unfinished(context.Background(), journalReclassify); err != nil || unfinished {
		t.Errorf("the journal still holds the reclassification: %v %v", unfinished, err)
	}
}

// bilbyRules returns the built-in rules with one more PAINS rule: the word
// bilby.
func bilbyRules(t *testing.T) string {
	t.Helper()
	src := string(configs.Rules())
	const first = "\n      - id: pains.affect\n"
	i := strings.Index(src, first)
	if i < 0 {
		t.Fatal("no pains.affect rule in the built-in rules to add one beside")
	}
	return src[:i] + "\n      - id: pains.bilby\n        phrases: [bilby]" + src[i:]
}

// openReaderOn indexes threeNotes in a fresh data folder, runs prepare on
// the writer if given, closes it and opens the folder for reading only,
// until the test ends.
func openReaderOn(t *testing.T, prepare func(*running)) (*Engine, Options) {
	t.Helper()
	e := openIdle(t)
	e.indexFiles(threeNotes)
	if prepare != nil {
		prepare(e)
	}
	opts := e.opts
	e.closeIdle()
	reader, err := Open(context.Background(), Options{Data: opts.Data, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	return reader, opts
}

// A command that only reads takes no lock: a server starts on the folder
// while it is open, and while it searches.
func TestReaderNeverKeepsAServerFromStarting(t *testing.T) {
	reader, opts := openReaderOn(t, nil)
	ctx := context.Background()
	if ds, err := reader.Documents(ctx); err != nil || len(ds) != 3 {
		t.Fatalf("reader: %d documents, %v", len(ds), err)
	}
	// A server starts while the reader is open...
	w, err := Open(ctx, Options{Data: opts.Data})
	if err != nil {
		t.Fatalf("a server could not start while a reader was open: %v", err)
	}
	w.Close()
	// ... and while it searches: it waits for the search, then starts.
	started := make(chan error, 1)
	err = reader.Index(func(ix *index.Index) error {
		go func() {
			w, err := Open(ctx, Options{Data: opts.Data})
			if err == nil {
				err = w.Close()
			}
			started <- err
		}()
		time.Sleep(300 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-started:
		if err != nil {
			t.Errorf("a server could not start while a reader searched: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("a server did not start within 20s of a search")
	}
	resp, err := reader.Search(ctx, search.Request{Query: "numbat", Limit: 10})
	if err != nil || len(resp.Hits) != 1 {
		t.Fatalf("the reader's search: %v", err)
	}
	// A reader writes nothing.
	sha := resp.Hits[0].Source.SHA256
	if _, err := reader.store.Fail(ctx, sha, "failed by a reader", ""); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("a reader's store wrote: %v", err)
	}
}

// A command that only reads compiles no rules: search, show, status, the
// matrix and the maps read only the rules file's category words and
// questions; the rules are compiled once something classifies.
func TestReaderCompilesNoRules(t *testing.T) {
	reader, _ := openReaderOn(t, func(e *running) {
		if _, err := e.CreateMap(context.Background(), maps.Info{Name: "cfo"}, "test"); err != nil {
			t.Fatal(err)
		}
	})
	ctx := context.Background()
	resp, err := reader.Search(ctx, search.Request{Query: "what do they hear about the numbat", Limit: 10})
	if err != nil || len(resp.Hits) != 1 {
		t.Fatalf("search: %v", err)
	}
	if !slices.Contains(resp.Query.Categories, "HEAR") {
		t.Errorf("query read as %+v: the category word was not understood", resp.Query)
	}
	if _, err := reader.Documents(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Show(ctx, "a.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Matrix(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.ListMaps(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := reader.GetMap(ctx, "cfo")
	if err != nil {
		t.Fatal(err)
	}
	if reader.rules.current.Load() != nil {
		t.Errorf("a reader compiled the rules")
	}
	cats, err := reader.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.Cells), len(cats); got != want {
		t.Errorf("map has %d cells, the rules %d categories", got, want)
	}
	// Asked for, the rules compile then.
	if c := reader.Classifier(); c == nil || !slices.Equal(c.Categories(), cats) {
		t.Errorf("the reader's classifier: %v", c)
	}
}

// A data folder whose index was built by an earlier version (another
// mapping: index.Version) has it rebuilt from the store once, on the first
// start, and searches find what they found before.
func TestIndexOfAnEarlierVersionIsRebuilt(t *testing.T) {
	e := openIdle(t)
	e.indexFiles(threeNotes)
	want := e.passageSum()
	queries := []string{"quoll", "numbat contract", "bilby", "approvals"}
	before := map[string]*search.Response{}
	for _, q := range queries {
		before[q] = e.search(q)
	}
	e.closeIdle()
	gen, err := os.ReadFile(filepath.Join(e.indexDir(), "current"))
	if err != nil {
		t.Fatal(err)
	}
	complete := filepath.Join(e.indexDir(), strings.TrimSpace(string(gen)), "complete")
	if err := os.WriteFile(complete, []byte("3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e = openIdleOn(t, e.opts)
	if !e.Resumed().Rebuilt || e.indexCount() != want {
		t.Fatalf("after a start on an index of version 3: resumed %+v, %d passages indexed, want %d", e.Resumed(), e.indexCount(), want)
	}
	for _, q := range queries {
		if got := e.search(q); !reflect.DeepEqual(got.Hits, before[q].Hits) || got.Total != before[q].Total {
			t.Errorf("%q after the rebuild: %+v, before %+v", q, got, before[q])
		}
	}
	e = e.reopen()
	if e.Resumed().Rebuilt {
		t.Error("the index was rebuilt again on the next start")
	}
}
