package maps

import (
	"testing"
	"time"

	"github.com/evident/evident"
)

// A quote's rule names the rules and their words, or the person who set
// the category; matches of other categories, and those that did not
// count, are left out.
func TestRuleOf(t *testing.T) {
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	s := &Snapshot{Matches: []evident.Match{
		{Category: "PAINS", Rule: "pains.slow", Text: "takes forever"},
		{Category: "PAINS", Rule: "pains.slow", Text: "takes forever"},
		{Category: "PAINS", Rule: "pains.worry", Text: "worried", Reason: "negated"},
		{Category: "HEAR", Rule: "hear.reported", Text: "CEO tells me"},
		evident.PersonMatch("GAINS", "dana", at),
	}}
	tests := []struct{ category, want string }{
		{"PAINS", `pains.slow ("takes forever")`},
		{"HEAR", `hear.reported ("CEO tells me")`},
		{"GAINS", "tagged by dana on 2025-06-01"},
		{"SAY", ""},
	}
	for _, tt := range tests {
		if got := ruleOf(s, tt.category); got != tt.want {
			t.Errorf("ruleOf(%s) = %q, want %q", tt.category, got, tt.want)
		}
	}
}

// A quote says in its exports what put it in its cell.
func TestQuoteWhy(t *testing.T) {
	at := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	matches := []evident.Match{{Category: "PAINS", Rule: "pains.slow", Text: "takes forever"}, evident.PersonMatch("GAINS", "dana", at)}
	tests := []struct {
		category, want string
	}{
		{"PAINS", `rules: pains.slow ("takes forever")`},
		{"GAINS", "tagged by dana on 2025-06-01"},
		{"SAY", "placed by hand"},
	}
	for _, tt := range tests {
		q := Quote{Category: tt.category, Snapshot: Snapshot{Matches: matches}}
		q.Rule = ruleOf(&q.Snapshot, q.Category)
		if got := q.Why(); got != tt.want {
			t.Errorf("%s: Why() = %q, want %q", tt.category, got, tt.want)
		}
	}
}

// A card's byline: the full name of a speaker labelled by initials, with
// the title they state, else their role; a survey's respondent by row.
func TestByline(t *testing.T) {
	d := &evident.Document{File: "ledger.txt", Speakers: []evident.Person{{Name: "RK", FullName: "Ravi Kumar"}, {Name: "JT"}}}
	for _, tt := range []struct {
		p    evident.Passage
		want string
	}{
		{evident.Passage{Speaker: "RK", Title: "financial controller", Role: "cfo"}, "Ravi Kumar, financial controller"},
		{evident.Passage{Speaker: "RK", Role: "cfo"}, "Ravi Kumar (cfo)"},
		{evident.Passage{Speaker: "JT"}, "JT"},
		{evident.Passage{Role: "cio", Locator: evident.Locator{Row: 7, Column: "What hurts?"}}, "Respondent 7 (cio)"},
		{evident.Passage{Role: "cfo"}, "cfo"},
	} {
		s := snapshotOf(d, &tt.p)
		if got := s.Byline(); got != tt.want {
			t.Errorf("%+v: Byline() = %q, want %q", tt.p, got, tt.want)
		}
		if tt.p.Locator.Row > 0 && s.Place() != "row 7" {
			t.Errorf("Place() = %q, want the row without the question", s.Place())
		}
	}
}
