package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/search"
	"github.com/evident/evident/web"
)

// These tests run the real binary, as a user or a script would: processes,
// flags, exit codes, stdout and stderr.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "evident-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "evident")
	build := exec.Command("go", "build", "-o", binary, ".")
	flag.Parse()
	if covdir := cliCoverDir(); covdir != "" {
		// Under go test -cover, the binary is built with coverage too,
		// and every run of it writes its counters for go tool covdata.
		build = exec.Command("go", "build", "-cover", "-covermode="+testing.CoverMode(), "-o", binary, ".")
		os.Setenv("GOCOVERDIR", covdir)
	}
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building evident:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cliCoverDir is where runs of the binary write coverage counters: the
// folder EVIDENT_CLI_COVERDIR names (.ci/cover keeps them apart from the
// packages' own), else the test binary's own (-test.gocoverdir, which go
// test -cover sets), so that `go test -cover ./cmd/evident` counts what
// the binary ran. "" when the tests run without coverage.
func cliCoverDir() string {
	if testing.CoverMode() == "" {
		return ""
	}
	dir := os.Getenv("EVIDENT_CLI_COVERDIR")
	if dir == "" {
		if f := flag.Lookup("test.gocoverdir"); f != nil {
			dir = f.Value.String()
		}
	}
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	return abs
}

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs one command to completion.
func runCLI(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("evident %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustRun runs a command that must succeed and returns its stdout.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	r := runCLI(t, "", args...)
	if r.code != 0 {
		t.Fatalf("evident %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// daemon is a long-running evident process (serve, worker).
type daemon struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *bytes.Buffer
	done   chan error
}

func start(t *testing.T, args ...string) *daemon {
	t.Helper()
	return startEnv(t, nil, args...)
}

// startEnv is start with variables added to the environment.
func startEnv(t *testing.T, env []string, args ...string) *daemon {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	d := &daemon{cmd: cmd, lines: make(chan string, 100), stderr: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = pw, d.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case d.lines <- sc.Text():
			default:
			}
		}
	}()
	go func() { d.done <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
	})
	return d
}

// expect waits for a line of output matching re and returns its groups.
func (d *daemon) expect(t *testing.T, re string) []string {
	t.Helper()
	pat := regexp.MustCompile(re)
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line := <-d.lines:
			if m := pat.FindStringSubmatch(line); m != nil {
				return m
			}
		case err := <-d.done:
			t.Fatalf("process ended (%v) before printing %q; stderr:\n%s", err, re, d.stderr)
		case <-deadline:
			t.Fatalf("no line matching %q within 60s; stderr:\n%s", re, d.stderr)
		}
	}
}

// stop sends SIGINT and requires a clean exit within 30 seconds.
func (d *daemon) stop(t *testing.T) {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-d.done:
		d.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("exit after SIGINT: %v; stderr:\n%s", err, d.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("still running 30s after SIGINT; stderr:\n%s", d.stderr)
	}
}

