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
	"strings"
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
	"github.com/evident/evident/maps"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/redact"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// Options configure an engine.
type Options struct {
	Data       string // the data folder
	NATS       string // outside NATS URL, or a cluster's URLs comma-separated; empty starts an embedded server
	NATSListen string // with the embedded server, also listen here (host:port)
	// NATSToken is what the outside server wants (a token in the NATS URL
	// wins), or what the embedded one requires when it listens; empty
	// uses the token stored in the data folder, generated on first use.
	NATSToken  string
	NATSCreds  string // an outside server's NATS credentials or nkey seed file (queue.DialOptions.Creds)
	NATSCA     string // the authority of an outside server's TLS certificate (queue.DialOptions.CA)
	Workers    int    // local workers; negative means one per core
	Inbox      string // folder to watch; empty watches nothing
	Rules      string // rules file; empty uses <data>/rules.yaml if present, else the built-in rules
	Roles      string // role taxonomy; empty uses <data>/roles.yaml if present, else the built-in one
	Redact     string // masking of personal data; empty uses <data>/redact.yaml if present, else the built-in one
	Synonyms   string // search's topic synonyms; empty uses <data>/synonyms.yaml if present, else the built-in ones
	MaxSize    int64  // largest file accepted, in bytes (default 256 MiB)
	JobTimeout time.Duration
	// Limits bound what one file may cost the local workers: the longest
	// passage, the most passages, the most paragraphs of a document read
	// whole (see ingest.Limits; zero fields take the defaults).
	Limits  ingest.Limits
	Queue   queue.Config
	Formats extract.Registry // nil means extract.Default()
	Log     *slog.Logger
	Settle  time.Duration // inbox settle time
	Rescan  time.Duration // how often the whole inbox is looked at again (default 30s)
	// ReadOnly opens the folder for commands that only read (search, show,
	// status): they take no lock and open the database and the index for
	// reading only, so that a server can start on the folder meanwhile. A
	// rules file that does not compile is then a warning, and the built-in
	// rules only serve to read category words in queries.
	ReadOnly bool
	// KeepFiles keeps every submitted file's bytes in the queue's object
	// store once its document is indexed. Without it they leave the store
	// then (failed documents keep theirs, for a retry), unless a
	// submission asked to keep them (api.Submission.Keep).
	KeepFiles bool
	// Connect makes Open connect as well (see Engine.Connect), starting
	// NATS and opening the queue while the database and the index open:
	// a command that submits files starts sooner.
	Connect bool
}

// DefaultMaxSize is the largest file accepted unless configured otherwise.
const DefaultMaxSize = 256 << 20

// Engine is one open data folder.
type Engine struct {
	opts  Options
	log   *slog.Logger
	lock  *os.File
	store *store.Store

	mu  sync.RWMutex // guards idx: replacing it (reindex) takes it for writing
	idx *index.Index // nil when ReadOnly: each search opens the index
	// writeMu makes one writer at a time change passages in the store and
	// the index together: the indexer, reindex, reclassify, a failure, a
	// person's review (Tag).
	writeMu sync.Mutex

	subMu      sync.Mutex
	submitting map[string]int // hashes between being recorded and their job being queued

	resumed Resumed // what the start found unfinished; guarded by connMu after Open

	// srv is the embedded NATS server, if any. It is set while connecting,
	// and read by Disk, which /readyz and status may call meanwhile.
	srv   atomic.Pointer[queue.Server]
	nc    *nats.Conn
	queue *queue.Queue
	// dialed is the queue that Open with Options.Connect opened while the
	// stores opened, until Connect takes it.
	dialed *queue.Queue
	rules  *liveRules // the classification rules in force: engine/rules.go
	roles  *roles.Taxonomy
	// synonyms are search's topics: query words' synonyms, and what
	// counts as talk of work when passages are ranked.
	synonyms *search.Synonyms
	about    *search.AboutFinder // the roles passages report on, by e.roles
	// The roles file as read, published for worker processes.
	rolesSrc  []byte
	redactor  *redact.Redactor
	redactSrc []byte // redact.yaml as read, published likewise

	announced bool // a holder record was written and must go on Close

	// cleanStart is true when the last writer closed the folder cleanly
	// and nothing changed it since (see cleanFile): the index is not
	// compared with the database. checked says whether it was.
	cleanStart, checked bool
	// agreed is true once Open made the index agree with the database;
	// unclean is set when a write to one of them failed since, which may
	// have left them apart. A Close leaves the record of a clean close
	// only with agreed set and unclean not.
	agreed  bool
	unclean atomic.Bool

	// Maps are the empathy maps (engine/maps.go), their methods the
	// engine's.
	*Maps

	connMu sync.Mutex // one Connect at a time
	runs   int        // Runs begun; guarded by connMu

	disk    diskState // writes the data disk refused
	indexer *indexer  // applies worker results: engine/indexer.go
	ended   ends      // signalled when documents may have been indexed or failed (Await)
}

