package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/queue"
)

// Ready reports whether the store, the index and the NATS connection are
// usable, naming the first that is not.
func (e *Engine) Ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := e.store.Ping(ctx); err != nil {
		return fmt.Errorf("the database does not answer: %w", err)
	}
	if err := e.Index(func(ix *index.Index) error {
		if ix == nil {
			return errors.New("closed")
		}
		_, err := ix.Count()
		return err
	}); err != nil {
		return fmt.Errorf("the search index does not answer: %w", err)
	}
	switch {
	case e.nc == nil || e.queue == nil:
		return errors.New("NATS: not connected yet")
	case e.nc.Status() != nats.CONNECTED:
		return fmt.Errorf("NATS: the connection is %s", e.nc.Status())
	}
	if _, err := e.queue.Depth(ctx); err != nil {
		return fmt.Errorf("NATS: JetStream does not answer: %w", err)
	}
	return nil
}

// Metrics are the figures GET /metrics exposes.
type Metrics struct {
	Documents map[evident.State]int // every state, zero included
	Passages  int
	Queue     queue.Depth
	// Queued is false when the queue could not be read (not connected).
	Queued   bool
	DiskFree uint64 // bytes free to this process in the data folder's file system
	// Processing is the workers' time per document, as their results
	// report it; Indexing the indexer's time per batch of results.
	Processing, Indexing Summary
}

// Summary counts observations and adds up their durations.
type Summary struct {
	Count int64
	Sum   time.Duration
}

// summary accumulates a Summary as the engine runs.
type summary struct {
	count atomic.Int64
	sum   atomic.Int64 // nanoseconds
}

func (s *summary) observe(d time.Duration) {
	s.count.Add(1)
	s.sum.Add(int64(d))
}

func (s *summary) load() Summary {
	return Summary{Count: s.count.Load(), Sum: time.Duration(s.sum.Load())}
}

// Metrics gathers the figures of GET /metrics.
func (e *Engine) Metrics(ctx context.Context) (*Metrics, error) {
	c, err := e.store.Count(ctx)
	if err != nil {
		return nil, err
	}
	m := &Metrics{Documents: map[evident.State]int{}, Passages: c.Passages,
		Processing: e.indexer.processing.load(), Indexing: e.indexer.indexing.load()}
	for _, s := range []evident.State{evident.Queued, evident.Processing, evident.Indexed, evident.Failed} {
		m.Documents[s] = c.States[s]
	}
	if e.queue != nil {
		if m.Queue, err = e.queue.Depth(ctx); err == nil {
			m.Queued = true
		}
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(e.opts.Data, &fs); err != nil {
		return nil, fmt.Errorf("data folder %s: %w", e.opts.Data, err)
	}
	m.DiskFree = fs.Bavail * uint64(fs.Bsize)
	return m, nil
}
