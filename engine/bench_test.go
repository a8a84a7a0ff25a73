package engine_test

// Benchmarks of the whole engine on real components (embedded NATS,
// SQLite, Bleve) in temporary folders. Figures and the commands that
// reproduce them are in BENCHMARKS.md at the repository root.
//
// Every helper here starts with "bench" so that it cannot collide with the
// test helpers of this package.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/index"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/internal/synth"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// ---------------------------------------------------------------------------
// A deterministic synthetic corpus: research notes and interview transcripts
// in plain text, built from a few hundred words of business English and the
// kind of phrases the built-in rules look for.

// benchWords are internal/synth's word lists, which bench/scale writes its
// corpus from.
var benchWords = synth.Words()

func benchPick(r *rand.Rand, words []string) string { return words[r.Intn(len(words))] }

// benchSubmit submits each file to e and returns their hashes.
func benchSubmit(ctx context.Context, b *testing.B, e *engine.Engine, paths []string) []string {
	b.Helper()
	shas := make([]string, 0, len(paths))
	for _, p := range paths {
		sub, err := e.Ingest(ctx, api.Submission{Path: p})
		if err != nil {
			b.Fatal(err)
		}
		shas = append(shas, sub.Document.SHA256)
	}
	return shas
}

// benchIndexed returns the passages of docs, failing the benchmark unless
// every one was indexed.
func benchIndexed(b *testing.B, docs []evident.Document) int {
	b.Helper()
	n := 0
	for _, d := range docs {
		if d.State != evident.Indexed {
			b.Fatalf("%s: %s %s", d.File, d.State, d.Error)
		}
		n += d.Passages
	}
	return n
}

// benchSentence writes one sentence and returns its word count.
func benchSentence(r *rand.Rand, sb *strings.Builder) int {
	var w []string
	if r.Intn(4) == 0 {
		w = append(w, strings.Fields(benchPick(r, benchWords.Cues))...)
	} else {
		w = append(w, strings.Fields(benchPick(r, benchWords.Subjects))...)
		if r.Intn(3) == 0 {
			w = append(w, benchPick(r, benchWords.Advs))
		}
		w = append(w, benchPick(r, benchWords.Verbs))
	}
	w = append(w, benchPick(r, benchWords.Dets))
	if r.Intn(2) == 0 {
		w = append(w, benchPick(r, benchWords.Adjs))
	}
	w = append(w, benchPick(r, benchWords.Nouns))
	for n := r.Intn(3); n > 0; n-- {
		switch r.Intn(3) {
		case 0:
			w = append(w, benchPick(r, benchWords.Preps), benchPick(r, benchWords.Dets), benchPick(r, benchWords.Nouns))
		case 1:
			w = append(w, benchPick(r, benchWords.Links))
			w = append(w, strings.Fields(strings.ToLower(benchPick(r, benchWords.Subjects)))...)
			w = append(w, benchPick(r, benchWords.Verbs), benchPick(r, benchWords.Dets), benchPick(r, benchWords.Adjs), benchPick(r, benchWords.Nouns))
		default:
			w = append(w, benchPick(r, benchWords.Preps), benchPick(r, benchWords.Adjs), benchPick(r, benchWords.Nouns))
		}
	}
	if w[0] != "I" && !strings.HasPrefix(w[0], "I'") {
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
	}
	sb.WriteString(strings.Join(w, " "))
	if r.Intn(8) == 0 {
		sb.WriteString("?")
	} else {
		sb.WriteString(".")
	}
	return len(w)
}

// benchParagraph writes sentences until the paragraph has 30 to 90 words.
func benchParagraph(r *rand.Rand, sb *strings.Builder) {
	want := 30 + r.Intn(61)
	for n := 0; n < want; {
		if n > 0 {
			sb.WriteByte(' ')
		}
		n += benchSentence(r, sb)
	}
}

