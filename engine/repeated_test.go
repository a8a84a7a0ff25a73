package engine

import (
	"errors"
	"log/slog"
	"testing"
)

// A failure repeated four times a second for a while is one line when it
// starts and one when it ends, not one per try.
func TestRepeatedLogsOnceUntilItEnds(t *testing.T) {
	logs := &logRecorder{}
	log := slog.New(logs)
	var r repeated
	for range 40 {
		r.fail(log, "indexer: fetching results", errors.New("nats: no responders available for request"))
	}
	r.ok(log, "indexer: fetching results again")
	r.ok(log, "indexer: fetching results again")
	if n := logs.count("WARN", "indexer: fetching results", "failures=1"); n != 1 {
		t.Errorf("%d warnings for the first failure, want 1", n)
	}
	if n := logs.count("indexer: fetching results again"); n != 1 {
		t.Errorf("%d lines for the end, want 1", n)
	}
	// A minute on, a failure still going is logged again, with how often
	// it happened since the last line.
	for range 6 {
		r.fail(log, "indexer: fetching results", errors.New("lost"))
	}
	r.logged = r.logged.Add(-2 * repeatEvery)
	r.fail(log, "indexer: fetching results", errors.New("lost"))
	if n := logs.count("failures=6"); n != 1 {
		t.Errorf("the repeated failure was not logged again with its count:\n%v", logs.lines)
	}
}
