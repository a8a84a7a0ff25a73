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
