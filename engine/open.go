package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/evident/evident/watch"
)

// ErrNotAFile matches the errors of files that are refused before their
// bytes are read: not a regular file, or not inside the inbox they were
// found in. Trying again does not help.
var ErrNotAFile = errors.New("not a file Evident reads")

// refusal is a file refused before its bytes are read; it matches
// ErrNotAFile.
type refusal struct{ path, why string }

func (r *refusal) Error() string        { return r.path + ": " + r.why }
func (r *refusal) Is(target error) bool { return target == ErrNotAFile }

// openSource opens a file to submit. A named pipe, device, socket or
// folder is refused before it is opened (opening a named pipe waits for
// a writer). With root set (the inbox, absolute and with its symlinks
// resolved) the file must lie inside root when it is opened: a symlink
// is followed only to its real path inside root, the final component is
// opened without following a symlink (one swapped in meanwhile fails),
// and the real path is resolved again after opening and must be inside
// root and be the file opened.
func openSource(path, root string) (*os.File, fs.FileInfo, error) {
	stat := os.Stat
	if root != "" {
		stat = os.Lstat
	}
	info, err := stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	open := path
	if root != "" && info.Mode()&fs.ModeSymlink != 0 {
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if !watch.Within(root, real) {
			return nil, nil, &refusal{path, "it links to " + real + ", outside the inbox"}
		}
		if info, err = os.Lstat(real); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		open = real
	}
	if !info.Mode().IsRegular() {
		return nil, nil, NotAFile(path, info.Mode())
	}
	flags := os.O_RDONLY | syscall.O_NONBLOCK // a pipe swapped in meanwhile must not block
	if root != "" {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(open, flags, 0)
	if errors.Is(err, syscall.ELOOP) {
		return nil, nil, &refusal{path, "it became a symlink while being opened"}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
		}
	}()
	if info, err = f.Stat(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, nil, NotAFile(path, info.Mode())
	}
	if root != "" {
		real, err := filepath.EvalSymlinks(open)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if !watch.Within(root, real) {
			return nil, nil, &refusal{path, "its real path " + real + " is outside the inbox"}
		}
		now, err := os.Stat(real)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		if !os.SameFile(info, now) {
			return nil, nil, &refusal{path, "it was moved or replaced while being opened"}
		}
	}
	ok = true
	return f, info, nil
}

// NotAFile returns nil for a regular file, and for anything else an error
// matching ErrNotAFile that says what it is.
func NotAFile(path string, mode fs.FileMode) error {
	if mode.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case mode.IsDir():
		what = "a folder"
	case mode&fs.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		what = "a socket"
	case mode&fs.ModeDevice != 0:
		what = "a device"
	case mode&fs.ModeSymlink != 0:
		what = "a symlink"
	}
	return &refusal{path, "it is " + what + ", not a file; only regular files are read"}
}
