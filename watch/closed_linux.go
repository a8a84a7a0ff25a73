//go:build linux

package watch

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// closeWatcher reports the files that a writer closed and the files moved
// into a watched folder: inotify's IN_CLOSE_WRITE and IN_MOVED_TO, which
// fsnotify does not expose. Either says a write has finished, so the
// watcher need not wait out the settle time to know it.
type closeWatcher struct {
	f    *os.File
	fd   int
	done chan struct{}
	c    chan string

	mu   sync.Mutex
	dirs map[int32]string
}

func newCloseWatcher() (*closeWatcher, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, os.NewSyscallError("inotify_init1", err)
	}
	// Non-blocking, the file reads through the runtime's poller, so Close
	// ends a Read in progress.
	cw := &closeWatcher{f: os.NewFile(uintptr(fd), "inotify"), fd: fd, done: make(chan struct{}),
		c: make(chan string, 256), dirs: map[int32]string{}}
	go cw.read()
	return cw, nil
}

// events delivers the paths closed after writing or moved in.
func (cw *closeWatcher) events() <-chan string { return cw.c }

func (cw *closeWatcher) add(dir string) error {
	wd, err := unix.InotifyAddWatch(cw.fd, dir, unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO|unix.IN_ONLYDIR)
	if err != nil {
		return os.NewSyscallError("inotify_add_watch", err)
	}
	cw.mu.Lock()
	cw.dirs[int32(wd)] = dir
	cw.mu.Unlock()
	return nil
}

func (cw *closeWatcher) close() error {
	close(cw.done)
	return cw.f.Close()
}

func (cw *closeWatcher) read() {
	buf := make([]byte, 64<<10)
	for {
		n, err := cw.f.Read(buf)
		if err != nil {
			return // closed
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			wd := int32(binary.NativeEndian.Uint32(buf[off:]))
			mask := binary.NativeEndian.Uint32(buf[off+4:])
			size := int(binary.NativeEndian.Uint32(buf[off+12:]))
			name := buf[off+unix.SizeofInotifyEvent : min(n, off+unix.SizeofInotifyEvent+size)]
			off += unix.SizeofInotifyEvent + size
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			cw.mu.Lock()
			dir := cw.dirs[wd]
			if mask&unix.IN_IGNORED != 0 {
				delete(cw.dirs, wd) // the folder went away
			}
			cw.mu.Unlock()
			// An overflow loses events: the settle time and the rescans
			// still see every file.
			if dir == "" || len(name) == 0 || mask&(unix.IN_CLOSE_WRITE|unix.IN_MOVED_TO) == 0 {
				continue
			}
			select {
			case cw.c <- filepath.Join(dir, string(name)):
			case <-cw.done:
				return
			}
		}
	}
}
