package persona

import (
	"fmt"
	"slices"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/internal/lazyregexp"
)

// welcomes recognises a host opening a conversation: "Welcome back to the
// show", "thanks for joining us", "I'm here with Brian Carroll". A bare
// "welcome" is not one ("you're welcome to see them").
var welcomes = lazyregexp.New(`(?i)(?:^\s*welcome\b|\bwelcome (?:back )?to (?:the\b|our\b|this\b|another\b|episode\b|(?-i:\p{Lu}))|\bwelcome (?:everyone|everybody|all)\b|\bthanks?(?: you)?(?: so much| very much)? for (?:joining|coming on|being (?:here|on|with us)|taking the time|making (?:the )?time)|\b(?:I'm|I am|we're|we are) (?:joined|here) (?:today )?(?:by|with)\b|\b(?:my|our) guests? (?:today |this week |on the show )?(?:is|are) (?-i:\p{Lu})|\btoday (?:I|we)(?:'m| am| are|'re) (?:talking|speaking|chatting) (?:to|with)\b)`)

// calledHost finds a host named in the prose: "host Jo Tanaka talks
// with", "hosted by Jo Tanaka", "my co-host, Chris Benson", "with me as
// always is Autumn Nash", "joined as always by my co-host, Chris Benson".
var calledHost = withWords(`(?i:\b(?:(?:your|our|the|my|co-?)\s*)?(?:co-?)?host(?:ed by)?,?|moderated by|moderator,?|with me,? as (?:always|usual|ever),? (?:is|are)|joined,? as (?:always|usual|ever),? by(?: my co-?host,?)?)\s+`+introName, "host", "moderat", "with me", "joined")

// selfHost is a speaker saying they host: "I'm your host", "we are the
// new hosts of Ship It", "I co-host that podcast".
var selfHost = withWords(`(?i)\bI(?:'m|’m| am) (?:your|the) (?:co-?)?host\b|\bI (?:also |actually |now )?(?:co-?)?host (?:this|that|the) (?:show|podcast)\b|\bwe(?:'re|’re| are) (?:your|the) (?:new )?(?:co-?)?hosts\b`, "host")

// guestThanks is what a guest says to whoever has them on the show.
var guestThanks = wordFirstPattern(`(?i)\b(?:thanks|thank you)(?: so much| very much| again)? for (?:having|inviting) (?:me|us)\b|\b(?:happy|glad|excited|honou?red|thrilled|delighted|great|good|a pleasure) to be (?:here|on (?:the|this|your) (?:show|podcast))\b`, []string{"thank", "happy", "glad", "excited", "honored", "honoured", "thrilled", "delighted", "great", "good", "a pleasure"}, "having", "inviting", "to be")

// audience is a host speaking to the show's listeners or of the show's
// episodes: "our listeners", "if you're listening", "this show", "in
// episode 11". Guests say "this podcast", not "this show".
var audience = wordFirstPattern(`(?i)\bour (?:listeners|audience)\b|\byou,? the listeners?\b|\blisteners out there\b|\bif you(?:'re|’re| are) listening\b|\bdear listeners?\b|\bour (?:show|podcast)\b|\bthis show\b|\b(?:last|previous|next|first|an earlier|another) episode\b|\bepisode (?:number )?\d+\b`, []string{"our", "you", "listeners", "if you", "dear", "this show", "last", "previous", "next", "first", "an earlier", "another", "episode"}, "listen", "audience", "show", "podcast", "episode")

// welcomesName finds the guest a host welcomes or has on: "Zac, welcome
// to Founders Talk", "Robert Ross, thanks for joining me", "So welcome,
// Terri and Yanis", "I'm here with Jack Dorsey", "today we have Anita
// Zhang", "let me introduce to you all Danielle Rath".
var (
	welcomesName = wordFirstPattern(`(?i:\b(?:welcome(?: back)?(?: to (?:the|our|this) (?:show|podcast|program))?|thanks?(?: you)?(?: so much| very much)? for (?:joining|coming on)(?: (?:me|us))?(?: (?:today|here|on the show))?|(?:I'm|I’m|I am|we're|we’re|we are) (?:here|joined|sitting) (?:today |now )?(?:with|by)|let me introduce(?: to you)?(?: all)?|(?:talking|speaking|chatting) (?:to|with)|(?:my|our) guests? (?:today |this week |on the show )?(?:is|are)|(?:today|this week)(?: on the show)?,? we (?:have|have got|'ve got)|on (?:the|today's) show(?: today)?,? we (?:have|have got|'ve got))),?\s+(?:(?i:the|our|my)\s+)?`+introName, []string{"welcome", "thank", "i'm", "i’m", "i am", "we're", "we’re", "we are", "let me", "talking", "speaking", "chatting", "my", "our", "today", "this week", "on "}, "welcome", "thank", "here", "joined", "sitting", "introduce", "talking", "speaking", "chatting", "guest", "we have", "we 've", "show")
	welcomedName = nameFirstPattern(introName+`\s*,\s*(?i:(?:and\s+)?(?:welcome\b|thanks?(?: you)?(?: so much| very much)? for (?:joining|coming on)|(?:it's |it is )?(?:great|good|a pleasure) to have you))`, 1, "welcome", "thank", "to have you")
)

