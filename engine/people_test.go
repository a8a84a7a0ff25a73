package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/search"
)

// TestWhoSaidIt ingests the README's example files (front matter, a
// sidecar, a survey with a role column, a podcast with an announcer, a
// host and a guest known only from the prose) and checks who each passage
// is attributed to, and what "what do CFOs hear" returns.
func TestWhoSaidIt(t *testing.T) {
	e := start(t, Options{Workers: 2})
	files, err := filepath.Glob("../examples/*")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v %v", files, err)
	}
	var docs []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		e.drop(filepath.Base(f), string(b))
		if !strings.HasSuffix(f, ".meta.yaml") {
			docs = append(docs, filepath.Base(f))
		}
	}
	e.waitIndexed(wait, docs...)

	show := func(file string) *api.Shown {
		s, err := e.Show(context.Background(), file)
		if err != nil {
			t.Fatalf("show %s: %v", file, err)
		}
		return s
	}
	type who struct {
		role        string
		source      evident.RoleSource
		interviewer bool
	}
	// Every turn of each speaker, in each file.
	want := map[string]map[string]who{
		"interview-cfo-northwind.txt": {
			"Interviewer": {interviewer: true},              // the front matter says so
			"Priya Raman": {role: "cfo", source: "sidecar"}, // front matter outranks the label
		},
		"podcast-ledger-lines.txt": {
			"ANNOUNCER": {interviewer: true},                          // the label says so
			"JT":        {interviewer: true},                          // "host Jo Tanaka", welcomes, asks
			"RK":        {role: "cfo", source: evident.RoleFromIntro}, // "Ravi is the financial controller at Halden Freight"
		},
	}
	for file, speakers := range want {
		s := show(file)
		seen := map[string]int{}
		for _, p := range s.Passages {
			if p.Section != "" {
				if p.Speaker != "" || p.Role != "" || len(p.Categories) > 0 && p.Speaker != "" {
					t.Errorf("%s: note %q attributed to %q (%s)", file, p.Text, p.Speaker, p.Role)
				}
				continue
			}
			w, ok := speakers[p.Speaker]
			if !ok {
				t.Errorf("%s: passage %q by unexpected speaker %q", file, p.Text, p.Speaker)
				continue
			}
			seen[p.Speaker]++
			if p.Role != w.role || p.RoleSource != w.source || p.Interviewer != w.interviewer {
				t.Errorf("%s: %s's %q: role %q from %q, interviewer %v; want %+v", file, p.Speaker, p.Text, p.Role, p.RoleSource, p.Interviewer, w)
			}
			if p.Interviewer && len(p.Categories) > 0 {
				t.Errorf("%s: interviewer turn %q tagged %v", file, p.Text, p.Categories)
			}
		}
		for name := range speakers {
			if seen[name] == 0 {
				t.Errorf("%s: no turns by %s", file, name)
			}
		}
	}
	pod := show("podcast-ledger-lines.txt").Document
	if pod.Title != "Ledger Lines 14: Why finance teams stop trusting dashboards" || pod.Kind != evident.Podcast {
		t.Errorf("the sidecar's title and kind are missing: %q %q", pod.Title, pod.Kind)
	}
	for _, p := range pod.Speakers {
		if p.Name == "RK" && (p.FullName != "Ravi Kumar" || p.Company != "Halden Freight") {
			t.Errorf("RK: %+v, want Ravi Kumar of Halden Freight", p)
		}
		if p.Name == "JT" && !strings.Contains(p.InterviewerSource, "host") {
			t.Errorf("JT is host for the wrong reason: %+v", p)
		}
	}

	// Survey respondents: the role column, canonicalised.
	for _, p := range show("survey-finance-tools.csv").Passages {
		title := p.Attrs["What is your role?"]
		var role string
		switch title {
		case "CFO", "Finance director":
			role = "cfo"
		case "IT director":
			role = "cio"
		}
		if role != "" && (p.Role != role || p.RoleSource != "survey column") {
			t.Errorf("survey row %d (%s): role %q from %q, want %s from the column", p.Locator.Row, title, p.Role, p.RoleSource, role)
		}
	}

	// What do CFOs hear: CFO passages tagged HEAR, from the interview, the
	// survey and the podcast, and never a host's question; then passages
	// about CFOs (the article's "Controllers we spoke to say"), labelled so.
	resp := e.search("what do CFOs hear")
	if resp.Query.Role != "cfo" || !slices.Equal(resp.Query.Categories, []string{"HEAR"}) || resp.Fallback != "" {
		t.Fatalf("understood as %+v (fallback %q)", resp.Query, resp.Fallback)
	}
	files = nil
	about := false
	for _, h := range resp.Hits {
		if h.About != "" {
			about = true
			if h.About != "cfo" || h.Role == "cfo" {
				t.Errorf("hit %q: about %q, said by %q", h.Text, h.About, h.Role)
			}
		} else if about {
			t.Errorf("hit %q said by %s comes after a passage about the role", h.Text, h.Role)
		}
		if h.About == "" && h.Role != "cfo" || !slices.Contains(h.Categories, "HEAR") || h.Interviewer {
			t.Errorf("hit %q: role %q, categories %v, interviewer %v", h.Text, h.Role, h.Categories, h.Interviewer)
		}
		if h.Citation == "" || h.Source.SHA256 == "" {
			t.Errorf("hit %q has no citation", h.Text)
		}
		files = append(files, h.Source.File)
		if h.Speaker == "RK" && !strings.HasPrefix(h.Citation, "Ravi Kumar (RK; cfo, from an introduction), ") {
			t.Errorf("RK's citation %q does not say the role is a guess", h.Citation)
		}
	}
	for _, f := range []string{"interview-cfo-northwind.txt", "podcast-ledger-lines.txt"} {
		if !slices.Contains(files, f) {
			t.Errorf("no CFO HEAR evidence from %s: %v", f, files)
		}
	}
	// The IT director's survey answer ("I hear the same complaint from our
	// CISO") answers the same question for IT directors.
	resp = e.search("what do IT directors hear")
	if len(resp.Hits) != 1 || resp.Hits[0].Source.File != "survey-finance-tools.csv" || resp.Hits[0].Role != "cio" || resp.Hits[0].Locator.Row != 3 {
		t.Errorf("what do IT directors hear: %+v", resp.Hits)
	}

	// Asked for what a role has no evidence of: a labelled fallback to the
	// role's other passages, never an empty page.
	m, err := e.Matrix(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	missing := ""
	for _, c := range m.Categories {
		if m.Cells["cio"].Categories[c] == 0 {
			missing = c
		}
	}
	if missing == "" {
		t.Fatalf("the IT director has evidence in every category: %+v", m.Cells["cio"])
	}
	resp = e.search("role:cio category:" + missing)
	if resp.Fallback == "" || len(resp.Hits) == 0 {
		t.Fatalf("role:cio category:%s: %d hits, fallback %q", missing, len(resp.Hits), resp.Fallback)
	}
	for _, h := range resp.Hits {
		if h.Role != "cio" {
			t.Errorf("fallback for cio DO shows %s's %q", h.Role, h.Text)
		}
	}
	if resp := e.search("role:chro budget"); resp.Fallback == "" || !strings.Contains(resp.Fallback, "chro") {
		t.Errorf("a role with no evidence: fallback %q", resp.Fallback)
	}
	// Hosts are searchable on request.
	r2, err := e.Search(context.Background(), search.Request{Query: "what's on your desk", Interviewer: true, Limit: 5})
	if err != nil || len(r2.Hits) == 0 || r2.Hits[0].Speaker != "JT" {
		t.Errorf("host turns on request: %+v %v", r2, err)
	}
}

// The category word a person used ranks the passages that say it first:
// "what do CFOs struggle with" puts the CFO's struggle before her worries.
func TestCategoryWordsRank(t *testing.T) {
	e := start(t, Options{})
	e.drop("cfo/notes.txt", "I am worried that the audit will slip again this year.\n\n"+
		"I'm worried about the new ERP rollout and what it costs.\n\n"+
		"We struggle to close the books on time every single month.\n")
	e.waitIndexed(wait, "cfo/notes.txt")
	resp := e.search("what do CFOs struggle with")
	if resp.Query.Hints != "struggle" || len(resp.Query.Categories) != 1 || resp.Query.Categories[0] != "PAINS" {
		t.Fatalf("understood as %+v", resp.Query)
	}
	if len(resp.Hits) != 3 || !strings.Contains(resp.Hits[0].Text, "struggle") {
		t.Fatalf("want the struggle first among 3 PAINS passages: %+v", resp.Hits)
	}
	if len(resp.Hits[0].Highlights) == 0 {
		t.Errorf("the word that ranked the passage first is not highlighted")
	}
}
