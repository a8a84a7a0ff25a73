package persona

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/evident/evident"
)

// welcomes recognises a host opening a conversation: "Welcome back to the
// show", "thanks for joining us", "I'm here with Brian Carroll". A bare
// "welcome" is not one ("you're welcome to see them").
var welcomes = regexp.MustCompile(`(?i)(?:^\s*welcome\b|\bwelcome (?:back )?to (?:the\b|our\b|this\b|another\b|episode\b|(?-i:\p{Lu}))|\bwelcome (?:everyone|everybody|all)\b|\bthanks?(?: you)?(?: so much| very much)? for (?:joining|coming on|being (?:here|on|with us)|taking the time|making (?:the )?time)|\b(?:I'm|I am|we're|we are) (?:joined|here) (?:today )?(?:by|with)\b|\b(?:my|our) guests? (?:today |this week |on the show )?(?:is|are) (?-i:\p{Lu})|\btoday (?:I|we)(?:'m| am| are|'re) (?:talking|speaking|chatting) (?:to|with)\b)`)

// calledHost finds a host named in the prose: "host Jo Tanaka talks
// with", "hosted by Jo Tanaka", "my co-host, Chris Benson".
var calledHost = regexp.MustCompile(`(?i:\b(?:(?:your|our|the|my|co-?)\s*)?(?:co-?)?host(?:ed by)?,?|moderated by|moderator,?)\s+` + introName)

// opening is how many turns of a conversation can open it: a welcome or
// an introduction later on is not a host's.
const opening = 4

// turnStats is what a speaker does in a conversation.
type turnStats struct {
	turns, questions int
	first            int  // the speaker's first turn, counted over the conversation
	welcomes         bool // an opening turn welcomes a guest or thanks them for joining
	introduces       []string
}

func (s *turnStats) rate() float64 {
	if s.turns == 0 {
		return 0
	}
	return float64(s.questions) / float64(s.turns)
}

// detectHosts names who runs the conversation, when the user and the labels
// have not said: anyone the text calls host or co-host; the first speaker
// who opens the conversation by introducing a guest, or by welcoming one
// while asking questions about as often as the others; or else the speaker who
// asks clearly more of the questions. It returns each host with the reason.
func detectHosts(ps []evident.Passage, people map[string]*evident.Person, order []string, introducers map[string][]introduced) map[string]string {
	stats := map[string]*turnStats{}
	var candidates []string
	for _, name := range order {
		if who := people[name]; !who.Interviewer {
			stats[name] = &turnStats{first: -1}
			candidates = append(candidates, name)
		}
	}
	if len(candidates) < 2 {
		return nil
	}
	// Count turns, not passages: a long answer split in three is one turn,
	// and a question is a turn that ends asking.
	n := 0
	turnOf := make([]int, len(ps))
	for i := 0; i < len(ps); {
		p := &ps[i]
		j := i + 1
		for j < len(ps) && ps[j].Speaker == p.Speaker && ps[j].Section == p.Section {
			j++
		}
		for k := i; k < j; k++ {
			turnOf[k] = n
		}
		st := stats[p.Speaker]
		if st != nil && p.Section == "" {
			if st.first < 0 {
				st.first = n
			}
			st.turns++
			if endsAsking(ps[j-1].Text) {
				st.questions++
			}
			if n < opening && welcomes.MatchString(p.Text) {
				st.welcomes = true
			}
			n++
		}
		i = j
	}
	for name, intros := range introducers {
		if st := stats[name]; st != nil {
			for _, in := range intros {
				if turnOf[in.passage] < opening && !slices.Contains(st.introduces, in.name) {
					st.introduces = append(st.introduces, in.name)
				}
			}
		}
	}
	hosts := map[string]string{}
	// The text says who hosts.
	for i := range ps {
		for _, m := range calledHost.FindAllStringSubmatch(ps[i].Text, -1) {
			if name := speakerNamed(personName(m[1]), candidates, people); name != "" {
				hosts[name] = "detected: called the host in the text"
			}
		}
	}
	// The opener, if they also ask like a host.
	opener := ""
	for _, name := range candidates {
		st := stats[name]
		if (st.welcomes || len(st.introduces) > 0) && st.turns > 0 && (opener == "" || st.first < stats[opener].first) {
			opener = name
		}
	}
	if opener != "" && (len(stats[opener].introduces) > 0 || asksLikeAHost(opener, stats)) {
		st := stats[opener]
		var why []string
		if len(st.introduces) > 0 {
			why = append(why, "introduces "+strings.Join(st.introduces, ", "))
		}
		if st.welcomes {
			why = append(why, "welcomes the guest")
		}
		why = append(why, fmt.Sprintf("%d of %d turns are questions", st.questions, st.turns))
		if _, ok := hosts[opener]; !ok {
			hosts[opener] = "detected: " + strings.Join(why, "; ")
		}
	}
	if len(hosts) > 0 {
		return hosts
	}
	// The questioner: asks in a third of their turns at least, twice as
	// often as anyone else.
	top, second := "", 0.0
	for _, name := range candidates {
		st := stats[name]
		switch {
		case top == "" || st.rate() > stats[top].rate():
			if top != "" {
				second = stats[top].rate()
			}
			top = name
		case st.rate() > second:
			second = st.rate()
		}
	}
	if st := stats[top]; st.questions >= 3 && st.rate() >= 1.0/3 && st.rate() >= 2*second {
		return map[string]string{top: fmt.Sprintf("detected: %d of %d turns are questions, twice as often as anyone else", st.questions, st.turns)}
	}
	return nil
}

// asksLikeAHost reports whether a speaker asks questions at least half as
// often as anyone else who speaks three times or more: a guest who says
// "welcome" does not run the conversation.
func asksLikeAHost(name string, stats map[string]*turnStats) bool {
	for other, st := range stats {
		if other != name && st.turns >= 3 && stats[name].rate() < 0.5*st.rate() {
			return false
		}
	}
	return true
}

// endsAsking reports whether a turn ends with a question.
func endsAsking(s string) bool {
	s = strings.TrimRight(s, " \t\n\"'”’)]…")
	return strings.HasSuffix(s, "?")
}
