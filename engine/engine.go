// Package engine wires one data folder together: the SQLite store, the
// Bleve index, NATS (embedded or outside), the indexer that applies worker
// results, local workers and the inbox watcher. `evident serve` runs an
// engine for as long as it lives; other commands open one briefly when no
// server holds the folder.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/index"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// Options configure an engine.
type Options struct {
	Data       string // the data folder
	NATS       string // outside NATS URL; empty starts an embedded server
	NATSListen string // with the embedded server, also listen here (host:port)
	// NATSToken is what the outside server wants (a token in the NATS URL
	// wins), or what the embedded one requires when it listens; empty
	// uses the token stored in the data folder, generated on first use.
	NATSToken  string
	Workers    int    // local workers; negative means one per core
	Inbox      string // folder to watch; empty watches nothing
	Rules      string // rules file; empty uses <data>/rules.yaml if present, else the built-in rules
	Roles      string // role taxonomy; empty uses <data>/roles.yaml if present, else the built-in one
	Synonyms   string // search's topic synonyms; empty uses <data>/synonyms.yaml if present, else the built-in ones
	MaxSize    int64  // largest file accepted, in bytes (default 256 MiB)
	JobTimeout time.Duration
	Queue      queue.Config
	Formats    extract.Registry // nil means extract.Default()
	Log        *slog.Logger
	Settle     time.Duration // inbox settle time
	// ReadOnly marks commands that classify nothing (search, show, status):
	// a rules file that does not compile is then a warning, and the
	// built-in rules only serve to read category words in queries.
	ReadOnly bool
}

// DefaultMaxSize is the largest file accepted unless configured otherwise.
const DefaultMaxSize = 256 << 20

// Engine is one open data folder.
type Engine struct {
	opts  Options
	log   *slog.Logger
	lock  *os.File
	store *store.Store

	mu  sync.RWMutex // guards idx: searches read, the indexer and reindex write
	idx *index.Index
	// tagMu serialises the writers of passages' tags to the store and the
	// index (the indexer, Reclassify and Tag), so that a person's review
	// and a document processed again cannot interleave.
	tagMu sync.Mutex

	srv   *queue.Server
	nc    *nats.Conn
	queue *queue.Queue
	rules atomic.Pointer[classify.Classifier]
	roles *roles.Taxonomy
	// synonyms are search's topics: query words' synonyms, and what
	// counts as talk of work when passages are ranked.
	synonyms *search.Synonyms
	about    *search.AboutFinder // the roles passages report on, by e.roles
	// The rules and roles files as read, published for worker processes.
	rulesSrc, rolesSrc []byte

	announced bool // a holder record was written and must go on Close

	connMu sync.Mutex // one Connect at a time

	processing, indexing summary // for Metrics
}

// Open locks the data folder and opens everything in it. It returns
// ErrLocked when a server already holds the folder.
func Open(ctx context.Context, opts Options) (*Engine, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxSize <= 0 {
		opts.MaxSize = DefaultMaxSize
	}
	if opts.Formats == nil {
		opts.Formats = extract.Default()
	}
	if opts.Workers < 0 {
		opts.Workers = runtime.NumCPU()
	}
	if err := privateDir(opts.Data); err != nil {
		return nil, err
	}
	e := &Engine{opts: opts, log: opts.Log}
	ok := false
	defer func() {
		if !ok {
			e.Close()
		}
	}()
	lock, err := Lock(opts.Data)
	if err != nil {
		return nil, err
	}
	e.lock = lock
	// Each file is read once: the bytes compiled here are the bytes
	// published to worker processes.
	src, where, err := configSource(opts.Rules, opts.Data, "rules.yaml", configs.Rules)
	if err != nil {
		return nil, err
	}
	e.rulesSrc = src
	rules, err := compileConfig(src, where, classify.Parse)
	if err != nil && opts.ReadOnly {
		e.log.Warn("using the built-in rules to read queries", "err", err)
		rules, err = classify.Parse(configs.Rules())
	}
	if err != nil {
		return nil, err
	}
	e.rules.Store(rules)
	if e.rolesSrc, where, err = configSource(opts.Roles, opts.Data, "roles.yaml", configs.Roles); err != nil {
		return nil, err
	}
	if e.roles, err = compileConfig(e.rolesSrc, where, roles.Parse); err != nil {
		return nil, err
	}
	e.about = search.NewAbout(e.roles)
	if e.synonyms, err = LoadSynonyms(opts.Synonyms, opts.Data); err != nil {
		return nil, err
	}
	if e.store, err = store.Open(filepath.Join(opts.Data, "evident.db")); err != nil {
		return nil, err
	}
	idx, stale, err := index.Open(filepath.Join(opts.Data, "index"))
	if err != nil {
		return nil, err
	}
	e.idx = idx
	if stale {
		if err := e.fill(ctx); err != nil {
			return nil, fmt.Errorf("rebuilding the index: %w", err)
		}
	}
	ok = true
	return e, nil
}

