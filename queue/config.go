package queue

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// The configuration a server shares with worker processes, so that every
// worker classifies with the rules and roles the server uses.
const (
	BucketConfig = "evident-config"
	ConfigRules  = "rules"
	ConfigRoles  = "roles"
	ConfigRedact = "redact" // the masking of personal data
)

func (q *Queue) config(ctx context.Context) (jetstream.KeyValue, error) {
	kv, err := ensure(ctx, q.nc, q.js.CreateKeyValue, q.js.UpdateKeyValue, jetstream.KeyValueConfig{
		Bucket:      BucketConfig,
		Description: "Evident: the rules and role taxonomy in force",
		History:     1,
		Storage:     jetstream.FileStorage,
		Replicas:    q.cfg.Replicas,
	})
	if err != nil {
		return nil, q.assetErr("bucket "+BucketConfig, err)
	}
	return kv, nil
}

// PutConfig publishes a configuration file, unless it is already current.
func (q *Queue) PutConfig(ctx context.Context, key string, data []byte) error {
	kv, err := q.config(ctx)
	if err != nil {
		return err
	}
	// Through retry, as every write: in a cluster the bucket just created
	// may not have elected its leader yet ("no response from stream").
	err = retry(ctx, q.nc, tryTimeout, func(ctx context.Context) error {
		if e, err := kv.Get(ctx, key); err == nil && string(e.Value()) == string(data) {
			return nil
		}
		_, err := kv.Put(ctx, key, data)
		return err
	})
	if err != nil {
		return fmt.Errorf("queue: publishing %s: %w", key, err)
	}
	return nil
}

// WatchConfig calls fn with the current value of a configuration file, or
// with nil when no server has published one, and then with every new
// value until ctx ends. The first call happens before it returns.
func (q *Queue) WatchConfig(ctx context.Context, key string, fn func([]byte)) error {
	kv, err := q.config(ctx)
	if err != nil {
		return err
	}
	w, err := kv.Watch(ctx, key)
	if err != nil {
		return fmt.Errorf("queue: watching %s: %w", key, err)
	}
	var current []byte
	for e := range w.Updates() {
		if e == nil {
			break // the end of the values already stored
		}
		current = e.Value()
	}
	fn(current)
	go func() {
		defer w.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e != nil && e.Operation() == jetstream.KeyValuePut {
					fn(e.Value())
				}
			}
		}
	}()
	return nil
}