// benchText returns one document of 20 to 40 paragraphs. About 40% are
// interview transcripts: "Interviewer:" questions and "Name (Title,
// Company):" answers, with YAML front matter naming the speakers' roles as
// people write them (the example files do the same); the rest are notes, half
// of them with a title and the persona they are about.
func benchText(r *rand.Rand) string {
	var sb strings.Builder
	paras := 20 + r.Intn(21)
	if r.Intn(5) < 2 {
		type person struct{ name, title, company string }
		var people []person
		for range 1 + r.Intn(2) {
			people = append(people, person{benchPick(r, benchWords.First) + " " + benchPick(r, benchWords.Last),
				benchPick(r, benchWords.Titles), benchPick(r, benchWords.Companies)})
		}
		fmt.Fprintf(&sb, "---\ntitle: Interview with %s, %s at %s\nkind: interview\nspeakers:\n",
			people[0].name, people[0].title, people[0].company)
		for _, p := range people {
			fmt.Fprintf(&sb, "  %s: {role: %s, company: %s}\n", p.name, p.title, p.company)
		}
		sb.WriteString("  Interviewer: {interviewer: true}\n---\n")
		for i := range paras {
			if i > 0 {
				sb.WriteString("\n\n")
			}
			if i%3 == 0 {
				sb.WriteString("Interviewer: ")
				sb.WriteString(benchPick(r, benchWords.Questions))
				sb.WriteString("\n\n")
			}
			p := people[r.Intn(len(people))]
			fmt.Fprintf(&sb, "%s (%s, %s): ", p.name, p.title, p.company)
			benchParagraph(r, &sb)
		}
		sb.WriteString("\n")
		return sb.String()
	}
	if r.Intn(2) == 0 {
		fmt.Fprintf(&sb, "---\ntitle: Notes on the %s %s\nrole: %s\n---\n",
			benchPick(r, benchWords.Adjs), benchPick(r, benchWords.Nouns), benchPick(r, benchWords.Titles))
	}
	for i := range paras {
		if i > 0 {
			sb.WriteString("\n\n")
		}
		benchParagraph(r, &sb)
	}
	sb.WriteString("\n")
	return sb.String()
}

type benchDoc struct {
	Name string
	Text []byte
}

// benchCorpus returns n documents generated from seed.
func benchCorpus(seed int64, n int) []benchDoc {
	r := rand.New(rand.NewSource(seed))
	docs := make([]benchDoc, n)
	for i := range docs {
		docs[i] = benchDoc{Name: fmt.Sprintf("doc-%05d.txt", i), Text: []byte(benchText(r))}
	}
	return docs
}

// benchWriteCorpus writes docs into dir and returns their paths and total size.
func benchWriteCorpus(b *testing.B, dir string, docs []benchDoc) (paths []string, size int64) {
	b.Helper()
	for _, d := range docs {
		p := filepath.Join(dir, d.Name)
		if err := os.WriteFile(p, d.Text, 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
		size += int64(len(d.Text))
	}
	return paths, size
}

// The ingest corpus: 200 files (about 2.4 MB).
const (
	benchSeed  = 20261114
	benchFiles = 200
)

// ---------------------------------------------------------------------------
// Engine helpers.

// benchStart opens an engine on opts, connects NATS (stream creation is
// setup, not ingest) and runs it. stop ends Run and closes the engine.
func benchStart(b *testing.B, opts engine.Options) (e *engine.Engine, stop func()) {
	b.Helper()
	ctx := context.Background()
	e, err := engine.Open(ctx, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Connect(ctx); err != nil {
		e.Close()
		b.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Run(runCtx) }()
	return e, func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Run: %v", err)
		}
		if err := e.Close(); err != nil {
			b.Errorf("Close: %v", err)
		}
	}
}

// benchProcessor is the processor the engine's workers use, with the
// built-in rules and roles.
func benchProcessor() (*ingest.Processor, error) {
	rules, err := engine.LoadRules("", "")
	if err != nil {
		return nil, err
	}
	tax, err := engine.LoadRoles("", "")
	if err != nil {
		return nil, err
	}
	live := &ingest.Live{}
	live.SetClassifier(rules)
	live.SetRoles(tax)
	return &ingest.Processor{Formats: extract.Default(), Rules: live}, nil
}