// notesHeader is a notes' header naming who ran the session: "Moderator:
// Candy Clark", "Note-taker: James Adams".
var notesHeader = withWords(`(?im)^[#>*\s\-]*(?:moderator|facilitator|interviewer|researcher|note-?taker|notetaker|observer)s?\s*:\**\s*(.+)$`, "moderator", "facilitator", "interviewer", "researcher", "note", "observer")

// opening is how many turns of a conversation can open it: a welcome or
// an introduction later on is not a host's.
const opening = 4

// turnStats is what a speaker does in a conversation.
type turnStats struct {
	turns, questions int
	first            int  // the speaker's first turn, counted over the conversation
	welcomes         bool // an opening turn welcomes a guest or thanks them for joining
	audience         int  // turns that speak to the listeners
	has              []string
}

func (s *turnStats) rate() float64 {
	if s.turns == 0 {
		return 0
	}
	return float64(s.questions) / float64(s.turns)
}

// detectHosts names who runs the conversation, when the user and the labels
// have not said. In order:
//
//   - anyone the text calls host or co-host, or who says they host, or
//     whom a notes' header names moderator or note-taker;
//   - the guests: whoever another speaker welcomes, introduces or thanks
//     for joining, and whoever thanks the others for having them; and
//     those who have them on: whoever welcomes or introduces a guest;
//   - the first speaker who opens the conversation with a welcome, if
//     they ask questions about as often as the others;
//   - with guests found and no host yet, whoever asks more often than any
//     guest; with no guest, the speaker who asks clearly more of the
//     questions;
//   - with no guest at all, a conversation in which someone speaks to
//     "our listeners" is the hosts' own: each speaker who does so, or asks
//     as often as a host, co-hosts.
//
// Several hosts are allowed. It returns each host with the reason.
func detectHosts(ps []evident.Passage, people map[string]*evident.Person, order []string, introducers map[string][]introduced) map[string]string {
	stats := map[string]*turnStats{}
	var candidates []string
	for _, name := range order {
		if who := people[name]; !who.Interviewer {
			stats[name] = &turnStats{first: -1}
			candidates = append(candidates, name)
		}
	}
	hosts := map[string]string{}
	// A notes' header names who ran the session, even a single speaker.
	seen := map[string]bool{}
	for i := range ps {
		for _, s := range []string{ps[i].Context, ps[i].Text} {
			if s == "" || seen[s] {
				continue
			}
			seen[s] = true
			for _, m := range notesHeader.FindAllStringSubmatch(s, -1) {
				for _, n := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == '&' || r == ';' }) {
					for _, part := range strings.Split(n, " and ") {
						if name := speakerNamed(personName(strings.Trim(part, " *_")), candidates, people); name != "" {
							hosts[name] = "detected: named in the notes' header (" + strings.TrimSpace(m[0]) + ")"
						}
					}
				}
			}
		}
	}
	if len(candidates) < 2 {
		return hosts
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
			if n < opening && welcomes().MatchString(p.Text) {
				st.welcomes = true
			}
			for k := i; k < j; k++ {
				if audience.MatchString(ps[k].Text) {
					st.audience++
					break
				}
			}
			n++
		}
		i = j
	}
	// The text says who hosts.
	for i := range ps {
		p := &ps[i]
		for _, m := range calledHost.FindAllStringSubmatch(p.Text, -1) {
			if name := speakerNamed(personName(m[1]), candidates, people); name != "" {
				hosts[name] = "detected: called the host in the text"
			}
		}
		if stats[p.Speaker] == nil || p.Section != "" {
			continue
		}
		if loc := selfHost.FindStringIndex(p.Text); loc != nil {
			if _, ok := hosts[p.Speaker]; !ok {
				hosts[p.Speaker] = fmt.Sprintf("detected: says %q", p.Text[loc[0]:loc[1]])
			}
			// "I'm Justin Garrison, and this is Autumn Nash, and we are
			// the new hosts": everyone the sentence names hosts too.
			start := strings.LastIndexAny(p.Text[:loc[0]], ".!?") + 1
			for _, m := range nameRe().FindAllString(p.Text[start:loc[0]], -1) {
				if name := speakerNamed(personName(m), candidates, people); name != "" && name != p.Speaker {
					hosts[name] = fmt.Sprintf("detected: %s says %q", p.Speaker, p.Text[loc[0]:loc[1]])
				}
			}
		}
	}
	// Guests, and who has them on, in the order the conversation says
	// so: a guest's own welcome ("welcome to the show, everyone") makes
	// nobody a guest.
	guests := map[string]string{}
	hasOn := map[string][]string{}
	have := func(by, guest, why string) {
		if guest == "" || guest == by || stats[guest] == nil || hosts[guest] != "" || guests[by] != "" {
			return
		}
		if guests[guest] == "" {
			guests[guest] = why
		}
		if stats[by] != nil && !slices.Contains(hasOn[by], guest) {
			hasOn[by] = append(hasOn[by], guest)
		}
	}
	intros := map[int][]introduced{}
	for by, list := range introducers {
		for _, in := range list {
			intros[in.passage] = append(intros[in.passage], introduced{name: by, passage: in.passage, guest: in.name})
		}
	}
	for i := range ps {
		p := &ps[i]
		if stats[p.Speaker] == nil || p.Section != "" {
			continue
		}
		if guestThanks.MatchString(p.Text) && hosts[p.Speaker] == "" && guests[p.Speaker] == "" {
			guests[p.Speaker] = "thanks the others for having them"
		}
		for _, re := range []interface {
			FindAllStringSubmatch(string, int) [][]string
		}{welcomesName, welcomedName} {
			for _, m := range re.FindAllStringSubmatch(p.Text, -1) {
				for _, part := range strings.Split(m[1], " and ") {
					have(p.Speaker, speakerNamed(personName(part), candidates, people), "welcomed by "+p.Speaker)
				}
			}
		}
		for _, in := range intros[i] {
			have(in.name, in.guest, "introduced by "+in.name)
		}
	}
	for by, list := range hasOn {
		if hosts[by] == "" && guests[by] == "" {
			st := stats[by]
			hosts[by] = fmt.Sprintf("detected: welcomes or introduces %s; %d of %d turns are questions", strings.Join(list, ", "), st.questions, st.turns)
		}
	}
	// The opener, if they also ask like a host.
	opener := ""
	for _, name := range candidates {
		st := stats[name]
		if st.welcomes && st.turns > 0 && guests[name] == "" && (opener == "" || st.first < stats[opener].first) {
			opener = name
		}
	}
	if opener != "" && hosts[opener] == "" && asksLikeAHost(opener, stats) {
		st := stats[opener]
		hosts[opener] = fmt.Sprintf("detected: welcomes the guest; %d of %d turns are questions", st.questions, st.turns)
	}
	if len(hosts) == 0 && len(guests) > 0 {
		// Whoever asks more often than any guest has them on.
		most := 0.0
		for g := range guests {
			most = max(most, stats[g].rate())
		}
		for _, name := range candidates {
			if st := stats[name]; guests[name] == "" && st.turns >= 3 && st.questions >= 3 && st.rate() > most {
				hosts[name] = fmt.Sprintf("detected: asks more often than the guest (%d of %d turns are questions)", st.questions, st.turns)
			}
		}
	}
	if len(hosts) == 0 && len(guests) == 0 {
		// The questioner: asks in a third of their turns at least, twice
		// as often as anyone else.
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
			hosts[top] = fmt.Sprintf("detected: %d of %d turns are questions, twice as often as anyone else", st.questions, st.turns)
		}
	}
	// Co-hosts: beside a host, whoever is no guest and speaks to the
	// listeners. With no guest at all, a conversation in which someone
	// speaks to the listeners is the hosts' own: whoever asks as often as
	// a host co-hosts too.
	speaks := false
	for _, st := range stats {
		speaks = speaks || st.audience > 0
	}
	for _, name := range candidates {
		st := stats[name]
		if hosts[name] != "" || guests[name] != "" || st.turns < 3 {
			continue
		}
		switch {
		case st.audience > 0 && (len(hosts) > 0 || len(guests) == 0):
			hosts[name] = fmt.Sprintf("detected: co-host (no guest of anyone; speaks to the listeners or of the show in %d turns)", st.audience)
		case speaks && len(guests) == 0 && len(hosts) > 0 && asksLikeAHost(name, stats):
			hosts[name] = fmt.Sprintf("detected: co-host (no guest is welcomed or introduced; asks in %d of %d turns)", st.questions, st.turns)
		}
	}
	return hosts
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
