package persona

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/passage"
	"github.com/evident/evident/roles"
)

// sharedDir is the shared folder of real files beside the repository.
const sharedDir = "../../shared"

// truth is the hand-made ground truth of testdata/who-said-it.yaml.
type truth struct {
	Transcripts []struct {
		File   string   `yaml:"file"`
		Hosts  []string `yaml:"hosts"`
		Ignore []string `yaml:"ignore"`
		Guests map[string]struct {
			Roles []string `yaml:"roles"`
			Said  string   `yaml:"said"`
		} `yaml:"guests"`
	} `yaml:"transcripts"`
}

// whoSaidIt is what TestWhoSaidItOnRealTranscripts measures.
type whoSaidIt struct {
	personScore
	hostPassages, hostAsEvidence int // host passages, and those left as evidence
	guestPassages, guestAsHost   int // guest passages, and those hidden as a host's
}

// personScore counts what detection gets right of people: who asks (a
// host, a moderator) and the role the text states for everyone else.
type personScore struct {
	speakers, flagsRight int // interviewer flag right per speaker
	stated, statedRight  int // people whose role the text states, and those given it
	unstatedGiven        int // people with no stated role given one anyway
}

// score checks one person of a document against the truth: asking or not,
// and the roles the text states for them, in the sentence said.
func (s *personScore) score(t *testing.T, doc string, p evident.Person, asks bool, roles []string, said string) {
	t.Helper()
	s.speakers++
	if p.Interviewer == asks {
		s.flagsRight++
	} else {
		t.Logf("%s: %s interviewer=%v (%s), want %v", doc, p.Name, p.Interviewer, p.InterviewerSource, asks)
	}
	switch {
	case asks:
	case len(roles) > 0:
		s.stated++
		if slices.Contains(roles, p.Role) {
			s.statedRight++
		} else {
			t.Logf("%s: %s role %q (title %q, %s: %q), want one of %v: %q", doc, p.Name, p.Role, p.Title, p.RoleSource, p.RoleReason, roles, said)
		}
	case p.Role != "":
		s.unstatedGiven++
		t.Logf("%s: %s given role %q (title %q, from %s: %q) that the text does not plainly state", doc, p.Name, p.Role, p.Title, p.RoleSource, p.RoleReason)
	}
}

// loadTruth reads a hand-made ground truth of testdata.
func loadTruth(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// readBare runs a file through extraction, passages and persona as a
// worker does, with no sidecar or folder to help.
func readBare(path string, tax *roles.Taxonomy) ([]byte, []evident.Passage, []evident.Person, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: filepath.Base(path), Data: raw})
	if err != nil {
		return nil, nil, nil, err
	}
	ps := passage.Build(doc, passage.Options{})
	return raw, ps, Resolve(Input{Meta: doc.Meta, Passages: ps, Roles: tax}), nil
}

func pct(n, of int) float64 {
	if of == 0 {
		return 100
	}
	return 100 * float64(n) / float64(of)
}

// TestWhoSaidItOnRealTranscripts runs the podcast transcripts of the shared
// corpus through extraction, passages and persona, bare (no sidecars), as
// ingestion does, and checks who is found to host and what role each guest
// is given against the hand-made testdata/who-said-it.yaml.
//
//	go test ./persona -run WhoSaidIt -v
func TestWhoSaidItOnRealTranscripts(t *testing.T) {
	if _, err := os.Stat(sharedDir); err != nil {
		t.Skipf("no shared corpus at %s: %v", sharedDir, err)
	}
	var gt truth
	loadTruth(t, "who-said-it.yaml", &gt)
	tax := roles.Default()
	var m whoSaidIt
	for _, tr := range gt.Transcripts {
		_, ps, people, err := readBare(filepath.Join(sharedDir, tr.File), tax)
		if err != nil {
			t.Errorf("%s: %v", tr.File, err)
			continue
		}
		name := strings.TrimSuffix(filepath.Base(tr.File), ".md")
		for _, p := range people {
			if slices.Contains(tr.Ignore, p.Name) {
				continue
			}
			host := slices.Contains(tr.Hosts, p.Name)
			guest, isGuest := tr.Guests[p.Name]
			if !host && !isGuest {
				t.Errorf("%s: speaker %q is in neither hosts nor guests of who-said-it.yaml", name, p.Name)
				continue
			}
			m.score(t, name, p, host, guest.Roles, guest.Said)
		}
		for _, p := range ps {
			if p.Speaker == "" || p.Section != "" || slices.Contains(tr.Ignore, p.Speaker) {
				continue
			}
			if slices.Contains(tr.Hosts, p.Speaker) {
				m.hostPassages++
				if !p.Interviewer {
					m.hostAsEvidence++
				}
			} else {
				m.guestPassages++
				if p.Interviewer {
					m.guestAsHost++
				}
			}
		}
	}
	flags, guests := pct(m.flagsRight, m.speakers), pct(m.statedRight, m.stated)
	t.Logf("%d transcripts, %d speakers", len(gt.Transcripts), m.speakers)
	t.Logf("interviewer flags right: %d of %d speakers (%.1f%%)", m.flagsRight, m.speakers, flags)
	t.Logf("guests with the stated role: %d of %d (%.1f%%); guests with no stated role given one: %d", m.statedRight, m.stated, guests, m.unstatedGiven)
	t.Logf("host passages left as evidence: %d of %d (%.1f%%); guest passages hidden as a host's: %d of %d (%.1f%%)",
		m.hostAsEvidence, m.hostPassages, pct(m.hostAsEvidence, m.hostPassages), m.guestAsHost, m.guestPassages, pct(m.guestAsHost, m.guestPassages))
	// Floors: the figures reached when this test was written, a little
	// below, so that a change that loses ground fails.
	for _, f := range []struct {
		what       string
		got, floor float64
	}{
		{"interviewer flags right", flags, 97},
		{"guests with the stated role", guests, 80},
	} {
		if f.got < f.floor {
			t.Errorf("%s: %.1f%%, below the floor of %.0f%%", f.what, f.got, f.floor)
		}
	}
}
