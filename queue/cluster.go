package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream's error codes for copies it cannot place, and for a cluster
// that is electing a leader.
const (
	errClusterNotAvailable = 10008 // "JetStream system temporarily unavailable"
	errLastSeqUnavailable  = 10163 // "expected last sequence per subject temporarily unavailable"
	errNoPeers             = 10005 // a cluster with too few servers
	errReplicasNotClust    = 10074 // a single server
)

// ErrReplicas is wrapped by the error of Open when the NATS deployment
// cannot keep Config.Replicas copies.
var ErrReplicas = errors.New("more copies than the NATS servers can keep")

// assetErr wraps the error of creating a stream or bucket, saying so
// plainly when JetStream cannot keep Config.Replicas copies of it: a
// single server keeps one, a cluster at most one per server.
func (q *Queue) assetErr(what string, err error) error {
	n := q.cfg.Replicas
	var apiErr *jetstream.APIError
	if n > 1 && errors.As(err, &apiErr) {
		switch apiErr.ErrorCode {
		case errReplicasNotClust:
			return fmt.Errorf("--replicas %d: %w: the NATS server is a single server, not a cluster, and keeps one copy; use --replicas 1, or give --nats the URLs of a cluster of %d or more servers",
				n, ErrReplicas, n)
		case errNoPeers:
			return fmt.Errorf("--replicas %d: %w: the NATS cluster %q has fewer than %d servers with JetStream up to keep a copy each (%s)",
				n, ErrReplicas, q.nc.ConnectedClusterName(), n, apiErr.Description)
		}
	}
	return fmt.Errorf("queue: %s: %w", what, err)
}

// errConsumerReplicas is JetStream's refusal of a consumer with more
// copies than its stream has yet.
const errConsumerReplicas = 10126

// consumer creates or updates a durable consumer with as many copies as
// its stream. Consumers do not follow their stream when it is given more
// copies (an Open with more Replicas than the last), and the stream takes
// a moment to grow: until it has, the consumer is refused and asked again.
func (q *Queue) consumer(ctx context.Context, stream string, cfg jetstream.ConsumerConfig) (jetstream.Consumer, error) {
	cfg.Replicas = q.cfg.Replicas
	for {
		var c jetstream.Consumer
		err := retry(ctx, q.nc, tryTimeout, func(ctx context.Context) (err error) {
			c, err = q.js.CreateOrUpdateConsumer(ctx, stream, cfg)
			return err
		})
		var apiErr *jetstream.APIError
		if err == nil || !errors.As(err, &apiErr) || apiErr.ErrorCode != errConsumerReplicas {
			return c, err
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (waiting for stream %s to grow to %d copies)", err, stream, cfg.Replicas)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// replicasNow is how many copies the jobs stream keeps, or 1 when there is
// none yet: a process not told how many (a worker) keeps what the server
// set up rather than scaling the streams down.
func replicasNow(ctx context.Context, nc *nats.Conn, js jetstream.JetStream) (int, error) {
	s, err := try(ctx, nc, js.Stream, StreamJobs)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("queue: stream %s: %w", StreamJobs, err)
	}
	return max(s.CachedInfo().Config.Replicas, 1), nil
}

// A write to JetStream is tried again for up to tryFor: on a cluster a
// try can be lost with the server it went to, and its answer never come.
// The next try goes to the server the connection has moved to, or to the
// stream's new leader.
const (
	tryTimeout = 5 * time.Second // one message's try
	tryFor     = 30 * time.Second
)

// retry runs fn until it succeeds, fails for good, or tryFor has passed.
// fn must be safe to run twice: a try that timed out may have been done.
// Each try ends after per; with per 0 it has no deadline, so that nats.go
// times out each publish of an object store Put (an object of any size)
// rather than wait for a deadline that a lost acknowledgement never meets.
//
// nc tells whether the connection is to a cluster: there a stream without
// a leader for a moment has no responders, on a single server a stream
// that is missing has none, and waiting does not help.
func retry(ctx context.Context, nc *nats.Conn, per time.Duration, fn func(ctx context.Context) error) error {
	clustered := nc.ConnectedClusterName() != ""
	deadline := time.Now().Add(tryFor)
	wait := 100 * time.Millisecond
	for {
		var tctx context.Context
		var cancel context.CancelFunc
		stop := func() bool { return false }
		if per > 0 {
			tctx, cancel = context.WithTimeout(ctx, per)
		} else {
			tctx, cancel = context.WithCancel(context.WithoutCancel(ctx))
			stop = context.AfterFunc(ctx, cancel)
		}
		err := fn(tctx)
		stop()
		cancel()
		if err == nil || ctx.Err() != nil || !transient(err, clustered) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// transient reports whether err is one a server lost or a leader being
// elected gives, which trying again soon cures.
func transient(err error, clustered bool) bool {
	if clustered && (errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse)) {
		return true
	}
	for _, e := range []error{context.DeadlineExceeded, nats.ErrTimeout,
		nats.ErrDisconnected, nats.ErrConnectionReconnecting, jetstream.ErrAsyncPublishTimeout} {
		if errors.Is(err, e) {
			return true
		}
	}
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == errClusterNotAvailable || apiErr.ErrorCode == errLastSeqUnavailable)
}

// resultAckWait is how long the indexer may hold a result unacknowledged:
// twice a job's (2 minutes by default), at least 30 seconds (twice the
// indexer's heartbeat on a long result, engine.heartbeatEvery). A result lost
// in transit with the server it came from comes back after it.
func (q *Queue) resultAckWait() time.Duration {
	return max(2*q.cfg.AckWait, 30*time.Second)
}

// try is retry for a call of one argument that returns a value, such as
// the creation of a stream from its configuration.
func try[A, T any](ctx context.Context, nc *nats.Conn, fn func(context.Context, A) (T, error), arg A) (T, error) {
	var v T
	err := retry(ctx, nc, tryTimeout, func(ctx context.Context) (err error) {
		v, err = fn(ctx, arg)
		return err
	})
	return v, err
}

// ensure creates a stream or bucket, or updates it when it exists with
// another configuration. Creating one that exists as configured changes
// nothing, so every start after the first costs one request per asset
// and rewrites none of them (an update first would write its
// configuration again, and a missing asset would cost two requests).
func ensure[C, T any](ctx context.Context, nc *nats.Conn, create, update func(context.Context, C) (T, error), cfg C) (T, error) {
	v, err := try(ctx, nc, create, cfg)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return try(ctx, nc, update, cfg)
	}
	return v, err
}
