package persona

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/passage"
	"github.com/evident/evident/roles"
)

func TestResolve(t *testing.T) {
	tax := roles.Default()
	turn := func(speaker, label string) evident.Passage {
		p := evident.Passage{Speaker: speaker, Text: "words"}
		if label != "" {
			p.Attrs = map[string]string{"label": label}
		}
		return p
	}
	type want struct {
		role, source, company string
		interviewer           bool
	}
	tests := []struct {
		name   string
		in     Input
		want   []want // per passage
		people int
	}{
		{
			name:   "label gives role and company",
			in:     Input{Roles: tax, Passages: []evident.Passage{turn("Jane Doe", "CFO, Acme"), turn("Jane Doe", "")}},
			want:   []want{{role: "cfo", source: SourceLabel, company: "Acme"}, {role: "cfo", source: SourceLabel, company: "Acme"}},
			people: 1,
		},
		{
			name: "label on a later turn still counts",
			in:   Input{Roles: tax, Passages: []evident.Passage{turn("Jane Doe", ""), turn("Jane Doe", "Acme, VP of Finance")}},
			want: []want{{role: "cfo", source: SourceLabel, company: "Acme"}, {role: "cfo", source: SourceLabel, company: "Acme"}},
		},
		{
			name: "a detail that names no role is never guessed",
			in:   Input{Roles: tax, Passages: []evident.Passage{turn("Jane Doe", "Acme")}},
			want: []want{{}},
		},
		{
			name: "the sidecar wins over the label",
			in: Input{Roles: tax, Meta: evident.Meta{Speakers: map[string]evident.SpeakerMeta{"Jane Doe": {Role: "cmo"}}},
				Passages: []evident.Passage{turn("Jane Doe", "CFO, Acme")}},
			want: []want{{role: "cmo", source: SourceSidecar}},
		},
		{
			name: "interviewers get no role, even the document's",
			in:   Input{Roles: tax, Meta: evident.Meta{Role: "cfo"}, Passages: []evident.Passage{turn("Interviewer", ""), turn("Sam", "")}},
			want: []want{{interviewer: true}, {role: "cfo", source: SourceDocument}},
		},
		{
			name: "the folder is the last resort",
			in:   Input{Roles: tax, FolderRole: "cio", Passages: []evident.Passage{turn("Sam", ""), turn("Ana", "CTO")}},
			want: []want{{role: "cio", source: SourceFolder}, {role: "cto", source: SourceLabel}},
		},
		{
			name: "without a taxonomy labels give nothing",
			in:   Input{Passages: []evident.Passage{turn("Jane Doe", "CFO, Acme")}},
			want: []want{{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			people := Resolve(tt.in)
			if tt.people > 0 && len(people) != tt.people {
				t.Errorf("%d people, want %d: %+v", len(people), tt.people, people)
			}
			byName := map[string]evident.Person{}
			for _, p := range people {
				byName[p.Name] = p
			}
			for i, w := range tt.want {
				p := tt.in.Passages[i]
				if p.Role != w.role || p.RoleSource != w.source || p.Interviewer != w.interviewer {
					t.Errorf("passage %d (%s): role %q from %q, interviewer %v; want %q from %q, %v",
						i, p.Speaker, p.Role, p.RoleSource, p.Interviewer, w.role, w.source, w.interviewer)
				}
				if w.company != "" && byName[p.Speaker].Company != w.company {
					t.Errorf("%s: company %q, want %q", p.Speaker, byName[p.Speaker].Company, w.company)
				}
			}
		})
	}
}

func TestIntroductions(t *testing.T) {
	tax := roles.Default()
	tests := []struct {
		text                   string
		name, role, title, org string // zero: no introduction
	}{
		{"Brian is the CEO and founder of markempa, a consultancy.", "Brian", "ceo", "CEO and founder", "markempa"},
		{"Today on the show: Ana Ruiz, head of IT at Velo Bikes.", "Ana Ruiz", "cio", "head of IT", "Velo Bikes"},
		{"Raj Dutt is the founder and CEO of Grafana Labs.", "Raj Dutt", "founder", "founder and CEO", "Grafana Labs"},
		{"Joining me is Maria Lopez, who is the VP of Finance at Northwind.", "Maria Lopez", "cfo", "VP of Finance", "Northwind"},
		{"Sam was the finance director for ten years.", "Sam", "cfo", "finance director", ""},
		{"Brian is the guy who talks to the CFO every week.", "", "", "", ""},
		{"Mark, CFOs are worried about cash.", "", "", "", ""},
		{"This is the CFO's problem, not ours.", "", "", "", ""},
		{"Priya is a user of the tool.", "", "", "", ""}, // committee roles are said in passing
		{"Thanks, Dave.", "", "", "", ""},
		{"Priya, the CEO told me you picked the tool.", "", "", "", ""}, // addressed, not introduced
		{"Honestly Sam, the CFO never reads these reports.", "", "", "", ""},
	}
	for _, tt := range tests {
		got := introductions([]evident.Passage{{Text: tt.text}}, tax)
		if tt.name == "" {
			if len(got) > 0 {
				t.Errorf("%q: read an introduction %+v", tt.text, got[0])
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("%q: %d introductions, want 1: %+v", tt.text, len(got), got)
			continue
		}
		g := got[0]
		if g.name != tt.name || g.role != tt.role || g.title != tt.title || g.company != tt.org {
			t.Errorf("%q: got name %q role %q title %q company %q; want %q %q %q %q", tt.text, g.name, g.role, g.title, g.company, tt.name, tt.role, tt.title, tt.org)
		}
	}
}

func TestFirstPersonIntroductions(t *testing.T) {
	tax := roles.Default()
	tests := []struct{ text, role string }{
		{"I'm the CFO of a logistics company, so budgets are my life.", "cfo"},
		{"Well, I am a procurement manager at a hospital.", "procurement"},
		{"As a CFO, I hear that every quarter.", ""}, // an aside, not who they are
		{`He said "I'm a software engineer, I don't run companies" back then.`, ""},
		{"I'm a bit worried about the rollout.", ""},
		{"I'm a user of three of these tools.", ""},
		{"I told the CFO it would slip.", ""},
	}
	for _, tt := range tests {
		got := introductions([]evident.Passage{{Speaker: "Jo", Text: tt.text}}, tax)
		role := ""
		if len(got) > 0 {
			role = got[0].role
		}
		if role != tt.role {
			t.Errorf("%q: role %q, want %q", tt.text, role, tt.role)
		}
	}
}

func TestFullNames(t *testing.T) {
	ps := []evident.Passage{
		{Text: "Today we welcome Brain Carroll. Brian Carroll is the CEO of markempa. J. David Green hosts."},
		{Speaker: "DG", Text: "I am here with Brian Carroll."},
		{Speaker: "BC", Text: "Thanks."},
		{Speaker: "MK", Text: "Hi."},
		{Text: "Guests: Mia Kern (MK) and Max Kohl."},
	}
	got := fullNames(ps, []string{"DG", "BC", "MK", "ANNOUNCER"})
	want := map[string]string{"DG": "David Green", "BC": "Brian Carroll", "MK": "Mia Kern"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fullNames = %v, want %v", got, want)
	}
}

// TestHosts reads who runs a conversation from what the speakers do.
func TestHosts(t *testing.T) {
	tax := roles.Default()
	say := func(speaker, text string) evident.Passage { return evident.Passage{Speaker: speaker, Text: text} }
	tests := []struct {
		name     string
		meta     evident.Meta
		passages []evident.Passage
		host     string // "" when nobody should be marked
		cohost   string
		guest    string // a speaker who must keep their role
		role     string
	}{
		{
			name: "the first speaker welcomes and introduces the guest",
			passages: []evident.Passage{
				say("ANNOUNCER", "Welcome to the B2B Jukebox."),
				say("DG", "I am here with Brian Carroll. Brian is the CEO and founder of markempa. Brian, thanks so much for joining us today."),
				say("BC", "Hey, thanks Dave."),
				say("DG", "Define what marketing empathy is."),
				say("BC", "Empathy is seeing from another's perspective. Does that sound good?"),
			},
			host: "DG", guest: "BC", role: "ceo",
		},
		{
			name: "the questioner, without any welcome",
			passages: []evident.Passage{
				say("Ana", "How do you close the month?"), say("Raj", "With spreadsheets, sadly."),
				say("Ana", "Who signs off?"), say("Raj", "The board does."),
				say("Ana", "What would you change?"), say("Raj", "Everything about forecasting."),
			},
			host: "Ana",
		},
		{
			name: "a guest's 'you're welcome' is no welcome",
			passages: []evident.Passage{
				say("Sam", "Can you tell me how you plan the budget today?"),
				say("Priya", "We use spreadsheets. You're welcome to see them later."),
				say("Sam", "Who signs off on it?"), say("Priya", "The board does, in March."),
				say("Sam", "What would you change?"), say("Priya", "Honestly Sam, the CFO never reads these reports."),
			},
			host: "Sam",
		},
		{
			name: "a guest who talks about 'our guests' is no host",
			passages: []evident.Passage{
				say("Ana", "What slows your front desk down?"),
				say("Raj", "Our guests are the ones who suffer when the booking system is down."),
				say("Ana", "How often does that happen?"), say("Raj", "Twice a month."),
				say("Ana", "And who fixes it?"), say("Raj", "An outside vendor."),
			},
			host: "Ana",
		},
		{
			name: "a host and the co-host they name",
			passages: []evident.Passage{
				say("Daniel", "Welcome to Practical AI. I'm joined by my co-host, Chris Benson. How are you, Chris?"),
				say("Chris", "Doing great. Today we have Nhung Ho with us. Nhung, how did you get into data science?"),
				say("Nhung", "By accident, really. I studied astrophysics."),
				say("Daniel", "What does your team do day to day?"),
				say("Nhung", "We forecast cash for small businesses."),
			},
			host: "Daniel", cohost: "Chris",
		},
		{
			name: "a host who names the co-host 'with me as always'",
			passages: []evident.Passage{
				say("Justin", "Hello, and welcome to Ship It. I'm your host, Justin, and with me as always is Autumn. How's it going, Autumn?"),
				say("Autumn", "Hi! Good."),
				say("Justin", "Today on the show we have Anita Zhang of Meta."),
				say("Autumn", "Her sweatshirt game is unmatched."),
				say("Anita", "Thanks for having me."), say("Justin", "How did you start?"),
				say("Anita", "In support, a long time ago."),
			},
			host: "Justin", cohost: "Autumn",
		},
		{
			name: "the guest speaks first and thanks the host later",
			passages: []evident.Passage{
				say("Colin", "Orro was never really thought of as starting a company. It came from a series of experiences."),
				say("Adam", "Wow."), say("Colin", "Thanks for having me, by the way."),
				say("Adam", "How did you fund it?"), say("Colin", "Friends and family, then a seed round."),
				say("Adam", "And who was first to join?"), say("Colin", "A hardware engineer I knew."),
				say("Adam", "Why hardware?"), say("Colin", "Because the problem was light."),
			},
			host: "Adam",
		},
		{
			name: "a host who opens with a bare 'Welcome!'",
			passages: []evident.Passage{
				say("Adam", "Adam Miller, welcome to Founders Talk. I've been waiting to get you on the show... Welcome!"),
				say("Miller", "I'm honored to be here."),
				say("Adam", "Where does your story begin?"), say("Miller", "At eBay, selling bikes."),
			},
			host: "Adam",
		},
		{
			name: "two hosts without a guest speak to their listeners",
			passages: []evident.Passage{
				say("Mireille", "Shame used to be how parents corrected children."),
				say("Adam", "That's hurtful. I want our listeners to think about that."),
				say("Mireille", "Yes. And as we said in the last episode, we are tribal."),
				say("Adam", "Tribal, right."), say("Mireille", "So you reflect back."),
				say("Adam", "I do."),
			},
			host: "Mireille", cohost: "Adam",
		},
		{
			name: "a notes' header names the moderator",
			passages: []evident.Passage{
				{Text: "Moderator: Candy Clark\nNote-taker: James Adams"},
				say("Candy", "Tell me about your work."), say("Raj", "I help veterans file claims."),
				say("Candy", "How long?"), say("Raj", "Ten years."),
			},
			host: "Candy",
		},
		{
			name: "a conversation between peers has no host",
			passages: []evident.Passage{
				say("Ana", "Did you see the numbers?"), say("Raj", "Yes, did you?"),
				say("Ana", "Not yet."), say("Raj", "Why not?"),
			},
		},
		{
			name: "the user's word settles it",
			meta: evident.Meta{Speakers: map[string]evident.SpeakerMeta{"Raj": {Interviewer: true}}},
			passages: []evident.Passage{
				say("Ana", "Welcome, Raj, thanks for joining."), say("Raj", "What do you do?"),
				say("Ana", "I'm the CFO of Acme."), say("Raj", "Why?"),
			},
			host: "Raj", guest: "Ana", role: "cfo",
		},
		{
			name: "an Interviewer label settles it",
			passages: []evident.Passage{
				say("Ana", "Welcome everyone, thanks for joining."), say("Interviewer", "What do you do?"),
				say("Ana", "I run finance."), say("Interviewer", "How?"),
			},
			host: "Interviewer",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			people := Resolve(Input{Meta: tt.meta, Passages: tt.passages, Roles: tax})
			for _, p := range people {
				isHost := p.Name == tt.host || p.Name == tt.cohost
				if p.Interviewer && !isHost && p.Name != "ANNOUNCER" || isHost && !p.Interviewer {
					t.Errorf("%s: interviewer %v (%s), hosts should be %q and %q", p.Name, p.Interviewer, p.InterviewerSource, tt.host, tt.cohost)
				}
				if isHost && p.InterviewerSource == "" {
					t.Errorf("%s is host without a reason", p.Name)
				}
				if p.Name == tt.guest && p.Role != tt.role {
					t.Errorf("%s: role %q from %q, want %q", p.Name, p.Role, p.RoleSource, tt.role)
				}
			}
			for _, p := range tt.passages {
				if p.Speaker == tt.host && (!p.Interviewer || p.Role != "") {
					t.Errorf("host turn %q: interviewer %v role %q", p.Text, p.Interviewer, p.Role)
				}
			}
		})
	}
}

// TestResolveFiles runs whole transcripts through extraction and passage
// building, as ingestion does, and checks who each speaker is found to be.
func TestResolveFiles(t *testing.T) {
	type person struct {
		role, source, fullName, company string
		interviewer                     bool
	}
	tests := []struct {
		file   string
		people map[string]person
	}{
		{"podcast-timestamps.txt", map[string]person{
			"ANNOUNCER": {interviewer: true},
			"JT":        {interviewer: true, fullName: "Jo Tanaka"},
			"RK":        {role: "cfo", source: SourceIntro, fullName: "Ravi Kumar"},
		}},
		{"podcast-bold.md", map[string]person{
			"Lena Ortiz": {interviewer: true},
			"Tom Becker": {role: "procurement", source: SourceIntro, company: "Halden Foods"},
		}},
		// Real excerpts (testdata/SOURCES.md): a host who names the co-host
		// "with me as always", a guest told "you are an engineer"; a guest
		// "with us, who is CEO at Outerbounds"; a guest who speaks first
		// and thanks the host for having them.
		{"ship-it-102-excerpt.md", map[string]person{
			"Justin Garrison": {interviewer: true},
			"Autumn Nash":     {interviewer: true},
			"Anita Zhang":     {role: "engineer", source: SourceIntro},
		}},
		{"practical-ai-150-excerpt.md", map[string]person{
			"Daniel Whitenack": {role: "engineer", source: SourceIntro, company: "SIL International", interviewer: true},
			"Ville Tuulos":     {role: "ceo", source: SourceIntro, company: "Outerbounds"},
		}},
		{"founders-talk-64-excerpt.md", map[string]person{
			"Colin Billings": {},
			"Adam Stacoviak": {interviewer: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: tt.file, Data: data})
			if err != nil {
				t.Fatal(err)
			}
			ps := passage.Build(doc, passage.Options{})
			people := Resolve(Input{Meta: doc.Meta, Passages: ps, Roles: roles.Default()})
			if len(people) != len(tt.people) {
				t.Errorf("%d speakers, want %d: %+v", len(people), len(tt.people), people)
			}
			for _, p := range people {
				want, ok := tt.people[p.Name]
				if !ok {
					t.Errorf("unexpected speaker %+v", p)
					continue
				}
				got := person{p.Role, p.RoleSource, p.FullName, p.Company, p.Interviewer}
				if want.company == "" {
					got.company = ""
				}
				if got != want {
					t.Errorf("%s: got %+v, want %+v", p.Name, got, want)
				}
				if p.Interviewer && p.InterviewerSource == "" {
					t.Errorf("%s: interviewer without a reason", p.Name)
				}
			}
			for _, p := range ps {
				if p.Interviewer && p.Role != "" {
					t.Errorf("interviewer turn %q has role %q", p.Text, p.Role)
				}
			}
		})
	}
}

