package persona

import (
	"reflect"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/roles"
)

func TestCorrect(t *testing.T) {
	tax := roles.Default()
	str := func(s string) *string { return &s }
	no, yes := false, true
	tests := []struct {
		name    string
		who     evident.Person
		fix     Correction
		want    evident.Person
		changed int // passages of the speaker changed (of 2)
	}{
		{"a title gives its role and keeps itself",
			evident.Person{Name: "Mia"}, Correction{Title: str("VP of Engineering")},
			evident.Person{Name: "Mia", Role: "vp-engineering", Title: "VP of Engineering", RoleSource: evident.RoleFromPerson}, 2},
		{"a role written as a title keeps the title",
			evident.Person{Name: "Mia", Role: "engineer", RoleSource: evident.RoleFromIntro, RoleReason: "Mia is an engineer."}, Correction{Role: str("Chief Technology Officer")},
			evident.Person{Name: "Mia", Role: "cto", Title: "Chief Technology Officer", RoleSource: evident.RoleFromPerson}, 2},
		{"a host who is no host",
			evident.Person{Name: "Adam", Interviewer: true, InterviewerSource: "detected: welcomes"}, Correction{Interviewer: &no},
			evident.Person{Name: "Adam", InterviewerSource: string(evident.RoleFromPerson)}, 2},
		{"a guest who hosts loses the role on their passages",
			evident.Person{Name: "Raj", Role: "ceo", RoleSource: evident.RoleFromIntro}, Correction{Interviewer: &yes, Company: str("Grafana Labs")},
			evident.Person{Name: "Raj", Role: "ceo", RoleSource: evident.RoleFromIntro, Company: "Grafana Labs", Interviewer: true, InterviewerSource: string(evident.RoleFromPerson)}, 2},
		{"the company alone changes no passage",
			evident.Person{Name: "Raj", Role: "ceo", RoleSource: evident.RoleFromIntro}, Correction{Company: str("Grafana Labs")},
			evident.Person{Name: "Raj", Role: "ceo", RoleSource: evident.RoleFromIntro, Company: "Grafana Labs"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			speakers := []evident.Person{tt.who, {Name: "Other", Role: "cfo"}}
			p := evident.Passage{Speaker: tt.who.Name, Role: tt.who.Role, RoleSource: tt.who.RoleSource, Interviewer: tt.who.Interviewer}
			ps := []evident.Passage{p, {Speaker: "Other", Role: "cfo"}, p}
			changed := Correct(speakers, ps, map[string]Correction{tt.who.Name: tt.fix}, tax)
			if !reflect.DeepEqual(speakers[0], tt.want) {
				t.Errorf("speaker %+v, want %+v", speakers[0], tt.want)
			}
			if len(changed) != tt.changed {
				t.Errorf("%d passages changed, want %d", len(changed), tt.changed)
			}
			for _, i := range []int{0, 2} {
				q := ps[i]
				if q.Interviewer != tt.want.Interviewer || !tt.want.Interviewer && (q.Role != tt.want.Role || q.Title != tt.want.Title) || tt.want.Interviewer && q.Role != "" {
					t.Errorf("passage %d: %+v", i, q)
				}
			}
			if ps[1].Role != "cfo" {
				t.Errorf("another speaker's passage changed: %+v", ps[1])
			}
		})
	}
}