// LoadRules reads the rules in force: the given file, else <data>/rules.yaml
// when it exists, else the built-in configs/rules.yaml.
func LoadRules(path, data string) (*classify.Classifier, error) {
	src, where, err := configSource(path, data, "rules.yaml", configs.Rules)
	if err != nil {
		return nil, err
	}
	return compileConfig(src, where, classify.Parse)
}

// LoadRoles reads the role taxonomy in force, found the way LoadRules
// finds rules.
func LoadRoles(path, data string) (*roles.Taxonomy, error) {
	src, where, err := configSource(path, data, "roles.yaml", configs.Roles)
	if err != nil {
		return nil, err
	}
	return compileConfig(src, where, roles.Parse)
}

// LoadSynonyms reads search's topic synonyms in force, found the way
// LoadRules finds rules: the given file, else <data>/synonyms.yaml when it
// exists, else the built-in configs/synonyms.yaml.
func LoadSynonyms(path, data string) (*search.Synonyms, error) {
	src, where, err := configSource(path, data, "synonyms.yaml", configs.Synonyms)
	if err != nil {
		return nil, err
	}
	return compileConfig(src, where, search.ParseSynonyms)
}

// compileConfig compiles a configuration file read by configSource; errors
// name the file it came from (none for the built-in copy).
func compileConfig[T any](src []byte, where string, parse func([]byte) (T, error)) (T, error) {
	v, err := parse(src)
	if err != nil && where != "" {
		err = fmt.Errorf("%s: %w", where, err)
	}
	return v, err
}

// configSource reads a configuration file: the given path, else the file
// of that name in the data folder, else the built-in copy. It returns the
// path it read ("" for the built-in copy).
func configSource(path, data, name string, builtin func() []byte) ([]byte, string, error) {
	if path == "" && data != "" {
		if p := filepath.Join(data, name); fileExists(p) {
			path = p
		}
	}
	if path == "" {
		return builtin(), "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, path, err
	}
	return b, path, nil
}

// privateDir creates the data folder, or narrows an existing one, so that
// only its owner can enter it: it holds every document's text, the
// original bytes in the NATS store and the API token.
func privateDir(data string) error {
	if err := os.MkdirAll(data, 0o700); err != nil {
		return fmt.Errorf("data folder %s: %w", data, err)
	}
	if err := os.Chmod(data, 0o700); err != nil {
		return fmt.Errorf("data folder %s: %w", data, err)
	}
	return nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Store returns the store.
func (e *Engine) Store() *store.Store { return e.store }

// Classifier implements ingest.Rules: the rules in force.
func (e *Engine) Classifier() *classify.Classifier { return e.rules.Load() }

// SetRules swaps the rules used for new documents.
func (e *Engine) SetRules(c *classify.Classifier) { e.rules.Store(c) }

// Index runs fn with the index held for reading.
func (e *Engine) Index(fn func(*index.Index) error) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return fn(e.idx)
}

// Connect starts or joins NATS, opens the queue, shares the rules with
// worker processes and queues again the jobs an earlier crash lost.
// Commands that only read (search, show, status) never call it.
func (e *Engine) Connect(ctx context.Context) error {
	e.connMu.Lock()
	defer e.connMu.Unlock()
	if e.queue != nil {
		return nil
	}
	if e.nc == nil {
		var err error
		if e.opts.NATS != "" {
			e.nc, err = queue.Dial(e.opts.NATS, e.opts.NATSToken, "evident")
		} else {
			so := queue.ServerOptions{Dir: e.opts.Data, Listen: e.opts.NATSListen, Log: e.log}
			if so.Listen != "" {
				// Whoever reaches the port could read every stored file.
				if so.Token, err = natsToken(e.opts.Data, e.opts.NATSToken); err != nil {
					return err
				}
			}
			if e.srv, err = queue.StartServer(so); err != nil {
				return err
			}
			e.nc, err = e.srv.Connect("evident")
		}
		if err != nil {
			return err
		}
	}
	q, err := queue.Open(ctx, e.nc, e.opts.Queue)
	if err != nil {
		return err
	}
	// Worker processes elsewhere classify with what this engine uses.
	if err := q.PutConfig(ctx, queue.ConfigRules, e.rulesSrc); err != nil {
		return err
	}
	if err := q.PutConfig(ctx, queue.ConfigRoles, e.rolesSrc); err != nil {
		return err
	}
	// Before anything is submitted: a document registered by a Submit
	// that has not yet queued its job must not look lost.
	if err := e.resume(ctx, q); err != nil {
		return fmt.Errorf("resuming: %w", err)
	}
	e.queue = q
	return nil
}

