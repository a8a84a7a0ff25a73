package engine

import (
	"log/slog"
	"sync"
	"time"
)

// repeatEvery is how often a failure that keeps repeating is logged again.
const repeatEvery = time.Minute

// repeated logs a failure that comes back every few hundred milliseconds
// while it lasts (a NATS server or a stream leader lost) once when it
// starts, then once a minute with how often it happened meanwhile, and
// once when it ends, rather than on every try.
type repeated struct {
	mu     sync.Mutex
	since  time.Time // when the current run of failures began; zero when none
	logged time.Time // when it was last logged
	count  int       // failures since then
}

func (r *repeated) fail(log *slog.Logger, msg string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	r.count++
	switch {
	case r.since.IsZero():
		r.since = now
	case now.Sub(r.logged) < repeatEvery:
		return
	}
	log.Warn(msg, "err", err, "failures", r.count, "since", r.since.Format(time.RFC3339))
	r.logged, r.count = now, 0
}

func (r *repeated) ok(log *slog.Logger, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.since.IsZero() {
		return
	}
	log.Info(msg, "after", time.Since(r.since).Round(time.Millisecond))
	r.since, r.count = time.Time{}, 0
}
