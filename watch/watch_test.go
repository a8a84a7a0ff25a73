package watch

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// inbox runs a watcher on a new folder until the test ends and returns
// the folder and the files handed on, in order. fail, when set, decides
// which hand-overs fn refuses.
func inbox(t *testing.T, setup func(root string), fail func(File) bool) (string, <-chan File) {
	t.Helper()
	root := t.TempDir()
	if setup != nil {
		setup(root)
	}
	got := make(chan File, 100)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	w := &Watcher{Root: root, Settle: 250 * time.Millisecond, Rescan: 300 * time.Millisecond, Log: slog.New(slog.DiscardHandler)}
	go func() {
		done <- w.Run(ctx, func(_ context.Context, f File) error {
			got <- f
			if fail != nil && fail(f) {
				return errors.New("not now (test)")
			}
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return root, got
}

// next waits for the next file handed on.
func next(t *testing.T, got <-chan File) File {
	t.Helper()
	select {
	case f := <-got:
		return f
	case <-time.After(10 * time.Second):
		t.Fatal("no file was handed on")
		return File{}
	}
}

// until collects files handed on up to and including the one at rel.
func until(t *testing.T, got <-chan File, rel string) []string {
	t.Helper()
	var rels []string
	for {
		f := next(t, got)
		rels = append(rels, f.Rel)
		if f.Rel == rel {
			return rels
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Files already there are handed on once each, with their sidecars;
// names that are never research material, folders of them and symlinks
// leading out of the inbox are not.
func TestFilesAtStart(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	write(t, outside, "not yours")
	root, got := inbox(t, func(root string) {
		for _, name := range []string{"a.txt", "a.txt.meta.yaml", "cfo/b.md", ".hidden", "~$lock.docx", "notes.txt~",
			"#draft#", "Thumbs.db", "x.pdf.part", "y.crdownload", ".git/config", "deep/.cache/c.txt", "deep/er/d.csv"} {
			write(t, filepath.Join(root, name), "content of "+name)
		}
		if err := os.Symlink(filepath.Join(root, "a.txt"), filepath.Join(root, "link-in.txt")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(root, "link-out.txt")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(root, "gone.txt"), filepath.Join(root, "dangling.txt")); err != nil {
			t.Fatal(err)
		}
	}, nil)
	want := []string{"a.txt", "a.txt.meta.yaml", "cfo/b.md", "deep/er/d.csv", "link-in.txt"}
	var rels []string
	files := map[string]File{}
	for range want {
		f := next(t, got)
		rels = append(rels, f.Rel)
		files[f.Rel] = f
	}
	slices.Sort(rels)
	if !slices.Equal(rels, want) {
		t.Fatalf("handed on %v, want %v", rels, want)
	}
	if f := files["a.txt.meta.yaml"]; !f.Sidecar || files["a.txt"].Sidecar {
		t.Errorf("sidecar flags: %+v, %+v", f, files["a.txt"])
	}
	a := files["a.txt"]
	info, _ := os.Stat(filepath.Join(root, "a.txt"))
	if a.Size != int64(len("content of a.txt")) || !a.ModTime.Equal(info.ModTime()) || !filepath.IsAbs(a.Path) {
		t.Errorf("a.txt: %+v", a)
	}
	// A file written after them arrives next: nothing else was handed
	// on, and nothing again after rescans.
	write(t, filepath.Join(root, "marker.txt"), "m")
	if rels := until(t, got, "marker.txt"); len(rels) != 1 {
		t.Errorf("handed on before the marker: %v", rels[:len(rels)-1])
	}
}

// New files, in new folders too, are handed on once they stop changing;
// a changed file is handed on again, an unchanged one not; a file
// removed and written again is new.
func TestChanges(t *testing.T) {
	root, got := inbox(t, nil, nil)
	write(t, filepath.Join(root, "a.txt"), "one")
	if f := next(t, got); f.Rel != "a.txt" || f.Size != 3 {
		t.Fatalf("first file %+v", f)
	}
	write(t, filepath.Join(root, "new/folder/b.txt"), "two")
	if f := next(t, got); f.Rel != "new/folder/b.txt" {
		t.Fatalf("a file in a new folder: %+v", f)
	}
	// Written in steps much faster than it settles: handed on once, whole.
	path := filepath.Join(root, "growing.txt")
	content := ""
	for i := range 5 {
		content += "more "
		write(t, path, content)
		if i < 4 {
			time.Sleep(40 * time.Millisecond) // a writer still at work
		}
	}
	if f := next(t, got); f.Rel != "growing.txt" || f.Size != int64(len(content)) {
		t.Fatalf("a file written in steps: %+v, want it whole (%d bytes)", f, len(content))
	}
	write(t, filepath.Join(root, "a.txt"), "one, changed")
	if f := next(t, got); f.Rel != "a.txt" || f.Size != int64(len("one, changed")) {
		t.Fatalf("a changed file: %+v", f)
	}
	if err := os.Remove(filepath.Join(root, "new/folder/b.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "marker-1.txt"), "m")
	if rels := until(t, got, "marker-1.txt"); len(rels) != 1 {
		t.Errorf("handed on again without a change: %v", rels[:len(rels)-1])
	}
	write(t, filepath.Join(root, "new/folder/b.txt"), "two")
	if f := next(t, got); f.Rel != "new/folder/b.txt" {
		t.Errorf("a file written again after its removal: %+v", f)
	}
}

// A file fn could not take is handed on again by the next rescan, until
// fn takes it.
func TestRefusedFilesComeBack(t *testing.T) {
	var refusals atomic.Int32
	root, got := inbox(t, nil, func(f File) bool { return f.Rel == "a.txt" && refusals.Add(1) <= 2 })
	write(t, filepath.Join(root, "a.txt"), "one")
	for i := range 3 {
		if f := next(t, got); f.Rel != "a.txt" {
			t.Fatalf("hand-over %d: %+v", i+1, f)
		}
	}
	write(t, filepath.Join(root, "marker.txt"), "m")
	if rels := until(t, got, "marker.txt"); len(rels) != 1 {
		t.Errorf("handed on after fn took it: %v", rels[:len(rels)-1])
	}
}

// The inbox is created when missing; a root that cannot be one fails.
func TestRoot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "inbox")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w := &Watcher{Root: dir}
	if err := w.Run(ctx, func(context.Context, File) error { return nil }); err != nil {
		t.Fatalf("Run on a new folder: %v", err)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Errorf("the inbox was not created: %v", err)
	}
	file := filepath.Join(t.TempDir(), "file")
	write(t, file, "x")
	w = &Watcher{Root: file}
	if err := w.Run(ctx, func(context.Context, File) error { return nil }); err == nil {
		t.Error("Run on a file: no error")
	}
}

func TestIgnored(t *testing.T) {
	tests := map[string]bool{
		"interview.txt": false, "a.txt.meta.yaml": false, "Thumbs.db": true, "desktop.ini": true, "": true,
		".DS_Store": true, "~$report.docx": true, "~tmp": true, "notes.txt~": true, "#notes.txt#": true, "#1 interview.txt": false,
		"video.mp4.part": true, "x.PARTIAL": true, "x.crdownload": true, "x.download": true, "x.tmp": true, "x.swp": true,
		"x.lock": true, "x.lck": true, "x.!ut": true, "x.opdownload": true, "lock.txt": false,
	}
	for name, want := range tests {
		if got := Ignored(name); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestWithin(t *testing.T) {
	root := filepath.FromSlash("/data/inbox")
	tests := map[string]bool{
		"/data/inbox":            true,
		"/data/inbox/a.txt":      true,
		"/data/inbox/sub/a.txt":  true,
		"/data/inbox/..a/b.txt":  true,
		"/data/inbox2/a.txt":     false,
		"/data/a.txt":            false,
		"/data/inbox/../x/a.txt": false,
		"/etc/passwd":            false,
	}
	for path, want := range tests {
		if got := Within(root, filepath.Clean(filepath.FromSlash(path))); got != want {
			t.Errorf("Within(%s, %s) = %v, want %v", root, path, got, want)
		}
	}
}
