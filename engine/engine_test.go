package engine

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/search"
)

const wait = 30 * time.Second

const interview = `Interviewer: Thanks for joining. How do you close the books each month?

Jane Doe (CFO, Acme): Closing takes us nine days because the reconciliation of our subsidiaries happens in spreadsheets. The auditors complain about the xylophonic detail every quarter.

Interviewer: What would you change first?

Jane Doe (CFO, Acme): I would automate the intercompany eliminations before anything else.
`

const article = `# Rolling forecasts at mid-sized firms

Finance teams are replacing the annual budget with a quokkaesque rolling forecast that is refreshed every month.

Controllers say the annual plan is out of date by March.
`

// 1. Files dropped into a running engine's inbox end indexed and are
// found by search with citations.
func TestInboxFilesAreIndexedAndSearchable(t *testing.T) {
	e := start(t, Options{Workers: 2})
	e.drop("interview-acme.txt", interview)
	e.drop("forecasts.md", article)
	got := e.waitIndexed(wait, "interview-acme.txt", "forecasts.md")

	iv := got["interview-acme.txt"]
	if iv.Passages < 2 {
		t.Errorf("interview: %d passages, want at least the two CFO turns", iv.Passages)
	}
	resp := e.search("xylophonic")
	if len(resp.Hits) != 1 {
		t.Fatalf("search xylophonic: %d hits, want 1: %+v", len(resp.Hits), resp.Hits)
	}
	h := resp.Hits[0]
	if h.Speaker != "Jane Doe" {
		t.Errorf("hit speaker %q, want Jane Doe", h.Speaker)
	}
	if !strings.Contains(h.Text, "xylophonic") || strings.Contains(h.Text, "Jane Doe (CFO") {
		t.Errorf("hit text %q: want the turn without its speaker label", h.Text)
	}
	checkCitation(t, h, iv)
	if !strings.Contains(h.Citation, "Jane Doe") {
		t.Errorf("citation %q does not name the speaker", h.Citation)
	}

	md := got["forecasts.md"]
	resp = e.search("quokkaesque")
	if len(resp.Hits) != 1 {
		t.Fatalf("search quokkaesque: %d hits, want 1", len(resp.Hits))
	}
	checkCitation(t, resp.Hits[0], md)
	if md.Title != "Rolling forecasts at mid-sized firms" {
		t.Errorf("article title %q, want its heading", md.Title)
	}
	// Interviewer turns are left out of search by default.
	if hits := e.search("books").Hits; len(hits) != 0 {
		t.Errorf("books: the interviewer's question was returned: %+v", hits)
	}
}

// A title in a speaker label gives the speaker's role.
func TestSpeakerLabelGivesRole(t *testing.T) {
	e := start(t, Options{})
	e.drop("interview-acme.txt", interview)
	e.waitIndexed(wait, "interview-acme.txt")
	hits := e.search("role:cfo intercompany").Hits
	if len(hits) != 1 || hits[0].Speaker != "Jane Doe" || hits[0].Role != "cfo" || hits[0].RoleSource != "label" {
		t.Errorf("role:cfo intercompany: %+v", hits)
	}
}

func checkCitation(t *testing.T, h search.Hit, d evident.Document) {
	t.Helper()
	if h.Citation == "" {
		t.Errorf("hit %s has no citation", h.ID)
	}
	if h.Source.SHA256 != d.SHA256 || len(h.Source.SHA256) != 64 {
		t.Errorf("hit %s source sha %q, want %q", h.ID, h.Source.SHA256, d.SHA256)
	}
	if h.Source.File != d.File {
		t.Errorf("hit %s source file %q, want %q", h.ID, h.Source.File, d.File)
	}
	if h.Locator == (evident.Locator{}) || h.Locator.String() == "" {
		t.Errorf("hit %s has no locator", h.ID)
	}
	if !strings.Contains(h.Citation, h.Locator.String()) {
		t.Errorf("citation %q does not give the locator %q", h.Citation, h.Locator.String())
	}
}

