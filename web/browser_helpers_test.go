package web

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium or Chrome binary: $EVIDENT_CHROMIUM, else the
// usual names on $PATH. Without one the browser tests are skipped, except
// in CI (when $CI is set), where a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("EVIDENT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium binary found; CI must install Debian's chromium package")
	}
	t.Skip("no chromium binary found (apt-get install chromium); browser tests skipped")
	return ""
}

// tab is one headless Chromium tab driven by a test, with what the
// pages wrote to the console and every dialog they opened.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string // the server's URL
	shots string // where screenshots go

	mu       sync.Mutex
	problems []string // console errors, exceptions, dialogs
}

// startBrowser starts Chromium once for the whole test, with the flags
// this machine needs (no sandbox as root, no network beyond loopback).
func startBrowser(t *testing.T, exe, base string) *tab {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("starting %s: %v", exe, err)
	}
	b := &tab{t: t, ctx: ctx, base: base, shots: screenshotDir(t)}
	b.watch(ctx)
	return b
}

// watch records console errors, uncaught exceptions and dialogs of a tab:
// a Content-Security-Policy violation or a script that escaped from a
// document shows up there.
func (b *tab) watch(ctx context.Context) {
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || m.Type == "error" || strings.Contains(m.Text, "Content Security Policy") {
				b.problem(fmt.Sprintf("console %s: %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1))
			}
		}
	}()
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			if ev.Type == page.DialogTypeConfirm {
				// The page asks before it deletes; the test says yes.
				chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
				continue
			}
			b.problem(fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message))
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
}

func (b *tab) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

// checkClean fails the test for every problem the pages reported.
func (b *tab) checkClean(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Error(p)
	}
	b.problems = nil
}

// forget drops the problems reported so far: they were expected.
func (b *tab) forget() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = nil
}

// screenshotDir is $EVIDENT_SCREENSHOTS, else a temporary folder.
func screenshotDir(t *testing.T) string {
	dir := os.Getenv("EVIDENT_SCREENSHOTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// do runs actions with a time limit.
func (b *tab) do(t *testing.T, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("in %s: %v", b.location(), err)
	}
}

// run runs one action that returns a value, with a time limit.
func run[T any](t *testing.T, b *tab, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("in %s: %v", b.location(), err)
	}
	return v
}

func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// open navigates to a path of the server.
func (b *tab) open(t *testing.T, path string) {
	t.Helper()
	b.do(t, chromedp.Navigate(b.base+path))
}

// text is the visible text (innerText, as chromedp.Text reads it) of the
// first element the selector finds. It is read in the page in one step,
// and read again while the element is missing or the page is reloading:
// a form's data-then="reload" may land between finding a node and reading
// it ("No node with given id found").
func (b *tab) text(t *testing.T, sel string) string {
	t.Helper()
	expr := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e && document.readyState === "complete" ? e.innerText : null; })()`, sel)
	deadline := time.Now().Add(20 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		s, err := chromedp.Run(ctx, chromedp.Evaluate[*string](expr))
		cancel()
		if err == nil && s != nil {
			return *s
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("reading %s in %s: %v", sel, b.location(), last)
	return ""
}

// eval evaluates a JavaScript expression in the page, awaiting a promise.
func eval[T any](t *testing.T, b *tab, expr string) T {
	t.Helper()
	return run(t, b, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// waitFor checks a JavaScript condition every 50 ms until it holds. A
// check that fails because the page is navigating is tried again.
func (b *tab) waitFor(t *testing.T, what, cond string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+cond+")"))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("waiting for %s in %s: still not there after %s (%v)", what, b.location(), limit, last)
}

// shot saves a screenshot of the whole page as name.png.
func (b *tab) shot(t *testing.T, name string) {
	t.Helper()
	png := run(t, b, chromedp.FullScreenshot(100))
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}
