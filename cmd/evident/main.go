// Command evident turns customer-research files into cited evidence for
// empathy maps. `evident serve` runs the whole pipeline on one machine;
// the other commands talk to a running server through its API on loopback,
// or open the data folder themselves when no server holds it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/evident/evident/api"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/web"
)

// memoryLimit is the heap the Go runtime is asked to stay under unless
// GOMEMLIMIT says otherwise: a soft limit, which makes the collector work
// harder as the heap nears it rather than let garbage double the process's
// memory. Work that needs more still gets it.
const memoryLimit = 512 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit status other than 1 or a failure that has
// already been reported line by line.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// run is main without os.Exit, so that deferred closes run first.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr}
	root := a.root()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if perr := a.profiles.stop(); perr != nil {
		fmt.Fprintln(stderr, "evident:", perr)
	}
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "evident:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "evident:", err)
	return api.KindOf(err).ExitCode()
}

// app holds what every command shares: the data folder and the streams.
type app struct {
	data    string
	rules   string
	verbose bool
	// keepFiles is --keep-files of the commands that submit files.
	keepFiles bool
	profiles
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func (a *app) root() *cobra.Command {
	root := &cobra.Command{
		Use:   "evident",
		Short: "Cited evidence for empathy maps from customer-research files",
		Long: `Evident turns interview transcripts, survey exports, podcasts, articles and
reports into passages tagged SEE, HEAR, SAY, DO, PAINS and GAINS, each with a
citation, and answers questions such as "what do CFOs hear".

Every command keeps its state in --data. When an "evident serve" holds that
folder, the other commands talk to it; otherwise they do the work themselves.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return a.profiles.start()
		},
	}
	root.PersistentFlags().StringVar(&a.data, "data", "./evident-data", "the folder that holds all state: queue, database, index")
	root.PersistentFlags().StringVar(&a.rules, "rules", "", "classification rules file (default: <data>/rules.yaml if present, else the built-in configs/rules.yaml)")
	root.PersistentFlags().BoolVarP(&a.verbose, "verbose", "v", false, "log what happens, for debugging")
	root.PersistentFlags().StringVar(&a.profiles.cpu, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof FILE)")
	root.PersistentFlags().StringVar(&a.profiles.mem, "memprofile", "", "write a heap profile to this file when the command ends")
	root.AddCommand(a.serveCmd(), a.workerCmd(), a.ingestCmd(), a.searchCmd(), a.showCmd(),
		a.statusCmd(), a.classifyCmd(), a.reindexCmd(), a.reclassifyCmd(), a.retryCmd(), a.rulesCmd(), a.matrixCmd(), a.mapCmd(),
		a.tagCmd(), a.reviewCmd(), a.speakerCmd(), a.importCmd())
	return root
}

// logger logs to stderr: at info level for long-running commands, at warn
// level for the rest, at debug with --verbose.
func (a *app) logger(level slog.Level) *slog.Logger {
	if a.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
}

// with runs fn against the data folder's Service (see open) and closes it.
func (a *app) with(ctx context.Context, readOnly bool, fn func(api.Service) error) error {
	b, done, err := a.open(ctx, readOnly)
	if err != nil {
		return err
	}
	defer done()
	return fn(b)
}

// open returns the engine of the data folder, opened here, or a client of
// the process that holds it. Commands that only read are readOnly: they
// take no lock, so that a server can start while they run, and read the
// folder themselves unless a server holds it. A command that writes waits
// briefly for a holder that serves no API (another short command).
func (a *app) open(ctx context.Context, readOnly bool) (api.Service, func(), error) {
	if readOnly {
		if engine.Held(a.data) {
			if h, err := engine.FindHolder(a.data); err == nil && h.HTTP != "" {
				return &web.Client{Base: h.HTTP, Token: h.Token}, func() {}, nil
			}
		}
		e, err := engine.Open(ctx, engine.Options{Data: a.data, Rules: a.rules, ReadOnly: true, Log: a.logger(slog.LevelWarn)})
		if err != nil {
			return nil, nil, err
		}
		return e, func() { e.Close() }, nil
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		e, err := engine.Open(ctx, engine.Options{Data: a.data, Rules: a.rules, Log: a.logger(slog.LevelWarn)})
		if err == nil {
			return e, func() { e.Close() }, nil
		}
		if !errors.Is(err, engine.ErrLocked) {
			return nil, nil, err
		}
		if h, herr := engine.FindHolder(a.data); herr == nil && h.HTTP != "" {
			return &web.Client{Base: h.HTTP, Token: h.Token}, func() {}, nil
		}
		if time.Now().After(deadline) {
			return nil, nil, fmt.Errorf("%w and serves no API; try again when it has finished", err)
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
