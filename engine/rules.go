package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/index"
	"github.com/evident/evident/queue"
)

// liveRules are the classification rules in force. They are swapped
// whole, never changed in place: when their file changes (follow) or on
// request (reload); rules that do not compile change nothing. Each swap
// is published to worker processes.
type liveRules struct {
	path, data string // where configSource looks for the rules file
	rolesSrc   []byte // roles.yaml as read: with the rules, the config id
	log        *slog.Logger
	// publish sends rules to worker processes (a no-op until the queue
	// is open).
	publish func(ctx context.Context, src []byte) error

	current atomic.Pointer[classify.Classifier]
	src     atomic.Pointer[[]byte] // the rules file as read
	config  atomic.Pointer[string] // configID of src and rolesSrc

	// decoded is the rules file as a read-only engine decodes it: it
	// compiles the rules only when first asked for them (lazy). For the
	// built-in rules it holds their categories alone (builtinWords), and
	// the lazy compilation parses the built-in file.
	decoded *classify.File
	builtin bool
	lazy    sync.Once

	// A writer compiles the rules read at start in the background, while
	// the database, the index and NATS open: compiled is closed when that
	// is done, and compileErr is then why they did not compile.
	compiled   chan struct{}
	compileErr error
}

// ready waits for the rules read at start to be compiled, and returns
// why they did not compile. Connect calls it: nothing is processed
// under rules that do not compile.
func (r *liveRules) ready() error {
	if r.compiled == nil {
		return nil
	}
	<-r.compiled
	return r.compileErr
}

// Classifier returns the rules in force, compiling a reader's rules at
// the first call.
func (r *liveRules) Classifier() *classify.Classifier {
	if c := r.current.Load(); c != nil {
		return c
	}
	if r.ready() != nil {
		r.lazy.Do(func() {
			r.log.Warn("using the built-in rules", "err", r.compileErr)
			c, _ := ParseRules(configs.Rules())
			r.current.CompareAndSwap(nil, c)
		})
	}
	if c := r.current.Load(); c != nil {
		return c
	}
	r.lazy.Do(func() {
		var c *classify.Classifier
		var err error
		if r.builtin {
			c, err = ParseRules(configs.Rules())
		} else {
			c, err = classify.Compile(r.decoded)
		}
		if err != nil {
			r.log.Warn("using the built-in rules", "err", err)
			c, _ = ParseRules(configs.Rules())
		}
		r.current.CompareAndSwap(nil, c)
	})
	return r.current.Load()
}

// file returns the rules file in force without compiling rules not yet
// compiled: what searches and maps read of it (the words and questions
// of the categories).
func (r *liveRules) file() *classify.File {
	if c := r.current.Load(); c != nil {
		return c.Rules()
	}
	if r.decoded == nil {
		return r.Classifier().Rules() // a writer's, being compiled
	}
	return r.decoded
}

// source is the rules file in force as read.
func (r *liveRules) source() []byte { return *r.src.Load() }

// configID identifies the rules and roles in force: a document that
// failed under one configuration is tried again on start under another.
func (r *liveRules) configID() string { return *r.config.Load() }

// load reads the rules at start. A writer compiles them, in the
// background (see ready); a reader needs only the words that name
// categories, so it decodes the file and compiles the rules if and when
// something classifies, and falls back to the built-in rules when the
// file does not decode.
func (r *liveRules) load(readOnly bool) error {
	src, where, err := configSource(r.path, r.data, "rules.yaml", configs.Rules)
	if err != nil {
		return err
	}
	if readOnly && where == "" {
		// The built-in rules: their categories are all a reader needs.
		if r.decoded, err = builtinWords(); err != nil {
			return err
		}
		r.builtin = true
		r.set(nil, src)
		return nil
	}
	if readOnly {
		if r.decoded, err = compileConfig(src, where, classify.Decode); err != nil {
			r.log.Warn("using the built-in rules to read queries", "err", err)
			if r.decoded, err = classify.Decode(configs.Rules()); err != nil {
				return err
			}
		}
		r.set(nil, src)
		return nil
	}
	r.set(nil, src)
	r.compiled = make(chan struct{})
	go func() {
		defer close(r.compiled)
		c, err := compileConfig(src, where, ParseRules)
		if err != nil {
			r.compileErr = err
			return
		}
		r.current.CompareAndSwap(nil, c) // unless rules were put in force meanwhile
	}()
	return nil
}

