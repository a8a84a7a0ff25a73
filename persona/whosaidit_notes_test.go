package persona

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/roles"
)

// notesTruth is the hand-made ground truth of testdata/who-said-it-notes.yaml.
type notesTruth struct {
	Documents []struct {
		File     string `yaml:"file"`
		Speakers map[string]struct {
			Interviewer bool     `yaml:"interviewer"`
			Roles       []string `yaml:"roles"`
			Said        string   `yaml:"said"`
		} `yaml:"speakers"`
		Lines map[string][]int `yaml:"lines"`
		Not   []int            `yaml:"not"`
	} `yaml:"documents"`
}

// whoSaidItNotes is what TestWhoSaidItOnRealNotes measures.
type whoSaidItNotes struct {
	docs, passages, falseSpeaker int // passages given to someone who did not say them
	notPeople                    int // speakers found that are headings, topics or headers
	personScore
	said, missed int // participants' passages, and those given no speaker
}

// labelledBy reports which of the speakers a line of the file opens with
// the label of: "**Participant:** …", "- Participant 4: …", "**PROMPT**: …",
// "[id1] …".
func labelledBy(line string, speakers []string) string {
	s := strings.TrimLeft(line, " \t-*+_>0123456789.")
	for _, name := range speakers {
		for _, form := range []string{name + ":", name + "**:", name + "__:", "[" + name + "]"} {
			if strings.HasPrefix(s, form) || strings.HasPrefix(line, form) {
				return name
			}
		}
	}
	return ""
}

// TestWhoSaidItOnRealNotes runs real research-session notes through
// extraction, passages and persona, bare, as ingestion does, and checks
// each passage's speaker, each speaker's interviewer flag and each
// participant's role against testdata/who-said-it-notes.yaml.
//
//	go test ./persona -run WhoSaidItOnRealNotes -v
func TestWhoSaidItOnRealNotes(t *testing.T) {
	var gt notesTruth
	loadTruth(t, "who-said-it-notes.yaml", &gt)
	tax := roles.Default()
	var m whoSaidItNotes
	for _, d := range gt.Documents {
		path := filepath.Join("..", d.File)
		if rest, ok := strings.CutPrefix(d.File, "shared/"); ok {
			path = filepath.Join(sharedDir, rest)
		}
		raw, ps, people, err := readBare(path, tax)
		if os.IsNotExist(err) && strings.HasPrefix(d.File, "shared/") {
			t.Logf("%s: skipped, no shared folder", d.File)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", d.File, err)
			continue
		}
		m.docs++
		name := filepath.Base(d.File)
		var labels []string
		for label := range d.Speakers {
			labels = append(labels, label)
		}
		// Longest first: "Participant 12" before "Participant".
		slices.SortFunc(labels, func(a, b string) int { return len(b) - len(a) })
		for _, p := range people {
			truth, ok := d.Speakers[p.Name]
			if !ok {
				m.notPeople++
				t.Logf("%s: %q is read as a speaker but is nobody", name, p.Name)
				continue
			}
			m.score(t, name, p, truth.Interviewer, truth.Roles, truth.Said)
		}
		lines := strings.Split(string(raw), "\n")
		for _, p := range ps {
			m.passages++
			want := ""
			if l := p.Locator.Line; l > 0 && l <= len(lines) && !slices.Contains(d.Not, l) {
				want = labelledBy(lines[l-1], labels)
				for who, at := range d.Lines {
					if want == "" && slices.Contains(at, l) {
						want = who
					}
				}
			}
			if want != "" && !d.Speakers[want].Interviewer {
				m.said++
				if p.Speaker == "" {
					m.missed++
				}
			}
			if p.Speaker != "" && p.Speaker != want {
				m.falseSpeaker++
				t.Logf("%s:%d: said by %q, read as %q: %.60q", name, p.Locator.Line, want, p.Speaker, p.Text)
			}
		}
	}
	falseRate, roleRate := pct(m.falseSpeaker, m.passages), pct(m.statedRight, m.stated)
	t.Logf("%d notes documents, %d passages, %d labelled speakers", m.docs, m.passages, m.speakers)
	t.Logf("passages with a false speaker: %d of %d (%.1f%%); headings or topics read as speakers: %d", m.falseSpeaker, m.passages, falseRate, m.notPeople)
	t.Logf("interviewer flags right: %d of %d speakers (%.1f%%)", m.flagsRight, m.speakers, pct(m.flagsRight, m.speakers))
	t.Logf("participants with the stated role: %d of %d (%.1f%%); participants with no stated role given one: %d", m.statedRight, m.stated, roleRate, m.unstatedGiven)
	t.Logf("participants' passages given no speaker: %d of %d (%.1f%%)", m.missed, m.said, pct(m.missed, m.said))
	// Bounds: a little past the figures reached when this test was written,
	// so that a change that loses ground fails.
	if falseRate > 0.5 {
		t.Errorf("passages with a false speaker: %.1f%%, above the ceiling of 0.5%%", falseRate)
	}
	if m.notPeople > 0 {
		t.Errorf("%d headings or topics read as speakers, want none", m.notPeople)
	}
	if m.flagsRight < m.speakers {
		t.Errorf("interviewer flags right: %d of %d, want all", m.flagsRight, m.speakers)
	}
	if roleRate < 100 {
		t.Errorf("participants with the stated role: %.1f%%, want all", roleRate)
	}
}
