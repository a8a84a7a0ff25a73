package engine

import (
	"context"
	"errors"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/index"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// The methods in this file are what the HTTP API and the command line ask
// of an open data folder. Both call the same code, so a command gives the
// same answer whether it talks to a server or opens the folder itself.

// Search runs a query as a person types it.
func (e *Engine) Search(ctx context.Context, req search.Request) (*search.Response, error) {
	rules := e.ruleFile()
	p := search.NewParser(rules.QueryWords(), rules.CategoryNames(), e.roles)
	p.Synonyms = e.synonyms
	p.ResolveDoc = func(ref string) (string, error) {
		d, err := e.store.FindDocument(ctx, ref)
		if err != nil {
			return "", err
		}
		return d.SHA256, nil
	}
	s := &search.Searcher{Store: e.store, Parser: p}
	var resp *search.Response
	err := e.Index(func(ix *index.Index) error {
		var err error
		resp, err = s.Search(ctx, ix, req)
		return err
	})
	return resp, err
}

// Documents lists every document and its state, oldest first; with
// hashes, only those documents, in no particular order.
func (e *Engine) Documents(ctx context.Context, shas ...string) ([]evident.Document, error) {
	var docs []evident.Document
	var err error
	if len(shas) > 0 {
		docs, err = e.store.DocumentsOf(ctx, shas)
	} else {
		docs, err = e.store.Documents(ctx)
	}
	if err != nil {
		return nil, err
	}
	// While the disk is full the database may not take a waiting
	// document's reason: say it here.
	if disk := e.Disk(); disk.Full {
		for i := range docs {
			if d := &docs[i]; (d.State == evident.Queued || d.State == evident.Processing) && d.Error == "" {
				d.Error = e.waitReason("")
			}
		}
	}
	return docs, nil
}

// Status lists every document and says whether the disk is full.
func (e *Engine) Status(ctx context.Context) (*api.Status, error) {
	docs, err := e.Documents(ctx)
	if err != nil {
		return nil, err
	}
	if docs == nil {
		docs = []evident.Document{}
	}
	return &api.Status{Documents: docs, Disk: e.Disk()}, nil
}

// Show finds a document by file name, path or hash prefix.
func (e *Engine) Show(ctx context.Context, ref string) (*api.Shown, error) {
	d, err := e.store.FindDocument(ctx, ref)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, api.Errorf(api.NotFound, "no document is called %q; `evident status` lists them", ref)
		}
		return nil, err
	}
	ps, err := e.store.Passages(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	if ps == nil {
		ps = []evident.Passage{}
	}
	return &api.Shown{Document: d, Passages: ps}, nil
}

// Await polls until every document with one of the given hashes has
// finished (indexed or failed), calling progress after each poll with how
// many have. It returns the documents as they ended.
//
// The documents are read again each time this engine's indexer has
// applied results or a document failed (e.ended), not on a timer.
func (e *Engine) Await(ctx context.Context, shas []string, progress func(done int)) ([]evident.Document, error) {
	// Only the submitted documents are read on each poll: waiting for a
	// few files costs the same in a store of a million passages.
	return await(ctx, shas, e.Documents, e.ended.wait, progress)
}

// Await is the polling loop behind Engine.Await, shared with clients that
// see documents through the HTTP API. list answers the documents of the
// hashes it is given (api.Reader's Documents).
func Await(ctx context.Context, shas []string, list func(context.Context, ...string) ([]evident.Document, error), progress func(done int)) ([]evident.Document, error) {
	return await(ctx, shas, list, nil, progress)
}

// await reads the documents again each time the channel wake returns is
// closed (and each second, should some end go unsignalled), or, with wake
// nil, after a delay that grows from 20 to 250 ms. The channel is taken
// before each read, so that an end signalled during the read is not
// missed.
func await(ctx context.Context, shas []string, list func(context.Context, ...string) ([]evident.Document, error), wake func() <-chan struct{}, progress func(done int)) ([]evident.Document, error) {
	want := make(map[string]bool, len(shas))
	for _, s := range shas {
		want[s] = true
	}
	delay, most := 20*time.Millisecond, 250*time.Millisecond
	if wake != nil {
		delay, most = time.Second, time.Second
	}
	for {
		var woken <-chan struct{}
		if wake != nil {
			woken = wake()
		}
		docs, err := list(ctx, shas...)
		if err != nil {
			return nil, err
		}
		var ended []evident.Document
		for _, d := range docs {
			if want[d.SHA256] && (d.State == evident.Indexed || d.State == evident.Failed) {
				ended = append(ended, d)
			}
		}
		if progress != nil {
			progress(len(ended))
		}
		if len(ended) >= len(want) {
			return ended, nil
		}
		select {
		case <-ctx.Done():
			return ended, ctx.Err()
		case <-woken:
		case <-time.After(delay):
		}
		delay = min(delay*2, most)
	}
}

// ends tells waiters that documents may have ended (been indexed or
// failed): the channel wait returns is closed at the next signal.
type ends struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *ends) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *ends) signal() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
}

// Roles returns the role taxonomy in force.
func (e *Engine) Roles() *roles.Taxonomy { return e.roles }

// Matrix counts the evidence per role and category.
func (e *Engine) Matrix(ctx context.Context) (*api.Matrix, error) {
	cov, err := e.store.Coverage(ctx)
	if err != nil {
		return nil, err
	}
	m := &api.Matrix{Categories: e.ruleFile().CategoryNames(), Roles: make([]string, 0, len(cov)), Cells: cov}
	for role := range cov {
		m.Roles = append(m.Roles, role)
	}
	sort.Slice(m.Roles, func(i, j int) bool {
		a, b := m.Roles[i], m.Roles[j]
		if (a == "") != (b == "") {
			return b == ""
		}
		if cov[a].Passages != cov[b].Passages {
			return cov[a].Passages > cov[b].Passages
		}
		return a < b
	})
	return m, nil
}

// Passage returns the passage with this id and up to around passages on
// either side of it, in document order.
func (e *Engine) Passage(ctx context.Context, id string, around int) (*api.InContext, error) {
	found, err := e.store.PassagesByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	hit, ok := found[id]
	if !ok {
		return nil, api.Errorf(api.NotFound, "no passage has the id %q; it may belong to a document that was re-ingested or deleted", id)
	}
	around = max(around, 0)
	seq := hit.Passage.Seq
	last := seq + around
	if last < seq { // overflow: everything after
		last = math.MaxInt
	}
	ps, err := e.store.PassageRange(ctx, hit.Document.ID, seq-around, last)
	if err != nil {
		return nil, err
	}
	at := -1
	for i := range ps {
		if ps[i].ID == id {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, api.Errorf(api.NotFound, "passage %q left its document while it was read", id)
	}
	return &api.InContext{
		Document: hit.Document,
		Before:   ps[max(0, at-around):at],
		Passage:  ps[at],
		After:    ps[at+1 : min(len(ps), at+1+around)],
	}, nil
}

// Categories returns the categories of the rules in force, in their order.
func (e *Engine) Categories(context.Context) ([]string, error) {
	return e.ruleFile().CategoryNames(), nil
}

// The engine is the in-process Service.
var _ api.Service = (*Engine)(nil)
