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
	s := &Server{ns: ns, token: o.Token}
	if o.Listen != "" {
		s.url = ns.ClientURL()
	}
	return s, nil
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
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
