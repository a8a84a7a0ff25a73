// Package roles is the role taxonomy (configs/roles.yaml): canonical roles
// with their aliases, groups of related roles, and buying-committee roles. It folds case and plurals
// and finds the longest alias, so "CFOs", "finance directors" and "Senior VP
// of Finance, Acme" all resolve to cfo.
package roles

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/evident/evident/configs"
)

// Role is one canonical role.
type Role struct {
	ID        string   `yaml:"id" json:"id"`
	Name      string   `yaml:"name" json:"name"`
	Aliases   []string `yaml:"aliases" json:"aliases"`
	Committee bool     `yaml:"-" json:"committee,omitempty"`
}

// Group gathers related roles: technical leadership holds the CTO, the VP
// of engineering and the engineering manager.
type Group struct {
	ID      string   `yaml:"id" json:"id"`
	Name    string   `yaml:"name" json:"name"`
	Aliases []string `yaml:"aliases" json:"aliases"`
	Roles   []string `yaml:"roles" json:"roles"`
}

type file struct {
	Version   int     `yaml:"version"`
	Roles     []Role  `yaml:"roles"`
	Groups    []Group `yaml:"groups"`
	Committee []Role  `yaml:"committee"`
}

// Taxonomy resolves words to roles. It is immutable and safe to share.
type Taxonomy struct {
	roles   []Role
	byID    map[string]*Role
	aliases map[string]string // folded alias → role id
	starts  map[string]bool   // the first word of every alias
	longest int               // words in the longest alias
	groups  []Group
	groupOf map[string][]string // role id → ids of the groups that hold it
	byGroup map[string]*Group
	gAlias  map[string]string // folded group alias → group id
}

