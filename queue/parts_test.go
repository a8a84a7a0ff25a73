package queue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A result's payload is stored in parts of Config.ResultPart bytes and
// read back whole, part by part; acknowledging it removes every part.
func TestResultParts(t *testing.T) {
	const part = 16
	tests := []struct {
		size, parts int
	}{{1, 1}, {part - 1, 1}, {part, 1}, {part + 1, 2}, {3*part + 7, 4}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d bytes", tt.size), func(t *testing.T) {
			q := open(t, Config{ResultPart: part})
			ctx := testCtx(t)
			if err := q.Publish(ctx, Job{SHA256: "aaaa", File: "a.txt", Run: 1}); err != nil {
				t.Fatal(err)
			}
			d, err := q.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			payload := bytes.Repeat([]byte("0123456789"), tt.size/10+1)[:tt.size]
			name, parts, err := d.PutResult(ctx, func(w io.Writer) error {
				// Written in odd pieces, as an encoder writes.
				for rest := payload; len(rest) > 0; {
					n := min(len(rest), 5)
					if _, err := w.Write(rest[:n]); err != nil {
						return err
					}
					rest = rest[n:]
				}
				return nil
			})
			if err != nil || parts != tt.parts {
				t.Fatalf("PutResult: %d parts, %v; want %d", parts, err, tt.parts)
			}
			if err := d.Done(ctx, Result{Object: name, Parts: parts}, nil); err != nil {
				t.Fatal(err)
			}
			rs, err := q.Results(ctx, 1, 5*time.Second)
			if err != nil || len(rs) != 1 {
				t.Fatalf("Results: %d, %v", len(rs), err)
			}
			r := rs[0]
			if err := r.InProgress(); err != nil {
				t.Errorf("InProgress: %v", err)
			}
			rc, err := r.Open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, payload) {
				t.Errorf("read back %q, %v; want %q", got, err, payload)
			}
			if err := r.Ack(ctx); err != nil {
				t.Fatal(err)
			}
			for i := range parts {
				if _, err := q.results.GetInfo(ctx, partName(name, i)); !errors.Is(err, jetstream.ErrObjectNotFound) {
					t.Errorf("part %d is left after the acknowledgement: %v", i, err)
				}
			}
		})
	}
}

// A payload whose writing fails leaves no part behind and returns the
// writer's error as it is; one thrown away is deleted; a result whose
// payload is gone says so.
func TestResultPartsCleanUp(t *testing.T) {
	q := open(t, Config{ResultPart: 4})
	ctx := testCtx(t)
	if err := q.Publish(ctx, Job{SHA256: "bbbb", File: "b.txt", Run: 1}); err != nil {
		t.Fatal(err)
	}
	d, err := q.Next(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := func() int {
		t.Helper()
		list, err := q.results.List(ctx)
		if errors.Is(err, jetstream.ErrNoObjectsFound) {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	broken := errors.New("the extractor broke (test)")
	_, _, err = d.PutResult(ctx, func(w io.Writer) error {
		io.WriteString(w, "twelve bytes")
		return broken
	})
	if err != broken {
		t.Errorf("PutResult: %v, want the writer's own error", err)
	}
	if n := stored(); n != 0 {
		t.Errorf("%d parts left after a failed write", n)
	}
	name, parts, err := d.PutResult(ctx, func(w io.Writer) error { _, err := io.WriteString(w, "twelve bytes"); return err })
	if err != nil || parts != 3 || stored() != 3 {
		t.Fatalf("PutResult: %d parts, %v", parts, err)
	}
	q.DeleteResult(ctx, name, parts)
	if n := stored(); n != 0 {
		t.Errorf("%d parts left after DeleteResult", n)
	}
	if err := d.Later(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if d, err = q.Next(ctx); err != nil {
		t.Fatal(err)
	}
	if err := d.Done(ctx, Result{Object: name, Parts: parts}, nil); err != nil {
		t.Fatal(err)
	}
	rs, err := q.Results(ctx, 1, 5*time.Second)
	if err != nil || len(rs) != 1 {
		t.Fatalf("Results: %d, %v", len(rs), err)
	}
	if _, err := rs[0].Open(ctx); !errors.Is(err, jetstream.ErrObjectNotFound) {
		t.Errorf("opening a payload that is gone: %v, want ErrObjectNotFound", err)
	}
	if err := rs[0].Later(time.Millisecond); err != nil {
		t.Errorf("Later: %v", err)
	}
}

func TestWaitReason(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("storing: %w", syscall.ENOSPC), WaitingForDisk + " ("},
		{errors.New("nats: insufficient resources"), WaitingForDisk},
		{errors.New("nats: timeout"), "waiting for the queue (nats: timeout); it goes on by itself"},
	}
	for _, tt := range tests {
		if got := WaitReason(tt.err); !strings.HasPrefix(got, tt.want) {
			t.Errorf("WaitReason(%v) = %q, want it to begin %q", tt.err, got, tt.want)
		}
	}
}