// ParseRules compiles a rules file. The built-in one is decoded from its
// JSON copy, configs/rules.json (TestBuiltinRules keeps it equal to
// configs/rules.yaml), in a quarter of the time its YAML takes: every
// start of serve, ingest or a worker compiles it.
func ParseRules(src []byte) (*classify.Classifier, error) {
	if !bytes.Equal(src, configs.Rules()) {
		return classify.Parse(src)
	}
	var f classify.File
	if err := json.Unmarshal(configs.RulesJSON(), &f); err != nil {
		return nil, fmt.Errorf("configs/rules.json: %w", err)
	}
	return classify.Compile(&f)
}

// builtinWords returns the built-in rules file without its rules: the
// categories' names, questions and words, read from configs/rules-words.json
// (TestBuiltinRuleWords keeps it equal to configs/rules.yaml) instead of
// 100 KB of YAML, which would take a search longer than the search.
func builtinWords() (*classify.File, error) {
	var f classify.File
	if err := json.Unmarshal(configs.RuleWords(), &f.Categories); err != nil {
		return nil, fmt.Errorf("configs/rules-words.json: %w", err)
	}
	return &f, nil
}

// set puts rules read from src in force; c is nil for a reader's rules
// not compiled yet.
func (r *liveRules) set(c *classify.Classifier, src []byte) {
	h := sha256.New()
	h.Write(src)
	h.Write([]byte{0})
	h.Write(r.rolesSrc)
	id := hex.EncodeToString(h.Sum(nil)[:8])
	if c != nil {
		r.current.Store(c)
	}
	r.src.Store(&src)
	r.config.Store(&id)
}

// reload reads the rules file again and puts it in force.
func (r *liveRules) reload(ctx context.Context) error {
	src, where, err := configSource(r.path, r.data, "rules.yaml", configs.Rules)
	if err != nil {
		return api.Errorf(api.Unprocessable, "%w", err)
	}
	return r.use(ctx, src, where)
}

// use compiles rules read from where and puts them in force, here and in
// worker processes.
func (r *liveRules) use(ctx context.Context, src []byte, where string) error {
	c, err := compileConfig(src, where, ParseRules)
	if err != nil {
		return api.Errorf(api.Unprocessable, "%w; the rules in force are unchanged", err)
	}
	r.set(c, src)
	return r.publish(ctx, src)
}

// follow reloads the rules whenever their file's content differs from
// the rules last loaded, until ctx ends. Rules that do not compile are
// logged and the last good ones stay. It polls: the file is small, and
// editors replace files in ways fsnotify reports differently.
func (r *liveRules) follow(ctx context.Context, every time.Duration) {
	last := r.source()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		src, where, err := configSource(r.path, r.data, "rules.yaml", configs.Rules)
		if err != nil || bytes.Equal(src, last) {
			continue
		}
		last = src
		if err := r.use(ctx, src, where); err != nil {
			r.log.Error("rules not reloaded", "err", err)
			continue
		}
		if where == "" {
			where = "the built-in rules"
		}
		r.log.Info("rules reloaded; `evident reclassify` applies them to stored passages", "file", where)
	}
}

// ReloadRules reads the rules file again. Rules that do not compile are
// refused with the file, line and reason, and the rules in force stay.
// New rules apply to documents processed from now on, here and (through
// NATS) in worker processes; Reclassify applies them to stored passages.
func (e *Engine) ReloadRules(ctx context.Context) error { return e.rules.reload(ctx) }

// publishRules sends rules to worker processes once the queue is open;
// Connect publishes those in force when it opens it.
func (e *Engine) publishRules(ctx context.Context, src []byte) error {
	if e.queue == nil {
		return nil
	}
	return e.queue.PutConfig(ctx, queue.ConfigRules, src)
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
	if err := e.rules.reload(ctx); err != nil {
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
		err := e.wrote(e.Index(func(ix *index.Index) error { return ix.Apply(ctx, nil, entries) }))
		ps, entries = ps[:0], entries[:0]
		clear(stamps)
		return err
	}
	err := e.store.EachIndexed(ctx, func(d *evident.Document, dps []evident.Passage) error {
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
