package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrLocked is returned by Open when another process holds the data folder.
var ErrLocked = errors.New("the data folder is in use by another evident process")

const (
	lockFile   = "evident.lock"
	holderFile = "serve.json"
)

// Lock takes the data folder's lock file, or returns an error wrapping
// ErrLocked that names the process holding it. The lock is an flock, so
// it goes with the process however it ends. Only writers take it; a
// reader that looks whether it is held (Held) holds it for a moment, which
// Lock waits out.
func Lock(data string) (*os.File, error) {
	deadline := time.Now().Add(time.Second)
	for {
		f, err := tryLock(data)
		if !errors.Is(err, ErrLocked) || time.Now().After(deadline) {
			return f, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tryLock(data string) (*os.File, error) {
	if err := privateDir(data); err != nil {
		return nil, err
	}
	path := filepath.Join(data, lockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("data folder %s: %w", data, err)
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid, _ := os.ReadFile(path)
			if p := strings.TrimSpace(string(pid)); p != "" {
				return nil, fmt.Errorf("%w (%s, pid %s)", ErrLocked, data, p)
			}
			return nil, fmt.Errorf("%w (%s)", ErrLocked, data)
		}
		return nil, fmt.Errorf("data folder %s: lock: %w", data, err)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return f, nil
}

// Held reports whether a writer holds the data folder: a reader then asks
// its API, when it has one (FindHolder).
func Held(data string) bool {
	f, err := os.Open(filepath.Join(data, lockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return errors.Is(err, syscall.EWOULDBLOCK)
	}
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return false
}

// Holder is what the process holding a data folder tells other commands:
// where its HTTP API answers, and the token it asks for, if any. Whoever
// can read the data folder can read everything in it anyway, so the token
// may sit there; the file is private to its owner all the same.
type Holder struct {
	HTTP  string `json:"http"` // base URL, http://127.0.0.1:7474
	NATS  string `json:"nats,omitempty"`
	Token string `json:"token,omitempty"`
	PID   int    `json:"pid"`
}

// Announce records where this process's API answers. Call it only while
// holding the lock; Close removes the record.
func (e *Engine) Announce(h Holder) error {
	h.PID = os.Getpid()
	data, err := json.Marshal(h)
	if err != nil {
		return err
	}
	tmp := filepath.Join(e.opts.Data, holderFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("data folder %s: %w", e.opts.Data, err)
	}
	e.announced = true
	return os.Rename(tmp, filepath.Join(e.opts.Data, holderFile))
}

// FindHolder returns the API of the process holding the data folder. It
// fails when no record exists, which happens while a holder starts up or
// when the holder is a command that serves no API.
func FindHolder(data string) (Holder, error) {
	var h Holder
	b, err := os.ReadFile(filepath.Join(data, holderFile))
	if err != nil {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("%s: %w", filepath.Join(data, holderFile), err)
	}
	return h, nil
}

func (e *Engine) unannounce() {
	if e.announced {
		os.Remove(filepath.Join(e.opts.Data, holderFile))
	}
}