// Default returns the built-in taxonomy.
func Default() *Taxonomy {
	t, err := Parse(configs.Roles())
	if err != nil {
		panic("roles: built-in taxonomy: " + err.Error())
	}
	return t
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// Parse reads a taxonomy from YAML. An alias claimed by two roles is refused.
func Parse(data []byte) (*Taxonomy, error) {
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	t := &Taxonomy{byID: map[string]*Role{}, aliases: map[string]string{}, starts: map[string]bool{},
		groupOf: map[string][]string{}, byGroup: map[string]*Group{}, gAlias: map[string]string{}}
	for _, c := range f.Committee {
		c.Committee = true
		f.Roles = append(f.Roles, c)
	}
	for _, r := range f.Roles {
		if !idPattern.MatchString(r.ID) {
			return nil, fmt.Errorf("roles: id %q must be lower-case letters, digits and dashes", r.ID)
		}
		if slices.ContainsFunc(t.roles, func(o Role) bool { return o.ID == r.ID }) {
			return nil, fmt.Errorf("roles: id %q appears twice", r.ID)
		}
		t.roles = append(t.roles, r)
	}
	for i := range t.roles {
		r := &t.roles[i]
		t.byID[r.ID] = r
		for _, a := range append([]string{r.ID}, r.Aliases...) {
			words := fold(a)
			if len(words) == 0 {
				continue
			}
			key := strings.Join(words, " ")
			if other, ok := t.aliases[key]; ok && other != r.ID {
				return nil, fmt.Errorf("roles: alias %q belongs to both %s and %s", a, other, r.ID)
			}
			t.aliases[key] = r.ID
			t.starts[words[0]] = true
			t.longest = max(t.longest, len(words))
		}
	}
	for _, g := range f.Groups {
		if !idPattern.MatchString(g.ID) {
			return nil, fmt.Errorf("roles: group id %q must be lower-case letters, digits and dashes", g.ID)
		}
		if slices.ContainsFunc(t.groups, func(o Group) bool { return o.ID == g.ID }) {
			return nil, fmt.Errorf("roles: group %q appears twice", g.ID)
		}
		if _, clash := t.byID[g.ID]; clash {
			return nil, fmt.Errorf("roles: group %q has the id of a role", g.ID)
		}
		if len(g.Roles) < 2 {
			return nil, fmt.Errorf("roles: group %q needs two roles or more", g.ID)
		}
		for _, id := range g.Roles {
			if _, ok := t.byID[id]; !ok {
				return nil, fmt.Errorf("roles: group %q names role %q, which is not defined", g.ID, id)
			}
			t.groupOf[id] = append(t.groupOf[id], g.ID)
		}
		t.groups = append(t.groups, g)
	}
	for i := range t.groups {
		g := &t.groups[i]
		t.byGroup[g.ID] = g
		for _, a := range append([]string{g.ID}, g.Aliases...) {
			key := strings.Join(fold(strings.ReplaceAll(a, "-", " ")), " ")
			if key == "" {
				continue
			}
			if other, ok := t.aliases[key]; ok {
				return nil, fmt.Errorf("roles: group alias %q is already role %s's", a, other)
			}
			if other, ok := t.gAlias[key]; ok && other != g.ID {
				return nil, fmt.Errorf("roles: group alias %q belongs to both %s and %s", a, other, g.ID)
			}
			t.gAlias[key] = g.ID
			t.longest = max(t.longest, len(strings.Fields(key)))
		}
	}
	return t, nil
}

// Groups lists the groups of related roles.
func (t *Taxonomy) Groups() []Group { return t.groups }

// GroupOf returns the ids of the groups that hold a role.
func (t *Taxonomy) GroupOf(id string) []string { return t.groupOf[id] }

// Related returns the other roles that share a group with a role, in the
// groups' order: a search for CTOs widens to them.
func (t *Taxonomy) Related(id string) []string {
	var out []string
	for _, g := range t.groupOf[id] {
		for _, r := range t.byGroup[g].Roles {
			if r != id && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// GroupRoles returns the roles of a group, or nil for an unknown group.
func (t *Taxonomy) GroupRoles(group string) []string {
	if g, ok := t.byGroup[group]; ok {
		return g.Roles
	}
	return nil
}

// GroupAt returns the group whose name or alias is longest among those
// starting at words[i] (already folded), and how many words it takes.
func (t *Taxonomy) GroupAt(words []string, i int) (string, int) {
	for n := min(t.longest, len(words)-i); n > 0; n-- {
		if id, ok := t.gAlias[strings.Join(words[i:i+n], " ")]; ok {
			return id, n
		}
	}
	return "", 0
}

// ExactGroup resolves a whole phrase ("executives", "technical
// leadership") to a group.
func (t *Taxonomy) ExactGroup(phrase string) (string, bool) {
	id, ok := t.gAlias[strings.Join(fold(strings.ReplaceAll(phrase, "-", " ")), " ")]
	return id, ok
}

// Roles lists the canonical roles, committee roles last.
func (t *Taxonomy) Roles() []Role { return t.roles }

// Known reports whether id is a canonical role.
func (t *Taxonomy) Known(id string) bool { _, ok := t.byID[id]; return ok }

// Name returns a role's display name.
func (t *Taxonomy) Name(id string) string {
	if r, ok := t.byID[id]; ok && r.Name != "" {
		return r.Name
	}
	return id
}

// IsCommittee reports whether id is a buying-committee role.
func (t *Taxonomy) IsCommittee(id string) bool {
	r, ok := t.byID[id]
	return ok && r.Committee
}

// Exact resolves a whole phrase ("CFOs", "VP of Finance") to a role.
func (t *Taxonomy) Exact(phrase string) (string, bool) {
	words := fold(phrase)
	id, ok := t.aliases[strings.Join(words, " ")]
	return id, ok
}

// Title finds the role named inside a job title: the longest alias found
// anywhere in it ("Senior VP of Finance at Acme" → cfo). Committee roles
// count only when no job role matches.
func (t *Taxonomy) Title(title string) (string, bool) {
	words := fold(title)
	best, bestLen, bestCommittee := "", 0, false
	for i := range words {
		id, n := t.At(words, i)
		if n == 0 {
			continue
		}
		c := t.IsCommittee(id)
		switch {
		case best == "", c == bestCommittee && n > bestLen, bestCommittee && !c:
			best, bestLen, bestCommittee = id, n, c
		}
	}
	return best, best != ""
}

// At returns the role whose alias is longest among those starting at
// words[i] (already folded), and how many words it takes.
func (t *Taxonomy) At(words []string, i int) (string, int) {
	// Most words begin no alias: one lookup instead of a join per length.
	if i < len(words) && !t.starts[words[i]] && !strings.Contains(words[i], " ") {
		return "", 0
	}
	for n := min(t.longest, len(words)-i); n > 0; n-- {
		if id, ok := t.aliases[strings.Join(words[i:i+n], " ")]; ok {
			return id, n
		}
	}
	return "", 0
}

// Fold lower-cases a phrase, splits it into words and folds plurals, the
// way aliases are stored; callers scanning a query use it before At.
func Fold(s string) []string { return fold(s) }

func fold(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && r != '&' && r != '-'
	})
	for i, w := range f {
		f[i] = singular(strings.Trim(w, "-"))
	}
	return f
}

// singular folds the English plurals role words take: cfos, directors,
// leads, heads, vps, companies, boxes. Words that end in s in the singular
// are kept.
func singular(w string) string {
	switch {
	case len(w) <= 3:
		if strings.HasSuffix(w, "s") && len(w) == 3 && w != "its" && w != "gas" {
			return w[:2] // vps → vp, aes → ae
		}
		return w
	case strings.HasSuffix(w, "ss") || strings.HasSuffix(w, "us") || strings.HasSuffix(w, "is"):
		return w // business, status, analysis
	case strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

// Canonical maps a role as written to the taxonomy's id: the role named
// inside a title ("Senior VP of Finance" → cfo). A title the taxonomy does
// not know stays as written, lower-cased, never guessed.
func (t *Taxonomy) Canonical(role string) string {
	role = strings.TrimSpace(role)
	if role == "" {
		return ""
	}
	if t != nil {
		if id, ok := t.Title(role); ok {
			return id
		}
	}
	return strings.ToLower(role)
}
