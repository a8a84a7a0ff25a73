package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Server is an embedded NATS server with JetStream, storing under the data
// folder, for the single-machine default.
type Server struct {
	ns    *server.Server
	url   string
	token string
	store string // JetStream's store folder
	log   *slog.Logger
	stop  chan struct{}
	done  chan struct{}

	mu       sync.Mutex
	problem  string    // why JetStream refuses writes, "" when it does not
	restarts int       // JetStream restarts after write errors
	since    time.Time // when the problem was first seen
}

// ServerOptions configure an embedded server.
type ServerOptions struct {
	// Dir is the data folder; JetStream stores under Dir/jetstream.
	Dir string
	// Listen, when set (host:port), lets worker processes join over TCP;
	// empty accepts in-process connections only.
	Listen string
	// Token is required of every client, the in-process ones included,
	// and must be set when Listen is: whoever connects can read every
	// stored file.
	Token string
	// Log receives the server's own log; nil discards it.
	Log *slog.Logger
}

// StartServer starts an embedded NATS server with JetStream.
func StartServer(o ServerOptions) (*Server, error) {
	if o.Listen != "" && o.Token == "" {
		return nil, fmt.Errorf("--nats-listen %s: whoever connects could read every stored file; a NATS token is required", o.Listen)
	}
	// The store holds every original file: its owner's only.
	store := filepath.Join(o.Dir, "jetstream")
	if err := os.MkdirAll(store, 0o700); err != nil {
		return nil, fmt.Errorf("nats store %s: %w", store, err)
	}
	if err := os.Chmod(store, 0o700); err != nil {
		return nil, fmt.Errorf("nats store %s: %w", store, err)
	}
	opts := &server.Options{
		ServerName: "evident",
		JetStream:  true,
		StoreDir:   store,
		// Without NoSigs the server catches SIGINT and exits the process
		// before Bleve and SQLite are closed.
		NoSigs:        true,
		DontListen:    o.Listen == "",
		MaxPayload:    8 << 20,
		Authorization: o.Token,
	}
	if o.Listen != "" {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return nil, fmt.Errorf("--nats-listen %q: %w", o.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("--nats-listen %q: port: %w", o.Listen, err)
		}
		if p == 0 {
			p = server.RANDOM_PORT // NATS takes 0 for its default, 4222
		}
		opts.Host, opts.Port = host, p
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx := context.Background()
	ns.SetLogger(Logger{log}, log.Enabled(ctx, slog.LevelDebug), log.Enabled(ctx, LevelTrace))
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats server: not ready after 10s (is the port in use?)")
	}
	s := &Server{ns: ns, token: o.Token, store: store, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	if o.Listen != "" {
		s.url = ns.ClientURL()
	}
	go s.watchStorage(storageCheck)
	return s, nil
}

// storageCheck is how often the server looks whether JetStream still
// writes.
const storageCheck = time.Second

// MinFree is the free space the store's disk must have again before
// JetStream is restarted after a full disk: enough for it to recover its
// streams and take a few writes.
const MinFree = 4 << 20

// watchStorage restarts JetStream once it can write again. A write that
// fails (a full disk) leaves the stream refusing every write after it,
// even once there is room again, until JetStream is restarted; JetStream
// may also disable itself. Both wait here for the disk to have room, then
// JetStream is restarted from its store, and the queue carries on without
// a restart of the process.
func (s *Server) watchStorage(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		problem := s.storageProblem()
		s.mu.Lock()
		if problem == "" {
			s.problem = ""
			s.mu.Unlock()
			continue
		}
		if s.problem == "" {
			s.problem, s.since = problem, time.Now()
			s.log.Warn("JetStream refuses writes; it is restarted once the disk has room", "problem", problem)
		}
		s.mu.Unlock()
		if free, err := Free(s.store); err != nil || free < MinFree {
			continue
		}
		if err := s.restartJetStream(); err != nil {
			s.log.Error("restarting JetStream", "err", err)
			continue
		}
		s.mu.Lock()
		s.restarts++
		s.log.Warn("JetStream restarted after refusing writes", "problem", s.problem, "after", time.Since(s.since).Round(time.Millisecond))
		s.problem = ""
		s.mu.Unlock()
	}
}

// storageProblem says why JetStream cannot write, or "" when it can: a
// stream with a write error, JetStream disabled.
func (s *Server) storageProblem() string {
	h := s.ns.Healthz(nil)
	if h == nil || h.Error == "" && h.StatusCode < 300 {
		return ""
	}
	return h.Error
}

func (s *Server) restartJetStream() error {
	// The store folder as first given: EnableJetStream adds "jetstream"
	// to it, as the server did at its start.
	cfg := &server.JetStreamConfig{StoreDir: s.store}
	if now := s.ns.JetStreamConfig(); now != nil {
		cfg.MaxMemory, cfg.MaxStore = now.MaxMemory, now.MaxStore
	}
	if err := s.ns.ShutdownJetStream(); err != nil {
		return err
	}
	return s.ns.EnableJetStream(cfg)
}

// Storage says whether JetStream refuses writes, and why: problem is ""
// when it writes. Restarts counts the restarts that cleared a problem.
func (s *Server) Storage() (problem string, restarts int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.problem, s.restarts
}

// Free returns the bytes free to this process on the disk that holds dir.
func Free(dir string) (uint64, error) {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		return 0, fmt.Errorf("disk of %s: %w", dir, err)
	}
	return fs.Bavail * uint64(fs.Bsize), nil
}

// URL is where outside workers connect, or "" when not listening. It
// carries no token.
func (s *Server) URL() string { return s.url }

// Connect opens an in-process client connection.
func (s *Server) Connect(name string) (*nats.Conn, error) {
	opts := []nats.Option{nats.InProcessServer(s.ns), nats.Name(name), nats.MaxReconnects(-1)}
	if s.token != "" {
		opts = append(opts, nats.Token(s.token))
	}
	nc, err := nats.Connect("", opts...)
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	return nc, nil
}

// Shutdown stops the server and waits for JetStream to flush.
func (s *Server) Shutdown() {
	close(s.stop)
	<-s.done
	// A pull whose client gave it up (queue.Config.Private) stays in its
	// consumer's list until the server tries to deliver to it or reads
	// the consumer's state, which drops the pulls nobody listens to any
	// more. Shutdown otherwise tells each of them that the server stops,
	// then sleeps 50 ms for the news to travel to clients that are gone.
	s.ns.Jsz(&server.JSzOptions{Accounts: true, Streams: true, Consumer: true})
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
