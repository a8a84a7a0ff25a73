package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/watch"
	"github.com/evident/evident/web"
)

func (a *app) ingestCmd() *cobra.Command {
	var noWait bool
	var workers int
	cmd := &cobra.Command{
		Use:   "ingest PATH...",
		Short: "Submit files and folders, wait until each is indexed or failed",
		Long: `ingest submits files, and folders recursively, through the same queue as the
inbox, then waits until every file is indexed or has failed. It prints one
line per failed file with the reason, and exits 1 when any failed (the
others are still indexed). Hidden and temporary files are skipped; a
sidecar (FILE.meta.yaml) travels with its file.

When an evident serve holds the data folder the files are sent to it;
otherwise ingest runs workers itself.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := collect(args)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				return errors.New("no files to ingest in " + strings.Join(args, ", "))
			}
			return a.ingest(cmd.Context(), files, noWait, workers)
		},
	}
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "submit and return without waiting")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "workers to run when no server holds the data folder")
	a.keepFlag(cmd.Flags())
	return cmd
}

// keepFlag adds --keep-files to a command that submits files.
func (a *app) keepFlag(f *pflag.FlagSet) {
	keep, _ := strconv.ParseBool(os.Getenv("EVIDENT_KEEP_FILES"))
	f.BoolVar(&a.keepFiles, "keep-files", keep, "keep each file's bytes in the queue's store once it is indexed (they are removed then otherwise; failed files keep theirs); default $EVIDENT_KEEP_FILES")
}

// collect expands the arguments into files: folders recursively, skipping
// what the inbox skips, and sidecars (they go with their file).
func collect(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if abs, err := filepath.Abs(p); err == nil && !seen[abs] {
			seen[abs] = true
			out = append(out, p)
		}
	}
	for _, arg := range args {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", arg, errors.Unwrap(err))
		}
		if !info.IsDir() {
			// A named pipe would block the first read for ever.
			if err := engine.NotAFile(arg, info.Mode()); err != nil {
				return nil, err
			}
			add(arg)
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if p != arg && watch.Ignored(d.Name()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && !strings.HasSuffix(d.Name(), evident.SidecarSuffix) {
				add(p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (a *app) ingest(ctx context.Context, files []string, noWait bool, workers int) error {
	log := a.logger(slog.LevelWarn)
	e, err := engine.Open(ctx, engine.Options{Data: a.data, Rules: a.rules, Workers: workers, Log: log, KeepFiles: a.keepFiles, Connect: true})
	if errors.Is(err, engine.ErrLocked) {
		h, herr := engine.FindHolder(a.data)
		if herr != nil || h.HTTP == "" {
			return fmt.Errorf("%w and serves no API; try again when it has finished", err)
		}
		return a.submitAll(ctx, files, noWait, &web.Client{Base: h.HTTP, Token: h.Token})
	}
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.Connect(ctx); err != nil {
		return err
	}
	if noWait {
		return a.submitAll(ctx, files, true, e)
	}
	return a.serving(ctx, e, log, func() error { return a.submitAll(ctx, files, false, e) })
}

// serving runs fn while e runs its workers and indexer, holding the folder
// the way serve does, so that other commands run meanwhile (a search, a
// status) talk to this process.
func (a *app) serving(ctx context.Context, e *engine.Engine, log *slog.Logger, fn func() error) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	if err := e.Announce(engine.Holder{HTTP: "http://" + ln.Addr().String()}); err != nil {
		ln.Close()
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = runTogether(runCtx, e, ln, a.data, "", log) })
	err = fn()
	stop()
	wg.Wait()
	if err == nil && runErr != nil {
		err = runErr
	}
	return err
}

// submitAll submits every file, then (unless noWait) waits for all of them
// with a progress bar on a terminal, and reports the failures.
func (a *app) submitAll(ctx context.Context, files []string, noWait bool, svc api.Service) error {
	paths := map[string][]string{} // sha256 → the paths that had those bytes
	var shas []string
	var submitErrs []string
	bar := a.progress(len(files), "queueing")
	for i, f := range files {
		if bar != nil {
			bar.Set(i)
		}
		// The origin is the file's absolute path, with a server or without.
		abs, err := filepath.Abs(f)
		var sub *api.Submitted
		if err == nil {
			sub, err = svc.Ingest(ctx, api.Submission{Path: f, Origin: abs, Keep: a.keepFiles})
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			submitErrs = append(submitErrs, err.Error())
			continue
		}
		sha := sub.Document.SHA256
		if paths[sha] == nil {
			shas = append(shas, sha)
		}
		paths[sha] = append(paths[sha], f)
	}
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(a.stderr)
	}
	for _, msg := range submitErrs {
		fmt.Fprintln(a.stderr, "evident:", msg)
	}
	if noWait {
		fmt.Fprintf(a.stdout, "submitted %d files (%d distinct)\n", len(files)-len(submitErrs), len(shas))
		if len(submitErrs) > 0 {
			return &exitError{code: 1}
		}
		return nil
	}
	return a.await(ctx, shas, paths, len(submitErrs), waiterOf(svc))
}

// waiter waits until every document with one of the hashes has ended
// (engine.Await), calling progress as they do.
type waiter func(ctx context.Context, shas []string, progress func(done int)) ([]evident.Document, error)

// waiterOf waits through svc: an engine in this process says when its
// documents end; a server is asked again and again.
func waiterOf(svc api.Service) waiter {
	if e, ok := svc.(*engine.Engine); ok {
		return e.Await
	}
	return func(ctx context.Context, shas []string, progress func(done int)) ([]evident.Document, error) {
		return engine.Await(ctx, shas, svc.Documents, progress)
	}
}

// await waits until every document with one of the hashes has ended, with
// a progress bar on a terminal, prints one line per failed document (by
// the names in paths) and a summary, and returns an exit status of 1 when
// any failed, or when earlier failures (reported already) count.
func (a *app) await(ctx context.Context, shas []string, paths map[string][]string, earlier int, wait waiter) error {
	bar := a.progress(len(shas), "indexing")
	ended, err := wait(ctx, shas, func(done int) {
		if bar != nil {
			bar.Set(done)
		}
	})
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(a.stderr)
	}
	if err != nil {
		return fmt.Errorf("stopped waiting with %d of %d files done: %w", len(ended), len(shas), err)
	}
	sort.Slice(ended, func(i, j int) bool { return paths[ended[i].SHA256][0] < paths[ended[j].SHA256][0] })
	failed, passages := 0, 0
	for _, d := range ended {
		if d.State == evident.Failed {
			failed++
			for _, p := range paths[d.SHA256] {
				fmt.Fprintf(a.stderr, "evident: %s: %s\n", p, d.Error)
			}
			continue
		}
		passages += d.Passages
	}
	fmt.Fprintf(a.stdout, "%d indexed, %d failed, %d passages\n", len(ended)-failed, failed+earlier, passages)
	if failed > 0 || earlier > 0 {
		return &exitError{code: 1}
	}
	return nil
}

func (a *app) retryCmd() *cobra.Command {
	var failed, noWait bool
	var workers int
	cmd := &cobra.Command{
		Use:   "retry [DOC...] [--failed]",
		Short: "Run documents again: those named, or every failed one",
		Long: `retry runs documents again from their stored bytes: each DOC (a file name, a
path or a prefix of its SHA-256, as status shows them) and, with --failed or
with no DOC at all, every failed document. Their attempts start again from
nothing. A document whose job is already waiting is left to it; one whose
bytes are not stored (an empty file, one too big, or an indexed one: its
bytes leave the store once it is indexed, unless --keep-files) is read
again from its file if that is still where it was found, else it is
skipped with the reason.

A failed document is otherwise tried again only when its file changes, or
when serve starts with other rules or roles than those it failed under.

retry then waits until each has ended, like ingest (--no-wait returns at
once), prints one line per document that failed again, and exits 1 when
any did.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.retry(cmd.Context(), args, failed || len(args) == 0, noWait, workers)
		},
	}
	cmd.Flags().BoolVar(&failed, "failed", false, "every failed document (the default when no DOC is given)")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "queue them and return without waiting")
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "workers to run when no server holds the data folder")
	a.keepFlag(cmd.Flags())
	return cmd
}

