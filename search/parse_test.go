package search

import (
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/roles"
)

func TestParse(t *testing.T) {
	rules, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(rules.QueryWords(), rules.Categories(), roles.Default())
	tests := []struct {
		query      string
		roles      []string
		categories []string
		words      string
		phrases    []string
		kinds      []string
		related    []string // roles of the asked roles' groups, or of a group asked for
		groups     int      // groups asked for by name
	}{
		{query: "what do CFOs hear", roles: []string{"cfo"}, categories: []string{"HEAR"}},
		{query: "What do CFOs hear?", roles: []string{"cfo"}, categories: []string{"HEAR"}},
		{query: "what does the CFO hear about budgets", roles: []string{"cfo"}, categories: []string{"HEAR"}, words: "budgets"},
		{query: "what have finance directors heard", roles: []string{"cfo"}, categories: []string{"HEAR"}},
		{query: "IT director pains security", roles: []string{"cio"}, categories: []string{"PAINS"}, words: "security"},
		{query: "IT directors' frustrations with security", roles: []string{"cio"}, categories: []string{"PAINS"}, words: "security"},
		{query: "what do procurement leads say about pricing", roles: []string{"procurement"}, categories: []string{"SAY"}, words: "pricing"},
		{query: "what do heads of finance see in the market", roles: []string{"cfo"}, categories: []string{"SEE"}, words: "market"},
		{query: "what does the CMO want", roles: []string{"cmo"}, categories: []string{"GAINS"}},
		{query: "CTO goals", roles: []string{"cto"}, categories: []string{"GAINS"}, related: []string{"vp-engineering", "engineering-manager"}},
		{query: "what do founders hear", roles: []string{"founder"}, categories: []string{"HEAR"}, related: []string{"ceo", "coo"}},
		{query: "what do VPs of engineering and CTOs say", roles: []string{"vp-engineering", "cto"}, categories: []string{"SAY"}, related: []string{"engineering-manager"}},
		{query: "executives pains", categories: []string{"PAINS"}, related: []string{"ceo", "founder", "coo"}, groups: 1},
		{query: "role:technical-leadership", related: []string{"cto", "vp-engineering", "engineering-manager"}, groups: 1},
		{query: "VP of finance worries", roles: []string{"cfo"}, categories: []string{"PAINS"}},
		{query: "chief financial officer needs", roles: []string{"cfo"}, categories: []string{"GAINS"}},
		{query: "what do CFOs do every day", roles: []string{"cfo"}, categories: []string{"DO"}, words: "every day"},
		{query: "CFO routines", roles: []string{"cfo"}, categories: []string{"DO"}},
		{query: "what trends do CIOs notice", roles: []string{"cio"}, categories: []string{"SEE"}},
		// Field syntax.
		{query: "role:cfo category:hear budget", roles: []string{"cfo"}, categories: []string{"HEAR"}, words: "budget"},
		{query: "role:CFO category:PAINS", roles: []string{"cfo"}, categories: []string{"PAINS"}},
		{query: "kind:survey onboarding", kinds: []string{"survey"}, words: "onboarding"},
		{query: `role:cmo "single source of truth"`, roles: []string{"cmo"}, phrases: []string{"single source of truth"}},
		{query: "category:gains category:pains pricing", categories: []string{"GAINS", "PAINS"}, words: "pricing"},
		{query: "role:finance-director", roles: []string{"cfo"}},
		// Words that must not be read as a role or a category.
		{query: "do", words: ""},
		{query: "how do teams do forecasting", categories: []string{"DO"}, words: "teams forecasting"}, // the second "do" is the verb
		{query: "what trends do they notice", categories: []string{"SEE"}},
		{query: "users of spreadsheets", words: "users spreadsheets"},
		{query: "budget owner", words: "budget owner"},
		{query: "president of the board", words: "president board"},
		{query: "controller software", words: "controller software"},
		{query: "forecast accuracy", words: "forecast accuracy"},
		{query: "onboarding takes forever", words: "onboarding takes forever"},
		{query: `"what do CFOs hear"`, phrases: []string{"what do CFOs hear"}},
		{query: "pricing", words: "pricing"},
		{query: "", words: ""},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := p.Parse(tt.query)
			if !slices.Equal(nilIfEmpty(got.Roles), nilIfEmpty(tt.roles)) {
				t.Errorf("roles %v, want %v (understood %v)", got.Roles, tt.roles, got.Understood)
			}
			if !slices.Equal(nilIfEmpty(got.Categories), nilIfEmpty(tt.categories)) {
				t.Errorf("categories %v, want %v (understood %v)", got.Categories, tt.categories, got.Understood)
			}
			if tt.words != "" || (tt.roles == nil && tt.categories == nil && tt.phrases == nil && tt.kinds == nil) {
				if got.Words != tt.words {
					t.Errorf("words %q, want %q", got.Words, tt.words)
				}
			}
			if !slices.Equal(nilIfEmpty(got.Phrases), nilIfEmpty(tt.phrases)) {
				t.Errorf("phrases %v, want %v", got.Phrases, tt.phrases)
			}
			if !slices.Equal(nilIfEmpty(got.Kinds), nilIfEmpty(tt.kinds)) {
				t.Errorf("kinds %v, want %v", got.Kinds, tt.kinds)
			}
			// Everything read as a role or category is echoed for the user.
			if !slices.Equal(nilIfEmpty(got.Related), nilIfEmpty(tt.related)) {
				t.Errorf("related roles %v, want %v (understood %v)", got.Related, tt.related, got.Understood)
			}
			if len(got.Understood) != len(got.Roles)+len(got.Categories)+tt.groups {
				t.Errorf("understood %v does not explain roles %v and categories %v", got.Understood, got.Roles, got.Categories)
			}
			for _, u := range got.Understood {
				if !strings.Contains(u, "→") {
					t.Errorf("understood %q", u)
				}
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
