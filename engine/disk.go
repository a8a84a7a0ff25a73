package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/evident/evident/api"
	"github.com/evident/evident/index"
	"github.com/evident/evident/queue"
)

// diskState remembers the writes the data disk refused.
type diskState struct {
	mu      sync.Mutex
	problem string
	last    time.Time // the last refusal
	since   time.Time // the first of the current run of refusals
}

// diskMemory is how long a refused write keeps the disk counted full once
// writes stop failing.
const diskMemory = 5 * time.Second

// hasRoom reports whether the data disk has room again: queue.MinFree
// bytes free, and JetStream writing.
func (e *Engine) hasRoom() bool {
	if free, err := queue.Free(e.opts.Data); err != nil || free < queue.MinFree {
		return false
	}
	if srv := e.srv.Load(); srv != nil {
		if problem, _ := srv.Storage(); problem != "" {
			return false
		}
	}
	return true
}

// awaitRoom waits until the disk has room. It reports false when ctx
// ended first.
func (e *Engine) awaitRoom(ctx context.Context) bool {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for !e.hasRoom() {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// noSpace records err when it says the disk is full, and reports whether
// it does.
func (e *Engine) noSpace(err error) bool {
	if !queue.IsNoSpace(err) {
		return false
	}
	e.disk.mu.Lock()
	defer e.disk.mu.Unlock()
	now := time.Now()
	if e.disk.since.IsZero() || now.Sub(e.disk.last) > diskMemory {
		e.disk.since = now
	}
	e.disk.problem, e.disk.last = err.Error(), now
	return true
}

// Disk says whether the data folder's disk has room.
func (e *Engine) Disk() api.Disk {
	var d api.Disk
	d.Free, _ = queue.Free(e.opts.Data)
	e.disk.mu.Lock()
	if time.Since(e.disk.last) < diskMemory {
		d.Full, d.Problem, d.Since = true, e.disk.problem, e.disk.since
	}
	e.disk.mu.Unlock()
	if srv := e.srv.Load(); srv != nil {
		if problem, _ := srv.Storage(); problem != "" {
			d.Full = true
			if d.Problem == "" {
				d.Problem = problem
			}
		}
	}
	if d.Free < queue.MinFree {
		d.Full = true
	}
	return d
}

// waitReason is the reason a document shows while it waits for the queue
// or the disk.
func (e *Engine) waitReason(reason string) string {
	if !strings.HasPrefix(reason, queue.WaitingForDisk) && e.Disk().Full {
		return queue.WaitingForDisk + "; it goes on by itself when space returns"
	}
	return reason
}

// errDiskFull is returned while the index waits for room to be reopened.
var errDiskFull = errors.New("the disk is full")

// reopenIndex opens the search index again from disk after a write to it
// failed (a full disk), when what it holds in memory can no longer be
// trusted, and makes it agree with the database: documents the database
// has indexed whose entries are missing are written again. It waits for
// the disk to have room. The caller holds writeMu.
func (e *Engine) reopenIndex(ctx context.Context) error {
	if free, err := queue.Free(e.opts.Data); err != nil || free < queue.MinFree {
		return errDiskFull
	}
	e.mu.Lock()
	if err := e.idx.Close(); err != nil {
		e.log.Warn("closing the search index after a failed write", "err", err)
	}
	ix, err := index.Open(e.indexDir(), index.Options{})
	if err == nil {
		e.idx = ix
	}
	e.mu.Unlock()
	switch {
	case errors.Is(err, index.ErrNoIndex):
		if _, err := e.build(ctx); err != nil {
			return fmt.Errorf("building the search index: %w", err)
		}
	case err != nil:
		return err
	default:
		if _, err := e.repair(ctx); err != nil {
			return fmt.Errorf("checking the search index against the database: %w", err)
		}
	}
	e.log.Warn("reopened the search index after a failed write")
	return nil
}
