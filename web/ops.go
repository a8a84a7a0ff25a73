package web

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/evident/evident"
)

// The operations endpoints: liveness, readiness and metrics, for a
// supervisor or a Prometheus scraper. On loopback they need no token
// (see guard).
const (
	pathHealthz = "/healthz"
	pathReadyz  = "/readyz"
	pathMetrics = "/metrics"
)

func opsPath(p string) bool {
	return p == pathHealthz || p == pathReadyz || p == pathMetrics
}

func (s *Server) routeOps(mux *http.ServeMux) {
	mux.HandleFunc("GET "+pathHealthz, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET "+pathReadyz, s.readyz)
	mux.HandleFunc("GET "+pathMetrics, s.metrics)
}

// Readiness is the body of GET /readyz.
type Readiness struct {
	Status string `json:"status"`          // "ready" or "not ready"
	Error  string `json:"error,omitempty"` // what is not usable
}

// readyz answers 200 when the store, the index and NATS are usable, and
// 503 with the reason when one is not.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.Engine.Ready(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, Readiness{Status: "not ready", Error: err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, Readiness{Status: "ready"})
}

// metrics writes the engine's figures in the Prometheus text exposition
// format (version 0.0.4).
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	m, err := s.Engine.Metrics(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	b := bufio.NewWriter(w)
	defer b.Flush()
	family := func(name, kind, help string) {
		fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, kind)
	}
	family("evident_documents", "gauge", "Documents by state.")
	for _, state := range []evident.State{evident.Queued, evident.Processing, evident.Indexed, evident.Failed} {
		fmt.Fprintf(b, "evident_documents{state=%q} %d\n", state, m.Documents[state])
	}
	family("evident_passages", "gauge", "Passages stored.")
	fmt.Fprintf(b, "evident_passages %d\n", m.Passages)
	if m.Queued {
		family("evident_queue_jobs", "gauge", "Jobs in the JetStream work queue: waiting for a worker, or taken and not yet finished.")
		fmt.Fprintf(b, "evident_queue_jobs{state=\"waiting\"} %d\n", m.Queue.Waiting)
		fmt.Fprintf(b, "evident_queue_jobs{state=\"in_flight\"} %d\n", m.Queue.InFlight)
		family("evident_queue_results", "gauge", "Worker results waiting for the indexer.")
		fmt.Fprintf(b, "evident_queue_results %d\n", m.Queue.Results)
	}
	family("evident_data_disk_free_bytes", "gauge", "Bytes free to Evident in the data folder's file system.")
	fmt.Fprintf(b, "evident_data_disk_free_bytes %d\n", m.DiskFree)
	family("evident_processing_seconds", "summary", "Worker time per document (fetch, extract, split, classify), from the results indexed since start.")
	fmt.Fprintf(b, "evident_processing_seconds_sum %g\nevident_processing_seconds_count %d\n", m.Processing.Sum.Seconds(), m.Processing.Count)
	family("evident_indexing_seconds", "summary", "Indexer time per batch of results (database and search index), since start.")
	fmt.Fprintf(b, "evident_indexing_seconds_sum %g\nevident_indexing_seconds_count %d\n", m.Indexing.Sum.Seconds(), m.Indexing.Count)
}

// fromThisMachine reports whether a request came over loopback, from a
// loopback address.
func fromThisMachine(ctx context.Context, remote string) bool {
	if !isLoopback(ctx) {
		return false
	}
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
