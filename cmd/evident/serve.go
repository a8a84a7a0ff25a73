package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/evident/evident/engine"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/redact"
	"github.com/evident/evident/roles"
	"github.com/evident/evident/web"
)

func (a *app) serveCmd() *cobra.Command {
	var inbox, httpAddr, natsURL, natsListen, natsToken, token string
	var client natsClient
	var workers, replicas int
	var settle time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Watch the inbox, run workers and the indexer, and serve the API and web page",
		Long: `serve is the main job. It watches the inbox folder (recursively) and ingests
every file that lands there, runs workers and the indexer, and serves the
JSON API and the web page. With no flags it needs nothing installed: NATS
JetStream runs embedded and stores under the data folder.

Stop it with Ctrl-C (SIGINT) or SIGTERM: jobs in flight finish or go back
to the queue, and the next start resumes them. Killed (SIGKILL, a crash,
a power cut), the next start resumes too: it hands out again at once what
was being processed and indexed, queues what had lost its job, and
rewrites index entries that disagree with the database. It prints one
line saying what it resumed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			log := a.logger(slog.LevelInfo)
			if natsToken == "" {
				natsToken = os.Getenv("EVIDENT_NATS_TOKEN") // read here so that --help never shows it
			}
			copies, err := replicasFlag(replicas)
			if err != nil {
				return err
			}
			e, err := engine.Open(ctx, engine.Options{Data: a.data, Rules: a.rules, Inbox: inbox,
				NATS: natsURL, NATSListen: natsListen, NATSToken: natsToken, NATSCreds: client.creds(), NATSCA: client.ca(),
				Workers: workers, Settle: settle, Log: log, KeepFiles: a.keepFiles,
				Queue: queue.Config{Replicas: copies}})
			if errors.Is(err, engine.ErrLocked) {
				if h, herr := engine.FindHolder(a.data); herr == nil && h.HTTP != "" {
					return fmt.Errorf("%w; it serves %s", err, h.HTTP)
				}
			}
			if err != nil {
				return err
			}
			defer e.Close()
			ln, err := net.Listen("tcp", httpAddr)
			if err != nil {
				return fmt.Errorf("--http %s: %w", httpAddr, err)
			}
			if token == "" {
				token = os.Getenv("EVIDENT_TOKEN") // read here so that --help never shows it
			}
			if err := web.CheckExposure(ln.Addr(), token); err != nil {
				ln.Close()
				return fmt.Errorf("--http %s: %w", httpAddr, err)
			}
			if err := e.Connect(ctx); err != nil {
				ln.Close()
				return err
			}
			url := "http://" + ln.Addr().String()
			if err := e.Announce(engine.Holder{HTTP: url, NATS: e.NATSURL(), Token: token}); err != nil {
				ln.Close()
				return err
			}
			fmt.Fprintf(a.stdout, "Evident is serving %s\n", url)
			if token != "" {
				fmt.Fprintf(a.stdout, "Every request needs the token; in a browser, open %s/?token=YOUR-TOKEN once\n", url)
			}
			fmt.Fprintf(a.stdout, "Watching %s; data in %s\n", absPath(inbox), absPath(a.data))
			fmt.Fprintln(a.stdout, capitalize(e.Resumed().String()))
			if u := e.NATSURL(); u != "" && natsURL == "" {
				if natsToken == "" {
					// The worker reads the token from the data folder.
					fmt.Fprintf(a.stdout, "Workers on this machine can join with: evident worker --nats %s --data %s\n", u, absPath(a.data))
					fmt.Fprintf(a.stdout, "Workers elsewhere need the NATS token in %s (--nats-token or EVIDENT_NATS_TOKEN)\n", filepath.Join(absPath(a.data), engine.NATSTokenFile))
				} else {
					fmt.Fprintf(a.stdout, "Workers can join with: evident worker --nats %s and the NATS token (--nats-token or EVIDENT_NATS_TOKEN)\n", u)
				}
			}
			err = runTogether(ctx, e, ln, a.data, token, log)
			fmt.Fprintln(a.stdout, "Evident stopped.")
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&inbox, "inbox", "./inbox", "the folder to watch for files to ingest")
	f.StringVar(&httpAddr, "http", "127.0.0.1:7474", "where the API and web page listen (loopback by default)")
	f.StringVar(&natsURL, "nats", "", "use this NATS server instead of the embedded one; a cluster's servers comma-separated (nats://a:4222,nats://b:4222,nats://c:4222)")
	f.IntVar(&replicas, "replicas", 0, "how many servers of the --nats cluster keep a copy of every stream and bucket (3 survives losing one server; default: as they are, 1 when new; default $EVIDENT_NATS_REPLICAS)")
	f.StringVar(&natsListen, "nats-listen", "", "also expose the embedded NATS server here (e.g. 127.0.0.1:4222) for evident worker processes; clients need the NATS token")
	f.StringVar(&natsToken, "nats-token", "", "the token of the NATS server: what --nats wants, or what the embedded one requires with --nats-listen (default $EVIDENT_NATS_TOKEN, else <data>/"+engine.NATSTokenFile+", made on first use)")
	client.flags(f)
	f.IntVar(&workers, "workers", runtime.NumCPU(), "workers in this process (0 leaves the work to evident worker processes)")
	f.StringVar(&token, "token", "", "a secret every request must carry (Authorization: Bearer, or open /?token=SECRET once in a browser); required when --http is reachable from other machines; default $EVIDENT_TOKEN")
	a.keepFlag(f)
	f.DurationVar(&settle, "settle", time.Second, "how long a new inbox file must stay unchanged before it is read when its writer is not seen closing it (guards against half-written files)")
	return cmd
}

// natsClient holds the flags of an outside NATS deployment's
// credentials and TLS authority, shared by serve and worker.
type natsClient struct{ credsFile, caFile string }

func (n *natsClient) flags(f *pflag.FlagSet) {
	f.StringVar(&n.credsFile, "nats-creds", "", "a NATS credentials file (user JWT and nkey seed, as nsc writes it) or an nkey seed file, for a --nats deployment that authenticates users so (default $EVIDENT_NATS_CREDS)")
	f.StringVar(&n.caFile, "nats-ca", "", "PEM file of the authority that signed the --nats servers' TLS certificates, for tls:// URLs (default $EVIDENT_NATS_CA, else the system's)")
}

func (n *natsClient) creds() string { return cmp.Or(n.credsFile, os.Getenv("EVIDENT_NATS_CREDS")) }
func (n *natsClient) ca() string    { return cmp.Or(n.caFile, os.Getenv("EVIDENT_NATS_CA")) }

// replicasFlag is --replicas, else $EVIDENT_NATS_REPLICAS, else 0 (keep
// what the streams have).
func replicasFlag(flag int) (int, error) {
	if flag != 0 {
		if flag < 0 {
			return 0, fmt.Errorf("--replicas %d: give 1 or more", flag)
		}
		return flag, nil
	}
	env := os.Getenv("EVIDENT_NATS_REPLICAS")
	if env == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(env)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("EVIDENT_NATS_REPLICAS=%q: give a number, 1 or more", env)
	}
	return n, nil
}

// runTogether runs the engine and its HTTP API until ctx ends, then stops
// both: the API first, so that nothing new arrives while the engine drains.
// A non-empty token is required of every request.
func runTogether(ctx context.Context, e *engine.Engine, ln net.Listener, data, token string, log *slog.Logger) error {
	srv := &web.Server{Engine: e, Uploads: filepath.Join(data, "uploads"), MaxUpload: engine.DefaultMaxSize, Log: log, Token: token}
	var wg sync.WaitGroup
	var httpErr error
	wg.Go(func() { httpErr = srv.Serve(ctx, ln) })
	runErr := e.Run(ctx)
	wg.Wait()
	return errors.Join(runErr, httpErr)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

func (a *app) workerCmd() *cobra.Command {
	var natsURL, natsToken string
	var client natsClient
	var workers, replicas int
	cmd := &cobra.Command{
		Use:   "worker --nats URL",
		Short: "Run workers only, against a shared NATS server, to scale out",
		Long: `worker runs extraction and classification workers that take jobs from the
NATS server a serve uses (its --nats, or the address its --nats-listen
exposes). File bytes come through NATS, so no shared disk is needed. The
results go back to the server's indexer.

The server wants its NATS token: in the URL (nats://TOKEN@host:4222), by
--nats-token, by $EVIDENT_NATS_TOKEN, or read from <data>/nats-token when
the worker runs on the serve's machine with its --data.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if natsURL == "" {
				return errors.New("--nats is required: the URL of the NATS server the evident serve uses")
			}
			log := a.logger(slog.LevelInfo)
			if natsToken == "" {
				natsToken = os.Getenv("EVIDENT_NATS_TOKEN") // read here so that --help never shows it
			}
			if natsToken == "" && client.creds() == "" {
				var err error
				if natsToken, err = engine.StoredNATSToken(a.data); err != nil {
					return err
				}
			}
			copies, err := replicasFlag(replicas)
			if err != nil {
				return err
			}
			nc, err := queue.Dial(queue.DialOptions{URL: natsURL, Token: natsToken,
				Creds: client.creds(), CA: client.ca(), Name: "evident-worker", Log: log})
			if err != nil {
				return err
			}
			defer nc.Close()
			q, err := queue.Open(ctx, nc, queue.Config{Replicas: copies})
			if err != nil {
				return err
			}
			live, err := a.followConfig(ctx, q, log)
			if err != nil {
				return err
			}
			host, _ := os.Hostname()
			fmt.Fprintf(a.stdout, "Evident worker: %d workers taking jobs from %s\n", workers, queue.Redact(natsURL))
			proc := &ingest.Processor{Formats: extract.Default(), Rules: live}
			ingest.RunN(ctx, workers, func(i int) *ingest.Worker {
				return &ingest.Worker{Queue: q, Processor: proc, Name: fmt.Sprintf("%s/%d/%d", host, os.Getpid(), i), Log: log}
			})
			return nil
		},
	}
	cmd.Flags().StringVar(&natsURL, "nats", "", "the NATS server to take jobs from (required), or a cluster's servers comma-separated; nats://TOKEN@host:4222 carries the token")
	cmd.Flags().IntVar(&replicas, "replicas", 0, "copies of every stream and bucket on a NATS cluster, should the worker create them (default: as the server set them up)")
	cmd.Flags().StringVar(&natsToken, "nats-token", "", "the NATS server's token (default $EVIDENT_NATS_TOKEN, else <data>/"+engine.NATSTokenFile+")")
	client.flags(cmd.Flags())
	cmd.Flags().IntVar(&workers, "workers", runtime.NumCPU(), "how many workers to run")
	return cmd
}

