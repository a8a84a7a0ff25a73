package queue

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer that the server's goroutines may log to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Listening without a token would open every stored file to whoever
// reaches the port, loopback included.
func TestServerListensOnlyWithAToken(t *testing.T) {
	for _, listen := range []string{"127.0.0.1:0", "0.0.0.0:0"} {
		srv, err := StartServer(ServerOptions{Dir: t.TempDir(), Listen: listen})
		if err == nil {
			srv.Shutdown()
			t.Errorf("%s: started without a token", listen)
			continue
		}
		if !strings.Contains(err.Error(), "token") {
			t.Errorf("%s: %v, want it to ask for a token", listen, err)
		}
	}
}

func TestServerToken(t *testing.T) {
	const token = "okapi-7f3c9a1e"
	logs := &lockedBuffer{}
	srv, err := StartServer(ServerOptions{Dir: t.TempDir(), Listen: "127.0.0.1:0", Token: token,
		Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	if strings.Contains(srv.URL(), token) {
		t.Fatalf("URL %s shows the token", srv.URL())
	}
	withToken := strings.Replace(srv.URL(), "nats://", "nats://"+token+"@", 1)
	withWrong := strings.Replace(srv.URL(), "nats://", "nats://wrong@", 1)
	tests := []struct {
		name, url, token string
		wantErr          string // "" for a connection
	}{
		{"no token", srv.URL(), "", "give --nats-token or set EVIDENT_NATS_TOKEN"},
		{"wrong token", srv.URL(), "wrong", "refused the token"},
		{"token given", srv.URL(), token, ""},
		{"token in the URL", withToken, "", ""},
		{"the URL's token wins", withToken, "wrong", ""},
		{"a wrong token in the URL", withWrong, token, "refused the token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nc, err := Dial(DialOptions{URL: tt.url, Token: tt.token, Name: "test"})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Dial: %v", err)
				}
				nc.Close()
				return
			}
			if err == nil {
				nc.Close()
				t.Fatal("connected")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Dial: %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), token) {
				t.Errorf("Dial: the error shows the token: %v", err)
			}
		})
	}
	// The in-process connection carries the token itself.
	nc, err := srv.Connect("in-process")
	if err != nil {
		t.Fatalf("in-process: %v", err)
	}
	nc.Close()
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "authentication error") {
		t.Errorf("refused connections are not logged as errors:\n%s", logs)
	}
	if strings.Contains(logs.String(), token) {
		t.Errorf("the log shows the token:\n%s", logs)
	}
}

// The embedded server's log goes through slog at the matching levels.
func TestServerLog(t *testing.T) {
	tests := []struct {
		level        slog.Level
		want, refuse []string
	}{
		{slog.LevelDebug, []string{"level=DEBUG", "component=nats", "Server is ready"}, []string{"level=DEBUG-4"}},
		{slog.LevelInfo, nil, []string{"level=INFO", "level=DEBUG"}},
		{LevelTrace, []string{"level=DEBUG-4", "component=nats"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			logs := &lockedBuffer{}
			srv, err := StartServer(ServerOptions{Dir: t.TempDir(),
				Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: tt.level}))})
			if err != nil {
				t.Fatal(err)
			}
			nc, err := srv.Connect("test")
			if err != nil {
				t.Fatal(err)
			}
			nc.Close()
			srv.Shutdown()
			out := logs.String()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("log lacks %q:\n%s", w, out)
				}
			}
			for _, n := range tt.refuse {
				if strings.Contains(out, n) {
					t.Errorf("log has %q:\n%s", n, out)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://s3cret@10.0.0.5:4222", "nats://REDACTED@10.0.0.5:4222"},
		{"nats://user:pass@host:4222", "nats://REDACTED@host:4222"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
