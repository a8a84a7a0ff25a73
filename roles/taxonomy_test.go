package roles

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func load(t *testing.T) *Taxonomy {
	t.Helper()
	tax, err := LoadFile(filepath.Join("testdata", "small.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return tax
}

// Phrases and titles resolve to roles: case, plurals and punctuation
// folded, the longest alias found inside a title, committee roles only
// when no job role matches.
func TestResolve(t *testing.T) {
	tax := load(t)
	tests := []struct {
		phrase    string
		exact     string // Exact; "" when it is no role
		title     string // Title
		canonical string // Canonical
	}{
		{"CFOs", "cfo", "cfo", "cfo"},
		{"Finance Directors", "cfo", "cfo", "cfo"},
		{"controllers'", "cfo", "cfo", "cfo"},
		{"Senior Finance Director, Acme", "", "cfo", "cfo"},
		{"VPs of Engineering", "vp-engineering", "vp-engineering", "vp-engineering"},
		{"Head of Finance", "", "economic-buyer", "economic-buyer"}, // the committee role, for want of a job role
		{"finance director and budget holder", "", "cfo", "cfo"},    // the job role wins
		{"business analysts", "analyst", "analyst", "analyst"},
		{"the analysis", "", "", "the analysis"}, // "analysis" is no plural
		{"Director of Field Service", "", "", "director of field service"},
		{"", "", "", ""},
	}
	for _, tt := range tests {
		if got, ok := tax.Exact(tt.phrase); got != tt.exact || ok != (tt.exact != "") {
			t.Errorf("Exact(%q) = %q, %v; want %q", tt.phrase, got, ok, tt.exact)
		}
		if got, ok := tax.Title(tt.phrase); got != tt.title || ok != (tt.title != "") {
			t.Errorf("Title(%q) = %q, %v; want %q", tt.phrase, got, ok, tt.title)
		}
		if got := tax.Canonical(tt.phrase); got != tt.canonical {
			t.Errorf("Canonical(%q) = %q, want %q", tt.phrase, got, tt.canonical)
		}
	}
	var none *Taxonomy
	if got := none.Canonical(" Finance Director "); got != "finance director" {
		t.Errorf("Canonical without a taxonomy: %q", got)
	}
}

// What the taxonomy says of its roles and groups.
func TestRolesAndGroups(t *testing.T) {
	tax := load(t)
	var ids []string
	for _, r := range tax.Roles() {
		ids = append(ids, r.ID)
	}
	if want := []string{"cfo", "cto", "vp-engineering", "analyst", "economic-buyer"}; !slices.Equal(ids, want) {
		t.Errorf("Roles: %v, want %v (committee last)", ids, want)
	}
	tests := []struct {
		id, name         string
		known, committee bool
		groups, related  []string
	}{
		{"cfo", "Chief Financial Officer", true, false, nil, nil},
		{"cto", "Chief Technology Officer", true, false, []string{"technical-leadership"}, []string{"vp-engineering"}},
		{"analyst", "analyst", true, false, nil, nil}, // no name: the id
		{"economic-buyer", "Economic buyer", true, true, nil, nil},
		{"nope", "nope", false, false, nil, nil},
	}
	for _, tt := range tests {
		if tax.Name(tt.id) != tt.name || tax.Known(tt.id) != tt.known || tax.IsCommittee(tt.id) != tt.committee ||
			!slices.Equal(tax.GroupOf(tt.id), tt.groups) || !slices.Equal(tax.Related(tt.id), tt.related) {
			t.Errorf("%s: name %q, known %v, committee %v, groups %v, related %v", tt.id, tax.Name(tt.id), tax.Known(tt.id),
				tax.IsCommittee(tt.id), tax.GroupOf(tt.id), tax.Related(tt.id))
		}
	}
	if g := tax.Groups(); len(g) != 1 || g[0].Name != "Technical leadership" {
		t.Errorf("Groups: %+v", g)
	}
	if got := tax.GroupRoles("technical-leadership"); !slices.Equal(got, []string{"cto", "vp-engineering"}) {
		t.Errorf("GroupRoles: %v", got)
	}
	if got := tax.GroupRoles("nope"); got != nil {
		t.Errorf("GroupRoles of an unknown group: %v", got)
	}
	words := Fold("what do the tech leads and VPs of engineering say")
	at := map[int][2]any{}
	for i := range words {
		if id, n := tax.GroupAt(words, i); n > 0 {
			at[i] = [2]any{id, n}
		}
		if id, n := tax.At(words, i); n > 0 {
			at[i] = [2]any{id, n}
		}
	}
	want := map[int][2]any{3: {"technical-leadership", 2}, 6: {"vp-engineering", 3}}
	if len(at) != len(want) || at[3] != want[3] || at[6] != want[6] {
		t.Errorf("found %v in %q, want %v", at, words, want)
	}
	if id, ok := tax.ExactGroup("Tech-Leads"); !ok || id != "technical-leadership" {
		t.Errorf("ExactGroup: %q, %v", id, ok)
	}
}

// A taxonomy file that is wrong is refused with what is wrong; a file
// that cannot be read names itself.
func TestParseErrors(t *testing.T) {
	tests := []struct{ yaml, err string }{
		{"roles:\n  - {id: CFO}\n", "lower-case"},
		{"roles:\n  - {id: cfo}\n  - {id: cfo}\n", `"cfo" appears twice`},
		{"roles:\n  - {id: cfo, aliases: [controller]}\n  - {id: coo, aliases: [Controllers]}\n", `alias "Controllers" belongs to both cfo and coo`},
		{"roles:\n  - {id: cfo, alias: [controller]}\n", "field alias not found"},
		{"roles: [\n", "roles:"},
		{"roles:\n  - {id: cfo}\n  - {id: cto}\ngroups:\n  - {id: Tech, roles: [cfo, cto]}\n", "group id"},
		{"roles:\n  - {id: cfo}\n  - {id: cto}\ngroups:\n  - {id: a, aliases: [x], roles: [cfo, cto]}\n  - {id: b, aliases: [x], roles: [cfo, cto]}\n", "belongs to both a and b"},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.yaml)); err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: %v, want an error saying %q", tt.yaml, err, tt.err)
		}
	}
	bad := filepath.Join(t.TempDir(), "roles.yaml")
	if err := os.WriteFile(bad, []byte("roles:\n  - {id: CFO}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{bad, filepath.Join(t.TempDir(), "missing.yaml")} {
		if _, err := LoadFile(path); err == nil || !strings.Contains(err.Error(), filepath.Base(path)) {
			t.Errorf("LoadFile(%s): %v, want an error naming the file", path, err)
		}
	}
}

// Plurals fold the way role words take them; words ending in s in the
// singular stay.
func TestSingular(t *testing.T) {
	for in, want := range map[string]string{
		"cfos": "cfo", "vps": "vp", "aes": "ae", "its": "its", "gas": "gas", "ceo": "ceo",
		"companies": "company", "boxes": "box", "bosses": "boss", "coaches": "coach", "wishes": "wish",
		"business": "business", "status": "status", "analysis": "analysis", "leads": "lead", "lead": "lead",
	} {
		if got := singular(in); got != want {
			t.Errorf("singular(%q) = %q, want %q", in, got, want)
		}
	}
}
