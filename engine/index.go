package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/search"
)

// rewriteDocument writes a document's index entries again from the store,
// after a person changed some of its passages. The index stamps every entry
// of a document with one hash of them all (see index.SetStamp), so the
// whole document is written, and its new stamp recorded. The caller holds
// writeMu.
func (e *Engine) rewriteDocument(ctx context.Context, d *evident.Document) error {
	ps, err := e.store.Passages(ctx, d.ID)
	if err != nil {
		return err
	}
	entries, stamp := e.entriesOf(d, ps)
	if err := e.wrote(e.Index(func(ix *index.Index) error { return ix.Apply(ctx, nil, entries) })); err != nil {
		return err
	}
	return e.wrote(e.store.SetStamps(ctx, map[string]string{d.SHA256: stamp}))
}

// entriesOf returns a document's index entries, stamped, and their stamp.
func (e *Engine) entriesOf(d *evident.Document, ps []evident.Passage) ([]index.Entry, string) {
	entries := make([]index.Entry, len(ps))
	for i := range ps {
		entries[i] = e.entry(d, &ps[i])
	}
	return entries, index.SetStamp(entries)
}

// entry is a passage's index entry, with what search derives from it:
// the roles it reports on and its grade.
func (e *Engine) entry(d *evident.Document, p *evident.Passage) index.Entry {
	en := index.EntryOf(d, p)
	search.Annotate(&en, p, e.about, e.synonyms)
	return en
}

