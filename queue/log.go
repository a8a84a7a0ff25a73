package queue

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/nats-io/nats-server/v2/server"
)

var _ server.Logger = Logger{}

// LevelTrace is below slog.LevelDebug: the NATS server traces every
// protocol message at it, which only a hunt for a protocol bug wants.
const LevelTrace = slog.LevelDebug - 4

// Logger writes the embedded NATS server's log through slog. It
// implements the nats-server Logger interface.
type Logger struct {
	Log *slog.Logger
}

func (l Logger) logf(level slog.Level, format string, v []any) {
	ctx := context.Background()
	if !l.Log.Enabled(ctx, level) {
		return
	}
	l.Log.Log(ctx, level, fmt.Sprintf(format, v...), "component", "nats")
}

// Noticef logs the server's notices at debug level: they are its start-up
// banner (some thirty lines, ASCII art included) and routine news, of use
// when debugging, noise in the log of a running serve. What needs a
// person's attention comes as a warning or an error.
func (l Logger) Noticef(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }

// Warnf logs at warn level.
func (l Logger) Warnf(format string, v ...any) { l.logf(slog.LevelWarn, format, v) }

// Fatalf logs at error level. It does not exit: the server that embeds it
// decides what a failure means, and an exit here would skip closing the
// database and the index.
func (l Logger) Fatalf(format string, v ...any) { l.logf(slog.LevelError, format, v) }

// Errorf logs at error level: refused connections among them.
func (l Logger) Errorf(format string, v ...any) { l.logf(slog.LevelError, format, v) }

// Debugf logs at debug level.
func (l Logger) Debugf(format string, v ...any) { l.logf(slog.LevelDebug, format, v) }

// Tracef logs at LevelTrace.
func (l Logger) Tracef(format string, v ...any) { l.logf(LevelTrace, format, v) }
