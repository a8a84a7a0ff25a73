package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// JetStream's error codes for copies it cannot place.
const (
	errNoPeers          = 10005 // a cluster with too few servers
	errReplicasNotClust = 10074 // a single server
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
		c, err := q.js.CreateOrUpdateConsumer(ctx, stream, cfg)
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
func replicasNow(ctx context.Context, js jetstream.JetStream) (int, error) {
	s, err := js.Stream(ctx, StreamJobs)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return 1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("queue: stream %s: %w", StreamJobs, err)
	}
	return max(s.CachedInfo().Config.Replicas, 1), nil
}
