package watch

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// handed runs a watcher on a fresh inbox and collects what it hands on.
type handed struct {
	root  string
	files chan File
}

func run(t *testing.T, w Watcher) *handed {
	t.Helper()
	h := &handed{root: t.TempDir(), files: make(chan File, 64)}
	w.Root = h.root
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, func(_ context.Context, f File) error {
			h.files <- f
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	time.Sleep(100 * time.Millisecond) // the first scan has set the watches
	return h
}

// next waits for the next file handed on.
func (h *handed) next(t *testing.T, within time.Duration) (File, time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case f := <-h.files:
		return f, time.Since(start)
	case <-time.After(within):
		t.Fatalf("nothing handed on within %v", within)
		return File{}, 0
	}
}

// none checks that nothing more is handed on for a while.
func (h *handed) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case f := <-h.files:
		t.Errorf("%s handed on again (%d bytes)", f.Rel, f.Size)
	case <-time.After(d):
	}
}

// A file its writer has closed is handed on at once, not after the settle
// time; so is a file moved in. Where the platform does not report closes,
// the settle time decides.
func TestFinishedWriteIsHandedOnSoon(t *testing.T) {
	const settle = 2 * time.Second
	soon := settle / 2
	if runtime.GOOS != "linux" {
		soon = 2 * settle
	}
	tests := []struct {
		name  string
		write func(t *testing.T, root string) string
	}{
		{"written and closed", func(t *testing.T, root string) string {
			p := filepath.Join(root, "notes.txt")
			if err := os.WriteFile(p, []byte("The whole note.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"moved in", func(t *testing.T, root string) string {
			tmp := filepath.Join(root, ".notes.txt.tmp")
			if err := os.WriteFile(tmp, []byte("The whole note.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(root, "moved.txt")
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"in a new folder", func(t *testing.T, root string) string {
			dir := filepath.Join(root, "cfo")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond) // the folder's watch is set
			p := filepath.Join(dir, "notes.txt")
			if err := os.WriteFile(p, []byte("The whole note.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := run(t, Watcher{Settle: settle})
			p := tt.write(t, h.root)
			f, took := h.next(t, 3*settle)
			if f.Path != p || f.Size != int64(len("The whole note.\n")) {
				t.Errorf("handed on %s (%d bytes), want %s whole", f.Path, f.Size, p)
			}
			t.Logf("handed on after %v", took)
			if took > soon {
				t.Errorf("handed on after %v, want under %v", took, soon)
			}
			h.none(t, settle+500*time.Millisecond)
		})
	}
}

// A file written slowly in pieces, with pauses longer than the quiet time
// after a close but shorter than the settle time, is handed on once, whole:
// it is never closed before its end, and never unchanged for the settle
// time.
func TestSlowWriteIsHandedOnOnceWhole(t *testing.T) {
	const settle = 800 * time.Millisecond
	h := run(t, Watcher{Settle: settle, Quiet: 50 * time.Millisecond})
	p := filepath.Join(h.root, "slow.txt")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	pieces := []string{"one ", "two ", "three ", "four ", "five ", "six\n"}
	for i, piece := range pieces {
		if i > 0 {
			time.Sleep(settle / 4) // five times the quiet time
		}
		if _, err := f.WriteString(piece); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case got := <-h.files:
		t.Fatalf("handed on while open: %d bytes", got.Size)
	default:
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := h.next(t, 3*settle)
	whole := strings.Join(pieces, "")
	if got.Size != int64(len(whole)) {
		t.Errorf("handed on %d bytes, want the whole %d", got.Size, len(whole))
	}
	if b, err := os.ReadFile(got.Path); err != nil || string(b) != whole {
		t.Errorf("read %q, %v", b, err)
	}
	h.none(t, settle+500*time.Millisecond)
}

// A writer that closes and at once opens the file again to add more is
// still writing: the file is handed on once, with everything.
func TestReopenedWithinQuietIsHandedOnWhole(t *testing.T) {
	const settle = time.Second
	h := run(t, Watcher{Settle: settle, Quiet: 200 * time.Millisecond})
	p := filepath.Join(h.root, "appended.txt")
	var whole string
	for i := range 5 {
		piece := strings.Repeat("word ", 10*(i+1)) + "\n"
		whole += piece
		f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.WriteString(piece); err != nil {
			t.Fatal(err)
		}
		f.Close()
		time.Sleep(20 * time.Millisecond)
	}
	got, _ := h.next(t, 3*settle)
	if got.Size != int64(len(whole)) {
		t.Errorf("handed on %d bytes, want the whole %d", got.Size, len(whole))
	}
	h.none(t, settle+500*time.Millisecond)
}