// benchProcess runs one document through the worker's pipeline (extract,
// passages, roles, classify) without the queue.
func benchProcess(pr *ingest.Processor, d benchDoc) (*ingest.Output, error) {
	sum := sha256.Sum256(d.Text)
	job := queue.Job{SHA256: hex.EncodeToString(sum[:]), File: d.Name, Origin: "bench/" + d.Name, Size: int64(len(d.Text))}
	out, err := pr.Process(context.Background(), ingest.InputOf(job, d.Text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.Name, err)
	}
	return out, nil
}

// benchUnclassifiedProcessor is benchProcessor with a classifier that tags
// nothing (one rule per category that never matches). The built-in rules
// cost about 3 ms per passage, which would make building 100,000 passages
// take five minutes; the search benchmark draws categories instead
// (benchDrawCategories).
func benchUnclassifiedProcessor() (*ingest.Processor, error) {
	pr, err := benchProcessor()
	if err != nil {
		return nil, err
	}
	f := &classify.File{Version: 1, Language: "en", Skip: classify.Skip{Questions: true, Interviewer: true}}
	for _, name := range pr.Rules.Classifier().Categories() {
		f.Categories = append(f.Categories, classify.Category{Name: name,
			Rules: []classify.Rule{{ID: strings.ToLower(name) + ".never", Phrases: []string{"qqqzzzxxx"}}}})
	}
	c, err := classify.Compile(f)
	if err != nil {
		return nil, err
	}
	live := &ingest.Live{}
	live.SetClassifier(c)
	live.SetRoles(pr.Rules.Roles())
	pr.Rules = live
	return pr, nil
}

// benchCategoryShare is how often the built-in rules put a non-interviewer
// passage of the ingest corpus in each category (measured at commit
// a52343a on its 6,028 passages that are not interviewer turns; measure
// again when the rules change much).
var benchCategoryShare = []struct {
	name  string
	share float64
}{{"SEE", 0.44}, {"HEAR", 0.27}, {"SAY", 0.10}, {"DO", 0.45}, {"PAINS", 0.47}, {"GAINS", 0.27}}

// benchDrawCategories draws a passage's categories with those shares.
func benchDrawCategories(r *rand.Rand) []string {
	var out []string
	for _, c := range benchCategoryShare {
		if r.Float64() < c.share {
			out = append(out, c.name)
		}
	}
	return out
}

// benchOutputs is the ingest corpus processed once by benchProcessor.
var benchOutputs = sync.OnceValues(func() ([]*ingest.Output, error) {
	pr, err := benchProcessor()
	if err != nil {
		return nil, err
	}
	var outs []*ingest.Output
	for _, d := range benchCorpus(benchSeed, benchFiles) {
		out, err := benchProcess(pr, d)
		if err != nil {
			return nil, err
		}
		outs = append(outs, out)
	}
	return outs, nil
})

// benchEntries returns the index entries of benchOutputs: the same
// passages the engine indexes, built the way its indexer builds them
// (index.EntryOf).
func benchEntries() ([]index.Entry, error) {
	outs, err := benchOutputs()
	if err != nil {
		return nil, err
	}
	var entries []index.Entry
	for _, out := range outs {
		for i := range out.Passages {
			entries = append(entries, index.EntryOf(&out.Document, &out.Passages[i]))
		}
	}
	return entries, nil
}

// benchPercentile returns the q-quantile (0..1) of sorted durations, in ms.
func benchPercentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return float64(sorted[i]) / float64(time.Millisecond)
}

// benchLatencies runs do on items in turn, one per iteration, and
// reports the p50 and p99 of its wall times.
func benchLatencies[T any](b *testing.B, items []T, do func(T) error) {
	b.Helper()
	var ds []time.Duration
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		if err := do(items[i%len(items)]); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t))
	}
	benchReportLatencies(b, ds, 0.5, 0.99)
}

// benchReportLatencies reports the given quantiles of ds in milliseconds.
func benchReportLatencies(b *testing.B, ds []time.Duration, quantiles ...float64) {
	b.Helper()
	slices.Sort(ds)
	for _, q := range quantiles {
		b.ReportMetric(benchPercentile(ds, q), fmt.Sprintf("p%d-ms", int(q*100+0.5)))
	}
}

