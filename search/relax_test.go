package search

import (
	"strings"
	"testing"

	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/roles"
)

// TestRelaxations: when a query finds nothing, the broader queries are
// tried fewest parts dropped first, least telling first: a category, then
// a role, then the words, then what the person typed as field syntax.
func TestRelaxations(t *testing.T) {
	rules, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(rules.QueryWords(), rules.Categories(), roles.Default())
	p.Synonyms = DefaultSynonyms()
	tests := []struct {
		query string
		want  []string // "relaxed query | dropped", nearest first
	}{
		{"what do CFOs hear", []string{
			"what do CFOs | category HEAR",
			"what do hear | role cfo",
		}},
		{"what do CFO's hear about pricing", []string{
			"what do CFO's about pricing | category HEAR",
			"what do hear about pricing | role cfo",
			"what do CFO's hear about | the word pricing",
			"what do about pricing | role cfo, category HEAR",
			"what do CFO's about | category HEAR, the word pricing",
			"what do hear about | role cfo, the word pricing",
		}},
		{`company:Contoso segment:"mid-market" pains`, []string{
			`company:Contoso segment:"mid-market" | category PAINS`,
			"pains | attribute company=Contoso, attribute segment=mid-market",
		}},
		{"pricing", nil}, // nothing to drop that would leave a query
		{`"so expensive" kind:podcast`, []string{
			"kind:podcast | the phrase “so expensive”",
			`"so expensive" | kind podcast`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got []string
			for _, r := range dropSteps(p.Parse(tt.query)) {
				got = append(got, r.text+" | "+strings.Join(r.dropped, ", "))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("relaxations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
	// A relaxed query keeps what it does not drop, and reads back the same.
	r := dropSteps(p.Parse(`company:"Northwind Logistics" what do CFOs hear about pricing`))[0]
	if len(r.parsed.Attrs) != 1 || r.parsed.Attrs[0].Value != "Northwind Logistics" || r.parsed.Words != "pricing" ||
		len(r.parsed.Also) == 0 || r.parsed.Role != "cfo" || len(r.parsed.Categories) != 0 || r.parsed.Hints != "" {
		t.Errorf("without the category: %+v", r.parsed)
	}
	again := p.Parse(r.text)
	if again.Role != "cfo" || len(again.Categories) != 0 || again.Words != "pricing" || len(again.Attrs) != 1 {
		t.Errorf("%q reads back as %+v", r.text, again)
	}
}

func TestRespell(t *testing.T) {
	rules, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	p := NewParser(rules.QueryWords(), rules.Categories(), roles.Default())
	p.Synonyms = DefaultSynonyms()
	s := &Searcher{Parser: p}
	for _, tt := range []struct {
		query, want string // want "" when nothing is respelt
	}{
		{"pains about pricng", "pains about pricing"},
		{"recuiting woes", "recruiting woes"},
		{"pricing", ""}, // a topic word already
		{"price", ""},   // short words are left alone
		{"couches", ""}, // nothing near
		{"hiring developed", ""},
	} {
		text, _, ok := s.respell(p.Parse(tt.query))
		if ok != (tt.want != "") || ok && text != tt.want {
			t.Errorf("respell(%q) = %q, %v; want %q", tt.query, text, ok, tt.want)
		}
	}
}
