// Command scale is the tool of bench/scale.sh: it writes a chunk of the
// generated corpus (internal/synth), times searches against a running
// evident serve, and times the same queries against the Bleve index used
// directly.
//
//	scale gen -seed S -chunk I -passages N -out DIR
//	scale query -url http://127.0.0.1:7474 -n 200 -c 8
//	scale raw -index DATA/index/GEN/bleve -n 200 -c 8
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/internal/synth"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/search"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scale gen|query|raw [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "query":
		err = query(os.Args[2:])
	case "raw":
		err = raw(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// gen writes chunk I of the corpus: files until they hold about N
// passages. Chunks are independent of each other (the seed is S+I).
func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	seed := fs.Int64("seed", 20261205, "corpus seed")
	chunk := fs.Int("chunk", 0, "chunk number")
	n := fs.Int("passages", 100_000, "passages to write, about")
	out := fs.String("out", "", "folder to write into")
	fs.Parse(args)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	g := synth.New(*seed + int64(*chunk)*7919)
	files, passages, size := 0, 0, 0
	for passages < *n {
		f := g.Next()
		f.Name = fmt.Sprintf("c%02d-%s", *chunk, f.Name)
		if err := os.WriteFile(filepath.Join(*out, f.Name), f.Text, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
		files++
		passages += f.Passages
		size += len(f.Text)
	}
	fmt.Printf("%d files, %d passages (estimated), %.1f MB\n", files, passages, float64(size)/1e6)
	return nil
}

type latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, d)
	l.mu.Unlock()
}

func (l *latencies) report(what string, wall time.Duration) {
	slices.Sort(l.ds)
	q := func(p float64) float64 {
		return float64(l.ds[min(len(l.ds)-1, int(p*float64(len(l.ds))))].Microseconds()) / 1000
	}
	var sum time.Duration
	for _, d := range l.ds {
		sum += d
	}
	fmt.Printf("%s: %d queries, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, mean %.1f ms, %.1f queries/s\n", what, len(l.ds),
		q(0.5), q(0.9), q(0.99), float64(sum.Microseconds())/1000/float64(len(l.ds)), float64(len(l.ds))/wall.Seconds())
}

// each runs f over n queries with c at a time, after an untimed pass
// over the first 20.
func each(n, c int, seed int64, f func(q string) error) (*latencies, time.Duration, error) {
	qs := synth.Queries(seed, n)
	for _, q := range qs[:min(20, n)] {
		if err := f(q); err != nil {
			return nil, 0, err
		}
	}
	var l latencies
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, c)
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t := time.Now()
				if err := f(qs[i]); err != nil {
					errs <- err
					return
				}
				l.add(time.Since(t))
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	close(errs)
	return &l, wall, <-errs
}

// query times GET /api/search (its default: 10 hits, no facets).
func query(args []string) error {
	fs := flag.NewFlagSet("query", flag.ExitOnError)
	base := fs.String("url", "http://127.0.0.1:7474", "the server")
	n := fs.Int("n", 200, "queries")
	c := fs.Int("c", 1, "at a time")
	seed := fs.Int64("seed", 7, "query seed")
	facets := fs.Bool("facets", false, "ask for facets (facets=1)")
	fs.Parse(args)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *c}}
	l, wall, err := each(*n, *c, *seed, func(q string) error {
		u := *base + "/api/search?limit=10&q=" + url.QueryEscape(q)
		if *facets {
			u += "&facets=1"
		}
		resp, err := client.Get(u)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var r struct {
			Total uint64 `json:"total"`
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%q: %s: %s", q, resp.Status, body)
		}
		return json.Unmarshal(body, &r)
	})
	if err != nil {
		return err
	}
	l.report(fmt.Sprintf("/api/search c=%d", *c), wall)
	return nil
}

// raw times Bleve used directly on the same index, as a full-text engine
// would be asked: a match query of the query's words (field syntax, roles
// and categories left out), 10 hits with term locations for highlighting.
func raw(args []string) error {
	fs := flag.NewFlagSet("raw", flag.ExitOnError)
	dir := fs.String("index", "", "the Bleve index folder")
	n := fs.Int("n", 200, "queries")
	c := fs.Int("c", 1, "at a time")
	seed := fs.Int64("seed", 7, "query seed")
	fs.Parse(args)
	rules, err := classify.Decode(configs.Rules())
	if err != nil {
		return err
	}
	tax, err := roles.Parse(configs.Roles())
	if err != nil {
		return err
	}
	parser := search.NewParser(rules.QueryWords(), rules.CategoryNames(), tax)
	ix, err := bleve.OpenUsing(*dir, map[string]any{"read_only": true})
	if err != nil {
		return err
	}
	defer ix.Close()
	ctx := context.Background()
	l, wall, err := each(*n, *c, *seed, func(text string) error {
		p := parser.Parse(text)
		w := strings.TrimSpace(p.Words + " " + strings.Join(p.Phrases, " "))
		if w == "" {
			w = text
		}
		q := bleve.NewMatchQuery(w)
		q.SetField("text")
		req := bleve.NewSearchRequestOptions(q, 10, 0, false)
		req.IncludeLocations = true
		_, err := ix.SearchInContext(ctx, req)
		return err
	})
	if err != nil {
		return err
	}
	l.report(fmt.Sprintf("raw Bleve c=%d", *c), wall)
	return nil
}
