package engine

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/extract"
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
				{"index/current", 0o600}, // names the generation in force; the walk below checks its files
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
	if nc, err := queue.Dial(queue.DialOptions{URL: url, Name: "test"}); err == nil {
		nc.Close()
		t.Error("a client without the token connected")
	}
	nc, err := queue.Dial(queue.DialOptions{URL: url, Token: token, Name: "test"})
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
		nc, err := queue.Dial(queue.DialOptions{URL: e.NATSURL(), Token: tt.want, Name: "test"})
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

// Files are checked when they are opened, not only when the inbox is
// scanned: a symlink is read only when its real path is inside the
// folder it was found in, and a named pipe or a device is refused at
// once, without the open that would wait for a writer.
func TestSubmitChecksFilesWhenOpened(t *testing.T) {
	e := start(t, Options{})
	root := t.TempDir() // a folder the test fills, as if it were the inbox
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "secret.txt"), []byte("The payroll of the wombat division.\n"))
	writeFile(t, filepath.Join(root, "notes.txt"), []byte("The controller reads the budget.\n"))
	writeFile(t, filepath.Join(root, "piped.txt"), []byte("The controller reads the forecast.\n"))
	for _, link := range []struct{ target, name string }{
		{filepath.Join(outside, "secret.txt"), "out.txt"},
		{filepath.Join(root, "notes.txt"), "in.txt"},
		{outside, "away"},
	} {
		if err := os.Symlink(link.target, filepath.Join(root, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, fifo := range []string{"pipe.txt", "piped.txt" + evident.SidecarSuffix} {
		if err := syscall.Mkfifo(filepath.Join(root, fifo), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, path string
		inbox      bool   // submitted as an inbox file, with Root set
		want       string // "" for success, else what the refusal says
	}{
		{"a regular file", "notes.txt", true, ""},
		{"a symlink inside the inbox", "in.txt", true, ""},
		{"a symlink out of the inbox", "out.txt", true, "outside the inbox"},
		{"a file in a folder linked out of the inbox", "away/secret.txt", true, "is outside the inbox"},
		{"a named pipe in the inbox", "pipe.txt", true, "it is a named pipe (FIFO), not a file"},
		{"a named pipe given to evident ingest", "pipe.txt", false, "it is a named pipe (FIFO), not a file"},
		{"a device given to evident ingest", "/dev/null", false, "it is a device, not a file"},
		{"a symlink out given to evident ingest", "out.txt", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, from := api.Submission{Path: tt.path}, found{}
			if !filepath.IsAbs(tt.path) {
				src.Path = filepath.Join(root, tt.path)
			}
			if tt.inbox {
				from.Root, src.Origin = root, "inbox/"+tt.path
			}
			err := submitWithin(t, e, src, from, 5*time.Second)
			if tt.want == "" {
				if err != nil {
					t.Errorf("Submit: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrNotAFile) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Submit: %v; want a refusal saying %q", err, tt.want)
			}
		})
	}
	// A sidecar that is a named pipe fails its document with the reason,
	// and the inbox goes on.
	if err := submitWithin(t, e, api.Submission{Path: filepath.Join(root, "piped.txt"), Origin: "inbox/piped.txt"}, found{Root: root}, 5*time.Second); err != nil {
		t.Fatalf("Submit with a named pipe for a sidecar: %v", err)
	}
	d := e.waitEnded(wait, "piped.txt")["piped.txt"]
	if d.State != evident.Failed || !strings.Contains(d.Error, "sidecar piped.txt.meta.yaml: it is a named pipe") {
		t.Errorf("piped.txt: %s (%s)", d.State, d.Error)
	}
	if hits := e.search("wombat").Hits; len(hits) != 0 {
		t.Errorf("a file outside the inbox was read: %+v", hits)
	}
}

// submitWithin submits src and fails the test if Submit does not return
// within limit (a named pipe opened for reading waits for a writer).
func submitWithin(t *testing.T, e *running, src api.Submission, from found, limit time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := e.submit(context.Background(), src, from)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Submit(%s) still waits after %s", src.Path, limit)
		return nil
	}
}

// Every log line about a document names it by its hash and its file,
// whichever part of the pipeline writes it.
func TestLogLinesNameTheirDocument(t *testing.T) {
	formats := extract.Default().With(extract.Format{Name: "boom", Exts: []string{".boom"}, Extractor: panicky{}})
	e := start(t, Options{Formats: formats, Queue: queue.Config{MaxAttempts: 2}})
	e.drop("crashes.boom", "anything at all")
	e.drop("empty-note.txt", "")
	e.drop("good-note.txt", "The treasurer reads the budget every morning.\n")
	e.waitEnded(wait, "crashes.boom", "empty-note.txt", "good-note.txt")
	if n := e.logs.checkDocLines(t, e.docs()); n < 4 {
		t.Errorf("only %d log lines about the documents", n)
	}
}
