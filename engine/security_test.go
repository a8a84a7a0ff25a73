package engine

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/evident/evident/queue"
)

// The data folder holds every document's text, the original bytes and the
// API token: its folders are 0700 and its files 0600, whether the folder
// is new or was left readable by all by an earlier version.
func TestDataFolderIsPrivate(t *testing.T) {
	tests := []struct {
		name  string
		loose bool // make everything readable by all before opening
	}{
		{"new folder", false},
		{"folder left open by an earlier version", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := t.TempDir()
			if tt.loose {
				e := start(t, Options{Data: data})
				e.drop("a.txt", "The finance director reads the budget twice.\n")
				e.waitIndexed(wait, "a.txt")
				e.stop()
				os.WriteFile(filepath.Join(data, "evident.db-wal"), nil, 0o644)
				// NATS always kept its own files private; the rest was
				// created readable by all.
				filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						return nil
					}
					os.Chmod(p, map[bool]fs.FileMode{true: 0o755, false: 0o644}[d.IsDir()])
					if d.Name() == "jetstream" {
						return filepath.SkipDir
					}
					return nil
				})
			}
			e := start(t, Options{Data: data})
			e.drop("b.txt", "The controller hears about forecasts every week.\n")
			e.waitIndexed(wait, "b.txt")
			if err := e.Announce(Holder{HTTP: "http://127.0.0.1:1", Token: "t"}); err != nil {
				t.Fatal(err)
			}
			for _, c := range []struct {
				path string
				want fs.FileMode
			}{
				{".", 0o700 | fs.ModeDir},
				{"evident.db", 0o600},
				{"evident.db-wal", 0o600},
				{"evident.db-shm", 0o600},
				{"evident.lock", 0o600},
				{"serve.json", 0o600},
				{"index", 0o700 | fs.ModeDir},
				{"index/evident-version", 0o600},
				{"index/bleve/index_meta.json", 0o600},
				{"jetstream", 0o700 | fs.ModeDir},
			} {
				info, err := os.Stat(filepath.Join(data, c.path))
				if err != nil {
					t.Errorf("%s: %v", c.path, err)
					continue
				}
				if got := info.Mode() & (fs.ModeDir | fs.ModePerm); got != c.want {
					t.Errorf("%s: mode %v, want %v", c.path, got, c.want)
				}
			}
			// Bleve's and NATS's own files are private too.
			filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil // a file NATS or Bleve replaced meanwhile
				}
				info, err := d.Info()
				if err != nil {
					return nil
				}
				if perm := info.Mode().Perm(); perm&0o077 != 0 {
					t.Errorf("%s: mode %v, readable by others", p, info.Mode())
				}
				return nil
			})
		})
	}
}

// With --nats-listen the embedded server requires a token, loopback or
// not: the one given, else one made on first use and kept in the data
// folder. The engine's own in-process connection carries it.
func TestNATSListenRequiresToken(t *testing.T) {
	data := t.TempDir()
	e := start(t, Options{Data: data, NATSListen: "127.0.0.1:0"})
	e.drop("a.txt", "The finance director reads the budget twice.\n")
	e.waitIndexed(wait, "a.txt")
	url := e.NATSURL()
	if url == "" {
		t.Fatal("the embedded server does not listen")
	}
	token, err := StoredNATSToken(data)
	if err != nil || len(token) < 20 {
		t.Fatalf("stored token %q, %v", token, err)
	}
	if info, err := os.Stat(filepath.Join(data, NATSTokenFile)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v, want mode 0600", NATSTokenFile, info.Mode(), err)
	}
	if nc, err := queue.Dial(url, "", "test"); err == nil {
		nc.Close()
		t.Error("a client without the token connected")
	}
	nc, err := queue.Dial(url, token, "test")
	if err != nil {
		t.Fatalf("with the stored token: %v", err)
	}
	nc.Close()
	e.stop()

	// The next start keeps the token; one given wins and is not stored.
	for _, tt := range []struct{ given, want string }{{"", token}, {"chosen-by-the-operator", "chosen-by-the-operator"}} {
		e := start(t, Options{Data: data, NATSListen: "127.0.0.1:0", NATSToken: tt.given})
		if err := e.Connect(context.Background()); err != nil {
			t.Fatal(err)
		}
		nc, err := queue.Dial(e.NATSURL(), tt.want, "test")
		if err != nil {
			t.Errorf("token %q: %v", tt.want, err)
		} else {
			nc.Close()
		}
		e.stop()
		if stored, _ := StoredNATSToken(data); stored != token {
			t.Errorf("the stored token changed from %q to %q", token, stored)
		}
	}
}
