package queue

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// DialOptions say how to reach an outside NATS server or cluster.
type DialOptions struct {
	// URL is one server's URL or several, comma-separated (the servers of
	// a cluster, as nats.go takes them): the connection moves to another
	// when the one it uses goes away.
	URL string
	// Token is sent to every server whose URL carries no credentials of
	// its own (nats://TOKEN@host:4222 or nats://user:password@host:4222).
	Token string
	// Creds is a NATS credentials file (a user JWT and its nkey seed, as
	// `nsc` writes them) or a file holding an nkey seed alone; given, the
	// token is not sent.
	Creds string
	// CA is a PEM file of the authorities that signed the servers' TLS
	// certificates (tls:// URLs); empty trusts the system's.
	CA   string
	Name string // the connection's name, as the server shows it
	// Log receives the connection's losses and recoveries; nil discards
	// them.
	Log *slog.Logger
}

// reconnectWait is how long the connection waits before trying a server
// again; the other servers of a cluster are tried at once.
const reconnectWait = 500 * time.Millisecond

// Dial connects to an outside NATS server or cluster (--nats URL) and
// keeps reconnecting, to whichever of its servers answers, for as long as
// the connection is open.
func Dial(o DialOptions) (*nats.Conn, error) {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	shown := Redact(o.URL)
	opts := []nats.Option{nats.Name(o.Name), nats.MaxReconnects(-1), nats.ReconnectWait(reconnectWait),
		nats.RetryOnFailedConnect(false),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("lost the NATS connection; reconnecting", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			log.Info("NATS connection back", "server", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			log.Warn("NATS", "err", err)
		}),
	}
	switch {
	case o.Creds != "":
		opt, err := credentials(o.Creds)
		if err != nil {
			return nil, err
		}
		opts = append(opts, opt)
	case o.Token != "":
		// A URL's own credentials win for its server (nats.go).
		opts = append(opts, nats.Token(o.Token))
	}
	if o.CA != "" {
		if _, err := os.Stat(o.CA); err != nil {
			return nil, fmt.Errorf("--nats-ca: %w", err)
		}
		opts = append(opts, nats.RootCAs(o.CA))
	}
	nc, err := nats.Connect(o.URL, opts...)
	if errors.Is(err, nats.ErrAuthorization) {
		if o.Creds != "" {
			return nil, fmt.Errorf("nats %s: the server refused the credentials in %s: %w", shown, o.Creds, err)
		}
		if o.Token == "" && !hasCredentials(o.URL) {
			return nil, fmt.Errorf("nats %s: the server wants a token or credentials: give --nats-token or set EVIDENT_NATS_TOKEN (an evident serve keeps its token in its data folder, in nats-token), or --nats-creds with a NATS credentials or nkey seed file", shown)
		}
		return nil, fmt.Errorf("nats %s: the server refused the token: %w", shown, err)
	}
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", shown, err)
	}
	return nc, nil
}

// credentials reads a NATS credentials file, or an nkey seed file.
func credentials(path string) (nats.Option, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--nats-creds: %w", err)
	}
	if bytes.Contains(b, []byte("BEGIN NATS USER JWT")) {
		return nats.UserCredentials(path), nil
	}
	opt, err := nats.NkeyOptionFromSeed(path)
	if err != nil {
		return nil, fmt.Errorf("--nats-creds %s: neither a NATS credentials file nor an nkey seed: %w", path, err)
	}
	return opt, nil
}

// hasCredentials reports whether a NATS URL, or any URL of a
// comma-separated list, carries a token or a user.
func hasCredentials(rawURL string) bool {
	for _, one := range SplitURLs(rawURL) {
		if u, err := url.Parse(one); err == nil && u.User != nil {
			return true
		}
	}
	return false
}

// Redact returns a NATS URL, or a comma-separated list of them, fit to
// print: without tokens or passwords.
func Redact(rawURL string) string {
	urls := SplitURLs(rawURL)
	for i, one := range urls {
		u, err := url.Parse(one)
		if err != nil {
			if at := strings.LastIndex(one, "@"); at >= 0 {
				urls[i] = "REDACTED" + one[at:] // not a URL, but maybe a secret
			}
			continue
		}
		if u.User == nil {
			continue
		}
		u.User = url.User("REDACTED")
		urls[i] = u.String()
	}
	return joinURLs(urls)
}

// SplitURLs splits a comma-separated list of NATS URLs, as nats.go does.
func SplitURLs(raw string) []string {
	var out []string
	for _, u := range strings.Split(raw, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

func joinURLs(urls []string) string { return strings.Join(urls, ",") }