// followConfig loads the rules and roles a worker uses: --rules when given,
// else what the server published (and each new version it publishes),
// else the built-in files.
func (a *app) followConfig(ctx context.Context, q *queue.Queue, log *slog.Logger) (*ingest.Live, error) {
	live := &ingest.Live{}
	builtinRules, err := engine.LoadRules(a.rules, "")
	if err != nil {
		return nil, err
	}
	builtinRoles, err := engine.LoadRoles("", "")
	if err != nil {
		return nil, err
	}
	live.SetClassifier(builtinRules)
	live.SetRoles(builtinRoles)
	if a.rules == "" {
		err := q.WatchConfig(ctx, queue.ConfigRules, func(b []byte) {
			if b == nil {
				return
			}
			c, err := engine.ParseRules(b)
			if err != nil {
				log.Error("the server's rules do not compile; keeping the last good ones", "err", err)
				return
			}
			live.SetClassifier(c)
			log.Info("using the server's rules")
		})
		if err != nil {
			return nil, err
		}
	}
	err = q.WatchConfig(ctx, queue.ConfigRoles, func(b []byte) {
		if b == nil {
			return
		}
		t, err := roles.Parse(b)
		if err != nil {
			log.Error("the server's role taxonomy does not load; keeping the last good one", "err", err)
			return
		}
		live.SetRoles(t)
	})
	if err != nil {
		return nil, err
	}
	// Until the server says otherwise, personal data is masked as built in.
	err = q.WatchConfig(ctx, queue.ConfigRedact, func(b []byte) {
		if b == nil {
			return
		}
		r, err := redact.Parse(b)
		if err != nil {
			log.Error("the server's redact.yaml does not load; keeping the last good one", "err", err)
			return
		}
		live.SetRedactor(r)
	})
	return live, err
}
