//go:build !linux

package watch

import "errors"

// closeWatcher reports files closed after writing where the platform tells
// (Linux); elsewhere the settle time alone decides.
type closeWatcher struct{}

func newCloseWatcher() (*closeWatcher, error) {
	return nil, errors.New("no close-after-write events on this platform")
}

func (cw *closeWatcher) events() <-chan string { return nil }
func (cw *closeWatcher) add(string) error      { return nil }
func (cw *closeWatcher) close() error          { return nil }
