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

// TestParseForgiving reads what people type, not what they mean to type:
// possessives, misspelt role names, attribute filters and topic words.
func TestParseForgiving(t *testing.T) {
	rules, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(rules.QueryWords(), rules.Categories(), roles.Default())
	p.Synonyms = DefaultSynonyms()
	tests := []struct {
		query       string
		roles       []string
		categories  []string
		words       string
		attrs       []Attr
		also        []string // some of the synonyms that must be there
		corrections []string
	}{
		// Possessives and plurals.
		{query: "what do CFO's hear", roles: []string{"cfo"}, categories: []string{"HEAR"}},
		{query: "what do CFOs' teams hear", roles: []string{"cfo"}, categories: []string{"HEAR"}, words: "teams"},
		{query: "the CTO’s goals", roles: []string{"cto"}, categories: []string{"GAINS"}},
		{query: "CFO's?", roles: []string{"cfo"}},
		{query: "finance director's worries", roles: []string{"cfo"}, categories: []string{"PAINS"}},
		// Misspelt role names.
		{query: "what do finanace directors hear", roles: []string{"cfo"}, categories: []string{"HEAR"}, corrections: []string{"finanace directors → finance director"}},
		{query: "what do procurment leads say", roles: []string{"procurement"}, categories: []string{"SAY"}, corrections: []string{"procurment leads → procurement lead"}},
		{query: "what do enginers see", roles: []string{"engineer"}, categories: []string{"SEE"}, corrections: []string{"enginers → engineer"}},
		{query: "devloper pains", roles: []string{"engineer"}, categories: []string{"PAINS"}, corrections: []string{"devloper → developer"}},
		// Words near a role name that are words of their own.
		{query: "what have teams developed", words: "teams developed"},
		{query: "market share", words: "market share"},
		{query: "controller software", words: "controller software"},
		{query: "engineering hiring", words: "engineering hiring"},
		{query: "cto hiring", roles: []string{"cto"}, words: "hiring"}, // three letters: cto is not cfo
		{query: "founded a company", words: "founded company"},
		// Attributes in field syntax, quoted values whole.
		{query: "company:Northwind budget", words: "budget", attrs: []Attr{{"company", "Northwind"}}},
		{query: `segment:"mid-market" what do CFOs hear`, roles: []string{"cfo"}, categories: []string{"HEAR"}, attrs: []Attr{{"segment", "mid-market"}}},
		{query: `company:"Northwind Logistics" industry:fintech`, attrs: []Attr{{"company", "Northwind Logistics"}, {"industry", "fintech"}}},
		{query: "Company_Size:50-200", attrs: []Attr{{"company-size", "50-200"}}},
		{query: "10:30 standup", words: "10:30 standup"},
		{query: "https://example.com/x", words: "https://example.com/x"},
		// Topic words also match their synonyms.
		{query: "pains about pricing", categories: []string{"PAINS"}, words: "pricing", also: []string{"price", "cost", "expensive", "budget", "justify the cost"}},
		{query: "costs", words: "costs", also: []string{"pricing", "expensive"}},
		{query: "developed", words: "developed"}, // not the developers of engineering
		{query: "hiring pains", categories: []string{"PAINS"}, words: "hiring", also: []string{"recruiting", "headcount"}},
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
			if got.Words != tt.words {
				t.Errorf("words %q, want %q", got.Words, tt.words)
			}
			if !slices.Equal(got.Attrs, tt.attrs) {
				t.Errorf("attributes %v, want %v", got.Attrs, tt.attrs)
			}
			for _, a := range tt.also {
				if !slices.Contains(got.Also, a) {
					t.Errorf("also %v lacks %q", got.Also, a)
				}
			}
			if tt.query == "developed" && len(got.Also) > 0 {
				t.Errorf("also %v, want none", got.Also)
			}
			if !slices.Equal(got.Corrections, tt.corrections) {
				t.Errorf("corrections %v, want %v", got.Corrections, tt.corrections)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"cfo", "cfo", 0}, {"cfo", "cto", 1}, {"procurment", "procurement", 1},
		{"enigneer", "engineer", 1}, // a swap of neighbours is one edit
		{"finanace", "finance", 1}, {"kitten", "sitting", 3}, {"", "abc", 3}, {"café", "cafe", 1},
	} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