// 1b. A file written slowly is read once, when complete.
func TestSlowlyWrittenFileIsIngestedOnceComplete(t *testing.T) {
	const settle = 400 * time.Millisecond
	e := start(t, Options{Settle: settle})
	chunks := []string{
		"Paragraph one talks about budgets and the board.\n\n",
		"Paragraph two mentions a delayed migration of the ledger.\n\n",
		"Paragraph three says the close is slow.\n\n",
		"Paragraph four is about headcount planning.\n\n",
		"The final paragraph holds the word marmalade and ends the file.\n",
	}
	f, err := os.Create(e.inbox("slow.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks {
		if i > 0 {
			time.Sleep(settle / 8) // well inside the settle time
		}
		if _, err := f.WriteString(c); err != nil {
			t.Fatal(err)
		}
	}
	f.Close()
	full := strings.Join(chunks, "")

	d := e.waitIndexed(wait, "slow.txt")["slow.txt"]
	if d.Size != int64(len(full)) {
		t.Errorf("indexed %d bytes, want the whole file's %d", d.Size, len(full))
	}
	if n := len(e.docs()); n != 1 {
		t.Errorf("%d documents, want 1:\n%s", n, describe(e.docs()))
	}
	if len(e.search("marmalade").Hits) != 1 {
		t.Errorf("the last chunk's words are not searchable")
	}
	if n := e.logs.count("queued", "inbox/slow.txt"); n != 1 {
		t.Errorf("slow.txt was queued %d times, want once", n)
	}
}

// 2. Identical bytes make one document; changed bytes replace the old
// passages.
func TestDuplicatesAndChanges(t *testing.T) {
	e := start(t, Options{Workers: 2})
	text := "The procurement team wants a single vendor for payroll and expenses, says the zebrafish memo.\n"
	e.drop("memo.txt", text)
	first := e.waitIndexed(wait, "memo.txt")["memo.txt"]

	// A copy under another name, and a re-save with identical bytes.
	e.drop("copy of memo.txt", text)
	e.drop("memo.txt", text)
	// Two sentinels, one after the other: once the second is indexed, the
	// watcher has handed on (and the engine submitted) everything written
	// before the first.
	e.drop("sentinel-1.txt", "The first sentinel mentions nothing in particular about finance.\n")
	e.waitIndexed(wait, "sentinel-1.txt")
	e.drop("sentinel-2.txt", "The second sentinel mentions nothing in particular about finance.\n")
	e.waitIndexed(wait, "sentinel-2.txt")
	if n := e.logs.count("queued", "inbox/copy of memo.txt"); n != 0 {
		t.Errorf("the copy was queued %d times", n)
	}
	var same []evident.Document
	for _, d := range e.docs() {
		if d.SHA256 == first.SHA256 {
			same = append(same, d)
		}
	}
	if len(same) != 1 || same[0].State != evident.Indexed || same[0].Origin != "inbox/memo.txt" {
		t.Fatalf("documents with the memo's bytes:\n%s", describe(same))
	}
	if len(e.docs()) != 3 {
		t.Errorf("want memo and the sentinels only:\n%s", describe(e.docs()))
	}
	if n := e.logs.count("queued", "inbox/memo.txt"); n != 1 {
		t.Errorf("memo.txt queued %d times, want once", n)
	}
	if got := e.hitIDs("zebrafish"); len(got) != 1 {
		t.Errorf("zebrafish: %d hits, want 1", len(got))
	}

	// The original changes; the copy still holds the old bytes, so the
	// old document moves to the copy instead of losing its passages.
	writeFile(t, e.inbox("memo.txt"), []byte("The memo now talks about a narwhal budget instead.\n"))
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		var moved, fresh bool
		for _, d := range ds {
			moved = moved || d.SHA256 == first.SHA256 && d.Origin == "inbox/copy of memo.txt" && d.State == evident.Indexed
			fresh = fresh || d.Origin == "inbox/memo.txt" && d.SHA256 != first.SHA256 && d.State == evident.Indexed
		}
		return moved && fresh, "the copy should keep the old bytes and memo.txt hold the new:\n" + describe(ds)
	})
	if got := e.hitIDs("zebrafish"); len(got) != 1 {
		t.Errorf("zebrafish after the original changed: %d hits, want the copy's 1", len(got))
	}
	if got := e.hitIDs("narwhal"); len(got) != 1 {
		t.Errorf("narwhal: %d hits, want 1", len(got))
	}

	// Changed bytes at the same path.
	p := e.drop("plan.txt", "Our plan mentions the word albatross twice: albatross.\n\nA second paragraph about cost savings.\n")
	old := e.waitIndexed(wait, "plan.txt")["plan.txt"]
	oldIDs := e.hitIDs("albatross")
	if len(oldIDs) != 1 {
		t.Fatalf("albatross: %v", oldIDs)
	}
	writeFile(t, p, []byte("The revised plan talks about a pelican instead.\n"))
	changed := e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.Origin == "inbox/plan.txt" && d.SHA256 != old.SHA256 && d.State == evident.Indexed {
				return true, ""
			}
		}
		return false, "plan.txt not re-indexed with its new bytes"
	})
	var plans []evident.Document
	for _, d := range changed {
		if d.Origin == "inbox/plan.txt" || d.SHA256 == old.SHA256 {
			plans = append(plans, d)
		}
	}
	if len(plans) != 1 || plans[0].Passages != 1 {
		t.Fatalf("plan.txt documents after the change:\n%s", describe(plans))
	}
	if ids := e.hitIDs("albatross"); len(ids) != 0 {
		t.Errorf("old passages still found: %v", ids)
	}
	if ids := e.hitIDs("pelican"); len(ids) != 1 {
		t.Errorf("new passage not found: %v", ids)
	}
	shown, err := e.Show(context.Background(), "plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	if shown.Document.SHA256 != plans[0].SHA256 || len(shown.Passages) != 1 ||
		!strings.Contains(shown.Passages[0].Text, "pelican") || strings.Contains(shown.Passages[0].Text, "albatross") {
		t.Errorf("show plan.txt: %+v", shown)
	}
	if got, want := e.indexCount(), e.passageSum(); got != want {
		t.Errorf("Bleve holds %d passages, SQLite %d", got, want)
	}
}