// ---------------------------------------------------------------------------
// 1. End-to-end ingest: Submit every file of the corpus to a running engine
// and Await them all. Each iteration gets a fresh data folder and engine;
// opening it, starting NATS, creating the streams, stopping and closing are
// outside the timer. Await polls with a back-off of up to 250 ms, which
// can add that much to a run of 10-30 s.

func BenchmarkIngest(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) { benchIngest(b, workers) })
	}
}

func benchIngest(b *testing.B, workers int) {
	paths, size := benchWriteCorpus(b, b.TempDir(), benchCorpus(benchSeed, benchFiles))
	b.SetBytes(size)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var passages, runs int
	var submitting time.Duration
	for b.Loop() {
		b.StopTimer()
		e, stop := benchStart(b, engine.Options{Data: b.TempDir(), Workers: workers})
		b.StartTimer()
		start := time.Now()
		shas := benchSubmit(ctx, b, e, paths)
		submitted := time.Now()
		docs, err := e.Await(ctx, shas, nil)
		b.StopTimer()
		submitting += submitted.Sub(start)
		if err != nil {
			b.Fatal(err)
		}
		n := benchIndexed(b, docs)
		var indexed uint64
		e.Index(func(ix *index.Index) error { indexed, err = ix.Count(); return err })
		if err != nil || indexed != uint64(n) {
			b.Fatalf("index holds %d passages, store %d (%v)", indexed, n, err)
		}
		passages += n
		runs++
		stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
	b.ReportMetric(float64(passages)/float64(runs), "passages/op")
	b.ReportMetric(submitting.Seconds()*1000/float64(runs), "submit-ms/op")
}

// ---------------------------------------------------------------------------
// 2. The same passages written straight into Bleve: index.Recreate in a
// fresh folder (untimed), then index.Apply in batches of index.MaxBatch.
// No queue, no extraction, no SQLite.

func BenchmarkBleveDirect(b *testing.B) {
	entries, err := benchEntries()
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, e := range entries {
		size += int64(len(e.Text))
	}
	b.SetBytes(size) // passage text only
	ctx := context.Background()
	runs := 0
	for b.Loop() {
		b.StopTimer()
		ix, err := index.Recreate(filepath.Join(b.TempDir(), "index"))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for chunk := range slices.Chunk(entries, index.MaxBatch) {
			if err := ix.Apply(ctx, nil, chunk); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if n, err := ix.Count(); err != nil || n != uint64(len(entries)) {
			b.Fatalf("index holds %d passages, want %d (%v)", n, len(entries), err)
		}
		ix.Close()
		runs++
		b.StartTimer()
	}
	b.ReportMetric(float64(len(entries)*runs)/b.Elapsed().Seconds(), "passages/s")
	b.ReportMetric(float64(len(entries)), "passages/op")
}

// ---------------------------------------------------------------------------
// Stages of the pipeline on their own, to see which one dominates:
// process is the worker's CPU work (extract, split, attribute, classify) on
// one goroutine; store is the indexer's SQLite work (Register at submit
// time plus Save of the passages, one transaction per document) into a
// fresh database per iteration (opening it is untimed).

func BenchmarkStage(b *testing.B) {
	docs := benchCorpus(benchSeed, benchFiles)
	var size int64
	for _, d := range docs {
		size += int64(len(d.Text))
	}
	b.Run("process", func(b *testing.B) {
		pr, err := benchProcessor()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		passages := 0
		for b.Loop() {
			for _, d := range docs {
				out, err := benchProcess(pr, d)
				if err != nil {
					b.Fatal(err)
				}
				passages += len(out.Passages)
			}
		}
		b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
	})
	b.Run("store", func(b *testing.B) {
		outs, err := benchOutputs()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(size)
		ctx := context.Background()
		passages := 0
		for b.Loop() {
			b.StopTimer()
			st, err := store.Open(filepath.Join(b.TempDir(), "evident.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			for _, out := range outs {
				doc := out.Document
				sub := store.Submission{Origin: "bench/" + doc.File, File: doc.File, SHA256: doc.SHA256, Size: doc.Size}
				if _, _, err := st.Register(ctx, sub); err != nil {
					b.Fatal(err)
				}
				if _, err := st.Save(ctx, &doc, out.Warnings, out.Passages); err != nil {
					b.Fatal(err)
				}
				passages += len(out.Passages)
			}
			b.StopTimer()
			st.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
	})
}

// 3. Search latency over 100,000 passages. The passages are made by the
// worker's processor from synthetic documents, saved in SQLite with
// store.Register/Save and indexed by Engine.Reindex (the engine's own
// rebuild: one pass over the store in Bleve batches of index.MaxBatch).
// Building takes a minute or two and happens once per run of this
// benchmark, before its sub-benchmarks:
//
//	engine: Engine.Search, what the API and CLI call: parse, Bleve (match,
//	        5 facets, term locations of the best 50), rank those 50 with
//	        what SQLite holds of them, diversify, hydrate the page.
//	engine-nofacets: the same without facet counts (the command line's
//	        list, a map's suggestions).
//	index:  index.Search alone with the same parsed queries.

const benchSearchPassages = 100_000

func BenchmarkSearch100k(b *testing.B) {
	ctx := context.Background()
	data := b.TempDir()
	e, err := engine.Open(ctx, engine.Options{Data: data})
	if err != nil {
		b.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			e.Close()
		}
	}()
	start := time.Now()
	pr, err := benchUnclassifiedProcessor()
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewSource(benchSeed + 100))
	cr := rand.New(rand.NewSource(benchSeed + 101))
	n := 0
	saved := map[string]string{}
	for i := 0; n < benchSearchPassages; i++ {
		d := benchDoc{Name: fmt.Sprintf("s-%05d.txt", i), Text: []byte(benchText(r))}
		out, err := benchProcess(pr, d)
		if err != nil {
			b.Fatal(err)
		}
		ps := out.Passages[:min(len(out.Passages), benchSearchPassages-n)]
		for i := range ps {
			if !ps[i].Interviewer {
				ps[i].Categories = benchDrawCategories(cr)
			}
		}
		sub := store.Submission{Origin: "bench/" + d.Name, File: d.Name, SHA256: out.Document.SHA256, Size: int64(len(d.Text))}
		if _, _, err := e.Store().Register(ctx, sub); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Store().Save(ctx, &out.Document, out.Warnings, ps); err != nil {
			b.Fatal(err)
		}
		saved[out.Document.SHA256] = "" // Reindex stamps them
		n += len(ps)
	}
	// Save leaves documents processing until the index holds them.
	if err := e.Store().MarkIndexed(ctx, saved); err != nil {
		b.Fatal(err)
	}
	stored := time.Now()
	count, err := e.Reindex(ctx)
	if err != nil || count != benchSearchPassages {
		b.Fatalf("reindexed %d passages, want %d (%v)", count, benchSearchPassages, err)
	}
	b.Logf("built %d passages: processing + SQLite %.1fs, Reindex into Bleve %.1fs",
		count, stored.Sub(start).Seconds(), time.Since(stored).Seconds())

	queries := benchQueries(rand.New(rand.NewSource(benchSeed+200)), 200)
	rules := e.Classifier()
	parser := search.NewParser(rules.QueryWords(), rules.Categories(), e.Roles())
	parsed := make([]index.Query, len(queries))
	words := make([]string, len(queries)) // the words to match, for raw Bleve
	var totals []int
	for i, q := range queries { // warm-up, untimed
		p := parser.Parse(q)
		words[i] = strings.TrimSpace(p.Words + " " + strings.Join(p.Phrases, " "))
		if words[i] == "" {
			words[i] = q
		}
		parsed[i] = index.Query{Words: p.Words, Phrases: p.Phrases, Roles: p.Roles, Categories: p.Categories,
			Kinds: p.Kinds, Docs: p.Docs, Speakers: p.Speakers, Interviewer: p.Interviewer, Size: 10}
		resp, err := e.Search(ctx, search.Request{Query: q, Limit: 10})
		if err != nil {
			b.Fatalf("%q: %v", q, err)
		}
		totals = append(totals, int(resp.Total))
	}
	slices.Sort(totals)
	b.Logf("%d queries, e.g. %q, %q, %q; matches per query: p10 %d, p50 %d, p90 %d", len(queries),
		queries[0], queries[1], queries[2], totals[len(totals)/10], totals[len(totals)/2], totals[len(totals)*9/10])

	searchIndex := func(q index.Query) error {
		return e.Index(func(ix *index.Index) error {
			_, err := ix.Search(ctx, q)
			return err
		})
	}
	b.Run("engine", func(b *testing.B) {
		benchLatencies(b, queries, func(q string) error {
			_, err := e.Search(ctx, search.Request{Query: q, Limit: 10})
			return err
		})
	})
	// The same without facet counts: what `evident search` (without
	// --json) and a map's suggestions ask for.
	b.Run("engine-nofacets", func(b *testing.B) {
		benchLatencies(b, queries, func(q string) error {
			_, err := e.Search(ctx, search.Request{Query: q, Limit: 10, NoFacets: true})
			return err
		})
	})
	b.Run("index", func(b *testing.B) { benchLatencies(b, parsed, searchIndex) })
	// Evident's own query without facets, as the engine asks it: the pool
	// of 50 the engine ranks, filters, boosts and term locations. Against
	// engine-nofacets it is what ranking and reading from SQLite add; against
	// bleve-raw-nofacets, what the query's shape costs Bleve itself.
	b.Run("index-nofacets", func(b *testing.B) {
		benchLatencies(b, parsed, func(q index.Query) error {
			q.Size, q.NoFacets = 50, true
			return searchIndex(q)
		})
	})
	// What Searcher.hydrate spends naming the document facet: one
	// Store.FileNames query for the documents in it (up to 50), after the
	// index.
	b.Run("docs-facet-lookups", func(b *testing.B) {
		facets := make([][]string, len(parsed))
		lookups := 0
		for i, q := range parsed {
			err := e.Index(func(ix *index.Index) error {
				res, err := ix.Search(ctx, q)
				for sha := range res.Facets["docs"] {
					facets[i] = append(facets[i], sha)
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			lookups += len(facets[i])
		}
		benchLatencies(b, facets, func(shas []string) error {
			_, err := e.Store().FileNames(ctx, shas)
			return err
		})
		b.ReportMetric(float64(lookups)/float64(len(facets)), "lookups/query")
	})
	// Bleve used directly on the same index, as a full-text engine would be
	// asked the same question: a match query of the query's words (field
	// syntax, roles and categories read as filters by Evident are left
	// out), the first 10 hits with term locations for highlighting, with
	// and without two facets. The engine closes first: one process opens
	// the index at a time.
	closed = true
	if err := e.Close(); err != nil {
		b.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join(data, "index", "current"))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := bleve.OpenUsing(filepath.Join(data, "index", strings.TrimSpace(string(gen)), "bleve"), map[string]any{"read_only": true})
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, c := range []struct {
		name   string
		facets bool
	}{{"bleve-raw", true}, {"bleve-raw-nofacets", false}} {
		b.Run(c.name, func(b *testing.B) {
			benchLatencies(b, words, func(w string) error {
				q := bleve.NewMatchQuery(w)
				q.SetField("text")
				req := bleve.NewSearchRequestOptions(q, 10, 0, false)
				req.IncludeLocations = true
				if c.facets {
					req.AddFacet("categories", bleve.NewFacetRequest("categories", 50))
					req.AddFacet("roles", bleve.NewFacetRequest("role", 50))
				}
				_, err := raw.SearchInContext(ctx, req)
				return err
			})
		})
	}
}

// benchQueries returns n queries as people type them: 1 to 3 words, role
// and category words in plain English, field syntax, a few phrases.
func benchQueries(r *rand.Rand, n int) []string {
	return synth.QueriesFrom(r, n, func() string {
		switch r.Intn(4) {
		case 0:
			return benchPick(r, benchWords.Verbs)
		case 1:
			return benchPick(r, benchWords.Adjs)
		default:
			return benchPick(r, benchWords.Nouns)
		}
	})
}

// ---------------------------------------------------------------------------
// 4. Time from a file landing in the inbox to being searchable. One engine
// (1 worker, inbox settle time 200 ms) for the whole benchmark; each
// iteration writes one file with a unique token and polls Engine.Search
// every 5 ms until the token is found. The settle time is included: the
// watcher hands a file on only after its size and modification time have
// been stable that long (Options.Settle). Files are written one at a time,
// after a random pause of 0–300 ms (untimed) so that they do not arrive in
// step with the indexer's 250 ms fetch cycle.

const benchSettle = 200 * time.Millisecond

// settle=default is the watcher's own settle time, which serve uses.
func BenchmarkInboxToSearchable(b *testing.B) {
	for _, c := range []struct {
		name   string
		settle time.Duration
	}{{"settle=200ms", benchSettle}, {"settle=default", 0}} {
		b.Run(c.name, func(b *testing.B) {
			inbox := b.TempDir()
			e, stop := benchStart(b, engine.Options{Data: b.TempDir(), Workers: 1, Inbox: inbox, Settle: c.settle})
			defer stop()
			benchLatency(b, e, benchCorpus(benchSeed+300, 50), true, func(i int, text []byte) error {
				return os.WriteFile(filepath.Join(inbox, fmt.Sprintf("file-%04d.txt", i)), text, 0o644)
			})
		})
	}
}

// BenchmarkSubmitToSearchable is the same without the inbox and its settle
// time: the clock starts before Engine.Submit of a file already on disk.
// corpus files are the ingest corpus's kind (~35 passages, ~14 KB);
// one-paragraph files hold a single passage, so processing costs next to
// nothing and what is left is the pipeline's own latency.
func BenchmarkSubmitToSearchable(b *testing.B) {
	small := make([]benchDoc, 50)
	r := rand.New(rand.NewSource(benchSeed + 400))
	for i := range small {
		var sb strings.Builder
		benchParagraph(r, &sb)
		small[i] = benchDoc{Name: fmt.Sprintf("p-%02d.txt", i), Text: []byte(sb.String() + "\n")}
	}
	for _, c := range []struct {
		name string
		pool []benchDoc
	}{{"corpus-file", benchCorpus(benchSeed+300, 50)}, {"one-paragraph", small}} {
		b.Run(c.name, func(b *testing.B) {
			dir := b.TempDir()
			e, stop := benchStart(b, engine.Options{Data: b.TempDir(), Workers: 1})
			defer stop()
			benchLatency(b, e, c.pool, false, func(i int, text []byte) error {
				p := filepath.Join(dir, fmt.Sprintf("file-%04d.txt", i))
				if err := os.WriteFile(p, text, 0o644); err != nil {
					return err
				}
				_, err := e.Ingest(context.Background(), api.Submission{Path: p})
				return err
			})
		})
	}
}

// benchLatency runs land(i, text) once per iteration and measures the time
// from its return (afterLand) or its start until Search finds the file's
// token. The first file, untimed, warms the engine up.
func benchLatency(b *testing.B, e *engine.Engine, pool []benchDoc, afterLand bool, land func(i int, text []byte) error) {
	ctx := context.Background()
	pause := rand.New(rand.NewSource(benchSeed + 500))
	var ds []time.Duration
	measure := func(i int) time.Duration {
		tok := benchToken(i)
		text := append(slices.Clip(pool[i%len(pool)].Text), fmt.Sprintf("\nThe %s figures came in late again this quarter.\n", tok)...)
		t := time.Now()
		if err := land(i, text); err != nil {
			b.Fatal(err)
		}
		if afterLand {
			t = time.Now()
		}
		deadline := t.Add(30 * time.Second)
		for {
			resp, err := e.Search(ctx, search.Request{Query: tok, Limit: 1, Interviewer: true})
			if err != nil {
				b.Fatal(err)
			}
			if resp.Total > 0 {
				return time.Since(t)
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s not searchable after 30s", tok)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	measure(0)
	i := 1
	for b.Loop() {
		b.StopTimer()
		time.Sleep(time.Duration(pause.Int63n(int64(300 * time.Millisecond))))
		b.StartTimer()
		ds = append(ds, measure(i))
		i++
	}
	benchReportLatencies(b, ds, 0.1, 0.5, 0.9)
}

// benchToken is a word found in no generated text.
func benchToken(i int) string {
	s := []byte("zqx")
	for range 4 {
		s = append(s, byte('a'+i%26))
		i /= 26
	}
	return string(s)
}

// ---------------------------------------------------------------------------
// 5. Disk per 100,000 passages: about 3,000 generated files (about 100k
// passages) ingested through a running engine (2 workers, the built-in
// rules), the engine closed, then the data folder's parts measured as du
// does (allocated blocks): the Bleve index, the SQLite database with its
// journal files, and the rest (the queue's copies of the files). Then the
// index is rebuilt from the store (Engine.Reindex, what `evident reindex`
// and a new index version do) and measured again. When recollindex is
// installed, recoll indexes the same files into a folder of its own, for
// the side-by-side figure (bench/peers.sh does the same on a real corpus).
// Each figure is scaled to 100,000 passages. One iteration takes a few
// minutes: run with -benchtime 1x.

const benchDiskFiles = 3000

func BenchmarkDisk100k(b *testing.B) {
	corpus := b.TempDir()
	paths, _ := benchWriteCorpus(b, corpus, benchCorpus(benchSeed+600, benchDiskFiles))
	ctx := context.Background()
	for b.Loop() {
		data := b.TempDir()
		e, stop := benchStart(b, engine.Options{Data: data, Workers: 2})
		began := time.Now()
		shas := benchSubmit(ctx, b, e, paths)
		docs, err := e.Await(ctx, shas, nil)
		if err != nil {
			b.Fatal(err)
		}
		passages := benchIndexed(b, docs)
		ingest := time.Since(began)
		stop()
		per := func(n int64) float64 { return float64(n) / 1e6 * 100_000 / float64(passages) }
		index, db, all := benchDiskUse(b, data)
		b.ReportMetric(float64(passages), "passages")
		b.ReportMetric(per(index), "bleve-MB/100k")
		b.ReportMetric(per(db), "sqlite-MB/100k")
		b.ReportMetric(per(all-index-db), "rest-MB/100k")
		b.ReportMetric(ingest.Seconds(), "ingest-s")

		e, err = engine.Open(ctx, engine.Options{Data: data})
		if err != nil {
			b.Fatal(err)
		}
		began = time.Now()
		if _, err := e.Reindex(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(began).Seconds(), "reindex-s")
		if err := e.Close(); err != nil {
			b.Fatal(err)
		}
		index, _, _ = benchDiskUse(b, data)
		b.ReportMetric(per(index), "bleve-rebuilt-MB/100k")

		if _, err := exec.LookPath("recollindex"); err == nil {
			conf := b.TempDir()
			if err := os.WriteFile(filepath.Join(conf, "recoll.conf"), []byte("topdirs = "+corpus+"\nloglevel = 1\n"), 0o644); err != nil {
				b.Fatal(err)
			}
			if out, err := exec.Command("recollindex", "-c", conf, "-z").CombinedOutput(); err != nil {
				b.Fatalf("recollindex: %v\n%s", err, out)
			}
			_, _, rc := benchDiskUse(b, conf)
			b.ReportMetric(per(rc), "recoll-MB/100k")
		}
	}
}

// benchDiskUse returns the bytes allocated under data for the index, the
// database (with its -wal and -shm files) and in all.
func benchDiskUse(b *testing.B, data string) (index, db, all int64) {
	b.Helper()
	err := filepath.WalkDir(data, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		n := info.Size()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			n = st.Blocks * 512
		}
		all += n
		rel, _ := filepath.Rel(data, p)
		switch {
		case strings.HasPrefix(rel, "index"+string(filepath.Separator)):
			index += n
		case strings.HasPrefix(rel, "evident.db"):
			db += n
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return index, db, all
}
