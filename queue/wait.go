package queue

import (
	"errors"
	"strings"
	"syscall"
	"time"
)

// Backoff is how long to wait before the nth try of something the queue
// or the disk refused: one second, doubling, at most MaxBackoff, so that
// work goes on soon after space returns however long the disk was full.
func Backoff(n int) time.Duration {
	d := time.Second
	for i := 1; i < n && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

// MaxBackoff is the longest wait between two tries of something the
// queue or the disk refused.
const MaxBackoff = 10 * time.Second

// IsNoSpace reports whether err says a disk is full: ENOSPC, or the words
// of the libraries that hide it (SQLite's "database or disk is full",
// JetStream's "insufficient resources" and "no space left").
func IsNoSpace(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return true
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"no space left", "disk is full", "disk quota exceeded", "insufficient resources", "insufficient storage"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// WaitingForDisk begins the reason of a document that waits for disk
// space: it goes on by itself when space returns.
const WaitingForDisk = "waiting for disk space"

// WaitReason says why a document waits after err kept the queue from
// recording its progress.
func WaitReason(err error) string {
	if IsNoSpace(err) {
		return WaitingForDisk + " (" + err.Error() + "); it goes on by itself when space returns"
	}
	return "waiting for the queue (" + err.Error() + "); it goes on by itself"
}
