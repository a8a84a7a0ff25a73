package queuetest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// BuildServer builds the nats-server command of the module this project
// requires (the same server `evident serve` embeds) and returns its path.
// It needs the go command.
func BuildServer(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "nats-server")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2").CombinedOutput()
	if err != nil {
		t.Fatalf("queuetest: building nats-server: %v\n%s", err, out)
	}
	return bin
}

// StartClusterProcesses is StartCluster with every node a nats-server
// process started from bin (see BuildServer), so that a test can kill a
// node with SIGKILL, as power loss or the kernel's OOM killer would.
func StartClusterProcesses(t testing.TB, n int, bin string) *Cluster {
	t.Helper()
	c := newCluster(t, n)
	c.bin = bin
	t.Cleanup(func() {
		for i := range c.nodes {
			c.Kill(i)
		}
	})
	for i := range c.nodes {
		c.startProcess(i)
	}
	c.WaitReady(30 * time.Second)
	return c
}

// startProcess writes node i's configuration and starts its process.
func (c *Cluster) startProcess(i int) {
	c.t.Helper()
	nd := c.nodes[i]
	conf := filepath.Join(nd.dir, "nats.conf")
	text := fmt.Sprintf(`server_name: %q
listen: "127.0.0.1:%d"
max_payload: 8MB
jetstream { store_dir: %q }
cluster {
  name: %q
  listen: "127.0.0.1:%d"
  routes: [%s]
}
`, nd.name, nd.port, filepath.Join(nd.dir, "store"), c.Name, nd.rte, `"`+strings.Join(nd.routes, `", "`)+`"`)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.bin, "-c", conf)
	log, err := os.Create(filepath.Join(nd.dir, "nats.log"))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("queuetest: starting %s: %v", nd.name, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		log.Close()
		close(done)
	}()
	nd.proc, nd.exited = cmd, done
}

// Kill ends node i's process with SIGKILL (a node of StartClusterProcesses;
// nodes in the test process are stopped with Stop). Its store stays, for
// Restart.
func (c *Cluster) Kill(i int) {
	nd := c.nodes[i]
	if nd.proc == nil {
		return
	}
	nd.proc.Process.Signal(syscall.SIGKILL)
	<-nd.exited
	nd.proc = nil
}

// waitProcesses waits until the cluster's JetStream answers through every
// running node: then it has a meta leader and every node has joined.
func (c *Cluster) waitProcesses(deadline time.Time) error {
	var last error
	for _, nd := range c.nodes {
		if nd.proc == nil {
			continue
		}
		for {
			last = jetStreamAnswers(nd.clientURL)
			if last == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %w", nd.name, last)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

func jetStreamAnswers(url string) error {
	nc, err := nats.Connect(url, nats.Timeout(time.Second))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = js.AccountInfo(ctx)
	return err
}
