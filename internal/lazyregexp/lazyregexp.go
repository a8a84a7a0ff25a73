// Package lazyregexp compiles a package's patterns the first time they are
// used rather than when the program starts, as the Go tree's own
// internal/lazyregexp does: most commands (search, status, show) never
// extract, split passages or find speakers, and compiling those packages'
// patterns at init cost every command a few milliseconds.
package lazyregexp

import (
	"regexp"
	"sync"
)

// New returns a function that compiles pattern on its first call and
// returns the same *regexp.Regexp on every call. It panics, as
// regexp.MustCompile does, if the pattern is invalid; the tests of each
// package using it call every pattern at least once.
func New(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
