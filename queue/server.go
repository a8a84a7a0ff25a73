package queue

import (
	"errors"
	"fmt"
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
	ns  *server.Server
	url string
}

// StartServer starts an embedded NATS server with JetStream in dir. With
// listen empty it accepts in-process connections only; with listen set
// (host:port, loopback by default) separate worker processes can join.
func StartServer(dir, listen string) (*Server, error) {
	// The store holds every original file: its owner's only.
	store := filepath.Join(dir, "jetstream")
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
		NoSigs:     true,
		NoLog:      true,
		DontListen: listen == "",
		MaxPayload: 8 << 20,
	}
	if listen != "" {
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			return nil, fmt.Errorf("--nats-listen %q: %w", listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Errorf("--nats-listen %q: port: %w", listen, err)
		}
		opts.Host, opts.Port = host, p
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, errors.New("nats server: not ready after 10s (is the port in use?)")
	}
	s := &Server{ns: ns}
	if listen != "" {
		s.url = ns.ClientURL()
	}
	return s, nil
}

// URL is where outside workers connect, or "" when not listening.
func (s *Server) URL() string { return s.url }

// Connect opens an in-process client connection.
func (s *Server) Connect(name string) (*nats.Conn, error) {
	nc, err := nats.Connect("", nats.InProcessServer(s.ns), nats.Name(name), nats.MaxReconnects(-1))
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

// Dial connects to an outside NATS server (evident worker --nats URL).
func Dial(url, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(url, nats.Name(name), nats.MaxReconnects(-1), nats.RetryOnFailedConnect(false))
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	return nc, nil
}
