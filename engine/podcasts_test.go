package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/evident/evident/api"
	"github.com/evident/evident/search"
)

// podcastDirs are the podcast transcripts of the shared corpora, beside
// the repository.
var podcastDirs = []string{"../../shared/corpus/transcripts", "../../shared/train-corpus/transcripts"}

// diversityPerSpeaker is search's limit on one speaker's passages among
// the first ten.
const diversityPerSpeaker = 2

// podcastQuestions are role questions a map builder asks of podcasts.
var podcastQuestions = []string{
	"what do founders say",
	"what do CTOs do",
	"what do CEOs hear",
	"pains about hiring",
	"what do engineers see",
}

// TestPodcastTopTen ingests the shared podcast transcripts bare (no
// sidecars) and measures, for role questions, who the first ten results
// come from: the share of distinct speakers, and the share of hosts and
// interviewers (turns marked so, and speakers marked host in any episode,
// which default search should leave out). BENCHMARKS.md reports the
// table; run it with
//
//	go test ./engine -run TestPodcastTopTen -v
func TestPodcastTopTen(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests 45 transcripts")
	}
	var files []string
	for _, dir := range podcastDirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Skipf("no shared podcasts: %v", err)
		}
		for _, e := range entries {
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	e := start(t, Options{Workers: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var shas []string
	for _, f := range files {
		sub, err := e.Ingest(ctx, api.Submission{Path: f, Origin: "podcasts/" + filepath.Base(f)})
		if err != nil {
			t.Fatalf("submit %s: %v", f, err)
		}
		shas = append(shas, sub.Document.SHA256)
	}
	if _, err := e.Await(ctx, shas, nil); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	// Hosts as any episode knows them: a host missed in one episode is
	// still a host.
	hosts := map[string]bool{}
	for _, d := range e.docs() {
		for _, p := range d.Speakers {
			if p.Interviewer {
				hosts[p.Name] = true
			}
		}
	}

	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "question\tmatches\tspeakers in all\ttop\tdistinct speakers\tmost from one\tdocuments\tsaid by the role / its group / about it\tunder 25 words\thosts (marked)\thosts (any episode)\tfallback")
	for _, q := range podcastQuestions {
		resp, err := e.Search(ctx, search.Request{Query: q, Limit: 10})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		all, err := e.Search(ctx, search.Request{Query: q, Limit: 1000})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		top, every := podcastTop(resp, hosts), podcastTop(all, hosts)
		// With people enough to fill the first ten two passages each, no
		// one gives more than two of them.
		if every.speakers*diversityPerSpeaker >= top.n && top.mostFromOne > diversityPerSpeaker {
			t.Errorf("%q: one speaker gives %d of the first %d, though %d speakers match", q, top.mostFromOne, top.n, every.speakers)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d (%.0f%%)\t%d\t%d\t%d / %d / %d\t%d\t%d\t%d\t%s\n", q, resp.Total, every.speakers, top.n, top.speakers, top.share(top.speakers),
			top.mostFromOne, top.docs, top.exact, top.group, top.about, top.short, top.marked, top.hosts, resp.Fallback)
		if top.marked > 0 {
			t.Errorf("%q: %d of the first %d are interviewer or host turns; default search leaves them out", q, top.marked, top.n)
		}
	}
	tw.Flush()
	t.Logf("first ten results of role questions over %d podcast transcripts:\n%s", len(files), table.String())
}

// topTen describes who the first results of a search come from.
type topTen struct {
	n, speakers, mostFromOne, docs, marked, hosts int
	short                                         int // fewer than 25 words: one-liners and asides
	exact, group, about                           int // said by the role asked for, by a role of its group, about the role
}

func (t topTen) share(k int) float64 {
	if t.n == 0 {
		return 0
	}
	return 100 * float64(k) / float64(t.n)
}

func podcastTop(resp *search.Response, hosts map[string]bool) topTen {
	var out topTen
	perSpeaker, docs := map[string]int{}, map[string]bool{}
	for _, h := range resp.Hits {
		out.n++
		who := h.Source.SHA256 + "\x00" + h.Speaker
		if h.Speaker == "" {
			who = h.ID // no speaker: count each passage as its own
		}
		perSpeaker[who]++
		out.mostFromOne = max(out.mostFromOne, perSpeaker[who])
		docs[h.Source.SHA256] = true
		if h.Interviewer {
			out.marked++
		}
		if len(strings.Fields(h.Text)) < 25 {
			out.short++
		}
		if h.Interviewer || hosts[h.Speaker] {
			out.hosts++
		}
		switch {
		case h.RoleMatch == "exact":
			out.exact++
		case h.RoleMatch == "group":
			out.group++
		case h.About != "":
			out.about++
		}
	}
	out.speakers, out.docs = len(perSpeaker), len(docs)
	return out
}
