package web

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scrape fetches /metrics and parses the text exposition format, checking
// that every sample belongs to a family with HELP and TYPE lines.
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /metrics: %s %s\n%s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	sample := regexp.MustCompile(`^([a-z_]+)(\{[a-z_]+="[a-z_]+"\})? (\S+)$`)
	typed := map[string]string{}
	out := map[string]float64{}
	for line := range strings.Lines(string(body)) {
		line = strings.TrimSuffix(line, "\n")
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, kind, _ := strings.Cut(rest, " ")
			typed[name] = kind
			continue
		}
		if strings.HasPrefix(line, "# HELP ") {
			continue
		}
		m := sample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a sample: %q", line)
			continue
		}
		family := m[1]
		if typed[family] == "" {
			family = strings.TrimSuffix(strings.TrimSuffix(family, "_sum"), "_count")
		}
		if typed[family] == "" {
			t.Errorf("%s has no TYPE line", m[1])
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("%q: %v", line, err)
		}
		out[m[1]+m[2]] = v
	}
	return out
}

// /healthz, /readyz and /metrics answer on loopback without the token
// the rest of the API needs, and the metrics count what happened.
func TestOpsEndpoints(t *testing.T) {
	ts, _, _ := newServerWith(t, "s3cret")
	c := &Client{Base: ts.URL, Token: "s3cret"}
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/healthz", http.StatusOK},
		{"/readyz", http.StatusOK},
		{"/metrics", http.StatusOK},
		{"/api/status", http.StatusUnauthorized},
	} {
		resp, err := http.Get(ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s without the token: %s %s, want %d", tt.path, resp.Status, body, tt.want)
		}
		if tt.path == "/readyz" && !strings.Contains(string(body), `"status":"ready"`) {
			t.Errorf("GET /readyz: %s", body)
		}
	}

	before := scrape(t, ts.URL)
	upload(t, c, "good.txt", "The finance director reads the budget twice a week.\n")
	upload(t, c, "empty.txt", "")
	// The document shows as indexed a moment before the indexer counts it.
	got := scrape(t, ts.URL)
	for deadline := time.Now().Add(5 * time.Second); got["evident_processing_seconds_count"] == before["evident_processing_seconds_count"] && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		got = scrape(t, ts.URL)
	}
	for name, want := range map[string]float64{
		`evident_documents{state="indexed"}`:    1,
		`evident_documents{state="failed"}`:     1,
		`evident_documents{state="queued"}`:     0,
		`evident_documents{state="processing"}`: 0,
		`evident_passages`:                      1,
		`evident_queue_jobs{state="waiting"}`:   0,
		`evident_queue_jobs{state="in_flight"}`: 0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
	if got["evident_data_disk_free_bytes"] <= 0 {
		t.Errorf("evident_data_disk_free_bytes = %v", got["evident_data_disk_free_bytes"])
	}
	if n := got["evident_processing_seconds_count"] - before["evident_processing_seconds_count"]; n != 1 || got["evident_processing_seconds_sum"] <= 0 {
		t.Errorf("processing: %v more documents, %v seconds; want the one that was processed", n, got["evident_processing_seconds_sum"])
	}
	if _, ok := got["evident_indexing_seconds_count"]; !ok {
		t.Error("no evident_indexing_seconds")
	}
}

// /readyz says 503 and why when NATS is gone.
func TestReadyzWithoutNATS(t *testing.T) {
	e, data := runEngine(t)
	ts := httptest.NewServer((&Server{Engine: e, Uploads: filepath.Join(data, "uploads")}).Handler())
	t.Cleanup(ts.Close)
	e.Queue().Conn().Close()
	resp, err := http.Get(ts.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r Readiness
	json.NewDecoder(resp.Body).Decode(&r)
	if resp.StatusCode != http.StatusServiceUnavailable || r.Status != "not ready" || !strings.Contains(r.Error, "NATS") {
		t.Errorf("GET /readyz: %s %+v", resp.Status, r)
	}
	if resp, err := http.Get(ts.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("GET /healthz: %v %v", resp.Status, err)
	}
}

// Beyond loopback the operations endpoints need the token like the rest.
func TestOpsTokenBeyondLoopback(t *testing.T) {
	e, data := runEngine(t)
	h := (&Server{Engine: e, Uploads: filepath.Join(data, "uploads"), Token: "s3cret"}).Handler()
	tests := []struct {
		name, local, remote, path, auth string
		want                            int
	}{
		{"metrics on loopback", "127.0.0.1:7474", "127.0.0.1:50000", "/metrics", "", http.StatusOK},
		{"readyz on loopback", "127.0.0.1:7474", "127.0.0.1:50000", "/readyz", "", http.StatusOK},
		{"the API on loopback", "127.0.0.1:7474", "127.0.0.1:50000", "/api/status", "", http.StatusUnauthorized},
		{"metrics from the network", "192.0.2.1:7474", "192.0.2.7:50000", "/metrics", "", http.StatusUnauthorized},
		{"healthz from the network", "192.0.2.1:7474", "192.0.2.7:50000", "/healthz", "", http.StatusUnauthorized},
		{"readyz from the network", "192.0.2.1:7474", "192.0.2.7:50000", "/readyz", "", http.StatusUnauthorized},
		{"metrics from the network with the token", "192.0.2.1:7474", "192.0.2.7:50000", "/metrics", "Bearer s3cret", http.StatusOK},
		{"metrics to the network address from this machine", "192.0.2.1:7474", "127.0.0.1:50000", "/metrics", "", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "http://"+tt.local+tt.path, nil)
			local, _ := net.ResolveTCPAddr("tcp", tt.local)
			req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, local))
			req.RemoteAddr = tt.remote
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.want {
				t.Errorf("GET %s: %d %s, want %d", tt.path, rec.Code, rec.Body, tt.want)
			}
		})
	}
}
