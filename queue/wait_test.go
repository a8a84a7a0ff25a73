package queue

import (
	"errors"
	"fmt"
	"syscall"
	"testing"
	"time"
)

func TestIsNoSpace(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("write x.zap: %w", syscall.ENOSPC), true},
		{errors.New("database or disk is full"), true},
		{errors.New("write /data/jetstream/1.blk: no space left on device"), true},
		{errors.New("nats: insufficient resources"), true},
		{errors.New("nats: timeout"), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsNoSpace(tt.err); got != tt.want {
			t.Errorf("IsNoSpace(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range map[int]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 5: MaxBackoff, 100: MaxBackoff} {
		if got := Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}
