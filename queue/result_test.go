package queue

import "testing"

// The sentence a failed document shows is made from the result's data,
// never parsed back from another sentence.
func TestResultFailure(t *testing.T) {
	for _, c := range []struct {
		name string
		res  Result
		want string
	}{
		{"processed", Result{}, ""},
		{"permanent", Result{Error: "no passages"}, "no passages"},
		{"gave up", Result{Attempts: 3, Error: "timeout"}, "gave up after 3 attempts: timeout"},
		{"gave up, cause unknown", Result{Attempts: 3}, "gave up after 3 attempts"},
		{"the attempt before failed alike", Result{Attempts: 3, Error: "timeout", Tried: 2, LastError: "timeout"}, "gave up after 3 attempts: timeout"},
		{"the attempt before failed otherwise", Result{Error: "no passages", Tried: 1, LastError: "timeout"},
			"no passages (last error: attempt 1 failed: timeout)"},
		{"given up on delivery", Result{Attempts: 3, Error: "timeout", Tried: 3, LastError: "timeout"}, "gave up after 3 attempts: timeout"},
	} {
		if got := c.res.Failure(); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