func status(t *testing.T, data string) api.Status {
	t.Helper()
	var st api.Status
	if err := json.Unmarshal([]byte(mustRun(t, "status", "--json", "--data", data)), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// waitIndexed polls `evident status` until n documents have ended.
func waitIndexed(t *testing.T, data string, n int) api.Status {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st := status(t, data)
		ended := 0
		for _, d := range st.Documents {
			if d.State == "indexed" || d.State == "failed" {
				ended++
			}
		}
		if ended >= n {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d documents ended after 60s: %+v", ended, n, st.Documents)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func copyExamples(t *testing.T, dst string) {
	t.Helper()
	files, err := filepath.Glob("../../examples/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	os.MkdirAll(dst, 0o755)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func searchJSON(t *testing.T, args ...string) search.Response {
	t.Helper()
	var resp search.Response
	out := mustRun(t, append([]string{"search", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(out), &resp); err != nil {
		t.Fatalf("search --json printed %q: %v", out, err)
	}
	return resp
}

// The README tour: serve, drop the examples, ask "what do CFOs hear".
func TestServeInboxSearch(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "2")
	url := d.expect(t, `serving (http://127\.0\.0\.1:\d+)`)[1]
	copyExamples(t, inbox)
	st := waitIndexed(t, data, 4)
	for _, doc := range st.Documents {
		if doc.State != "indexed" || doc.Passages == 0 {
			t.Errorf("%s: %s with %d passages (%s)", doc.File, doc.State, doc.Passages, doc.Error)
		}
	}

	resp := searchJSON(t, "--data", data, "what do CFOs hear")
	if resp.Query.Role != "cfo" || !slices.Contains(resp.Query.Categories, "HEAR") {
		t.Errorf("query understood as %+v, want role cfo and category HEAR", resp.Query)
	}
	if len(resp.Hits) == 0 {
		t.Fatal("no hits for what do CFOs hear")
	}
	top := resp.Hits[0]
	if top.Role != "cfo" || !slices.Contains(top.Categories, "HEAR") {
		t.Errorf("top hit %+v: want cfo, HEAR", top)
	}
	if top.Citation == "" || top.Source.SHA256 == "" || top.Locator == (evident.Locator{}) {
		t.Errorf("top hit lacks a citation: %+v", top)
	}
	// --json counts facets (through the server's API here) unless told not to.
	if len(resp.Facets["categories"]) == 0 || len(resp.Facets["roles"]) == 0 {
		t.Errorf("search --json facets: %v", resp.Facets)
	}
	if bare := searchJSON(t, "--data", data, "--facets=false", "what do CFOs hear"); len(bare.Facets) != 0 || len(bare.Hits) != len(resp.Hits) {
		t.Errorf("search --json --facets=false: facets %v, %d hits (want none, %d)", bare.Facets, len(bare.Hits), len(resp.Hits))
	}

	// Flags after the positional argument, and the API answering directly.
	var shown api.Shown
	if err := json.Unmarshal([]byte(mustRun(t, "show", "interview-cfo-northwind.txt", "--json", "--data", data)), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Document.Title != "Interview with the CFO of Northwind Logistics" || len(shown.Passages) < 5 {
		t.Errorf("show: %+v with %d passages", shown.Document, len(shown.Passages))
	}
	if !shown.Passages[0].Interviewer || len(shown.Passages[0].Categories) != 0 {
		t.Errorf("the interviewer's first turn should be marked and untagged: %+v", shown.Passages[0])
	}
	c := &web.Client{Base: url}
	if docs, err := c.Documents(context.Background()); err != nil || len(docs) != 4 {
		t.Errorf("API status: %d documents, %v", len(docs), err)
	}
	if r := runCLI(t, "", "show", "no-such-file.txt", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "no-such-file.txt") {
		t.Errorf("show of a missing document: exit %d, stderr %q", r.code, r.stderr)
	}

	// The evidence matrix: Priya's four turns, the two CFO respondents' four
	// answers and the podcast guest's five turns; the interviewer's and the
	// host's turns are no evidence.
	var m api.Matrix
	if err := json.Unmarshal([]byte(mustRun(t, "matrix", "--json", "--data", data)), &m); err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Categories, " ") != "SEE HEAR SAY DO PAINS GAINS" || len(m.Roles) == 0 || m.Roles[0] != "cfo" {
		t.Errorf("matrix categories %v, roles %v", m.Categories, m.Roles)
	}
	if cfo := m.Cells["cfo"]; cfo == nil || cfo.Passages != 13 || cfo.Categories["HEAR"] == 0 {
		t.Errorf("cfo evidence %+v, want 13 passages with HEAR among them", cfo)
	}
	if cio := m.Cells["cio"]; cio == nil || cio.Passages != 2 {
		t.Errorf("cio evidence %+v, want the IT director's 2 answers", cio)
	}
	if out := mustRun(t, "matrix", "--data", data); !strings.Contains(out, "ROLE") || !strings.Contains(out, "cfo") {
		t.Errorf("matrix table:\n%s", out)
	}

	// Passages about a role say so; a sidecar's keys Evident does not know
	// are the document's attributes, listed by show, typos and all.
	if out := mustRun(t, "search", "what do CFO's hear", "--data", data); !strings.Contains(out, "— about cfo: ") || !strings.Contains(out, "Understood: CFO → role cfo") {
		t.Errorf("search what do CFO's hear:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(inbox, "notes.txt.meta.yaml"), []byte("title: Notes\ncompany: Initech\ncompnay: a typo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "notes.txt"), []byte("We reconcile the ledger by hand every Friday.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitIndexed(t, data, 5)
	if out := mustRun(t, "show", "notes.txt", "--data", data); !strings.Contains(out, "attribute:  company: Initech") || !strings.Contains(out, "attribute:  compnay: a typo") {
		t.Errorf("show notes.txt:\n%s", out)
	}
	if out := mustRun(t, "search", "company:initech", "--data", data); !strings.Contains(out, "reconcile the ledger") || !strings.Contains(out, "company: Initech; compnay: a typo") {
		t.Errorf("search company:initech:\n%s", out)
	}

	d.stop(t)
	// With no server, the command opens the folder itself and answers the same.
	again := searchJSON(t, "--data", data, "what do CFOs hear")
	if len(again.Hits) != len(resp.Hits) || again.Hits[0].ID != top.ID {
		t.Errorf("local search differs from the server's: %v vs %v", again.Hits, resp.Hits)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// A separate `evident worker` process does the work while the server runs
// no workers of its own: the bytes travel through NATS, not the disk.
func TestSeparateWorkerProcess(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	// The team's own rules, with a seventh category, live in the server's
	// data folder; the worker must classify with them, not its built-ins.
	rules, err := os.ReadFile("../../configs/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules = append(rules, []byte(`
  - name: THINK
    question: What do they think?
    words: [think, thinks]
    rules:
      - id: think.opinion
        phrases: ["i think", "i believe"]
`)...)
	os.MkdirAll(data, 0o755)
	if err := os.WriteFile(filepath.Join(data, "rules.yaml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(inbox, 0o755)
	os.WriteFile(filepath.Join(inbox, "opinion.txt"), []byte("I think rolling forecasts are overrated for small teams.\n"), 0o644)

	natsAddr := freePort(t)
	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "0", "--nats-listen", natsAddr)
	natsURL := d.expect(t, `evident worker --nats (\S+)`)[1]
	copyExamples(t, inbox)

	// Nothing is processed without a worker: the documents wait, queued.
	deadline := time.Now().Add(20 * time.Second)
	for len(status(t, data).Documents) < 4 {
		if time.Now().After(deadline) {
			t.Fatal("the inbox files were not registered")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	for _, doc := range status(t, data).Documents {
		if doc.State != "queued" {
			t.Fatalf("%s is %s with no worker running", doc.File, doc.State)
		}
	}

	// The worker runs in another folder, so it cannot read the inbox or
	// the data folder even by accident; nor the NATS token, which it must
	// be given.
	elsewhere := filepath.Join(dir, "elsewhere")
	if r := runCLI(t, "", "worker", "--nats", natsURL, "--data", elsewhere); r.code != 1 || !strings.Contains(r.stderr, "--nats-token") {
		t.Errorf("a worker without the NATS token: exit %d, stderr %q", r.code, r.stderr)
	}
	token, err := os.ReadFile(filepath.Join(data, "nats-token"))
	if err != nil {
		t.Fatal(err)
	}
	w := startEnv(t, []string{"EVIDENT_NATS_TOKEN=" + strings.TrimSpace(string(token))},
		"worker", "--nats", natsURL, "--workers", "1", "--data", elsewhere)
	w.expect(t, `taking jobs`)
	st := waitIndexed(t, data, 5) // the four examples and opinion.txt
	for _, doc := range st.Documents {
		if doc.State != "indexed" {
			t.Errorf("%s: %s (%s)", doc.File, doc.State, doc.Error)
		}
	}
	var shown api.Shown
	if err := json.Unmarshal([]byte(mustRun(t, "show", "opinion.txt", "--json", "--data", data)), &shown); err != nil {
		t.Fatal(err)
	}
	if len(shown.Passages) != 1 || !slices.Contains(shown.Passages[0].Categories, "THINK") {
		t.Errorf("the worker did not classify with the server's rules: %+v", shown.Passages)
	}
	w.stop(t)
	d.stop(t)
}

// ingest without a server: exit 1 when any file failed, one line per
// failed file naming it, the good files indexed all the same.
func TestIngestExitCodes(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	good := filepath.Join(dir, "notes.txt")
	empty := filepath.Join(dir, "empty.txt")
	junk := filepath.Join(dir, "junk.txt")
	os.WriteFile(good, []byte("We switched to rolling forecasts last year and it saved us weeks.\n"), 0o644)
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(junk, bytes.Repeat([]byte{0, 1, 2, 0xff, 0x7f, 0x10}, 700), 0o644)

	r := runCLI(t, "", "ingest", "--data", data, good, empty, junk)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{empty + ": the file is empty", junk + ": "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if strings.Contains(r.stderr, good) {
		t.Errorf("the good file is reported as failed:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "1 indexed, 2 failed") {
		t.Errorf("summary: %q", r.stdout)
	}
	// The same bytes again are one document, and all is well.
	if r := runCLI(t, "", "ingest", good, "--data", data); r.code != 0 {
		t.Errorf("re-ingest: exit %d, %s", r.code, r.stderr)
	}
	if n := len(status(t, data).Documents); n != 3 {
		t.Errorf("%d documents, want 3", n)
	}
	if r := runCLI(t, "", "ingest", "--data", data, filepath.Join(dir, "missing.txt")); r.code != 1 || !strings.Contains(r.stderr, "missing.txt") {
		t.Errorf("missing path: exit %d, stderr %q", r.code, r.stderr)
	}
}

// retry runs failed documents again, without a server and through one;
// serve says what it resumed as it starts.
func TestRetry(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	note := filepath.Join(dir, "note.txt")
	os.WriteFile(note, []byte("We switched to rolling forecasts last year and it saved us weeks.\n"), 0o644)
	os.WriteFile(note+".meta.yaml", []byte("title: [never closed\n"), 0o644)
	if r := runCLI(t, "", "ingest", "--data", data, note); r.code != 1 || !strings.Contains(r.stderr, "sidecar") {
		t.Fatalf("ingest with a broken sidecar: exit %d\nstderr %s", r.code, r.stderr)
	}
	// The sidecar is mended; retry reads the file again (its bytes were
	// never stored) and waits for it.
	os.WriteFile(note+".meta.yaml", []byte("title: Rolling forecasts\n"), 0o644)
	if r := runCLI(t, "", "retry", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "1 indexed, 0 failed") {
		t.Fatalf("retry: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if st := status(t, data); len(st.Documents) != 1 || st.Documents[0].State != "indexed" || st.Documents[0].Title != "Rolling forecasts" {
		t.Errorf("after retry: %+v", st.Documents)
	}
	if out := mustRun(t, "retry", "--failed", "--data", data); !strings.Contains(out, "nothing to retry") {
		t.Errorf("retry with nothing failed: %q", out)
	}
	if r := runCLI(t, "", "retry", "no-such.txt", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "no-such.txt") {
		t.Errorf("retry of an unknown document: exit %d, stderr %q", r.code, r.stderr)
	}

	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "1")
	d.expect(t, `serving http://`)
	d.expect(t, `^Resumed: nothing was pending$`)
	// Through the server: an indexed document runs again when named.
	if r := runCLI(t, "", "retry", "note.txt", "--data", data); r.code != 0 || !strings.Contains(r.stdout, "1 indexed, 0 failed") {
		t.Errorf("retry through serve: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	d.stop(t)
}

func TestClassifyFilter(t *testing.T) {
	in := `{"id":"a","text":"My CEO keeps telling me we need to cut costs."}
{"id":"b","text":"Honestly it's not frustrating at all."}
{"id":"c","text":"What frustrates you most?","interviewer":true}
`
	r := runCLI(t, in, "classify", "--data", t.TempDir())
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var outs []classifyOutput
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var o classifyOutput
		if err := json.Unmarshal([]byte(line), &o); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		outs = append(outs, o)
	}
	if len(outs) != 3 || outs[0].ID != "a" || outs[2].ID != "c" {
		t.Fatalf("outputs %+v", outs)
	}
	if !slices.Contains(outs[0].Categories, "HEAR") || len(outs[0].Matches) == 0 || outs[0].Matches[0].Rule == "" {
		t.Errorf("a: %+v", outs[0])
	}
	if slices.Contains(outs[1].Categories, "PAINS") {
		t.Errorf("b: negated pain fired: %+v", outs[1])
	}
	if len(outs[2].Categories) != 0 {
		t.Errorf("c: interviewer tagged: %+v", outs[2])
	}

	r = runCLI(t, "{\"id\":\"x\",\"text\":\"fine\"}\nnot json\n", "classify", "--data", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "line 2") || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("bad line: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, c := range []string{"serve", "worker", "ingest", "search", "show", "status", "classify", "reindex"} {
		r := runCLI(t, "", c, "--help")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%s --help: exit %d, %q", c, r.code, r.stdout)
		}
	}
	if r := runCLI(t, "", "worker"); r.code != 1 || !strings.Contains(r.stderr, "--nats") {
		t.Errorf("worker without --nats: exit %d, %q", r.code, r.stderr)
	}
}

// A team edits its rules: reclassify applies them to stored passages
// without extracting again; a broken file is refused with its line, and
// the rules in force stay.
func TestRulesEvalAndReclassify(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	note := filepath.Join(dir, "opinion.txt")
	os.WriteFile(note, []byte("I think rolling forecasts are overrated for small teams.\n"), 0o644)
	mustRun(t, "ingest", note, "--data", data)

	base, err := os.ReadFile("../../configs/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	withThink := append(base, []byte(`
  - name: THINK
    question: What do they think?
    words: [think]
    rules:
      - id: think.opinion
        phrases: ["i think"]
`)...)
	// A map quotes the passage before the rules change: the quote stays, and
	// reclassify and map show say its tags changed.
	hits := searchJSON(t, "--data", data, "forecasts").Hits
	if len(hits) != 1 {
		t.Fatalf("search before reclassify: %+v", hits)
	}
	mustRun(t, "map", "create", "planner", "--data", data)
	mustRun(t, "map", "attach", "planner", "SAY", hits[0].ID, "--data", data)

	os.WriteFile(filepath.Join(data, "rules.yaml"), withThink, 0o644)
	if out := mustRun(t, "rules", "check", "--data", data); !strings.Contains(out, "7 categories") {
		t.Errorf("rules check: %q", out)
	}
	if out := mustRun(t, "reclassify", "--data", data); !strings.Contains(out, "reclassified 1 passages; 1 changed") ||
		!strings.Contains(out, "map planner: quotes now tagged otherwise") || !strings.Contains(out, "SAY 1") {
		t.Errorf("reclassify: %q", out)
	}
	if out := mustRun(t, "map", "show", "planner", "--data", data); !strings.Contains(out, "retagged since attached") || !strings.Contains(out, "THINK") {
		t.Errorf("map show after reclassify:\n%s", out)
	}
	resp := searchJSON(t, "--data", data, "category:think forecasts")
	if len(resp.Hits) != 1 || !slices.Contains(resp.Hits[0].Categories, "THINK") {
		t.Errorf("search after reclassify: %+v", resp.Hits)
	}

	// A broken pattern: refused with the line; the stored tags stay.
	broken := append(slices.Clone(withThink), []byte("        patterns: [\"(unclosed\"]\n")...)
	os.WriteFile(filepath.Join(data, "rules.yaml"), broken, 0o644)
	r := runCLI(t, "", "reclassify", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "line ") || !strings.Contains(r.stderr, "rules.yaml") {
		t.Errorf("broken rules: exit %d, stderr %q", r.code, r.stderr)
	}
	if resp := searchJSON(t, "--data", data, "category:think forecasts"); len(resp.Hits) != 1 {
		t.Errorf("tags changed after refused rules: %+v", resp.Hits)
	}

	gold := filepath.Join(dir, "gold.jsonl")
	os.WriteFile(gold, []byte(`{"id":"g1","text":"My CEO keeps telling me we need to cut costs.","labels":["HEAR","GAINS"]}
{"id":"g2","text":"Honestly it's not frustrating at all.","labels":["SAY"]}
`), 0o644)
	var rep struct {
		Passages   int
		Categories []struct {
			Category string
			Support  int
		}
		Errors []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(mustRun(t, "rules", "eval", gold, "--json", "--rules", "../../configs/rules.yaml")), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Passages != 2 || len(rep.Categories) != 6 {
		t.Errorf("eval report: %+v", rep)
	}
	if out := mustRun(t, "rules", "eval", gold, "--rules", "../../configs/rules.yaml"); !strings.Contains(out, "macro-F1") || !strings.Contains(out, "RULE") {
		t.Errorf("eval text report:\n%s", out)
	}
}

// A running server follows its rules file: good edits apply to the next
// documents, a broken edit is logged and the last good rules stay.
func TestServeFollowsRulesFile(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "1")
	d.expect(t, `serving`)
	base, _ := os.ReadFile("../../configs/rules.yaml")
	think := append(base, []byte(`
  - name: THINK
    question: What do they think?
    rules:
      - id: think.opinion
        phrases: ["i think"]
`)...)
	os.WriteFile(filepath.Join(data, "rules.yaml"), think, 0o644)
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(d.stderr.String(), "rules reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("rules not reloaded; stderr:\n%s", d.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	os.WriteFile(filepath.Join(data, "rules.yaml"), append(slices.Clone(think), []byte("        patterns: [\"(\"]\n")...), 0o644)
	for !strings.Contains(d.stderr.String(), "rules not reloaded") {
		if time.Now().After(deadline) {
			t.Fatalf("broken rules not reported; stderr:\n%s", d.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	os.MkdirAll(inbox, 0o755)
	os.WriteFile(filepath.Join(inbox, "opinion.txt"), []byte("I think the annual budget is theatre.\n"), 0o644)
	waitIndexed(t, data, 1)
	var shown api.Shown
	if err := json.Unmarshal([]byte(mustRun(t, "show", "opinion.txt", "--json", "--data", data)), &shown); err != nil {
		t.Fatal(err)
	}
	if len(shown.Passages) != 1 || !slices.Contains(shown.Passages[0].Categories, "THINK") {
		t.Errorf("the last good rules were not used: %+v", shown.Passages)
	}
	d.stop(t)
}

// A server started with --token refuses requests without it, while the
// other commands find the token next to the address in the data folder.
func TestServeWithToken(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "1", "--token", "s3cret-token")
	url := d.expect(t, `serving (http://127\.0\.0\.1:\d+)`)[1]
	os.MkdirAll(inbox, 0o755)
	os.WriteFile(filepath.Join(inbox, "note.txt"), []byte("The finance director hears about the okapi budget every week.\n"), 0o644)
	waitIndexed(t, data, 1)

	resp, err := http.Get(url + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /api/status without the token: %s", resp.Status)
	}
	if r := searchJSON(t, "--data", data, "okapi"); len(r.Hits) != 1 {
		t.Errorf("search through the server with its token: %+v", r.Hits)
	}
	if info, err := os.Stat(filepath.Join(data, "serve.json")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("serve.json holds the token and must be private: %v %v", info.Mode(), err)
	}
	d.stop(t)
}

// A named pipe given to ingest fails at once with a sentence saying what
// it is; opening it for reading would wait for a writer for ever.
func TestIngestRefusesNamedPipe(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "notes.txt")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	r := runCLI(t, "", "ingest", "--data", filepath.Join(dir, "data"), fifo)
	if r.code != 1 || !strings.Contains(r.stderr, fifo+": it is a named pipe (FIFO), not a file") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if took := time.Since(began); took > 20*time.Second {
		t.Errorf("took %s", took)
	}
}

// rules learn proposes a rules file that rules check accepts and that
// carries each rule's evidence; rules eval --folds measures learning on
// held-out documents.
func TestRulesLearn(t *testing.T) {
	dir := t.TempDir()
	train, err := os.ReadFile("../../eval/train.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(train), "\n")
	sample := filepath.Join(dir, "train.jsonl")
	os.WriteFile(sample, []byte(strings.Join(lines[:min(len(lines), 900)], "")), 0o644)
	out := filepath.Join(dir, "proposed.yaml")
	got := mustRun(t, "rules", "learn", sample, "-o", out, "--folds", "3", "--data", filepath.Join(dir, "data"))
	for _, want := range []string{"rules learned from", "Cross-validated over 3 folds", "Fit on the training file", "macro-F1"} {
		if !strings.Contains(got, want) {
			t.Errorf("rules learn output lacks %q:\n%s", want, got)
		}
	}
	proposed, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(proposed), "learned: precision") || !strings.Contains(string(proposed), "Phrase notation") {
		t.Errorf("proposals lack their evidence or the notation:\n%.600s", proposed)
	}
	if r := mustRun(t, "rules", "check", out, "--data", filepath.Join(dir, "data")); !strings.Contains(r, "rules are valid: 6 categories") {
		t.Errorf("rules check of the proposals: %q", r)
	}
	var cv struct {
		Passages   int
		Categories []struct{ Category string }
		MacroF1    float64 `json:"macro_f1"`
	}
	if err := json.Unmarshal([]byte(mustRun(t, "rules", "eval", sample, "--folds", "3", "--json", "--data", filepath.Join(dir, "data"))), &cv); err != nil {
		t.Fatal(err)
	}
	if cv.Passages != 900 || len(cv.Categories) != 6 || cv.MacroF1 <= 0.2 {
		t.Errorf("cross-validation report: %+v", cv)
	}
}

// Text a broken font left behind is indexed with a warning that status
// and show give; status --json says how the disk stands.
func TestStatusWarnsOfUnreadableText(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	doc := filepath.Join(dir, "glyphs.txt")
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "Note %d: we rebuild the forecast by hand. %s\n\n", i, strings.Repeat("\ue012\ue0a7\ue3c1\ue044 ", 6))
	}
	os.WriteFile(doc, []byte(b.String()), 0o644)
	if r := runCLI(t, "", "ingest", "--data", data, doc); r.code != 0 {
		t.Fatalf("ingest: exit %d, %s", r.code, r.stderr)
	}
	out := mustRun(t, "status", "--data", data)
	if !strings.Contains(out, "warning: much of the text is unreadable") || !strings.Contains(out, "private-use characters") {
		t.Errorf("status does not warn of the unreadable text:\n%s", out)
	}
	if out := mustRun(t, "show", "glyphs.txt", "--data", data); !strings.Contains(out, "private-use characters") {
		t.Errorf("show does not warn of the unreadable text:\n%s", out)
	}
	raw := mustRun(t, "status", "--json", "--data", data)
	var st struct {
		Disk *struct {
			Full bool   `json:"full"`
			Free uint64 `json:"free_bytes"`
		} `json:"disk"`
	}
	if err := json.Unmarshal([]byte(raw), &st); err != nil || st.Disk == nil || st.Disk.Full || st.Disk.Free == 0 {
		t.Errorf("status --json: disk %+v (%v) in %s", st.Disk, err, raw)
	}
}

// --cpuprofile and --memprofile write profiles that go tool pprof reads,
// also when the command fails.
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"status"}, 0},
		{[]string{"show", "nothing-here.txt"}, 1},
	} {
		cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
		os.Remove(cpu)
		os.Remove(mem)
		args := append([]string{"--data", filepath.Join(dir, "data"), "--cpuprofile", cpu, "--memprofile", mem}, tt.args...)
		if r := runCLI(t, "", args...); r.code != tt.code {
			t.Fatalf("evident %s: exit %d, want %d\n%s", strings.Join(tt.args, " "), r.code, tt.code, r.stderr)
		}
		for _, p := range []string{cpu, mem} {
			out, err := exec.Command("go", "tool", "pprof", "-raw", p).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "PeriodType") {
				t.Errorf("%s after %s: %v\n%.300s", filepath.Base(p), tt.args[0], err, out)
			}
		}
	}
}

// filesOnDisk is what the queue's object stores of original files (those
// on their way and those that stay) take on disk in a data folder.
func filesOnDisk(t *testing.T, data string) int64 {
	t.Helper()
	var n int64
	for _, bucket := range []string{"evident-files", "evident-kept"} {
		dir := filepath.Join(data, "jetstream", "jetstream", "$G", "streams", "OBJ_"+bucket, "msgs")
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
	}
	return n
}

// A file's bytes leave the data folder once it is indexed, unless
// --keep-files (on ingest in process, and on ingest through a server);
// retry then reads the file again, or says it is gone and where it was.
func TestKeepFiles(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	var b strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&b, "Speaker %d: We closed the books in nine days, which is %d days too many for the board.\n\n", i%7, i%13)
	}
	os.WriteFile(big, []byte(b.String()), 0o644)
	size := int64(b.Len())

	gone, kept := filepath.Join(dir, "gone"), filepath.Join(dir, "kept")
	mustRun(t, "ingest", "--data", gone, big)
	mustRun(t, "ingest", "--data", kept, "--keep-files", big)
	if n := filesOnDisk(t, gone); n > size/4 {
		t.Errorf("without --keep-files the store of files takes %d bytes for a %d-byte file", n, size)
	}
	if n := filesOnDisk(t, kept); n < size {
		t.Errorf("with --keep-files the store of files takes %d bytes for a %d-byte file", n, size)
	}

	// Through a server.
	served := filepath.Join(dir, "served")
	d := start(t, "serve", "--data", served, "--inbox", filepath.Join(dir, "inbox"), "--http", "127.0.0.1:0", "--workers", "1")
	d.expect(t, `serving http://`)
	mustRun(t, "ingest", "--data", served, "--keep-files", big)
	if n := filesOnDisk(t, served); n < size {
		t.Errorf("ingest --keep-files through serve: the store of files takes %d bytes for a %d-byte file", n, size)
	}
	d.stop(t)

	// Retry without the bytes: the file is read again; once it is gone,
	// the reason says where it was.
	if r := runCLI(t, "", "retry", "big.txt", "--data", gone); r.code != 0 || !strings.Contains(r.stdout, "1 indexed, 0 failed") {
		t.Errorf("retry of an indexed file whose bytes left: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	os.Remove(big)
	r := runCLI(t, "", "retry", "big.txt", "--data", gone)
	if r.code != 1 || !strings.Contains(r.stderr, "--keep-files") || !strings.Contains(r.stderr, big) {
		t.Errorf("retry of an indexed file gone from disk: exit %d\nstderr %s", r.code, r.stderr)
	}
}
