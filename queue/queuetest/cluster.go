// Package queuetest starts real NATS JetStream clusters inside a test
// process, for tests of what Evident does when a node of the cluster it
// uses goes away. Each node has its own store folder and fixed loopback
// ports, so that a node stopped and started again rejoins as itself.
package queuetest

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Cluster is a JetStream cluster of nodes on loopback.
type Cluster struct {
	t     testing.TB
	Name  string
	nodes []*node
	bin   string // the nats-server command of a cluster of processes
}

type node struct {
	name      string
	dir       string
	port, rte int // client and route ports
	routes    []string
	srv       *server.Server // nil while stopped
	proc      *exec.Cmd      // instead of srv, in a cluster of processes
	exited    chan struct{}  // closed when proc has exited
	clientURL string
}

// newCluster plans n nodes: names, store folders and ports.
func newCluster(t testing.TB, n int) *Cluster {
	c := &Cluster{t: t, Name: "evident-test"}
	ports := freePorts(t, 2*n)
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", ports[n+i]))
	}
	for i := range n {
		c.nodes = append(c.nodes, &node{
			name:      fmt.Sprintf("n%d", i+1),
			dir:       t.TempDir(),
			port:      ports[i],
			rte:       ports[n+i],
			routes:    routes,
			clientURL: fmt.Sprintf("nats://127.0.0.1:%d", ports[i]),
		})
	}
	return c
}

// StartCluster starts n JetStream servers routed to each other and waits
// until they have elected a meta leader. They are shut down when the test
// ends.
func StartCluster(t testing.TB, n int) *Cluster {
	t.Helper()
	c := newCluster(t, n)
	t.Cleanup(func() {
		for _, nd := range c.nodes {
			if nd.srv != nil {
				nd.srv.Shutdown()
				nd.srv.WaitForShutdown()
			}
		}
	})
	// Routed servers wait for each other: start them all, then wait.
	for i := range c.nodes {
		c.start(i, false)
	}
	for i := range c.nodes {
		if !c.nodes[i].srv.ReadyForConnections(20 * time.Second) {
			t.Fatalf("queuetest: %s not ready", c.nodes[i].name)
		}
	}
	c.WaitReady(30 * time.Second)
	return c
}

func (c *Cluster) start(i int, wait bool) {
	c.t.Helper()
	nd := c.nodes[i]
	opts := &server.Options{
		ServerName: nd.name,
		Host:       "127.0.0.1",
		Port:       nd.port,
		JetStream:  true,
		StoreDir:   nd.dir,
		NoSigs:     true,
		NoLog:      true,
		MaxPayload: 8 << 20, // as the embedded server's
		Cluster: server.ClusterOpts{
			Name: c.Name,
			Host: "127.0.0.1",
			Port: nd.rte,
		},
		Routes: server.RoutesFromStr(strings.Join(nd.routes, ",")),
	}
	s, err := server.NewServer(opts)
	if err != nil {
		c.t.Fatalf("queuetest: %s: %v", nd.name, err)
	}
	go s.Start()
	nd.srv = s
	if wait && !s.ReadyForConnections(20*time.Second) {
		c.t.Fatalf("queuetest: %s not ready", nd.name)
	}
}

// URLs is every node's client URL, comma-separated, as `--nats` takes
// them.
func (c *Cluster) URLs() string {
	var us []string
	for _, nd := range c.nodes {
		us = append(us, nd.clientURL)
	}
	return strings.Join(us, ",")
}

// URL is one node's client URL.
func (c *Cluster) URL(i int) string { return c.nodes[i].clientURL }

// Index returns the position of the node named name (a server name as
// JetStream reports it in a stream's cluster information), or -1.
func (c *Cluster) Index(name string) int {
	for i, nd := range c.nodes {
		if nd.name == name {
			return i
		}
	}
	return -1
}

// Stop shuts node i down cleanly. Its store stays, for Restart.
func (c *Cluster) Stop(i int) {
	nd := c.nodes[i]
	if nd.proc != nil {
		nd.proc.Process.Signal(syscall.SIGTERM)
		<-nd.exited
		nd.proc = nil
		return
	}
	if nd.srv == nil {
		return
	}
	nd.srv.Shutdown()
	nd.srv.WaitForShutdown()
	nd.srv = nil
}

// Restart starts a stopped node again from its store.
func (c *Cluster) Restart(i int) {
	c.t.Helper()
	if c.nodes[i].srv != nil || c.nodes[i].proc != nil {
		return
	}
	if c.bin != "" {
		c.startProcess(i)
		c.WaitReady(30 * time.Second)
		return
	}
	c.start(i, true)
}

// WaitReady waits until every running node has JetStream and the cluster
// has a meta leader.
func (c *Cluster) WaitReady(timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	if c.bin != "" {
		if err := c.waitProcesses(deadline); err != nil {
			c.t.Fatalf("queuetest: no JetStream after %s: %v", timeout, err)
		}
		return
	}
	for {
		// The meta leader places a stream's copies only on the servers it
		// has heard from: until it has heard from every one, creating
		// streams of three copies fails ("no suitable peers for
		// placement, peer offline"), which a loaded machine showed.
		leader, current, running, online := false, true, 0, 0
		for _, nd := range c.nodes {
			if nd.srv == nil {
				continue
			}
			running++
			if nd.srv.JetStreamIsLeader() {
				leader = true
				online = len(nd.srv.JetStreamClusterPeers())
			}
			current = current && nd.srv.JetStreamIsCurrent()
		}
		if leader && current && online == running {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("queuetest: no JetStream meta leader after %s", timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StreamLeader returns the position of the node that leads stream, or -1
// when it has no leader (yet).
func (c *Cluster) StreamLeader(ctx context.Context, nc *nats.Conn, stream string) (int, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return -1, err
	}
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return -1, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return -1, err
	}
	if info.Cluster == nil {
		return -1, nil
	}
	return c.Index(info.Cluster.Leader), nil
}

// Current reports whether every replica of stream is caught up with its
// leader: a node started again has rejoined.
func Current(ctx context.Context, nc *nats.Conn, stream string, replicas int) (bool, error) {
	js, err := jetstream.New(nc)
	if err != nil {
		return false, err
	}
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return false, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return false, err
	}
	if info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != replicas-1 {
		return false, nil
	}
	for _, r := range info.Cluster.Replicas {
		if !r.Current || r.Offline {
			return false, nil
		}
	}
	return true, nil
}

// freePorts finds n loopback ports free now.
func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// MoveLeader makes node i the leader of stream, so that a test can stop
// the server that leads it and holds a given connection at once.
func (c *Cluster) MoveLeader(ctx context.Context, nc *nats.Conn, stream string, i int) error {
	req := fmt.Sprintf(`{"placement":{"preferred":%q}}`, c.nodes[i].name)
	var last string
	for {
		now, err := c.StreamLeader(ctx, nc, stream)
		switch {
		case err != nil:
			last = err.Error()
		case now == i:
			return nil
		case now >= 0:
			// An answer that is not a success is tried again: the leader
			// may be changing already.
			rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
			msg, err := nc.RequestWithContext(rctx, "$JS.API.STREAM.LEADER.STEPDOWN."+stream, []byte(req))
			cancel()
			if err != nil {
				last = err.Error()
			} else {
				last = string(msg.Data)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("moving the leader of %s to %s: %w (last: %s)", stream, c.nodes[i].name, ctx.Err(), last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Node returns the position of the node whose client URL is url, or -1.
func (c *Cluster) Node(url string) int {
	for i, nd := range c.nodes {
		if nd.clientURL == url {
			return i
		}
	}
	return -1
}