// 3 and 9. Stopping while files are in flight loses nothing and
// duplicates nothing: a new engine on the same folders finishes the work.
func TestRestartFinishesEveryFileExactlyOnce(t *testing.T) {
	const n = 200
	data, inbox := t.TempDir(), t.TempDir()
	e := start(t, Options{Data: data, Inbox: inbox, Workers: 1})
	for i := range n {
		e.drop(fmt.Sprintf("note-%03d.txt", i), note(i))
	}
	var indexedAtStop int
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		indexedAtStop = 0
		for _, d := range ds {
			if d.State == evident.Indexed {
				indexedAtStop++
			}
		}
		return indexedAtStop > 0, "nothing indexed yet"
	})
	e.stop()
	if indexedAtStop >= n {
		t.Fatalf("all %d files were indexed before the stop; the test proves nothing", n)
	}
	// A new engine on the same data folder and inbox.
	e2 := start(t, Options{Data: data, Inbox: inbox, Workers: 1})
	before := e2.docs()
	unfinished := 0
	for _, d := range before {
		if d.State != evident.Indexed {
			unfinished++
		}
	}
	t.Logf("at the stop: %d indexed; after reopening: %d documents, %d not yet indexed", indexedAtStop, len(before), unfinished)

	ds := e2.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		indexed := 0
		for _, d := range ds {
			if d.State == evident.Indexed {
				indexed++
			}
		}
		return indexed == n, fmt.Sprintf("%d of %d documents indexed", indexed, n)
	})
	if len(ds) != n {
		t.Fatalf("%d documents, want %d", len(ds), n)
	}
	seen := map[string]bool{}
	for _, d := range ds {
		if seen[d.Origin] {
			t.Errorf("%s twice", d.Origin)
		}
		seen[d.Origin] = true
		if d.Passages != 2 {
			t.Errorf("%s: %d passages, want 2", d.Origin, d.Passages)
		}
	}
	if got, want := e2.indexCount(), e2.passageSum(); got != want || want != 2*n {
		t.Errorf("Bleve holds %d passages, SQLite %d, want %d", got, want, 2*n)
	}
	for i := 0; i < n; i += 7 {
		if ids := e2.hitIDs(fmt.Sprintf("token%03dx", i)); len(ids) != 1 {
			t.Errorf("token%03dx: %d hits, want 1", i, len(ids))
		}
	}
}

