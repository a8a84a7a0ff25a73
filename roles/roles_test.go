package roles

import (
	"slices"
	"strings"
	"testing"
)

func TestGroups(t *testing.T) {
	tax := Default()
	tests := []struct {
		role    string
		related []string
	}{
		{"cto", []string{"vp-engineering", "engineering-manager"}},
		{"engineering-manager", []string{"cto", "vp-engineering"}},
		{"founder", []string{"ceo", "coo"}},
		{"cfo", nil},
	}
	for _, tt := range tests {
		if got := tax.Related(tt.role); !slices.Equal(got, tt.related) {
			t.Errorf("Related(%q) = %v, want %v", tt.role, got, tt.related)
		}
	}
	for phrase, want := range map[string]string{"executives": "executive", "technical leadership": "technical-leadership", "technical-leadership": "technical-leadership", "C-suite": "executive"} {
		if got, ok := tax.ExactGroup(phrase); !ok || got != want {
			t.Errorf("ExactGroup(%q) = %q, %v; want %q", phrase, got, ok, want)
		}
	}
	for title, want := range map[string]string{"VP of Engineering": "vp-engineering", "co-founder": "founder", "Founder & CEO": "founder",
		"CEO and founder": "ceo", "chief software officer": "cto", "Engineering Manager, Platform": "engineering-manager"} {
		if got, _ := tax.Title(title); got != want {
			t.Errorf("Title(%q) = %q, want %q", title, got, want)
		}
	}
}

func TestParseGroupErrors(t *testing.T) {
	base := "version: 1\nroles:\n  - {id: cto, aliases: [cto]}\n  - {id: cfo, aliases: [cfo]}\n"
	tests := []struct{ groups, err string }{
		{"groups:\n  - {id: tech, roles: [cto, nope]}\n", `role "nope"`},
		{"groups:\n  - {id: tech, roles: [cto]}\n", "two roles"},
		{"groups:\n  - {id: cto, roles: [cto, cfo]}\n", "id of a role"},
		{"groups:\n  - {id: tech, aliases: [cfo], roles: [cto, cfo]}\n", "already role"},
		{"groups:\n  - {id: tech, roles: [cto, cfo]}\n  - {id: tech, roles: [cto, cfo]}\n", "twice"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(base + tt.groups))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: error %v, want one saying %q", tt.groups, err, tt.err)
		}
	}
	if _, err := Parse([]byte(base + "groups:\n  - {id: tech, aliases: [tech leads], roles: [cto, cfo]}\n")); err != nil {
		t.Errorf("a good group: %v", err)
	}
}
