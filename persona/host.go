package persona

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/evident/evident"
)

// welcomes recognises a host opening a conversation: "Welcome back to the
// show", "thanks for joining us", "I'm here with Brian Carroll".
var welcomes = regexp.MustCompile(`(?i)\b(?:welcome|thanks?(?: you)?(?: so much| very much)? for (?:joining|coming|being here|being with|taking the time|making (?:the )?time)|joining (?:me|us)|joined by|my guests?\b|our guests?\b|(?:I'm|I am|we're|we are) here with|today (?:I|we)(?:'m| am| are|'re)? (?:talking|speaking|chatting) (?:to|with))`)

// calledHost finds a host named in the prose: "host Jo Tanaka talks
// with", "hosted by Jo Tanaka", "I'm your host, Jo".
var calledHost = regexp.MustCompile(`(?i:\b(?:(?:your|our|the|co-?)?\s*host(?:ed by)?|moderated by|moderator),?)\s+` + introName)

// turnStats is what a speaker does in a conversation.
type turnStats struct {
	turns, questions int
	first            int  // index of the speaker's first turn
	welcomes         bool // an early turn welcomes or thanks someone for joining
	introduces       []string
}

// detectHost names the one speaker who runs the conversation, when the
// user and the labels have not said who does: the first speaker who
// welcomes a guest or introduces another speaker, or else the one who asks
// most of the questions. It returns "" when the evidence is not clear.
func detectHost(ps []evident.Passage, people map[string]*evident.Person, order []string, introducers map[string][]string) (string, string) {
	stats := map[string]*turnStats{}
	var candidates []string
	for _, name := range order {
		if who := people[name]; !who.Interviewer {
			stats[name] = &turnStats{first: -1}
			candidates = append(candidates, name)
		}
	}
	if len(candidates) < 2 {
		return "", ""
	}
	n := 0
	for i := range ps {
		p := &ps[i]
		st := stats[p.Speaker]
		if st == nil || p.Section != "" {
			continue
		}
		n++
		if st.first < 0 {
			st.first = i
		}
		st.turns++
		if strings.Contains(p.Text, "?") {
			st.questions++
		}
		// Only the opening of a conversation tells who hosts it.
		if n <= 4 && welcomes.MatchString(p.Text) {
			st.welcomes = true
		}
	}
	for name, introduced := range introducers {
		if st := stats[name]; st != nil {
			st.introduces = introduced
		}
	}
	// The text says who hosts.
	for i := range ps {
		for _, m := range calledHost.FindAllStringSubmatch(ps[i].Text, -1) {
			if name := speakerNamed(personName(m[1]), candidates, people); name != "" {
				return name, "detected: called the host in the text"
			}
		}
	}
	// The opener: the first speaker to welcome or introduce someone.
	best := ""
	for _, name := range candidates {
		st := stats[name]
		if (st.welcomes || len(st.introduces) > 0) && st.turns > 0 && (best == "" || st.first < stats[best].first) {
			best = name
		}
	}
	if best != "" {
		st := stats[best]
		var why []string
		if len(st.introduces) > 0 {
			why = append(why, "introduces "+strings.Join(st.introduces, ", "))
		}
		if st.welcomes {
			why = append(why, "welcomes the guest")
		}
		if st.questions > 0 {
			why = append(why, fmt.Sprintf("%d of its %d turns are questions", st.questions, st.turns))
		}
		return best, "detected: " + strings.Join(why, "; ")
	}
	// Otherwise the questioner: two thirds of the questions at least, and
	// twice as many as anyone else.
	total, top, second := 0, "", 0
	for _, name := range candidates {
		st := stats[name]
		total += st.questions
		switch {
		case top == "" || st.questions > stats[top].questions:
			if top != "" {
				second = stats[top].questions
			}
			top = name
		case st.questions > second:
			second = st.questions
		}
	}
	st := stats[top]
	if st.questions >= 3 && st.questions*3 >= total*2 && st.questions >= 2*second {
		return top, fmt.Sprintf("detected: asks %d of the %d questions", st.questions, total)
	}
	return "", ""
}
