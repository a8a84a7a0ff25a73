package index

// Benchmarks of the Bleve index on its own: what a batch costs as a function
// of its size, and what each part of a search request costs. The engine's
// end-to-end figures are in engine/bench_test.go; all figures are in
// BENCHMARKS.md at the repository root. Nothing here runs without -bench.

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
)

var benchWords = strings.Fields(`budget forecast spreadsheet ledger invoice vendor contract renewal
	approval process workflow dashboard report quarter month close reconciliation audit team manager
	customer client partner supplier market competitor pricing discount pipeline revenue margin cost
	expense payroll headcount hiring onboarding training tool platform system integration migration
	rollout pilot trial license subscription security compliance policy risk review meeting deadline
	target goal metric data analysis insight decision strategy roadmap priority project milestone
	feature release support ticket escalation feedback survey adoption usage workload capacity
	bottleneck handoff procurement purchase order account quota board investor funding cash runway
	inventory shipment warehouse logistics delay backlog estimate variance scenario model template
	review approve track manage reconcile update share export automate check negotiate compare plan
	build replace migrate prepare present escalate cut reduce hire train evaluate choose renew audit
	manual slow expensive accurate reliable late early quarterly monthly weekly annual regional global
	internal legacy complex simple messy painful useful critical urgent shared strategic financial
	the our their every each this that some most another we they i for with about across into from
	because and but so while which usually often honestly really quickly finally`)

// benchEntries returns n passages of 30 to 90 words in documents of about
// 35 passages, with roles, categories and interviewer turns in the
// proportions the engine's synthetic corpus has.
func benchEntries(seed int64, n int) []Entry {
	r := rand.New(rand.NewSource(seed))
	roles := []string{"", "", "cfo", "coo", "cro", "chro", "cto", "product", "analyst", "cio", "ceo", "procurement", "cmo"}
	cats := []struct {
		name  string
		share float64
	}{{"SEE", 0.44}, {"HEAR", 0.27}, {"SAY", 0.10}, {"DO", 0.45}, {"PAINS", 0.47}, {"GAINS", 0.27}}
	out := make([]Entry, n)
	doc, role, seq := "", "", 0
	for i := range out {
		if seq == 0 {
			doc = fmt.Sprintf("%064x", r.Uint64())
			role = roles[r.Intn(len(roles))]
			seq = 20 + r.Intn(30)
		}
		seq--
		words := make([]string, 30+r.Intn(61))
		for j := range words {
			words[j] = benchWords[r.Intn(len(benchWords))]
		}
		e := Entry{ID: fmt.Sprintf("%s-%d", doc[:12], i), Text: strings.Join(words, " "), Doc: doc,
			File: doc[:8] + ".txt", Kind: "notes", Role: role, Interviewer: r.Intn(8) == 0}
		if !e.Interviewer {
			for _, c := range cats {
				if r.Float64() < c.share {
					e.Categories = append(e.Categories, c.name)
				}
			}
		}
		out[i] = e
	}
	return out
}

// BenchmarkApply indexes the same 7,000 passages in Bleve batches of
// different sizes: 35 is one document per batch (what the engine's
// indexer sends when results trickle in), 1000 is MaxBatch.
func BenchmarkApply(b *testing.B) {
	entries := benchEntries(1, 7000)
	ctx := context.Background()
	for _, size := range []int{35, 350, MaxBatch} {
		b.Run(fmt.Sprintf("batch=%d", size), func(b *testing.B) {
			runs := 0
			for b.Loop() {
				b.StopTimer()
				ix, err := Recreate(filepath.Join(b.TempDir(), "index"))
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for chunk := range slices.Chunk(entries, size) {
					if err := ix.Apply(ctx, nil, chunk); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				ix.Close()
				runs++
				b.StartTimer()
			}
			b.ReportMetric(float64(len(entries)*runs)/b.Elapsed().Seconds(), "passages/s")
		})
	}
}

// BenchmarkSearchParts runs the same queries over 30,000 passages with
// Index.Search as it is (4 facets, term locations for highlighting) and
// with parts of the request left out or one facet at a time, to show what
// each part costs.
func BenchmarkSearchParts(b *testing.B) {
	ix, err := Recreate(filepath.Join(b.TempDir(), "index"))
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	ctx := context.Background()
	if err := ix.Apply(ctx, nil, benchEntries(2, 30_000)); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewSource(3))
	queries := make([]Query, 100)
	for i := range queries {
		var w []string
		for range 1 + r.Intn(3) {
			w = append(w, benchWords[r.Intn(120)]) // content words only
		}
		queries[i] = Query{Words: strings.Join(w, " "), Size: 10}
		if i%4 == 0 {
			queries[i].Categories = []string{"PAINS"}
		}
	}
	raw := func(q Query, facets []string, locations bool) error {
		req := bleve.NewSearchRequestOptions(build(q), q.Size, 0, false)
		req.IncludeLocations = locations
		for _, field := range facets {
			req.AddFacet(field, bleve.NewFacetRequest(field, 50))
		}
		_, err := ix.idx.SearchInContext(ctx, req)
		return err
	}
	all := []string{"categories", "role", "kind", "doc"} // what Search asks for
	for _, q := range queries {                          // warm-up
		if _, err := ix.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range []struct {
		name string
		run  func(Query) error
	}{
		{"as-is", func(q Query) error { _, err := ix.Search(ctx, q); return err }},
		{"no-facets", func(q Query) error { return raw(q, nil, true) }},
		{"no-locations", func(q Query) error { return raw(q, all, false) }},
		{"neither", func(q Query) error { return raw(q, nil, false) }},
		{"only-facet=categories", func(q Query) error { return raw(q, []string{"categories"}, true) }},
		{"only-facet=role", func(q Query) error { return raw(q, []string{"role"}, true) }},
		{"only-facet=kind", func(q Query) error { return raw(q, []string{"kind"}, true) }},
		{"only-facet=doc", func(q Query) error { return raw(q, []string{"doc"}, true) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var ds []time.Duration
			i := 0
			for b.Loop() {
				t := time.Now()
				if err := c.run(queries[i%len(queries)]); err != nil {
					b.Fatal(err)
				}
				ds = append(ds, time.Since(t))
				i++
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(ds[(len(ds)-1)*99/100])/1e6, "p99-ms")
		})
	}
}