// TestGuestRoles reads guests' roles from how hosts introduce them, how
// they introduce themselves, and how notes describe a participant.
func TestGuestRoles(t *testing.T) {
	tax := roles.Default()
	say := func(speaker, text string) evident.Passage { return evident.Passage{Speaker: speaker, Text: text} }
	opening := say("Host", "Welcome to the show. How are you today?")
	tests := []struct {
		name                        string
		passages                    []evident.Passage
		guest, role, title, company string
	}{
		{"a host introduces the guest", []evident.Passage{
			say("Host", "Today we are talking to Ana Ruiz, the CEO and founder of Velo Bikes. Ana, welcome!"),
			say("Ana Ruiz", "Thanks for having me."), say("Host", "How did it start?"), say("Ana Ruiz", "In a garage."),
		}, "Ana Ruiz", "ceo", "CEO and founder", "Velo Bikes"},
		{"one of several co-founders", []evident.Passage{
			say("Host", "Donald Fischer is one of four co-founders and the CEO of Tidelift. Why Tidelift?"),
			say("Donald Fischer", "To pay the maintainers."), say("Host", "How?"), say("Donald Fischer", "Subscriptions."),
		}, "Donald Fischer", "founder", "one of four co-founders and the CEO", "Tidelift"},
		{"the host tells the guest who they are", []evident.Passage{
			opening, say("Ana", "Thanks for having me."),
			say("Host", "You are the CEO and founder of Velo Bikes, right?"), say("Ana", "That's right."),
		}, "Ana", "ceo", "CEO and founder", "Velo Bikes"},
		{"even as CEO, you", []evident.Passage{
			opening, say("Ana", "Glad to be here."),
			say("Host", "Even as CEO of Velo, you still write code?"), say("Ana", "Every Friday."),
		}, "Ana", "ceo", "CEO", "Velo"},
		{"a generic you is nobody's title", []evident.Passage{
			opening, say("Ana", "Glad to be here."),
			say("Host", "When you're the CEO, what keeps you up?"), say("Ana", "Payroll."),
		}, "Ana", "", "", ""},
		{"the guest's own words", []evident.Passage{
			opening, say("Raj", "Thanks for having me. I'm the head of procurement at Halden Foods."),
			say("Host", "What do you buy?"), say("Raj", "Everything but food."),
		}, "Raj", "procurement", "head of procurement", "Halden Foods"},
		{"my title is", []evident.Passage{
			opening, say("Mia", "Happy to be here. My title is VP of Engineering, at Northwind."),
			say("Host", "What does that mean day to day?"), say("Mia", "Hiring, mostly."),
		}, "Mia", "vp-engineering", "VP of Engineering", "Northwind"},
		{"notes describe a participant's title", []evident.Passage{
			say("Moderator", "Tell me about your work."),
			say("Participant 3", "Director of field service for Velo Bikes"),
			say("Participant 3", "Schedules forty technicians"),
		}, "Participant 3", "", "Director of field service", "Velo Bikes"},
		{"notes say what a participant works as", []evident.Passage{
			say("Moderator", "Tell me about your work."),
			say("Participant 4", "works as a national service officer, 10 years"),
		}, "Participant 4", "representative", "national service officer", ""},
		{"a notes bullet that is no title", []evident.Passage{
			say("Moderator", "Tell me about your work."),
			say("Participant 4", "Yeah the manager said no"),
		}, "Participant 4", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			people := Resolve(Input{Passages: tt.passages, Roles: tax})
			for _, p := range people {
				if p.Name != tt.guest {
					continue
				}
				if p.Role != tt.role || p.Title != tt.title || p.Company != tt.company || p.Interviewer {
					t.Errorf("%s: role %q title %q company %q interviewer %v; want %q %q %q", p.Name, p.Role, p.Title, p.Company, p.Interviewer, tt.role, tt.title, tt.company)
				}
				if p.Title != "" && p.RoleReason == "" {
					t.Errorf("%s: title %q without the sentence it was read from", p.Name, p.Title)
				}
				if p.Role != "" && p.RoleSource != SourceIntro {
					t.Errorf("%s: role source %q, want %q", p.Name, p.RoleSource, SourceIntro)
				}
				return
			}
			t.Errorf("no speaker %q in %+v", tt.guest, people)
		})
	}
}

