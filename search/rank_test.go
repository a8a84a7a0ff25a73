package search

import (
	"fmt"
	"strings"
	"testing"

	"github.com/evident/evident/index"
	"github.com/evident/evident/store"
)

// cands builds ranked candidates from "doc/speaker" labels, best first;
// an empty speaker is a passage without one (an article, a survey row).
func cands(labels ...string) []candidate {
	out := make([]candidate, len(labels))
	for i, l := range labels {
		doc, speaker, _ := strings.Cut(l, "/")
		out[i] = candidate{hit: index.Hit{ID: fmt.Sprintf("%s-%d", l, i)}, c: store.Candidate{SHA256: doc, Speaker: speaker}}
	}
	return out
}

func labels(cs []candidate) string {
	var out []string
	for _, c := range cs {
		l := c.c.SHA256 + "/" + c.c.Speaker
		if c.parts.Demoted > 0 {
			l += fmt.Sprintf("(-%d)", c.parts.Demoted)
		}
		out = append(out, l)
	}
	return strings.Join(out, " ")
}

func TestDiversify(t *testing.T) {
	tests := []struct {
		name               string
		in                 []candidate
		window             int
		capSpeaker, capDoc bool
		want               string
	}{
		{
			name: "two per speaker, the rest follow", window: 4, capSpeaker: true, capDoc: true,
			in:   cands("a/ann", "a/ann", "a/ann", "b/bo", "c/cy", "a/ann"),
			want: "a/ann a/ann b/bo c/cy a/ann(-2) a/ann",
		},
		{
			name: "one speaker only: nothing to spread", window: 10, capSpeaker: true, capDoc: true,
			in:   cands("a/ann", "a/ann", "a/ann", "a/ann"),
			want: "a/ann a/ann a/ann a/ann",
		},
		{
			name: "three per document, speakers apart", window: 10, capSpeaker: true, capDoc: true,
			in:   cands("a/ann", "a/bo", "a/cy", "a/dee", "b/eve"),
			want: "a/ann a/bo a/cy b/eve a/dee(-1)",
		},
		{
			name: "passages without a speaker count for their document", window: 10, capSpeaker: true, capDoc: true,
			in:   cands("s/", "s/", "s/", "s/", "t/"),
			want: "s/ s/ s/ t/ s/(-1)",
		},
		{
			name: "the query names the speaker", window: 10, capSpeaker: false, capDoc: true,
			in:   cands("a/ann", "a/ann", "a/ann", "b/bo"),
			want: "a/ann a/ann a/ann b/bo",
		},
		{
			name: "the query names the document", window: 10, capSpeaker: true, capDoc: false,
			in:   cands("a/ann", "a/bo", "a/cy", "a/dee", "b/eve"),
			want: "a/ann a/bo a/cy a/dee b/eve",
		},
		{
			name: "beyond the window, order stands", window: 2, capSpeaker: true, capDoc: true,
			in:   cands("a/ann", "b/bo", "a/ann", "a/ann", "b/bo"),
			want: "a/ann b/bo a/ann a/ann b/bo",
		},
		{name: "empty", window: 10, capSpeaker: true, capDoc: true, in: nil, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diversify(tt.in, tt.window, tt.capSpeaker, tt.capDoc)
			if labels(got) != tt.want {
				t.Errorf("diversify = %s\n                want %s", labels(got), tt.want)
			}
			if len(got) != len(tt.in) {
				t.Errorf("%d candidates in, %d out: diversity reorders, never drops", len(tt.in), len(got))
			}
		})
	}
}

// TestRank: substance and cues order passages a query cannot tell apart
// by its words; said-by comes before about.
func TestRank(t *testing.T) {
	syn := DefaultSynonyms()
	mk := func(id, role, text string, score float64) candidate {
		return candidate{hit: index.Hit{ID: id}, c: store.Candidate{ID: id, Role: role, Text: text,
			Categories: []string{"DO"}, Scores: map[string]float64{"DO": score}}}
	}
	couch := mk("couch", "cto", "I decided I actually really wanted a couch, so I went and bought a couch, and I sold all my stuff before that. It was a whole weekend of moving furniture around the apartment with friends.", 6.5)
	work := mk("work", "cto", "We spend most of our time on the developer platform: every engineer reviews code on Mondays, we deploy twice a day, and customers get new integrations each month through the API.", 3)
	short := mk("short", "cto", "Yeah, we did that.", 1.2)
	about := mk("about", "ceo", "Our CTO spends his week reviewing the architecture, the infrastructure costs and every deployment with the engineers.", 5)
	p := Parsed{Roles: []string{"cto"}, Categories: []string{"DO"}}
	cs := []candidate{couch, short, about, work}
	rank(cs, p, syn)
	var order []string
	for _, c := range cs {
		order = append(order, c.hit.ID)
	}
	if got := strings.Join(order, " "); got != "work couch short about" {
		t.Errorf("ranked %s, want work couch short about", got)
	}
	for _, c := range cs {
		if c.hit.ID == "about" && (!c.about || c.parts.Role != 0.5) {
			t.Errorf("about: %+v", c)
		}
		if c.hit.ID == "work" && (c.parts.Substance <= 0.8 || c.parts.Role != 1 || c.parts.Category != 1 || c.parts.Text != 0) {
			t.Errorf("work parts %+v", c.parts)
		}
	}
}

// TestCapped: who fills their share of the first results when the
// candidates cannot fill them within the limits, so that the others can
// be fetched.
func TestCapped(t *testing.T) {
	tests := []struct {
		name string
		in   []candidate
		want string
	}{
		{"enough people", cands("a/ann", "a/ann", "b/bo", "c/cy", "d/dee", "e/eve"), ""},
		{"two people", cands("a/ann", "a/ann", "a/ann", "b/bo", "b/bo", "b/bo"), "a/ann b/bo"},
		{"one document", cands("a/ann", "a/bo", "a/cy", "a/dee"), "a/"},
		{"nobody", nil, ""},
	}
	for _, tt := range tests {
		var got []string
		for _, w := range capped(tt.in, 5, true, true) {
			got = append(got, w.Doc+"/"+w.Speaker)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: capped = %v, want %s", tt.name, got, tt.want)
		}
	}
}