// Open locks the data folder and opens everything in it. It returns
// ErrLocked when a server already holds the folder. With opts.ReadOnly it
// takes no lock and never writes (see Options.ReadOnly).
//
// A writer first makes the search index agree with the database: it
// builds the index when there is none, rewrites the entries of documents
// whose entries differ from the database (a crash between the two) and
// finishes a reclassification that a crash interrupted.
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
	e := &Engine{opts: opts, log: opts.Log, submitting: map[string]int{}}
	e.indexer = &indexer{e: e}
	ok := false
	defer func() {
		if !ok {
			e.Close()
		}
	}()
	if !opts.ReadOnly {
		lock, err := Lock(opts.Data)
		if err != nil {
			return nil, err
		}
		e.lock = lock
		// Before anything is written.
		if e.cleanStart, err = takeClean(opts.Data); err != nil {
			return nil, err
		}
	}
	// Under the lock: no other process may start a server on the folder's
	// JetStream store.
	var dialed chan error
	if opts.Connect && !opts.ReadOnly {
		dialed = make(chan error, 1)
		go func() {
			q, err := e.dial(ctx)
			e.dialed = q
			dialed <- err
		}()
		// Before the Close above, when Open fails first.
		defer func() {
			if dialed != nil {
				<-dialed
			}
		}()
	}
	// Each file is read once: the bytes compiled here are the bytes
	// published to worker processes.
	rolesSrc, where, err := configSource(opts.Roles, opts.Data, "roles.yaml", configs.Roles)
	if err != nil {
		return nil, err
	}
	e.rolesSrc = rolesSrc
	e.rules = &liveRules{path: opts.Rules, data: opts.Data, rolesSrc: rolesSrc, log: e.log, publish: e.publishRules}
	if err := e.rules.load(opts.ReadOnly); err != nil {
		return nil, err
	}
	if e.roles, err = compileConfig(e.rolesSrc, where, roles.Parse); err != nil {
		return nil, err
	}
	e.about = search.NewAbout(e.roles)
	if e.synonyms, err = LoadSynonyms(opts.Synonyms, opts.Data); err != nil {
		return nil, err
	}
	if e.redactSrc, where, err = configSource(opts.Redact, opts.Data, "redact.yaml", configs.Redact); err != nil {
		return nil, err
	}
	if e.redactor, err = compileConfig(e.redactSrc, where, redact.Parse); err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		if e.store, err = openReader(ctx, opts.Data); err != nil {
			return nil, err
		}
		e.Maps = &Maps{store: e.store, rules: e.ruleFile, roles: e.roles, searcher: e}
		ok = true
		return e, nil
	}
	if e.store, err = store.Open(e.dbPath()); err != nil {
		return nil, err
	}
	e.Maps = &Maps{store: e.store, rules: e.ruleFile, roles: e.roles, searcher: e}
	// The maps' tables too, so that readers find every table there. Not
	// with the rules' cells: waiting for the rules to compile here would
	// put their compilation back on the way of every start.
	if _, err := e.Maps.tables(ctx); err != nil {
		return nil, err
	}
	if err := e.openIndex(ctx); err != nil {
		return nil, err
	}
	e.agreed = true
	if dialed != nil {
		err := <-dialed
		dialed = nil
		if err != nil {
			return nil, err
		}
		if err := e.Connect(ctx); err != nil {
			return nil, err
		}
	}
	ok = true
	return e, nil
}

