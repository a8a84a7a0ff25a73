// Package watch watches the inbox: a folder tree for files to ingest. fsnotify events
// only trigger a look: the tree is also rescanned at start-up and now and
// then (fsnotify is not recursive and drops events under load), and a file
// is handed on only once its write has finished, so half-written files are
// never read: its writer closed it (or it was moved in) and its size and
// modification time stayed the same over two looks a short moment apart,
// or, where the platform does not report closes (not Linux) or the writer
// keeps the file open, they stayed the same for the settle time.
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
	// Quiet is how long a file closed by its writer must stay unchanged
	// to count as written (default 50ms): a writer that closes and opens
	// it again within it is still writing.
	Quiet  time.Duration
	Rescan time.Duration // full rescan interval (default 30s)
	Log    *slog.Logger
}

type stamp struct {
	size  int64
	mtime time.Time
}

type pending struct {
	stamp
	since  time.Time // when the stamp was first seen
	closed time.Time // when its writer closed it with this stamp; zero if not seen
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
	settle, quiet, rescan := w.Settle, w.Quiet, w.Rescan
	if settle <= 0 {
		settle = time.Second
	}
	if quiet <= 0 {
		quiet = 50 * time.Millisecond
	}
	quiet = min(quiet, settle)
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
	cw, err := newCloseWatcher()
	if err != nil {
		log.Debug("inbox: files count as written after the settle time", "err", err)
	} else {
		defer cw.close()
	}

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
				if cw != nil {
					if err := cw.add(path); err != nil {
						log.Debug("inbox: no close events for folder", "dir", path, "err", err)
					}
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

	// check hands on the waiting files whose write has finished: closed
	// and unchanged for quiet, or unchanged for settle. It returns whether
	// closed files are still waiting.
	check := func(now time.Time) (closedWaiting bool, err error) {
		for path, p := range waiting {
			info, err := os.Stat(path)
			if err != nil {
				delete(waiting, path)
				continue
			}
			st := stamp{info.Size(), info.ModTime()}
			if st != p.stamp {
				p.stamp, p.since, p.closed = st, now, time.Time{}
				continue
			}
			closed := !p.closed.IsZero()
			if !(closed && now.Sub(p.closed) >= quiet) && now.Sub(p.since) < settle {
				closedWaiting = closedWaiting || closed
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
				return false, ctx.Err()
			}
		}
		return closedWaiting, nil
	}

	tick := time.NewTicker(max(settle/4, 50*time.Millisecond))
	defer tick.Stop()
	full := time.NewTicker(rescan)
	defer full.Stop()
	// soon fires quiet after a close, so that a closed file need not wait
	// for the next tick.
	soon := time.NewTimer(time.Hour)
	soon.Stop()
	defer soon.Stop()
	soonArmed := false
	var closes <-chan string
	if cw != nil {
		closes = cw.events()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case path, ok := <-closes:
			if !ok {
				closes = nil
				continue
			}
			if Ignored(filepath.Base(path)) {
				continue
			}
			info, err := os.Lstat(path)
			if err != nil || info.IsDir() {
				continue
			}
			info, ok = w.regular(root, path, fs.FileInfoToDirEntry(info))
			if !ok {
				continue
			}
			consider(path, info)
			if p, ok := waiting[path]; ok {
				// Closed with the stamp just read; check it is still the
				// same a moment later.
				p.closed = time.Now()
				if !soonArmed {
					soon.Reset(quiet)
					soonArmed = true
				}
			}
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
		case now := <-soon.C:
			soonArmed = false
			more, err := check(now)
			if err != nil {
				return nil
			}
			if more {
				soon.Reset(quiet / 2)
				soonArmed = true
			}
		case now := <-tick.C:
			if _, err := check(now); err != nil {
				return nil
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
