package engine

import (
	"context"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/persona"
)

const speakersPodcast = `**Ana Ruiz:** Welcome to the show. Today we have Raj Dutt, the CTO of Grafana Labs. Raj, thanks for joining us.

**Raj Dutt:** Thanks for having me. Our biggest problem is that onboarding takes forever.

**Ana Ruiz:** Why does onboarding take so long for your customers?

**Raj Dutt:** Security reviews. We struggle with them every quarter.

**Mia Chen:** And the vendors are slow to answer our security questions.
`

// TestSpeakerCorrections corrects speakers of an ingested podcast: the
// correction applies at once in the store and the index, outranks what
// was detected, and stays through reclassify and the same bytes ingested
// again. A search for CTOs then shows the CTO first and the VP of
// engineering after, as the CTO's group.
func TestSpeakerCorrections(t *testing.T) {
	e := start(t, Options{})
	ctx := context.Background()
	e.drop("podcast.md", speakersPodcast)
	e.waitIndexed(wait, "podcast.md")

	check := func(when string) {
		t.Helper()
		s, err := e.Show(ctx, "podcast.md")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Passages {
			switch p.Speaker {
			case "Ana Ruiz":
				if p.Interviewer {
					t.Errorf("%s: Ana's turn %q is still the interviewer's", when, p.Text)
				}
			case "Mia Chen":
				if p.Role != "vp-engineering" || p.Title != "VP of Engineering" || p.RoleSource != "person" {
					t.Errorf("%s: Mia's turn: role %q title %q from %q; want vp-engineering, VP of Engineering, person", when, p.Role, p.Title, p.RoleSource)
				}
			case "Raj Dutt":
				if p.Role != "cto" || p.RoleSource != evident.RoleFromIntro {
					t.Errorf("%s: Raj's turn: role %q from %q", when, p.Role, p.RoleSource)
				}
			}
		}
		for _, who := range s.Document.Speakers {
			if who.Name == "Ana Ruiz" && (who.Interviewer || who.InterviewerSource != "person") {
				t.Errorf("%s: Ana: %+v", when, who)
			}
		}
	}

	// Before: Ana hosts, Raj is the CTO from the introduction.
	if resp := e.search(`"so long for your customers"`); len(resp.Hits) != 0 {
		t.Fatalf("the host's question is evidence before any correction: %+v", resp.Hits)
	}
	if _, err := e.SetSpeaker(ctx, "podcast.md", "Mia Chen", persona.Correction{Title: ptr("VP of Engineering")}, "dana"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SetSpeaker(ctx, "podcast.md", "Ana Ruiz", persona.Correction{Interviewer: ptr(false)}, "dana"); err != nil {
		t.Fatal(err)
	}
	check("at once")
	if resp := e.search(`"so long for your customers"`); len(resp.Hits) != 1 || resp.Hits[0].Speaker != "Ana Ruiz" {
		t.Errorf("Ana's question is not searchable as evidence: %+v", resp.Hits)
	}
	// CTOs: the CTO's passages, then the VP of engineering's as the group's.
	resp := e.search("what do CTOs say about security")
	var order []string
	for _, h := range resp.Hits {
		order = append(order, h.Speaker+"/"+h.RoleMatch)
	}
	if len(resp.Hits) != 2 || resp.Hits[0].Speaker != "Raj Dutt" || resp.Hits[0].RoleMatch != "exact" ||
		resp.Hits[1].Speaker != "Mia Chen" || resp.Hits[1].RoleMatch != "group" || resp.Hits[1].Title != "VP of Engineering" {
		t.Errorf("CTOs about security: %v (understood %v)", order, resp.Query.Understood)
	}

	if _, err := e.Reclassify(ctx); err != nil {
		t.Fatal(err)
	}
	check("after reclassify")

	// The same bytes again, with new metadata: processed again, corrected.
	e.drop("podcast.md.meta.yaml", "title: Onboarding with Raj\n")
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.File == "podcast.md" && d.Title == "Onboarding with Raj" && d.State == evident.Indexed {
				return true, ""
			}
		}
		return false, describe(ds)
	})
	check("after the same bytes were ingested again")

	// What cannot be done is said.
	if _, err := e.SetSpeaker(ctx, "podcast.md", "Nobody", persona.Correction{Role: ptr("cfo")}, "dana"); api.KindOf(err) != api.NotFound {
		t.Errorf("unknown speaker: %v", err)
	}
	if _, err := e.SetSpeaker(ctx, "podcast.md", "Raj Dutt", persona.Correction{}, "dana"); api.KindOf(err) != api.Invalid {
		t.Errorf("empty correction: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }
