// Package persona decides who speaks each passage and in which role:
// interviewers and hosts apart from the people whose evidence we want, and
// roles from the most reliable source available, recording that source.
package persona

import (
	"slices"
	"strings"
	"unicode"

	"github.com/evident/evident"
	"github.com/evident/evident/internal/lazyregexp"
	"github.com/evident/evident/roles"
)

// Input is a document's passages and what the user said about it.
type Input struct {
	Meta       evident.Meta
	FolderRole string
	Passages   []evident.Passage // modified in place
	// Roles recognises titles in speaker labels ("Jane Doe (CFO, Acme):");
	// nil reads no roles from labels.
	Roles *roles.Taxonomy
}

// Resolve marks interviewers and assigns roles. It returns the document's
// speakers in order of first appearance.
func Resolve(in Input) []evident.Person {
	var order []string
	people := map[string]*evident.Person{}
	for i := range in.Passages {
		p := &in.Passages[i]
		if p.Speaker == "" {
			continue
		}
		if _, ok := people[p.Speaker]; !ok {
			order = append(order, p.Speaker)
			people[p.Speaker] = &evident.Person{Name: p.Speaker}
		}
	}
	// Initials ("BC") take the full name the prose gives them, so that the
	// user's metadata and introductions can name the person either way.
	for label, full := range fullNames(in.Passages, order) {
		people[label].FullName = full
	}
	userSaid := false
	for _, name := range order {
		who := people[name]
		m, ok := in.Meta.Speakers[name]
		if !ok && who.FullName != "" {
			m, ok = in.Meta.Speakers[who.FullName]
		}
		if ok {
			who.Role, who.Title, who.Company, who.Interviewer = strings.TrimSpace(m.Role), m.Title, m.Company, m.Interviewer
			if who.Role != "" {
				who.RoleSource = evident.RoleFromSidecar
			}
			if m.Interviewer {
				who.InterviewerSource, userSaid = string(evident.RoleFromSidecar), true
			}
		}
		if !who.Interviewer && isInterviewerName(name) {
			who.Interviewer, who.InterviewerSource = true, string(evident.RoleFromLabel)
			// A label that asks the questions settles who hosts; an
			// announcer reading the intro does not.
			userSaid = userSaid || !isAnnouncer(name)
		}
	}
	// A label's parenthesis may come with any of the speaker's turns; the
	// first one naming a known role gives it, the rest of it the company.
	for i := range in.Passages {
		p := &in.Passages[i]
		who := people[p.Speaker]
		if who == nil || who.Role != "" || in.Roles == nil || p.Attrs["label"] == "" {
			continue
		}
		parts := strings.Split(p.Attrs["label"], ",")
		for j, part := range parts {
			id, ok := in.Roles.Title(part)
			if !ok {
				continue
			}
			who.Role, who.Title, who.RoleSource = id, strings.TrimSpace(part), evident.RoleFromLabel
			if who.Company == "" {
				rest := append(slices.Clone(parts[:j]), parts[j+1:]...)
				who.Company = strings.TrimSpace(strings.Join(rest, ","))
			}
			break
		}
	}
	// A label that is itself a role ("Veteran:", "Finance Director:") says
	// who speaks. Capitals of up to four letters may be initials ("PM:").
	for _, name := range order {
		who := people[name]
		if who.Role != "" || who.Interviewer || in.Roles == nil || initials(name) {
			continue
		}
		title := strings.TrimRight(name, " 0123456789")
		if id, ok := in.Roles.Exact(title); ok && !in.Roles.IsCommittee(id) {
			who.Role, who.Title, who.RoleSource = id, title, evident.RoleFromLabel
		}
	}
	// Introductions by name come first: what a host says of a guest is
	// more reliable than an aside of the guest's own ("as a developer").
	// What is said to the one addressed ("you're a CEO") waits until the
	// hosts are known: it counts when a host says it to a guest.
	introducers := map[string][]introduced{}
	var toGuests []introduction
	give := func(name string, intro introduction) {
		who := people[name]
		if who == nil || who.Role != "" || intro.role == "" && who.Title != "" {
			return
		}
		who.Title, who.RoleReason = intro.title, intro.said
		if intro.role != "" {
			who.Role, who.RoleSource = intro.role, evident.RoleFromIntro
		}
		if who.Company == "" {
			who.Company = intro.company
		}
	}
	if in.Roles != nil && len(order) > 0 {
		intros := introductions(in.Passages, in.Roles)
		var generic []evident.Passage
		for _, p := range in.Passages {
			if genericLabel().MatchString(p.Speaker) {
				generic = append(generic, p)
			} else {
				generic = append(generic, evident.Passage{Section: "-"})
			}
		}
		intros = append(intros, participantTitles(generic, in.Roles)...)
		slices.SortStableFunc(intros, func(a, b introduction) int {
			return cmpBool(a.name == "", b.name == "")
		})
		for _, intro := range intros {
			by := in.Passages[intro.by].Speaker
			if intro.you {
				toGuests = append(toGuests, intro)
				continue
			}
			name := by
			if intro.name != "" {
				name = speakerNamed(intro.name, order, people)
				if name == "" {
					continue
				}
				if by != "" && by != name {
					introducers[by] = append(introducers[by], introduced{name: name, passage: intro.by})
				}
			}
			give(name, intro)
		}
	}
	if !userSaid {
		for host, why := range detectHosts(in.Passages, people, order, introducers) {
			people[host].Interviewer, people[host].InterviewerSource = true, why
		}
	}
	for _, intro := range toGuests {
		by := people[in.Passages[intro.by].Speaker]
		to := addressee(in.Passages, intro.by)
		if by != nil && by.Interviewer && to != "" && !people[to].Interviewer {
			give(to, intro)
		}
	}
	docRole, docSource := strings.ToLower(in.Meta.Role), evident.RoleFromDocument
	if docRole == "" && in.FolderRole != "" {
		docRole, docSource = strings.ToLower(in.FolderRole), evident.RoleFromFolder
	}
	for i := range in.Passages {
		p := &in.Passages[i]
		if who := people[p.Speaker]; who != nil {
			// An interviewer's turns are no evidence of their role.
			p.Interviewer = who.Interviewer
			if !who.Interviewer {
				p.Title = who.Title
				if who.Role != "" {
					p.Role, p.RoleSource = who.Role, who.RoleSource
				}
			}
		}
		if p.Interviewer || p.Section != "" {
			continue
		}
		if p.Role == "" && docRole != "" {
			p.Role, p.RoleSource = docRole, docSource
		}
	}
	out := make([]evident.Person, 0, len(order))
	for _, name := range order {
		out = append(out, *people[name])
	}
	return out
}

// genericLabel is a speaker labelled by what they are in a study, not by
// name: "Participant 4", "P3", "Veteran". Notes say who such a speaker is
// in the third person ("Director of field service for Velo").
var genericLabel = lazyregexp.New(`(?i)^(?:participant|respondent|interviewee|user|p|customer|veteran|caregiver|guest|speaker|person)\s*\d*$`)

// addressee is the one a passage speaks to: the next speaker who is not
// its own.
func addressee(ps []evident.Passage, i int) string {
	for j := i + 1; j < len(ps) && j < i+8; j++ {
		if ps[j].Speaker != "" && ps[j].Speaker != ps[i].Speaker {
			return ps[j].Speaker
		}
	}
	return ""
}

// introduced is a speaker introduced by another, in a given passage.
type introduced struct {
	name    string
	passage int
	guest   string // who is introduced, when name is who introduces
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// speakerNamed finds the one speaker a name in prose refers to: the same
// name or a part of it ("Brian", "Brian Carroll"), or else the same
// surname with a short form of the first name ("Abraham Heifets" for the
// speaker "Abe Heifets").
func speakerNamed(name string, order []string, people map[string]*evident.Person) string {
	for _, same := range []func(a, b string) bool{samePerson, nickname} {
		found := ""
		for _, label := range order {
			who := people[label]
			if same(name, label) || who.FullName != "" && same(name, who.FullName) {
				if found != "" && found != label {
					return "" // two speakers share the name: do not guess
				}
				found = label
			}
		}
		if found != "" {
			return found
		}
	}
	return ""
}

// nickname reports whether two full names share the surname and begin
// their first names alike: "Abe Heifets" and "Abraham Heifets", "Chris
// Benson" and "Christopher Benson".
func nickname(a, b string) bool {
	x, y := nameWords(a), nameWords(b)
	if len(x) < 2 || len(y) < 2 || x[len(x)-1] != y[len(y)-1] {
		return false
	}
	f, g := []rune(x[0]), []rune(y[0])
	return len(f) >= 2 && len(g) >= 2 && f[0] == g[0] && f[1] == g[1]
}

// initials reports a label of one to four capitals: "BC", "PM".
func initials(name string) bool {
	n := 0
	for _, r := range name {
		if !unicode.IsUpper(r) {
			return false
		}
		n++
	}
	return n <= 4
}

func isAnnouncer(n string) bool {
	n = strings.ToLower(strings.TrimSpace(n))
	return n == "announcer" || n == "narrator"
}

func isInterviewerName(n string) bool {
	n = strings.ToLower(strings.TrimSpace(n))
	switch n {
	case "interviewer", "moderator", "host", "co-host", "cohost", "facilitator", "researcher",
		"q", "question", "announcer", "narrator", "prompt", "presenter", "note-taker", "notetaker", "note taker", "observer":
		return true
	}
	return false
}