// fill indexes every stored passage of indexed documents into ix, which
// must be empty, and returns the documents' stamps.
func (e *Engine) fill(ctx context.Context, ix *index.Index) (map[string]string, error) {
	stamps := map[string]string{}
	var batch []index.Entry
	err := e.store.EachIndexed(ctx, func(d *evident.Document, ps []evident.Passage) error {
		entries, stamp := e.entriesOf(d, ps)
		stamps[d.SHA256] = stamp
		batch = append(batch, entries...)
		if len(batch) >= index.MaxBatch {
			err := ix.Apply(ctx, nil, batch)
			batch = batch[:0]
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stamps, ix.Apply(ctx, nil, batch)
}

// build builds a new index from the store beside the one in force, and
// puts it in force once complete; the old one serves searches until then.
// A crash or an error on the way leaves the old one in force. It returns
// how many documents it indexed. The caller holds writeMu.
func (e *Engine) build(ctx context.Context) (int, error) {
	ix, err := index.Build(e.indexDir())
	if err != nil {
		return 0, err
	}
	stamps, err := e.fill(ctx, ix)
	if err == nil {
		err = ix.Commit()
	}
	if err != nil {
		ix.Discard()
		return 0, err
	}
	e.mu.Lock()
	old := e.idx
	e.idx = ix
	e.mu.Unlock()
	if old != nil {
		old.Close()
	}
	ix.Prune()
	return len(stamps), e.wrote(e.store.SetStamps(ctx, stamps))
}

// openIndex opens the index in force, or builds one when there is none,
// then makes it agree with the store, unless the last writer closed both
// cleanly (see cleanFile), and finishes an interrupted reclassification
// (see Open).
func (e *Engine) openIndex(ctx context.Context) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	ix, err := index.Open(e.indexDir(), index.Options{})
	switch {
	case errors.Is(err, index.ErrNoIndex):
		n, err := e.build(ctx)
		if err != nil {
			return fmt.Errorf("building the search index: %w", err)
		}
		if n > 0 {
			e.log.Info("built the search index from the database", "documents", n)
			e.resumed.Rebuilt = true
		}
	case err != nil:
		return err
	case e.cleanStart:
		// Closed cleanly, and untouched since: they agree as they did
		// then. Comparing them would cost a read of every entry.
		e.idx = ix
		e.log.Info("the last close was clean: the search index is not checked against the database")
	default:
		e.idx = ix
		e.checked = true
		e.log.Info("the last close was not clean (or is not known to be): checking the search index against the database")
		if e.resumed.Repaired, err = e.repair(ctx); err != nil {
			return fmt.Errorf("checking the search index against the database: %w", err)
		}
	}
	unfinished, err := e.store.Unfinished(ctx, journalReclassify)
	if err != nil || !unfinished {
		return err
	}
	e.log.Warn("finishing a reclassification that was interrupted")
	if _, err := e.reclassify(ctx); err != nil {
		return fmt.Errorf("finishing an interrupted reclassification: %w", err)
	}
	e.resumed.Reclassified = true
	return nil
}

// repair compares what the index holds of every document with what the
// store says it should (passage counts and stamps) and rewrites the
// entries of documents that differ from the store, and removes those of
// documents the store no longer has indexed: a crash between writing one
// and the other. It logs one line when it repaired anything, and returns
// how many documents it repaired. The caller holds writeMu.
func (e *Engine) repair(ctx context.Context) (int, error) {
	start := time.Now()
	inIndex, stampCounts, err := e.idx.Counts(ctx)
	if err != nil {
		return 0, err
	}
	want, err := e.store.Stamps(ctx)
	if err != nil {
		return 0, err
	}
	var rewrite, remove []string
	for sha, st := range want {
		if st.State == evident.Indexed && (st.Stamp == "" || inIndex[sha] != st.Passages || stampCounts[st.Stamp] != st.Passages) {
			rewrite = append(rewrite, sha)
		}
	}
	for sha := range inIndex {
		// Queued and processing documents keep their old entries until
		// their new ones arrive.
		if st, ok := want[sha]; !ok || st.State == evident.Failed {
			remove = append(remove, sha)
		}
	}
	if len(rewrite)+len(remove) == 0 {
		return 0, nil
	}
	slices.Sort(rewrite)
	slices.Sort(remove)
	stamps := map[string]string{}
	var names []string
	var dels []string
	var adds []index.Entry
	entries := 0
	flush := func() error {
		entries += len(dels) + len(adds)
		err := e.idx.Apply(ctx, dels, adds)
		dels, adds = dels[:0], adds[:0]
		return err
	}
	for _, sha := range slices.Concat(rewrite, remove) {
		old, err := e.idx.Entries(ctx, sha)
		if err != nil {
			return 0, err
		}
		var fresh []index.Entry
		if want[sha].State == evident.Indexed {
			d, err := e.store.DocumentBySHA(ctx, sha)
			if err != nil {
				return 0, err
			}
			ps, err := e.store.Passages(ctx, d.ID)
			if err != nil {
				return 0, err
			}
			fresh, stamps[sha] = e.entriesOf(d, ps)
			names = append(names, d.File)
		} else {
			names = append(names, short(sha))
		}
		keep := map[string]bool{}
		for _, a := range fresh {
			keep[a.ID] = true
		}
		dels = append(dels, slices.DeleteFunc(old, func(id string) bool { return keep[id] })...)
		adds = append(adds, fresh...)
		if len(dels)+len(adds) >= index.MaxBatch {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := e.store.SetStamps(ctx, stamps); err != nil {
		return 0, err
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	e.log.Warn(fmt.Sprintf("repaired the search index from the database: %d documents rewritten, %d removed (%s)",
		len(rewrite), len(remove), strings.Join(names, ", ")), "entries", entries, "took", time.Since(start).Round(time.Millisecond))
	return len(rewrite) + len(remove), nil
}

// Reindex rebuilds the index from the store, beside the one in force,
// which serves searches until the new one is complete and swapped in.
func (e *Engine) Reindex(ctx context.Context) (int, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if _, err := e.build(ctx); err != nil {
		return 0, err
	}
	var n uint64
	err := e.Index(func(ix *index.Index) error {
		var err error
		n, err = ix.Count()
		return err
	})
	return int(n), err
}