func note(i int) string {
	return fmt.Sprintf("Note %d from the finance review mentions token%03dx once.\n\nIts second paragraph is about budget approvals.\n", i, i)
}

// panicky is a parser that crashes on every file.
type panicky struct{}

func (panicky) Extract(context.Context, extract.Input) (*extract.Doc, error) {
	panic("index out of range [7] with length 3")
}

// stuck is a parser that never finishes on its own.
type stuck struct{}

func (stuck) Extract(ctx context.Context, _ extract.Input) (*extract.Doc, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// 4. A parser that crashes or hangs fails its file with a reason and
// leaves the engine working.
func TestCrashingAndHangingParsers(t *testing.T) {
	formats := extract.Default().
		With(extract.Format{Name: "boom", Exts: []string{".boom"}, Extractor: panicky{}}).
		With(extract.Format{Name: "slow", Exts: []string{".slow"}, Extractor: stuck{}})
	e := start(t, Options{
		Workers:    2,
		Formats:    formats,
		JobTimeout: 300 * time.Millisecond,
		Queue:      queue.Config{AckWait: 5 * time.Second, MaxAttempts: 2},
	})
	e.drop("bad.boom", "anything at all")
	e.drop("hangs.slow", "anything else")
	e.drop("fine-1.txt", "The first good file talks about the treasury function.\n")
	got := e.waitEnded(wait, "bad.boom", "hangs.slow", "fine-1.txt")

	if d := got["bad.boom"]; d.State != evident.Failed || !strings.Contains(d.Error, "crash") || !strings.Contains(d.Error, "malformed") {
		t.Errorf("bad.boom: %s %q, want failed saying the parser crashed on a malformed file", d.State, d.Error)
	} else {
		humane(t, "bad.boom", d.Error)
	}
	if d := got["hangs.slow"]; d.State != evident.Failed || !strings.Contains(d.Error, "did not finish within 300ms") {
		t.Errorf("hangs.slow: %s %q, want failed saying it ran out of time", d.State, d.Error)
	} else {
		humane(t, "hangs.slow", d.Error)
		if strings.Count(d.Error, "did not finish") > 1 {
			t.Errorf("hangs.slow: the reason repeats itself: %q", d.Error)
		}
	}
	if d := got["fine-1.txt"]; d.State != evident.Indexed {
		t.Errorf("fine-1.txt: %s %q", d.State, d.Error)
	}
	// The workers survived: a file dropped afterwards is indexed.
	e.drop("fine-2.txt", "The second good file talks about the capybara function.\n")
	e.waitIndexed(wait, "fine-2.txt")
	if len(e.search("capybara").Hits) != 1 {
		t.Errorf("fine-2.txt not searchable")
	}
}

// 5. Bad input gets a clear outcome and does not stop the engine.
func TestBadInput(t *testing.T) {
	e := start(t, Options{Workers: 2})
	rnd := rand.New(rand.NewPCG(1, 2))
	junk := make([]byte, 4096)
	for i := range junk {
		junk[i] = byte(rnd.UintN(256))
	}
	for i := 0; i < len(junk); i += 97 {
		junk[i] = 0
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0x10, 0x00, 0xff}, 200)...)
	// Mostly valid UTF-8 (accents, dashes) with three stray bytes.
	mangled := "Café owners told us the séance of budgeting — every October — is painful.\n\n" +
		"A stray byte \xff here and two \xfe\xfd there, but the gazpacho paragraph survives.\n"

	writeFile(t, e.inbox("empty.txt"), nil)
	writeFile(t, e.inbox("junk.txt"), junk)
	writeFile(t, e.inbox("picture.txt"), png)
	writeFile(t, e.inbox("mangled.txt"), []byte(mangled))
	got := e.waitEnded(wait, "empty.txt", "junk.txt", "picture.txt", "mangled.txt")

	expect := func(name string, words ...string) {
		t.Helper()
		d := got[name]
		if d.State != evident.Failed {
			t.Errorf("%s: %s, want failed", name, d.State)
			return
		}
		for _, w := range words {
			if !strings.Contains(d.Error, w) {
				t.Errorf("%s: reason %q does not say %q", name, d.Error, w)
			}
		}
		humane(t, name, d.Error)
	}
	expect("empty.txt", "empty")
	expect("junk.txt", "binary", "not text")
	expect("picture.txt", "PNG")

	m := got["mangled.txt"]
	if m.State != evident.Indexed {
		t.Fatalf("mangled.txt: %s %q, want indexed with the bad bytes replaced", m.State, m.Error)
	}
	hits := e.search("gazpacho").Hits
	if len(hits) != 1 || !strings.Contains(hits[0].Text, "\uFFFD") || !utf8.ValidString(hits[0].Text) {
		t.Errorf("gazpacho: %+v, want one passage with U+FFFD for the bad bytes", hits)
	}
	if hits := e.search("séance").Hits; len(hits) != 1 || !strings.Contains(hits[0].Text, "Café") {
		t.Errorf("the valid accents were not kept: %+v", hits)
	}
	if w := e.warnings(m.SHA256); !strings.Contains(w, "invalid") || !strings.Contains(w, "replaced") {
		t.Errorf("mangled.txt warnings %s, want them to say invalid bytes were replaced", w)
	}

	e.drop("good.txt", "After all that, a good file about the month-end close arrives.\n")
	e.waitIndexed(wait, "good.txt")
}