// TestLabelNamesRole checks that a speaker labelled by a role of the
// taxonomy takes it, and that initials which spell an alias do not.
func TestLabelNamesRole(t *testing.T) {
	tax := roles.Default()
	say := func(speaker, text string) evident.Passage { return evident.Passage{Speaker: speaker, Text: text} }
	tests := []struct {
		label, role string
	}{
		{"Veteran", "veteran"},
		{"Finance Director", "cfo"},
		{"Veteran 2", "veteran"},
		{"PM", ""},            // initials, not a product manager
		{"Participant 3", ""}, // a study's label says no job
		{"Jane", ""},
	}
	for _, tt := range tests {
		t.Run(tt.label, func(t *testing.T) {
			people := Resolve(Input{Roles: tax, Passages: []evident.Passage{
				say("Moderator", "Tell me about your week."), say(tt.label, "Busy, mostly with claims."),
			}})
			for _, p := range people {
				if p.Name != tt.label {
					continue
				}
				if p.Role != tt.role {
					t.Errorf("role %q, want %q", p.Role, tt.role)
				}
				if p.Role != "" && p.RoleSource != SourceLabel {
					t.Errorf("role source %q, want %q", p.RoleSource, SourceLabel)
				}
				return
			}
			t.Errorf("no speaker %q in %+v", tt.label, people)
		})
	}
}

func TestUnquoteTurn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"“Well I’m the veteran, I’m a patient there.”", "Well I’m the veteran, I’m a patient there.”"},
		{`"I'm the CFO."`, `I'm the CFO."`},
		{"“Yes.” User scrolls down.", "“Yes.” User scrolls down."},                 // a quote, then the note-taker
		{"“I said “no” to it.”", "“I said “no” to it.”"},                           // quotes inside: leave them
		{"He said “I'm a software engineer”", "He said “I'm a software engineer”"}, // remembered words
	}
	for _, tt := range tests {
		if got := unquoteTurn(tt.in); got != tt.want {
			t.Errorf("unquoteTurn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