func (e *Engine) dbPath() string   { return filepath.Join(e.opts.Data, "evident.db") }
func (e *Engine) indexDir() string { return filepath.Join(e.opts.Data, "index") }

// openReader opens the database for reading only. A database that does not
// exist yet, or that an older version wrote, is first created or upgraded
// under the folder's lock, which is held only meanwhile; when a writer
// holds the lock, it does the upgrade and the reader waits for it.
func openReader(ctx context.Context, data string) (*store.Store, error) {
	path := filepath.Join(data, "evident.db")
	deadline := time.Now().Add(15 * time.Second)
	for {
		s, err := store.OpenReadOnly(path)
		if err == nil {
			// The maps' tables have versions of their own.
			ok, merr := maps.Upgraded(ctx, s.DB())
			if ok && merr == nil {
				return s, nil
			}
			s.Close()
			if merr != nil {
				return nil, merr
			}
			err = store.ErrOldSchema
		}
		if !errors.Is(err, store.ErrOldSchema) {
			return s, err
		}
		if lock, lerr := tryLock(data); lerr == nil {
			s, err := store.Open(path)
			if err == nil {
				_, err = maps.Open(ctx, s.DB(), maps.Config{Sources: s})
				err = errors.Join(err, s.Close())
			}
			lock.Close()
			if err != nil {
				return nil, err
			}
			continue
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// configNow identifies the rules and roles in force.
func (e *Engine) configNow() string { return e.rules.configID() }

// LoadRules reads the rules in force: the given file, else <data>/rules.yaml
// when it exists, else the built-in configs/rules.yaml.
func LoadRules(path, data string) (*classify.Classifier, error) {
	src, where, err := configSource(path, data, "rules.yaml", configs.Rules)
	if err != nil {
		return nil, err
	}
	return compileConfig(src, where, ParseRules)
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
func (e *Engine) Classifier() *classify.Classifier { return e.rules.Classifier() }

// ruleFile returns the rules file in force, without compiling rules that
// are not compiled yet: what searches and maps read of it (the words and
// questions of the categories).
func (e *Engine) ruleFile() *classify.File { return e.rules.file() }

// Redactor implements ingest.Rules: the masking of personal data in force,
// read from <data>/redact.yaml (or Options.Redact) when the engine opened.
func (e *Engine) Redactor() *redact.Redactor { return e.redactor }

// SetRules swaps the rules used for new documents.
func (e *Engine) SetRules(c *classify.Classifier) { e.rules.current.Store(c) }

// Index runs fn with the index held for reading. A read-only engine opens
// the index for fn alone, so that it holds the index's files no longer
// than a search takes.
func (e *Engine) Index(fn func(*index.Index) error) error {
	if e.opts.ReadOnly {
		ix, err := index.Open(e.indexDir(), index.Options{ReadOnly: true})
		if errors.Is(err, index.ErrNoIndex) {
			return errors.New("the search index has not been built yet: `evident serve` or `evident reindex` builds it")
		}
		if err != nil {
			return err
		}
		defer ix.Close()
		return fn(ix)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	return fn(e.idx)
}

// wrote returns err, noting first when it is not nil that the index and
// the database may no longer agree: the next start then compares them.
// Every write to the index, and to the database after the index, goes
// through it.
func (e *Engine) wrote(err error) error {
	if err != nil {
		e.unclean.Store(true)
	}
	return err
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
	if e.opts.ReadOnly {
		return errors.New("the data folder was opened for reading only")
	}
	q := e.dialed
	e.dialed = nil
	if q == nil {
		var err error
		if q, err = e.dial(ctx); err != nil {
			return err
		}
	}
	// Nothing is published, queued or processed under rules that do not
	// compile. They compiled meanwhile, in the background (liveRules.load).
	if err := e.rules.ready(); err != nil {
		return err
	}
	// Worker processes elsewhere classify with what this engine uses.
	if err := q.PutConfig(ctx, queue.ConfigRules, e.rules.source()); err != nil {
		return err
	}
	if err := q.PutConfig(ctx, queue.ConfigRoles, e.rolesSrc); err != nil {
		return err
	}
	if err := q.PutConfig(ctx, queue.ConfigRedact, e.redactSrc); err != nil {
		return err
	}
	// Before anything is submitted: a document registered by a Submit
	// that has not yet queued its job must not look lost.
	if err := e.recovery(q).resume(ctx, &e.resumed); err != nil {
		return fmt.Errorf("resuming: %w", err)
	}
	e.queue = q
	e.log.Info(e.resumed.String())
	return nil
}

// dial starts the embedded NATS server, or joins the outside one, and
// opens the queue's streams and buckets there. It needs neither the
// database nor the index: Open with Options.Connect runs it while they
// open.
func (e *Engine) dial(ctx context.Context) (*queue.Queue, error) {
	if e.nc == nil {
		var err error
		if e.opts.NATS != "" {
			e.nc, err = queue.Dial(queue.DialOptions{URL: e.opts.NATS, Token: e.opts.NATSToken,
				Creds: e.opts.NATSCreds, CA: e.opts.NATSCA, Name: "evident", Log: e.log})
		} else {
			so := queue.ServerOptions{Dir: e.opts.Data, Listen: e.opts.NATSListen, Log: e.log}
			if so.Listen != "" {
				// Whoever reaches the port could read every stored file.
				if so.Token, err = natsToken(e.opts.Data, e.opts.NATSToken); err != nil {
					return nil, err
				}
			}
			srv, err := queue.StartServer(so)
			if err != nil {
				return nil, err
			}
			e.srv.Store(srv)
			e.nc, err = srv.Connect("evident")
		}
		if err != nil {
			return nil, err
		}
	}
	qc := e.opts.Queue
	// No other process can take jobs from a server that is this
	// process's own and listens nowhere: its workers stop at once.
	qc.Private = e.srv.Load() != nil && e.opts.NATSListen == ""
	return queue.Open(ctx, e.nc, qc)
}

// Resumed returns what Open and Connect found unfinished and what they did
// about it.
func (e *Engine) Resumed() Resumed {
	e.connMu.Lock()
	defer e.connMu.Unlock()
	return e.resumed
}

// NATSURL is where outside workers can connect, when the embedded server listens.
func (e *Engine) NATSURL() string {
	if srv := e.srv.Load(); srv != nil {
		return srv.URL()
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
	if err := e.rerun(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	wg.Go(func() {
		if err := e.queue.Events(ctx, e.onEvent); err != nil {
			errs <- err
		}
	})
	// The indexer stops with the workers, each after what it holds; what
	// the workers finish while stopping is applied by the drain below.
	// The bytes of indexed documents are tidied beside the indexer, not
	// in its way; the tidier ends after the drain below.
	tidy := make(chan tidyWork, 64)
	tidied := make(chan struct{})
	tidyCtx, stopTidying := context.WithCancel(context.WithoutCancel(ctx))
	defer stopTidying()
	go func() {
		defer close(tidied)
		e.tidier(tidyCtx, tidy)
	}()
	e.indexer.tidy = tidy
	indexerDone := make(chan struct{})
	go func() {
		defer close(indexerDone)
		e.indexer.run(ctx)
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
	wg.Go(func() { e.rules.follow(ctx, 2*time.Second) })
	if e.opts.Inbox != "" {
		wg.Go(func() {
			if err := e.watch(ctx); err != nil {
				errs <- fmt.Errorf("inbox %s: %w", e.opts.Inbox, err)
			}
		})
	}
	wg.Wait()
	<-indexerDone
	// Apply what the workers finished while stopping; anything left stays
	// in the results stream for the next start.
	// The workers have stopped, and each published its result before it
	// returned: what is not in the stream now is not coming.
	drain, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	for drain.Err() == nil && e.indexer.batch(drain, drain, 0) > 0 {
	}
	close(tidy)
	select {
	case <-tidied:
	case <-time.After(10 * time.Second):
		// NATS does not answer: what is left waits for the next start's
		// sweep.
		stopTidying()
		<-tidied
	}
	e.indexer.tidy = nil
	e.recovery(e.queue).stopped(drain)
	cancel()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// rerun makes a Run after the first in the same process start as a new
// process would: the Run before gave up its waits for jobs and results
// as it stopped (see indexer.run and queue.Config.Private), and anything
// the server handed to them meanwhile comes back at once.
func (e *Engine) rerun(ctx context.Context) error {
	e.connMu.Lock()
	defer e.connMu.Unlock()
	again := e.runs > 0
	e.runs++
	if !again {
		return nil
	}
	if err := e.queue.ResetIndexer(ctx); err != nil {
		return err
	}
	if e.queue.Config().Private {
		return e.queue.ResetWorkers(ctx)
	}
	return nil
}

// Processor returns a processor using the engine's formats and rules.
func (e *Engine) Processor() *ingest.Processor {
	return &ingest.Processor{Formats: e.opts.Formats, Rules: e, Timeout: e.opts.JobTimeout, Limits: e.opts.Limits}
}

// Queue returns the queue after Connect.
func (e *Engine) Queue() *queue.Queue { return e.queue }

func (e *Engine) onEvent(ev queue.Event) {
	ctx := context.Background()
	switch ev.Kind {
	case queue.EventProcessing:
		e.store.MarkProcessing(ctx, ev.SHA256)
	case queue.EventRetry:
		// A document that has ended is left alone: the attempt was a late
		// copy of its job (its bytes gone since it was indexed, say).
		e.store.Wait(ctx, ev.SHA256, evident.Queued, queue.AttemptFailed(ev.Attempt, ev.Error))
	case queue.EventWait:
		// The queue could not take the worker's result (a full disk): the
		// job waits and comes back by itself.
		if strings.HasPrefix(ev.Error, queue.WaitingForDisk) {
			e.noSpace(errors.New(strings.TrimPrefix(ev.Error, queue.WaitingForDisk+" ")))
		}
		e.store.Wait(ctx, ev.SHA256, evident.Queued, e.waitReason(ev.Error))
	}
}

func jobOf(sub store.Submission) queue.Job {
	return queue.Job{SHA256: sub.SHA256, File: sub.File, Origin: sub.Origin, Size: sub.Size,
		Meta: sub.Meta, FolderRole: sub.FolderRole, Run: sub.Run, Submitted: time.Now().UTC()}
}

// Close stops NATS and closes the index and store.
func (e *Engine) Close() error {
	var errs []error
	if e.queue != nil && e.queue.Config().Private {
		// The next start resets both consumers anyway (recovery.resume),
		// and JetStream's shutdown would wait for each one's flusher, in
		// 10 ms steps. What they hold stays in the streams.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		if err := e.queue.DeleteConsumers(ctx); err != nil {
			e.log.Debug("deleting the consumers before stopping", "err", err)
		}
		cancel()
	}
	if e.nc != nil {
		// Run has stopped whatever subscribed, and every write that
		// matters waited for the server's acknowledgement: a flush is
		// enough for the rest (progress events). Drain would poll the
		// subscriptions every 10 ms until they are gone.
		e.nc.FlushTimeout(time.Second)
		e.nc.Close()
	}
	// JetStream's shutdown mostly waits (for its stores' flushers, 10 ms
	// each): the index and the database close meanwhile.
	var shut sync.WaitGroup
	if srv := e.srv.Load(); srv != nil {
		shut.Go(srv.Shutdown)
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
	shut.Wait()
	if e.lock != nil {
		// Last, once both are durable: the next start may trust them.
		if e.agreed && !e.unclean.Load() && errors.Join(errs...) == nil {
			if err := putClean(e.opts.Data); err != nil {
				e.log.Warn("recording a clean close; the next start checks the index", "err", err)
			}
		}
		e.unannounce()
		errs = append(errs, e.lock.Close())
	}
	return errors.Join(errs...)
}