// NATSURL is where outside workers can connect, when the embedded server listens.
func (e *Engine) NATSURL() string {
	if e.srv != nil {
		return e.srv.URL()
	}
	return e.opts.NATS
}

// Run runs the indexer, the local workers and the inbox watcher until ctx
// ends. Connect, which it calls first, queues again jobs lost by a crash.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Connect(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: nothing was lost
		}
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		if err := e.queue.Events(ctx, e.onEvent); err != nil {
			errs <- err
		}
	})
	// Workers stop first (their ctx ends), the indexer drains after them.
	idxCtx, stopIndexer := context.WithCancel(context.WithoutCancel(ctx))
	indexerDone := make(chan struct{})
	go func() {
		defer close(indexerDone)
		e.runIndexer(idxCtx)
	}()
	if e.opts.Workers > 0 {
		wg.Go(func() {
			host, _ := os.Hostname()
			ingest.RunN(ctx, e.opts.Workers, func(i int) *ingest.Worker {
				return &ingest.Worker{
					Queue:     e.queue,
					Processor: e.Processor(),
					Name:      fmt.Sprintf("%s/%d", host, i),
					Log:       e.log,
				}
			})
		})
	}
	wg.Go(func() { e.followRules(ctx, 2*time.Second) })
	if e.opts.Inbox != "" {
		wg.Go(func() {
			if err := e.watch(ctx); err != nil {
				errs <- fmt.Errorf("inbox %s: %w", e.opts.Inbox, err)
			}
		})
	}
	wg.Wait()
	stopIndexer()
	<-indexerDone
	// Apply what the workers finished while stopping; anything left stays
	// in the results stream for the next start.
	drain, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	for drain.Err() == nil && e.indexBatch(drain, 50*time.Millisecond) > 0 {
	}
	cancel()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// Processor returns a processor using the engine's formats and rules.
func (e *Engine) Processor() *ingest.Processor {
	return &ingest.Processor{Formats: e.opts.Formats, Rules: e, Timeout: e.opts.JobTimeout}
}

// Queue returns the queue after Connect.
func (e *Engine) Queue() *queue.Queue { return e.queue }

func (e *Engine) onEvent(ev queue.Event) {
	ctx := context.Background()
	switch ev.Kind {
	case "processing":
		e.store.MarkProcessing(ctx, ev.SHA256)
	case "retry":
		e.store.SetState(ctx, ev.SHA256, evident.Queued, fmt.Sprintf("attempt %d failed: %s", ev.Attempt, ev.Error))
	}
}

// resume queues again every document that is queued or processing in the
// store but has no job or result in the streams (a crash between recording
// and publishing, or a stream that was reset).
func (e *Engine) resume(ctx context.Context, q *queue.Queue) error {
	pending, err := q.Pending(ctx)
	if err != nil {
		return err
	}
	docs, err := e.store.Documents(ctx)
	if err != nil {
		return err
	}
	for _, d := range docs {
		if (d.State != evident.Queued && d.State != evident.Processing) || pending[d.SHA256] {
			continue
		}
		has, err := q.HasFile(ctx, d.SHA256)
		if err != nil {
			return err
		}
		if !has {
			e.log.Warn("the original bytes of a queued document were lost", "sha256", short(d.SHA256), "file", d.File)
			e.store.Fail(ctx, d.SHA256, "the original bytes were lost before processing; add the file again")
			continue
		}
		sub, err := e.store.Job(ctx, d.SHA256)
		if err != nil {
			return err
		}
		e.log.Info("re-queueing a document whose job was lost", "sha256", short(d.SHA256), "file", d.File)
		if err := q.Publish(ctx, jobOf(sub)); err != nil {
			return err
		}
	}
	return nil
}

func jobOf(sub store.Submission) queue.Job {
	return queue.Job{SHA256: sub.SHA256, File: sub.File, Origin: sub.Origin, Size: sub.Size,
		Meta: sub.Meta, FolderRole: sub.FolderRole, Submitted: time.Now().UTC()}
}

// Close stops NATS and closes the index and store.
func (e *Engine) Close() error {
	var errs []error
	if e.nc != nil {
		e.nc.Drain()
		for i := 0; i < 50 && e.nc.IsDraining(); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		e.nc.Close()
	}
	if e.srv != nil {
		e.srv.Shutdown()
	}
	e.mu.Lock()
	if e.idx != nil {
		errs = append(errs, e.idx.Close())
		e.idx = nil
	}
	e.mu.Unlock()
	if e.store != nil {
		errs = append(errs, e.store.Close())
	}
	if e.lock != nil {
		e.unannounce()
		errs = append(errs, e.lock.Close())
	}
	return errors.Join(errs...)
}
