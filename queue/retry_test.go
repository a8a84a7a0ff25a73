package queue

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestTransient(t *testing.T) {
	tests := []struct {
		err             error
		single, cluster bool // transient on a single server, on a cluster
	}{
		{fmt.Errorf("put: %w", nats.ErrTimeout), true, true},
		{context.DeadlineExceeded, true, true},
		{nats.ErrNoResponders, false, true}, // a missing stream; a stream electing a leader
		{jetstream.ErrNoStreamResponse, false, true},
		{nats.ErrDisconnected, true, true},
		{jetstream.ErrAsyncPublishTimeout, true, true},
		{&jetstream.APIError{Code: 503, ErrorCode: errClusterNotAvailable}, true, true},
		{&jetstream.APIError{Code: 503, ErrorCode: 10023, Description: "insufficient resources"}, false, false},
		{&jetstream.APIError{Code: 400, ErrorCode: errNoPeers}, false, false},
		{jetstream.ErrObjectNotFound, false, false},
		{nats.ErrConnectionClosed, false, false},
		{errors.New("no space left on device"), false, false},
	}
	for _, tt := range tests {
		if got := transient(tt.err, false); got != tt.single {
			t.Errorf("transient(%v) on a single server = %v, want %v", tt.err, got, tt.single)
		}
		if got := transient(tt.err, true); got != tt.cluster {
			t.Errorf("transient(%v) on a cluster = %v, want %v", tt.err, got, tt.cluster)
		}
	}
}

// A write cut off with its server is tried again; one that fails for good
// is not; the caller's end stops the tries.
func TestRetry(t *testing.T) {
	ctx := context.Background()
	nc := open(t, Config{}).nc
	tries := 0
	err := retry(ctx, nc, time.Second, func(context.Context) error {
		if tries++; tries < 3 {
			return nats.ErrTimeout
		}
		return nil
	})
	if err != nil || tries != 3 {
		t.Errorf("after a lost server: %v after %d tries, want success after 3", err, tries)
	}
	tries = 0
	err = retry(ctx, nc, time.Second, func(context.Context) error { tries++; return jetstream.ErrObjectNotFound })
	if !errors.Is(err, jetstream.ErrObjectNotFound) || tries != 1 {
		t.Errorf("a lasting failure: %v after %d tries, want it at once", err, tries)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	began := time.Now()
	err = retry(short, nc, 0, func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); ok {
			t.Error("a try without a timeout of its own has the caller's deadline")
		}
		<-ctx.Done()
		return ctx.Err()
	})
	if err == nil || time.Since(began) > 2*time.Second {
		t.Errorf("the caller's end: %v after %s", err, time.Since(began))
	}
}
