package queue_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"

	"github.com/evident/evident/queue"
	"github.com/evident/evident/queue/queuetest"
)

// Every stream and bucket gets the copies asked for, on a cluster; a
// request for more copies than there are servers fails with a sentence
// that says so, on a cluster and on a single server.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS cluster; -short skips it")
	}
	c := queuetest.StartCluster(t, 3)
	single, err := queue.StartServer(queue.ServerOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(single.Shutdown)
	// In order: the cases on the cluster share its streams.
	tests := []struct {
		name           string
		cluster        bool
		replicas, want int
		wantErr        string // "" for success
	}{
		{"single server, default", false, 0, 1, ""},
		{"single server, 3", false, 3, 0, "--replicas 3: more copies than the NATS servers can keep: the NATS server is a single server, not a cluster"},
		{"cluster, 1", true, 1, 1, ""},
		{"cluster, 3 grows the streams", true, 3, 3, ""},
		{"cluster, unsaid keeps 3", true, 0, 3, ""},
		{"cluster, 5", true, 5, 0, `--replicas 5: more copies than the NATS servers can keep: the NATS cluster "evident-test" has fewer than 5 servers`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var nc *nats.Conn
			var err error
			if tt.cluster {
				nc, err = queue.Dial(queue.DialOptions{URL: c.URLs(), Name: "test"})
			} else {
				nc, err = single.Connect("test")
			}
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			q, err := queue.Open(ctx, nc, queue.Config{Replicas: tt.replicas})
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, queue.ErrReplicas) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Open: %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := q.PutConfig(ctx, queue.ConfigRules, []byte("x")); err != nil {
				t.Fatal(err)
			}
			want := tt.want
			js, _ := jetstream.New(nc)
			for _, name := range []string{queue.StreamJobs, queue.StreamResults, "OBJ_" + queue.BucketFiles,
				"OBJ_" + queue.BucketResults, "KV_" + queue.BucketConfig} {
				s, err := js.Stream(ctx, name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				info, err := s.Info(ctx)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if info.Config.Replicas != want {
					t.Errorf("%s: %d replicas, want %d", name, info.Config.Replicas, want)
				}
			}
			if !tt.cluster {
				return
			}
			// Consumers follow their stream's replicas, also when an
			// earlier Open made the stream with fewer (the case before).
			deadline := time.Now().Add(10 * time.Second)
			for {
				ci, err := js.Consumer(ctx, queue.StreamJobs, queue.ConsumerWorkers)
				if err != nil {
					t.Fatal(err)
				}
				info, err := ci.Info(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if info.Cluster != nil && len(info.Cluster.Replicas) == want-1 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the workers' consumer is not on %d servers: %+v", want, info.Cluster)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
}

// A connection given every server of a cluster starts while one is down
// and moves to another when the one it uses stops.
func TestDialSeveralURLs(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS cluster; -short skips it")
	}
	c := queuetest.StartCluster(t, 3)
	c.Stop(0)
	nc, err := queue.Dial(queue.DialOptions{URL: c.URLs(), Name: "test"})
	if err != nil {
		t.Fatalf("Dial with one of three servers down: %v", err)
	}
	defer nc.Close()
	at := nc.ConnectedUrl()
	i := strings.Index(c.URLs(), at)
	if at == c.URL(0) || i < 0 {
		t.Fatalf("connected to %q", at)
	}
	for n := range 3 {
		if c.URL(n) == at {
			c.Stop(n)
		}
	}
	c.Restart(0)
	deadline := time.Now().Add(10 * time.Second)
	for !nc.IsConnected() || nc.ConnectedUrl() == at {
		if time.Now().After(deadline) {
			t.Fatalf("still not reconnected elsewhere: %s, %s", nc.Status(), nc.ConnectedUrl())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestRedactLists(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nats://a:4222, nats://s3cret@b:4222", "nats://a:4222,nats://REDACTED@b:4222"},
		{"nats://u:p@a:1,nats://t@b:2", "nats://REDACTED@a:1,nats://REDACTED@b:2"},
		{"s3cret@host:4222", "REDACTED@host:4222"},
	}
	for _, tt := range tests {
		if got := queue.Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// A NATS deployment that authenticates users by nkey takes a seed file;
// without one, the error says what to give.
func TestDialCredentials(t *testing.T) {
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := user.PublicKey()
	seed, _ := user.Seed()
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	dir := t.TempDir()
	good, wrong, junk := filepath.Join(dir, "user.nk"), filepath.Join(dir, "other.nk"), filepath.Join(dir, "junk")
	for p, b := range map[string][]byte{good: seed, wrong: otherSeed, junk: []byte("not a seed\n")} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ns := startServer(t, &server.Options{Nkeys: []*server.NkeyUser{{Nkey: pub}}})
	tests := []struct {
		name, creds, wantErr string
	}{
		{"seed", good, ""},
		{"nothing", "", "wants a token or credentials"},
		{"another user's seed", wrong, "refused the credentials in " + wrong},
		{"not a seed", junk, "neither a NATS credentials file nor an nkey seed"},
		{"no such file", filepath.Join(dir, "missing"), "--nats-creds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := queue.Dial(queue.DialOptions{URL: ns.ClientURL(), Creds: tt.creds, Name: "test"})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				nc.Close()
				return
			}
			if err == nil {
				nc.Close()
				t.Fatal("connected")
			}
			if !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), string(seed)) {
				t.Errorf("Dial: %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// A server whose TLS certificate a private authority signed is reached
// with that authority's certificate (--nats-ca), and refused without it.
func TestDialPrivateCA(t *testing.T) {
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "evident test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	leafDER, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	ns := startServer(t, &server.Options{TLS: true,
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: key}}}})
	url := strings.Replace(ns.ClientURL(), "nats://", "tls://", 1)
	if nc, err := queue.Dial(queue.DialOptions{URL: url, Name: "test"}); err == nil {
		nc.Close()
		t.Fatal("connected without the authority's certificate")
	}
	nc, err := queue.Dial(queue.DialOptions{URL: url, CA: caFile, Name: "test"})
	if err != nil {
		t.Fatalf("with --nats-ca: %v", err)
	}
	nc.Close()
}

// startServer starts a NATS server without JetStream on a loopback port.
func startServer(t *testing.T, o *server.Options) *server.Server {
	t.Helper()
	o.Host, o.Port, o.NoSigs, o.NoLog = "127.0.0.1", -1, true, true
	ns, err := server.NewServer(o)
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	t.Cleanup(ns.Shutdown)
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("not ready")
	}
	return ns
}
