package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestSpeakerCommand corrects a podcast's guest and host from the command
// line and sees it in show and search at once.
func TestSpeakerCommand(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	copyExamples(t, inbox)
	mustRun(t, "ingest", inbox, "--data", data)

	out := mustRun(t, "speaker", "podcast-ledger-lines.txt", "RK", "--title", "VP of Engineering", "--by", "dana", "--data", data)
	if !strings.Contains(out, `RK = Ravi Kumar (vp-engineering, from person; "VP of Engineering"; Halden Freight)`) {
		t.Errorf("speaker --title:\n%s", out)
	}
	out = mustRun(t, "speaker", "podcast-ledger-lines.txt", "JT", "--interviewer=false", "--data", data)
	if !strings.Contains(out, "JT = Jo Tanaka") || strings.Contains(out, "interviewer") {
		t.Errorf("speaker --interviewer=false:\n%s", out)
	}
	if out := mustRun(t, "search", "CTOs", "--data", data); !strings.Contains(out, `role vp-engineering ("VP of Engineering"), same group as the role asked for`) {
		t.Errorf("search CTOs:\n%s", out)
	}
	if r := runCLI(t, "", "speaker", "podcast-ledger-lines.txt", "Nobody", "--role", "cfo", "--data", data); r.code != 1 || !strings.Contains(r.stderr, `"RK"`) {
		t.Errorf("an unknown speaker: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI(t, "", "speaker", "podcast-ledger-lines.txt", "RK", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "--role") {
		t.Errorf("nothing to change: exit %d, stderr %q", r.code, r.stderr)
	}
}