func (a *app) retry(ctx context.Context, refs []string, failed, noWait bool, workers int) error {
	log := a.logger(slog.LevelWarn)
	report := func(res *api.Retried, svc api.Service) error {
		paths := map[string][]string{}
		var shas []string
		earlier := 0
		for _, d := range res.Queued {
			shas = append(shas, d.SHA256)
			paths[d.SHA256] = []string{d.Origin}
		}
		for _, s := range res.Skipped {
			if s.Queued {
				shas = append(shas, s.SHA256)
				paths[s.SHA256] = []string{s.File}
				continue
			}
			fmt.Fprintf(a.stderr, "evident: %s: %s\n", s.File, s.Reason)
			earlier++
		}
		if len(shas) == 0 && earlier == 0 {
			fmt.Fprintln(a.stdout, "nothing to retry: no document has failed")
			return nil
		}
		if noWait {
			fmt.Fprintf(a.stdout, "queued %d documents again\n", len(res.Queued))
			if earlier > 0 {
				return &exitError{code: 1}
			}
			return nil
		}
		return a.await(ctx, shas, paths, earlier, waiterOf(svc))
	}
	e, err := engine.Open(ctx, engine.Options{Data: a.data, Rules: a.rules, Workers: workers, Log: log, KeepFiles: a.keepFiles, Connect: true})
	if errors.Is(err, engine.ErrLocked) {
		h, herr := engine.FindHolder(a.data)
		if herr != nil || h.HTTP == "" {
			return fmt.Errorf("%w and serves no API; try again when it has finished", err)
		}
		c := &web.Client{Base: h.HTTP, Token: h.Token}
		res, err := c.Retry(ctx, refs, failed)
		if err != nil {
			return err
		}
		return report(res, c)
	}
	if err != nil {
		return err
	}
	defer e.Close()
	res, err := e.Retry(ctx, refs, failed)
	if err != nil {
		return err
	}
	if noWait {
		return report(res, e)
	}
	return a.serving(ctx, e, log, func() error { return report(res, e) })
}

// progress returns a bar on stderr when stderr is a terminal, else nil.
func (a *app) progress(total int, what string) *progressbar.ProgressBar {
	f, ok := a.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return progressbar.NewOptions(total,
		progressbar.OptionSetWriter(f),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100_000_000), // 100ms
		progressbar.OptionClearOnFinish(),
	)
}