// 6. Hidden, temporary and lock files are never ingested, nor symlinks
// leading out of the inbox.
func TestIgnoredFiles(t *testing.T) {
	inbox := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	writeFile(t, outside, []byte("The confidential payroll of the wombat division is here.\n"))
	for _, name := range []string{".hidden", "~$lock.docx", "x.part", "y.crdownload", "z.swp", ".git/notes.txt"} {
		writeFile(t, filepath.Join(inbox, name), []byte("This "+name+" file speaks of the wombat division budget.\n"))
	}
	if err := os.Symlink(outside, filepath.Join(inbox, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(outside), filepath.Join(inbox, "linked-folder")); err != nil {
		t.Fatal(err)
	}
	e := start(t, Options{Inbox: inbox})
	e.drop("first.txt", "A first ordinary file about invoices.\n")
	e.waitIndexed(wait, "first.txt")
	// Everything above was seen before this one was written.
	e.drop("second.txt", "A second ordinary file about receipts.\n")
	e.waitIndexed(wait, "second.txt")
	// Temporary files written while running are ignored as well.
	e.drop("report.pdf.part", "The wombat division budget, half downloaded.\n")
	e.drop("~$draft.docx", "The wombat division budget, locked.\n")
	e.drop("third.txt", "A third ordinary file about travel costs.\n")
	e.waitIndexed(wait, "third.txt")
	e.drop("fourth.txt", "A fourth ordinary file about office rent.\n")
	e.waitIndexed(wait, "fourth.txt")

	if ds := e.docs(); len(ds) != 4 {
		t.Errorf("want only the four ordinary files:\n%s", describe(ds))
	}
	if hits := e.search("wombat").Hits; len(hits) != 0 {
		t.Errorf("ignored content is searchable: %+v", hits)
	}
}

// 7. A sidecar gives a document its metadata, whether it comes with the
// document or after it.
func TestSidecars(t *testing.T) {
	e := start(t, Options{Workers: 2})
	e.drop("a.txt.meta.yaml", "title: Talk with the finance lead\nrole: cfo\n")
	e.drop("a.txt", "We never know which budget is the current one, says the narwhal team.\n")
	a := e.waitIndexed(wait, "a.txt")["a.txt"]
	if a.Title != "Talk with the finance lead" || a.Role != "cfo" {
		t.Errorf("a.txt: title %q role %q, want the sidecar's", a.Title, a.Role)
	}
	if hits := e.search("narwhal").Hits; len(hits) != 1 || hits[0].Role != "cfo" || hits[0].Source.Title != a.Title {
		t.Errorf("narwhal: %+v", hits)
	}
	if ds := e.docs(); len(ds) != 1 {
		t.Errorf("the sidecar must not be a document of its own:\n%s", describe(ds))
	}

	e.drop("b.txt", "Our approval chain for software purchases is far too long, says the ocelot group.\n")
	b := e.waitIndexed(wait, "b.txt")["b.txt"]
	if b.Title != "b" || b.Role != "" {
		t.Fatalf("b.txt before its sidecar: title %q role %q", b.Title, b.Role)
	}
	e.drop("b.txt.meta.yaml", "title: Procurement interview\nrole: procurement\n")
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.Origin == "inbox/b.txt" {
				return d.State == evident.Indexed && d.Title == "Procurement interview" && d.Role == "procurement",
					fmt.Sprintf("b.txt is %s with title %q role %q", d.State, d.Title, d.Role)
			}
		}
		return false, "b.txt is gone"
	})
	hits := e.search("ocelot").Hits
	if len(hits) != 1 || hits[0].Source.Title != "Procurement interview" || hits[0].Role != "procurement" {
		t.Errorf("ocelot after the sidecar: %+v", hits)
	}
	if resp := e.search("role:procurement ocelot"); len(resp.Hits) != 1 || resp.Fallback != "" {
		t.Errorf("role:procurement ocelot: %d hits, fallback %q", len(resp.Hits), resp.Fallback)
	}
	if got, want := e.indexCount(), e.passageSum(); got != want {
		t.Errorf("Bleve holds %d passages, SQLite %d", got, want)
	}
	if ds := e.docs(); len(ds) != 2 {
		t.Errorf("want a.txt and b.txt only:\n%s", describe(ds))
	}
}

