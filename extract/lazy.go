package extract

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles a pattern the first time it is used rather than when
// the program starts: most commands (search, status, show) never extract,
// and compiling the package's patterns cost every one of them about 2 ms.
func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}
