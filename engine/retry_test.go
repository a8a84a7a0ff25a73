package engine

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
)

// Retry runs documents again by name, or every failed one: one whose
// bytes are stored is queued again at once, one whose bytes were never
// stored is read again from its file, one with neither is left with the
// reason, and an unknown name is not found.
func TestRetry(t *testing.T) {
	r := start(t, Options{})
	ctx := context.Background()
	r.drop("good.txt", "Dana: Closing the books takes nine days every month and I dread it.\n")
	r.drop("image.txt", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	r.drop("empty.txt", "")
	ended := r.waitEnded(30*time.Second, "good.txt", "image.txt", "empty.txt")
	for rel, want := range map[string]evident.State{"good.txt": evident.Indexed, "image.txt": evident.Failed, "empty.txt": evident.Failed} {
		if ended[rel].State != want {
			t.Fatalf("%s ended %s (%s), want %s", rel, ended[rel].State, ended[rel].Error, want)
		}
	}

	if _, err := r.Retry(ctx, []string{"nope.txt"}, false); api.KindOf(err) != api.NotFound {
		t.Errorf("retrying an unknown document: %v, want ErrNotFound", err)
	}

	// good.txt by name, the two failed ones with failed: the empty file's
	// bytes were never stored, so it is read again from the inbox (and
	// fails again at once).
	got, err := r.Retry(ctx, []string{"good.txt"}, true)
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]evident.State{}
	for _, d := range got.Queued {
		queued[d.File] = d.State
	}
	// A worker may have taken good.txt and image.txt by the time Retry
	// reads them back: their runs, below, tell that they ran again.
	if _, ok := queued["good.txt"]; !ok || len(queued) != 3 || queued["empty.txt"] != evident.Failed || len(got.Skipped) != 0 {
		t.Errorf("Retry: queued %v, skipped %+v; want good.txt, image.txt and empty.txt (failed again)", queued, got.Skipped)
	}
	again := r.waitEnded(30*time.Second, "good.txt", "image.txt")
	if again["good.txt"].State != evident.Indexed || again["image.txt"].State != evident.Failed {
		t.Errorf("after the retry: %s", describe([]evident.Document{again["good.txt"], again["image.txt"]}))
	}
	for _, rel := range []string{"good.txt", "image.txt"} {
		if j, err := r.store.Job(ctx, again[rel].SHA256); err != nil || j.Run != 2 {
			t.Errorf("%s: run %d after a retry (%v), want 2", rel, j.Run, err)
		}
	}

	// Neither stored bytes nor a file: left as it is, with the reason.
	if err := os.Remove(r.inbox("empty.txt")); err != nil {
		t.Fatal(err)
	}
	got, err = r.Retry(ctx, []string{"empty.txt"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Queued) != 0 || len(got.Skipped) != 1 || !strings.Contains(got.Skipped[0].Reason, "original bytes are not in the queue's store") {
		t.Errorf("retrying a file that is gone: %+v", got)
	}
}

// The data folder's lock and the record of where its holder answers.
func TestHolder(t *testing.T) {
	r := start(t, Options{})
	if !Held(r.opts.Data) {
		t.Error("the running engine's data folder is not held")
	}
	if Held(t.TempDir()) {
		t.Error("a folder nobody holds is held")
	}
	if _, err := FindHolder(r.opts.Data); err == nil {
		t.Error("a holder found before it announced itself")
	}
	if err := r.Announce(Holder{HTTP: "http://127.0.0.1:7474", Token: "t0k"}); err != nil {
		t.Fatal(err)
	}
	h, err := FindHolder(r.opts.Data)
	if err != nil || h.HTTP != "http://127.0.0.1:7474" || h.Token != "t0k" || h.PID != os.Getpid() {
		t.Errorf("FindHolder: %+v, %v", h, err)
	}
	if _, err := Lock(r.opts.Data); !errors.Is(err, ErrLocked) {
		t.Errorf("a second writer took the lock: %v", err)
	}
}

func TestParseCells(t *testing.T) {
	tests := []struct {
		in   string
		want map[string]string
		err  bool
	}{
		{"pricing=PAINS,word of mouth=hear", map[string]string{"pricing": "PAINS", "word of mouth": "HEAR"}, false},
		{" Pricing = pains , ", map[string]string{"pricing": "PAINS"}, false},
		{"", map[string]string{}, false},
		{"pricing", nil, true},
		{"=PAINS", nil, true},
		{"pricing=", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseCells(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseCells(%q): %v", tt.in, err)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("ParseCells(%q) = %v, want %v", tt.in, got, tt.want)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ParseCells(%q) = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1.0 KiB", 5 << 20: "5.0 MiB", 3 << 29: "1.5 GiB"} {
		if got := api.HumanSize(n); got != want {
			t.Errorf("HumanSize(%d) = %q, want %q", n, got, want)
		}
	}
}