// 8. Reindex rebuilds Bleve from SQLite with the same answers.
func TestReindex(t *testing.T) {
	e := start(t, Options{Workers: 2})
	e.drop("interview-acme.txt", interview)
	e.drop("forecasts.md", article)
	e.drop("cfo/notes.txt", "The finance director keeps a spreadsheet of every vendor contract.\n\nRenewals surprise her every spring.\n")
	e.waitIndexed(wait, "interview-acme.txt", "forecasts.md", "cfo/notes.txt")
	queries := []string{"xylophonic", "rolling forecast", "role:cfo spreadsheet", "what do CFOs hear", "vendor contract renewals", "budget"}
	before := map[string][]string{}
	for _, q := range queries {
		before[q] = e.hitIDs(q)
	}
	if len(before["xylophonic"]) != 1 || len(before["role:cfo spreadsheet"]) == 0 {
		t.Fatalf("searches before reindexing: %v", before)
	}
	count := e.indexCount()
	n, err := e.Reindex(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != count || n != e.passageSum() {
		t.Errorf("reindex counted %d passages; before %d, SQLite %d", n, count, e.passageSum())
	}
	for _, q := range queries {
		if got := e.hitIDs(q); !slices.Equal(got, before[q]) {
			t.Errorf("%q: %v after reindexing, %v before", q, got, before[q])
		}
	}
	// The engine goes on indexing into the new index.
	e.drop("later.txt", "A later file about the flamingo budget.\n")
	e.waitIndexed(wait, "later.txt")
	if len(e.search("flamingo").Hits) != 1 {
		t.Errorf("a file indexed after reindexing is not found")
	}
}

// gated reads text, but holds every file that comes without metadata
// until release is closed.
type gated struct{ release chan struct{} }

func (g gated) Extract(ctx context.Context, in extract.Input) (*extract.Doc, error) {
	if in.Meta.IsZero() {
		select {
		case <-g.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return extract.Text{}.Extract(ctx, in)
}

// 7b. A sidecar that arrives while its document is still being processed
// wins, even when the processing with the sidecar finishes first.
func TestSidecarArrivingDuringProcessingWins(t *testing.T) {
	g := gated{release: make(chan struct{})}
	e := start(t, Options{
		Workers: 2,
		Formats: extract.Default().With(extract.Format{Name: "gated", Exts: []string{".gated"}, Extractor: g}),
	})
	e.drop("c.gated", "The numbat committee meets every second Tuesday about budgets.\n")
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		return len(ds) == 1 && ds[0].State == evident.Processing, "c.gated is not being processed yet"
	})
	e.drop("c.gated.meta.yaml", "title: Numbat committee notes\nrole: cfo\n")
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		return len(ds) == 1 && ds[0].State == evident.Indexed && ds[0].Title == "Numbat committee notes",
			"the processing with the sidecar has not finished"
	})
	close(g.release) // the first processing, without the sidecar, ends last
	e.waitDocs(wait, func([]evident.Document) (bool, string) {
		return e.logs.count("processed", "file=c.gated") == 2, "the first processing has not finished"
	})
	// Its result is now published; the indexer takes results in order, so
	// once a later file is indexed the stale result was applied or dropped.
	e.drop("sentinel.txt", "A sentinel about the end of the test.\n")
	e.waitIndexed(wait, "sentinel.txt")
	d := e.waitEnded(wait, "c.gated")["c.gated"]
	if d.Title != "Numbat committee notes" || d.Role != "cfo" {
		t.Errorf("c.gated: title %q role %q: a stale result overwrote the sidecar's metadata", d.Title, d.Role)
	}
}

