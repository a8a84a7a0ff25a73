// Package watch watches the inbox: a folder tree for files to ingest. fsnotify events
// only trigger a look: the tree is also rescanned at start-up and now and
// then (fsnotify is not recursive and drops events under load), and a file
// is handed on only once its size and modification time have stayed the
// same for a moment, so half-written files are never read.
package watch

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/evident/evident"
)

// File is a settled file in the inbox.
type File struct {
	Path    string // absolute
	Rel     string // relative to the inbox, with forward slashes
	Size    int64
	ModTime time.Time
	Sidecar bool // a .meta.yaml file describing its neighbour
}

// Watcher watches one inbox folder.
type Watcher struct {
	Root   string
	Settle time.Duration // unchanged this long means written (default 1s)
	Rescan time.Duration // full rescan interval (default 30s)
	Log    *slog.Logger
}

type stamp struct {
	size  int64
	mtime time.Time
}

type pending struct {
	stamp
	since time.Time
}

// Run watches until ctx ends, calling fn once for every file that is new or
// changed since it was last handed on. fn runs on its own goroutine, one
// file at a time, so a slow submission does not stall the watching. A file
// for which fn returns an error is handed on again by the next rescan.
func (w *Watcher) Run(ctx context.Context, fn func(context.Context, File) error) error {
	root, err := filepath.Abs(w.Root)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	if root, err = filepath.EvalSymlinks(root); err != nil {
		return err
	}
	settle, rescan := w.Settle, w.Rescan
	if settle <= 0 {
		settle = time.Second
	}
	if rescan <= 0 {
		rescan = 30 * time.Second
	}
	log := w.Log
	if log == nil {
		log = slog.Default()
	}
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer fw.Close()

	out := make(chan File, 1024)
	failed := make(chan File, 1024) // files fn could not take: forget them
	done := make(chan struct{})
	go func() {
		defer close(done)
		for f := range out {
			if err := fn(ctx, f); err != nil && ctx.Err() == nil {
				select {
				case failed <- f:
				default: // the next start sees it again
				}
			}
		}
	}()
	defer func() { close(out); <-done }()

	seen := map[string]stamp{}
	waiting := map[string]*pending{}
	consider := func(path string, info fs.FileInfo) {
		st := stamp{info.Size(), info.ModTime()}
		if s, ok := seen[path]; ok && s == st {
			delete(waiting, path)
			return
		}
		if p, ok := waiting[path]; ok && p.stamp == st {
			return
		}
		waiting[path] = &pending{stamp: st, since: time.Now()}
	}
	var scan func(dir string)
	scan = func(dir string) {
		filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // vanished or unreadable: the next scan will tell
			}
			if path != dir && Ignored(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if err := fw.Add(path); err != nil {
					log.Warn("inbox: cannot watch folder", "dir", path, "err", err)
				}
				return nil
			}
			info, ok := w.regular(root, path, d)
			if ok {
				consider(path, info)
			}
			return nil
		})
	}
	scan(root)

	tick := time.NewTicker(max(settle/4, 50*time.Millisecond))
	defer tick.Stop()
	full := time.NewTicker(rescan)
	defer full.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("inbox: watcher closed")
			}
			if Ignored(filepath.Base(ev.Name)) {
				continue
			}
			if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
				delete(waiting, ev.Name)
				delete(seen, ev.Name)
				continue
			}
			info, err := os.Lstat(ev.Name)
			if err != nil {
				continue
			}
			if info.IsDir() {
				scan(ev.Name) // new folder: watch it and pick up what is already inside
				continue
			}
			if info, ok := w.regular(root, ev.Name, fs.FileInfoToDirEntry(info)); ok {
				consider(ev.Name, info)
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return errors.New("inbox: watcher closed")
			}
			log.Warn("inbox: watch error; rescanning", "err", err)
			scan(root)
		case f := <-failed:
			if s, ok := seen[f.Path]; ok && s == (stamp{f.Size, f.ModTime}) {
				delete(seen, f.Path)
			}
		case <-full.C:
			scan(root)
		case now := <-tick.C:
			for path, p := range waiting {
				info, err := os.Stat(path)
				if err != nil {
					delete(waiting, path)
					continue
				}
				st := stamp{info.Size(), info.ModTime()}
				if st != p.stamp {
					p.stamp, p.since = st, now
					continue
				}
				if now.Sub(p.since) < settle {
					continue
				}
				delete(waiting, path)
				seen[path] = st
				rel, _ := filepath.Rel(root, path)
				f := File{Path: path, Rel: filepath.ToSlash(rel), Size: st.size, ModTime: st.mtime,
					Sidecar: strings.HasSuffix(path, evident.SidecarSuffix)}
				select {
				case out <- f:
				case <-ctx.Done():
					return nil
				}
			}
		}
	}
}

// regular returns the file info of a regular file, following a symlink only
// when its target stays inside the inbox.
func (w *Watcher) regular(root, path string, d fs.DirEntry) (fs.FileInfo, bool) {
	if d.Type()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(path)
		if err != nil || !Within(root, target) {
			return nil, false
		}
		info, err := os.Stat(target)
		if err != nil || !info.Mode().IsRegular() {
			return nil, false
		}
		return info, true
	}
	if !d.Type().IsRegular() {
		return nil, false
	}
	info, err := d.Info()
	if err != nil {
		return nil, false
	}
	return info, true
}

// Within reports whether path lies inside root (both absolute and clean).
func Within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Ignored reports names that are never research material: hidden files,
// editor swap and backup files, Office lock files, partial downloads.
func Ignored(name string) bool {
	lower := strings.ToLower(name)
	switch {
	case name == "" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || strings.HasPrefix(name, "~"):
		return true
	case strings.HasSuffix(name, "~") || strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"):
		return true
	case lower == "thumbs.db" || lower == "desktop.ini" || lower == "icon\r":
		return true
	}
	for _, ext := range []string{".part", ".partial", ".crdownload", ".download", ".tmp", ".temp", ".swp", ".swo", ".swx", ".lock", ".lck", ".!ut", ".opdownload"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}
