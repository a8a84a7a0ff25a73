package engine_test

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/evident/evident/engine"
	"github.com/evident/evident/internal/synth"
	"github.com/evident/evident/search"
	"github.com/evident/evident/web"
)

var searchData = flag.String("search.data", "", "BenchmarkSearchData: a data folder to search (bench/scale.sh makes them)")

// BenchmarkSearchData times /api/search through the HTTP handler (its
// default: 10 hits, no facets) on an existing data folder, one query at a
// time and 8 at a time, then Bleve used directly on the same index with
// the same queries' words (as BenchmarkSearch100k's bleve-raw-nofacets).
// The queries are bench/scale's (internal/synth.Queries). It runs only
// with -search.data:
//
//	go test ./engine -run '^$' -bench '^BenchmarkSearchData$' -benchtime 300x -search.data /tmp/scale1m/data-1
func BenchmarkSearchData(b *testing.B) {
	if *searchData == "" {
		b.Skip("needs -search.data DIR")
	}
	ctx := context.Background()
	e, err := engine.Open(ctx, engine.Options{Data: *searchData})
	if err != nil {
		b.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			e.Close()
		}
	}()
	h := (&web.Server{Engine: e}).Handler()
	queries := synth.Queries(7, 1000)
	for _, q := range queries[:20] { // warm-up, untimed
		if _, err := e.Search(ctx, search.Request{Query: q, Limit: 10, NoFacets: true}); err != nil {
			b.Fatal(err)
		}
	}
	get := func(b *testing.B, q string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/search?limit=10&q="+url.QueryEscape(q), nil))
		if w.Code != http.StatusOK {
			b.Fatalf("%q: %d %s", q, w.Code, w.Body)
		}
	}
	for _, c := range []int{1, 8} {
		name := "api"
		if c > 1 {
			name = "api-c8"
		}
		b.Run(name, func(b *testing.B) {
			benchConcurrent(b, c, func(i int) { get(b, queries[i%len(queries)]) })
		})
	}
	b.Run("engine", func(b *testing.B) {
		benchConcurrent(b, 1, func(i int) {
			if _, err := e.Search(ctx, search.Request{Query: queries[i%len(queries)], Limit: 10, NoFacets: true}); err != nil {
				b.Fatal(err)
			}
		})
	})
	rules := e.Classifier()
	parser := search.NewParser(rules.QueryWords(), rules.Categories(), e.Roles())
	words := make([]string, len(queries))
	for i, q := range queries {
		p := parser.Parse(q)
		if words[i] = strings.TrimSpace(p.Words + " " + strings.Join(p.Phrases, " ")); words[i] == "" {
			words[i] = q
		}
	}
	closed = true
	if err := e.Close(); err != nil {
		b.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join(*searchData, "index", "current"))
	if err != nil {
		b.Fatal(err)
	}
	raw, err := bleve.OpenUsing(filepath.Join(*searchData, "index", strings.TrimSpace(string(gen)), "bleve"), map[string]any{"read_only": true})
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	for _, c := range []int{1, 8} {
		name := "bleve-raw"
		if c > 1 {
			name = "bleve-raw-c8"
		}
		b.Run(name, func(b *testing.B) {
			benchConcurrent(b, c, func(i int) {
				q := bleve.NewMatchQuery(words[i%len(words)])
				q.SetField("text")
				req := bleve.NewSearchRequestOptions(q, 10, 0, false)
				req.IncludeLocations = true
				if _, err := raw.SearchInContext(ctx, req); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// benchConcurrent runs f(0..b.N-1) with c goroutines and reports the
// latencies' p50 and p99.
func benchConcurrent(b *testing.B, c int, f func(i int)) {
	var mu sync.Mutex
	var ds []time.Duration
	var next atomic.Int64
	cpu0 := benchCPU()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t := time.Now()
				f(i)
				d := time.Since(t)
				mu.Lock()
				ds = append(ds, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	// CPU time per query moves less than latency when other work shares
	// the machine.
	b.ReportMetric(float64((benchCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	slices.Sort(ds)
	benchReportLatencies(b, ds, 0.5, 0.99)
}

// benchCPU is the process's user and system CPU time so far.
func benchCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
