package persona

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

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
	speakers, flagsRight         int // interviewer flag right per speaker
	stated, statedRight          int // guests whose role the text states, and those given it
	unstatedGiven                int // guests with no stated role given one anyway
	hostPassages, hostAsEvidence int // host passages, and those left as evidence
	guestPassages, guestAsHost   int // guest passages, and those hidden as a host's
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
	data, err := os.ReadFile(filepath.Join("testdata", "who-said-it.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var gt truth
	if err := yaml.Unmarshal(data, &gt); err != nil {
		t.Fatalf("who-said-it.yaml: %v", err)
	}
	tax := roles.Default()
	var m whoSaidIt
	for _, tr := range gt.Transcripts {
		path := filepath.Join(sharedDir, tr.File)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", tr.File, err)
			continue
		}
		doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: filepath.Base(path), Data: raw})
		if err != nil {
			t.Errorf("%s: %v", tr.File, err)
			continue
		}
		ps := passage.Build(doc, passage.Options{})
		people := Resolve(Input{Meta: doc.Meta, Passages: ps, Roles: tax})
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
			m.speakers++
			if p.Interviewer == host {
				m.flagsRight++
			} else {
				t.Logf("%s: %s interviewer=%v (%s), want %v", name, p.Name, p.Interviewer, p.InterviewerSource, host)
			}
			if host {
				continue
			}
			switch {
			case len(guest.Roles) > 0:
				m.stated++
				if slices.Contains(guest.Roles, p.Role) {
					m.statedRight++
				} else {
					t.Logf("%s: %s role %q (title %q, %s: %q), want one of %v: %q", name, p.Name, p.Role, p.Title, p.RoleSource, p.RoleReason, guest.Roles, guest.Said)
				}
			case p.Role != "":
				m.unstatedGiven++
				t.Logf("%s: %s given role %q (title %q, from %s: %q) that the text does not plainly state", name, p.Name, p.Role, p.Title, p.RoleSource, p.RoleReason)
			}
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
