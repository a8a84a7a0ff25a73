package engine

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// TestHelperProcess is not a test: TestKilledDuringIngestLosesNothing runs
// the test binary again with EVIDENT_HELPER=serve to get an engine in a
// process of its own, which it kills with SIGKILL.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("EVIDENT_HELPER") != "serve" {
		t.Skip("a process that TestKilledDuringIngestLosesNothing starts and kills")
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e, err := Open(ctx, Options{Data: os.Getenv("EVIDENT_DATA"), Inbox: os.Getenv("EVIDENT_INBOX"),
		Workers: 2, Settle: 20 * time.Millisecond, Log: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	if err := e.Connect(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	fmt.Fprintln(os.Stderr, "helper:", e.Resumed())
	e.Run(ctx) // until killed
	os.Exit(3)
}

// An engine killed with SIGKILL in the middle of ingesting many files,
// twice (the second time soon after it started again, while it resumes),
// leaves nothing stuck: the next start ends every document indexed or
// failed with its reason, within seconds rather than after acknowledgement
// timeouts, and the index holds exactly what the database holds.
func TestKilledDuringIngestLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills processes; -short skips it")
	}
	const n, bad = 400, 4
	data, inbox := t.TempDir(), t.TempDir()
	for i := range n {
		writeFile(t, filepath.Join(inbox, fmt.Sprintf("note-%03d.txt", i)), []byte(note(i)))
	}
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 300)...)
	for i := range bad {
		writeFile(t, filepath.Join(inbox, fmt.Sprintf("picture-%d.txt", i)), append(png, byte(i)))
	}
	began := time.Now()

	logPath := filepath.Join(t.TempDir(), "helper.log")
	logs, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	readLogs := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("helper processes' logs:\n%s", readLogs())
		}
	})
	run := func() *exec.Cmd {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
		cmd.Env = append(os.Environ(), "EVIDENT_HELPER=serve", "EVIDENT_DATA="+data, "EVIDENT_INBOX="+inbox)
		cmd.Stdout, cmd.Stderr = logs, logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		t.Helper()
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		fmt.Fprintf(logs, "--- killed after %s\n", time.Since(began).Round(time.Millisecond))
	}
	// states reads the documents' states the way `evident status` does
	// beside a server: read-only, no lock.
	states := func() map[evident.State]int {
		s, err := store.OpenReadOnly(filepath.Join(data, "evident.db"))
		if err != nil {
			return nil // not created yet
		}
		defer s.Close()
		ds, err := s.Documents(context.Background())
		if err != nil {
			t.Fatalf("reading the database beside the helper: %v", err)
		}
		out := map[evident.State]int{}
		for _, d := range ds {
			out[d.State]++
		}
		return out
	}

	cmd := run()
	deadline := time.Now().Add(20 * time.Second)
	var at map[evident.State]int
	for {
		at = states()
		if at[evident.Indexed] >= n/5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the helper indexed %d documents in 20s", at[evident.Indexed])
		}
		time.Sleep(10 * time.Millisecond)
	}
	kill(cmd)
	at = states()
	if at[evident.Indexed] >= n {
		t.Fatalf("every document was indexed before the kill; the test proves nothing")
	}
	t.Logf("killed with %v", at)

	// Again, as soon as it has resumed.
	cmd = run()
	for strings.Count(readLogs(), "helper: resumed") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the helper did not start again within 20s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	kill(cmd)
	for _, line := range strings.Split(readLogs(), "\n") {
		if strings.HasPrefix(line, "helper:") {
			t.Log(line)
		}
	}
	t.Logf("killed again with %v", states())

	e := start(t, Options{Data: data, Inbox: inbox, Workers: 2})
	restarted := time.Now()
	if err := e.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Logf("restarted: %s", e.Resumed())
	ds := e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		ended := 0
		for _, d := range ds {
			if d.State == evident.Indexed || d.State == evident.Failed {
				ended++
			}
		}
		return len(ds) == n+bad && ended == n+bad, fmt.Sprintf("%d of %d documents ended", ended, n+bad)
	})
	t.Logf("every document ended %s after the restart, %s after the first start", time.Since(restarted).Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	for _, d := range ds {
		switch {
		case strings.HasPrefix(d.File, "picture-"):
			if d.State != evident.Failed || !strings.Contains(d.Error, "PNG") {
				t.Errorf("%s: %s %q, want failed as a PNG image", d.File, d.State, d.Error)
			}
		case d.State != evident.Indexed || d.Passages != 2:
			t.Errorf("%s: %s with %d passages (%q), want indexed with 2", d.File, d.State, d.Passages, d.Error)
		}
	}
	if got, want := e.indexCount(), e.passageSum(); got != want || want != 2*n {
		t.Errorf("the index holds %d passages, the database %d, want %d", got, want, 2*n)
	}
	for i := 0; i < n; i += 13 {
		if ids := e.hitIDs(fmt.Sprintf("token%03dx", i)); len(ids) != 1 {
			t.Errorf("token%03dx: %d hits, want 1", i, len(ids))
		}
	}
}