// Copies of the same bytes are one document, whose metadata is its first
// file's: a copy with a sidecar of its own, or a copy of a file that
// failed, is recorded as a copy, and the inbox's rescans do not process
// the document again and again.
func TestCopiesAreProcessedOnce(t *testing.T) {
	e := start(t, Options{Workers: 2, Rescan: 50 * time.Millisecond})
	const talk = "We never know which budget is the current one, says the narwhal team.\n"
	e.drop("a/talk.txt.meta.yaml", "role: cfo\n")
	e.drop("a/talk.txt", talk)
	e.waitIndexed(wait, "a/talk.txt")
	e.drop("b/talk.txt.meta.yaml", "role: cto\n")
	e.drop("b/talk.txt", talk)
	e.drop("a/broken.txt", "\x00\x01\x02 not text \x00\x00\x00\x00")
	e.waitEnded(wait, "a/broken.txt")
	e.drop("b/broken.txt", "\x00\x01\x02 not text \x00\x00\x00\x00")
	// Rescans come every 50 ms: give them a second, then start again (a
	// start looks at every file of the inbox).
	time.Sleep(time.Second)
	e.stop()
	e = start(t, e.opts)
	time.Sleep(time.Second)
	ds := e.docs()
	if len(ds) != 2 {
		t.Fatalf("want two documents:\n%s", describe(ds))
	}
	for _, d := range ds {
		var runs int
		if err := e.store.DB().QueryRow(`SELECT runs FROM documents WHERE sha256 = ?`, d.SHA256).Scan(&runs); err != nil {
			t.Fatal(err)
		}
		if runs != 1 {
			t.Errorf("%s (%s) ran %d times, want once", d.Origin, d.State, runs)
		}
		if d.Origin == "inbox/a/talk.txt" && (d.Role != "cfo" || d.State != evident.Indexed) {
			t.Errorf("a/talk.txt is %s with role %q, want indexed with its own sidecar's cfo", d.State, d.Role)
		}
	}
}
