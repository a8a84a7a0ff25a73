package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/store"
)

// reviewTour corrects and accepts tags of the CFO interview, sees the
// person's tag in search and through reclassify, and exports the reviews
// for `rules eval`; the same whether a server holds data or not.
func reviewTour(t *testing.T, data string) {
	t.Helper()
	var sha string
	for _, d := range status(t, data).Documents {
		if d.File == "interview-cfo-northwind.txt" {
			sha = d.SHA256
		}
	}
	if sha == "" {
		t.Fatal("the CFO interview is not a document")
	}
	// "Every month-end I spend most of my first week chasing spreadsheets
	// …": DO and PAINS by the rules.
	corrected, accepted := evident.PassageID(sha, 1), evident.PassageID(sha, 6)

	out := mustRun(t, "tag", corrected, "+GAINS", "-do", "--by", "dana", "--data", data)
	if !strings.Contains(out, corrected+": DO PAINS → PAINS GAINS (corrected by dana)") || !strings.Contains(out, "why GAINS: tagged by dana on ") {
		t.Errorf("tag +GAINS -do:\n%s", out)
	}
	if r := runCLI(t, "", "tag", corrected, "+GAINZ", "--data", data); r.code != 1 || !strings.Contains(r.stderr, `"GAINZ"`) || !strings.Contains(r.stderr, "SEE, HEAR, SAY, DO, PAINS, GAINS") {
		t.Errorf("an unknown category: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runCLI(t, "", "tag", "ffffffffffff-1", "--accept", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "ffffffffffff-1") {
		t.Errorf("an unknown passage: exit %d, stderr %q", r.code, r.stderr)
	}
	if out := mustRun(t, "tag", "--data", data, accepted, "--accept", "--by", "omar"); !strings.Contains(out, "PAINS → PAINS (accepted by omar)") {
		t.Errorf("tag --accept:\n%s", out)
	}

	check := func(when string) {
		t.Helper()
		out := mustRun(t, "search", "role:cfo", "gains", "spreadsheets", "--data", data)
		if !strings.Contains(out, "why GAINS: tagged by dana on ") || !strings.Contains(out, "tags reviewed by dana on ") || !strings.Contains(out, "id "+corrected) {
			t.Errorf("%s: search shows:\n%s", when, out)
		}
		var hit bool
		for _, h := range searchJSON(t, "--data", data, "role:cfo", "spreadsheets").Hits {
			if h.ID == corrected {
				hit = true
				if !slices.Equal(h.Categories, []string{"PAINS", "GAINS"}) || h.TaggedBy != "dana" {
					t.Errorf("%s: the corrected passage is %v, tagged by %q", when, h.Categories, h.TaggedBy)
				}
			}
		}
		if !hit {
			t.Errorf("%s: role:cfo spreadsheets does not find the corrected passage", when)
		}
	}
	check("after the correction")
	mustRun(t, "reclassify", "--data", data)
	check("after reclassify")

	var log struct{ Reviews []store.Review }
	if err := json.Unmarshal([]byte(mustRun(t, "review", "log", "--json", "--data", data)), &log); err != nil {
		t.Fatal(err)
	}
	if len(log.Reviews) != 2 || log.Reviews[0].Who != "dana" || log.Reviews[0].Action != store.Correct || log.Reviews[1].Action != store.Accept {
		t.Errorf("review log: %+v", log.Reviews)
	}
	if out := mustRun(t, "review", "log", corrected, "--data", data); !strings.Contains(out, "DO PAINS → PAINS GAINS") || strings.Contains(out, accepted) {
		t.Errorf("review log of one passage:\n%s", out)
	}

	file := filepath.Join(t.TempDir(), "reviews.jsonl")
	if r := runCLI(t, "", "review", "export", "-o", file, "--data", data); r.code != 0 || !strings.Contains(r.stderr, "wrote 2 labelled passages") {
		t.Fatalf("review export: exit %d, stderr %q", r.code, r.stderr)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	gold, err := classify.ReadGold(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(gold) != 2 || gold[0].ID != corrected || !slices.Equal(gold[0].Labels, []string{"PAINS", "GAINS"}) || gold[0].Speaker != "Priya Raman" ||
		gold[1].ID != accepted || !slices.Equal(gold[1].Labels, []string{"PAINS"}) {
		t.Errorf("the export: %+v", gold)
	}
	var rep struct {
		Passages int
		Errors   []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(mustRun(t, "rules", "eval", file, "--json", "--data", data)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Passages != 2 || len(rep.Errors) != 1 || rep.Errors[0].ID != corrected {
		t.Errorf("rules eval of the export: %+v", rep)
	}

	// A bare "=" clears the person's tags: the rules' stand, and the
	// passage leaves the export.
	if out := mustRun(t, "tag", corrected, "=", "--by", "dana", "--data", data); !strings.Contains(out, "PAINS GAINS → DO PAINS (cleared by dana)") {
		t.Errorf("tag =:\n%s", out)
	}
	if out := mustRun(t, "review", "export", "--data", data); strings.Count(out, "\n") != 1 || !strings.Contains(out, accepted) {
		t.Errorf("export after the clear:\n%s", out)
	}
}

func TestReviewWithoutServer(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	copyExamples(t, inbox)
	mustRun(t, "ingest", inbox, "--data", data)
	reviewTour(t, data)
}

func TestReviewThroughServer(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	d := start(t, "serve", "--data", data, "--inbox", inbox, "--http", "127.0.0.1:0", "--workers", "1")
	d.expect(t, `serving (http://127\.0\.0\.1:\d+)`)
	copyExamples(t, inbox)
	docs, _ := filepath.Glob("../../examples/*")
	sidecars, _ := filepath.Glob("../../examples/*.meta.yaml")
	waitIndexed(t, data, len(docs)-len(sidecars))
	reviewTour(t, data)
	d.stop(t)
	// The reviews are in the data folder after the server stopped.
	var log struct{ Reviews []store.Review }
	if err := json.Unmarshal([]byte(mustRun(t, "review", "log", "--json", "--data", data)), &log); err != nil || len(log.Reviews) != 3 {
		t.Errorf("after the server stopped: %+v %v", log.Reviews, err)
	}
}

func TestReviewHelp(t *testing.T) {
	for _, c := range [][]string{{"tag"}, {"review"}, {"review", "log"}, {"review", "export"}} {
		r := runCLI(t, "", append(c, "--help")...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%s --help: exit %d, %q", strings.Join(c, " "), r.code, r.stdout)
		}
	}
	if r := runCLI(t, "", "tag", "+GAINS"); r.code != 1 || !strings.Contains(r.stderr, "PASSAGE_ID") {
		t.Errorf("tag without a passage: exit %d, %q", r.code, r.stderr)
	}
}
