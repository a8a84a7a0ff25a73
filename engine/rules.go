package engine

import (
	"bytes"
	"context"
	"github.com/evident/evident/api"
	"slices"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/index"
	"github.com/evident/evident/queue"
)

// ReloadRules reads the rules file again. Rules that do not compile are
// refused with the file, line and reason, and the rules in force stay.
// New rules apply to documents processed from now on, here and (through
// NATS) in worker processes; Reclassify applies them to stored passages.
func (e *Engine) ReloadRules(ctx context.Context) error {
	src, where, err := configSource(e.opts.Rules, e.opts.Data, "rules.yaml", configs.Rules)
	if err != nil {
		return api.Errorf(api.Unprocessable, "%w", err)
	}
	return e.useRules(ctx, src, where)
}

// useRules compiles rules read from where and puts them in force, here and
// in worker processes; rules that do not compile change nothing.
func (e *Engine) useRules(ctx context.Context, src []byte, where string) error {
	c, err := compileConfig(src, where, classify.Parse)
	if err != nil {
		return api.Errorf(api.Unprocessable, "%w; the rules in force are unchanged", err)
	}
	e.rules.Store(c)
	e.setConfig(src)
	if e.queue != nil {
		return e.queue.PutConfig(ctx, queue.ConfigRules, src)
	}
	return nil
}

// journalReclassify names a reclassification in the store's journal: it
// is there from its start to its end, so that a start after a crash
// finishes it.
const journalReclassify = "reclassify"

// Reclassify reloads the rules and applies them to every stored passage,
// without extracting anything again, then updates the index. The
// categories people set outrank the rules and stay. A crash halfway leaves
// the store and the index agreeing document by document (the next start
// repairs the one batch that may differ), and the next start finishes the
// reclassification.
func (e *Engine) Reclassify(ctx context.Context) (api.Reclassified, error) {
	if err := e.ReloadRules(ctx); err != nil {
		return api.Reclassified{}, err
	}
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.reclassify(ctx)
}

// reclassify applies the rules in force to every stored passage, batch by
// batch: the new tags and stamps in one SQLite transaction, then the
// index. The caller holds writeMu.
func (e *Engine) reclassify(ctx context.Context) (api.Reclassified, error) {
	var out api.Reclassified
	if err := e.store.Begin(ctx, journalReclassify, e.configNow()); err != nil {
		return out, err
	}
	rules := e.Classifier()
	var ps []evident.Passage
	var entries []index.Entry
	stamps := map[string]string{}
	flush := func() error {
		if len(ps) == 0 {
			return nil
		}
		if err := e.store.UpdateTags(ctx, ps, stamps); err != nil {
			return err
		}
		err := e.Index(func(ix *index.Index) error { return ix.Apply(ctx, nil, entries) })
		ps, entries = ps[:0], entries[:0]
		clear(stamps)
		return err
	}
	err := e.eachIndexed(ctx, func(d *evident.Document, dps []evident.Passage) error {
		overrides, err := e.store.Overrides(ctx, d.SHA256)
		if err != nil {
			return err
		}
		for i := range dps {
			p := &dps[i]
			before := slices.Clone(p.Categories)
			tagByRules(rules, p)
			if o, ok := overrides[p.ID]; ok {
				overrule(p, o)
			}
			out.Passages++
			if !slices.Equal(before, p.Categories) {
				out.Changed++
			}
		}
		es, stamp := e.entriesOf(d, dps)
		ps = append(ps, dps...)
		entries = append(entries, es...)
		stamps[d.SHA256] = stamp
		if len(ps) >= index.MaxBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = e.store.End(ctx, journalReclassify)
	}
	return out, err
}

// followRules reloads the rules whenever their file's content differs
// from the rules last loaded, until ctx ends. Rules that do not compile are
// logged and the last good ones stay. It polls: the file is small, and
// editors replace files in ways fsnotify reports differently.
func (e *Engine) followRules(ctx context.Context, every time.Duration) {
	last := e.rulesSrc // what Open loaded
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		src, where, err := configSource(e.opts.Rules, e.opts.Data, "rules.yaml", configs.Rules)
		if err != nil || bytes.Equal(src, last) {
			continue
		}
		last = src
		if err := e.useRules(ctx, src, where); err != nil {
			e.log.Error("rules not reloaded", "err", err)
			continue
		}
		if where == "" {
			where = "the built-in rules"
		}
		e.log.Info("rules reloaded; `evident reclassify` applies them to stored passages", "file", where)
	}
}
