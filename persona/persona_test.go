package persona

import (
	"testing"

	"github.com/evident/evident"
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
