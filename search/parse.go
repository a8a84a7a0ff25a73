package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/evident/evident/index"
	"github.com/evident/evident/roles"
)

// Parsed is how a query was understood; search --json echoes it so people
// see how their words were read.
type Parsed struct {
	Text  string `json:"text"`
	Words string `json:"words,omitempty"` // what is matched against passage text
	// Hints are the category words a person used ("struggle"): passages
	// that say them rank higher, but need not contain them.
	Hints   string   `json:"hints,omitempty"`
	Phrases []string `json:"phrases,omitempty"`
	Role    string   `json:"role,omitempty"` // the first role asked for
	Roles   []string `json:"roles,omitempty"`
	// Related are the roles that share a group with those asked for (or
	// the roles of a group asked for by name): their passages follow the
	// asked roles', labelled role_match "group".
	Related     []string `json:"related_roles,omitempty"`
	Categories  []string `json:"categories,omitempty"`
	Kinds       []string `json:"kinds,omitempty"`
	Docs        []string `json:"docs,omitempty"` // content hashes
	Speakers    []string `json:"speakers,omitempty"`
	Codes       []string `json:"codes,omitempty"` // qualitative codes (code:NAME)
	Interviewer bool     `json:"interviewer,omitempty"`
	// Understood lists each interpretation: "CFOs → role cfo".
	Understood []string `json:"understood,omitempty"`
}

func (p Parsed) indexQuery() index.Query {
	return index.Query{Words: p.Words, Hints: p.Hints, Phrases: p.Phrases, Roles: p.Roles, Categories: p.Categories,
		Kinds: p.Kinds, Docs: p.Docs, Speakers: p.Speakers, Codes: p.Codes, Interviewer: p.Interviewer}
}

// Parser reads the questions people type. Category words come from the
// rules file, role names from the taxonomy: both are configuration.
type Parser struct {
	categories map[string]string // word → category
	names      []string          // category names in rules order
	roles      *roles.Taxonomy
	// ResolveDoc turns a doc: or file: value into a content hash.
	ResolveDoc func(string) (string, error)
}

// NewParser builds a parser from category words (see classify.QueryWords)
// and a role taxonomy.
func NewParser(categoryWords map[string]string, categories []string, tax *roles.Taxonomy) *Parser {
	return &Parser{categories: categoryWords, names: categories, roles: tax}
}

// Words that frame a question without being what it is about.
var stopwords = map[string]bool{
	"what": true, "whats": true, "what's": true, "how": true, "why": true, "who": true, "whom": true,
	"when": true, "where": true, "which": true, "the": true, "a": true, "an": true, "about": true,
	"of": true, "on": true, "in": true, "for": true, "to": true, "with": true, "from": true,
	"their": true, "they": true, "them": true, "our": true, "my": true, "is": true, "are": true,
	"was": true, "were": true, "be": true, "me": true, "show": true, "find": true, "give": true,
	"list": true, "all": true, "any": true, "quote": true, "quotes": true, "passage": true,
	"passages": true, "evidence": true, "regarding": true, "around": true, "and": true, "or": true,
	"by": true, "at": true, "as": true, "it": true, "its": true, "that": true, "this": true,
	"these": true, "those": true, "there": true, "have": true, "has": true, "had": true,
	"can": true, "could": true, "would": true, "should": true, "will": true, "i": true, "we": true,
	"you": true, "your": true, "some": true, "most": true, "main": true, "top": true, "biggest": true,
	"typical": true, "typically": true, "usually": true, "often": true, "really": true, "people": true,
}

var wh = map[string]bool{"what": true, "how": true, "why": true, "when": true, "where": true, "who": true, "which": true, "whats": true, "what's": true}

// Parse reads a query: field syntax (role:cfo category:hear kind:survey
// doc:file speaker:"Jane Doe" interviewer:yes), quoted phrases, role names
// and category words in plain English, and the remaining words as search
// terms.
func (p *Parser) Parse(text string) Parsed {
	out := Parsed{Text: text}
	tokens := tokenize(text)
	var words, hints []string
	understood := func(format string, args ...any) {
		out.Understood = append(out.Understood, fmt.Sprintf(format, args...))
	}
	addRole := func(id, said string) {
		if !slices.Contains(out.Roles, id) {
			out.Roles = append(out.Roles, id)
			understood("%s → role %s", said, id)
		}
	}
	addCategory := func(c, said string) {
		if !slices.Contains(out.Categories, c) {
			out.Categories = append(out.Categories, c)
			understood("%s → category %s", said, c)
		}
	}
	// Plain tokens are scanned as a sequence so that multi-word role names
	// ("IT director", "head of finance") are found.
	var plain []token
	for _, t := range tokens {
		if t.quoted {
			out.Phrases = append(out.Phrases, t.text)
			continue
		}
		if field, value, ok := strings.Cut(t.text, ":"); ok && value != "" {
			if p.field(&out, strings.ToLower(field), value, addRole, addCategory) {
				continue
			}
		}
		plain = append(plain, t)
	}
	folded := make([]string, len(plain))
	for i, t := range plain {
		w := roles.Fold(t.text)
		if len(w) == 1 {
			folded[i] = w[0]
		}
	}
	for i := 0; i < len(plain); i++ {
		raw := plain[i].text
		lower := strings.ToLower(strings.Trim(raw, ".,;!?"))
		if p.roles != nil {
			if id, n := p.roles.At(folded, i); n > 0 && !(n == 1 && ambiguousRoleWord(lower)) {
				said := make([]string, n)
				for j := range n {
					said[j] = plain[i+j].text
				}
				addRole(id, strings.Join(said, " "))
				i += n - 1
				continue
			}
			if id, n := p.roles.GroupAt(folded, i); n > 0 {
				said := make([]string, n)
				for j := range n {
					said[j] = plain[i+j].text
				}
				p.addGroup(&out, id, strings.Join(said, " "))
				i += n - 1
				continue
			}
		}
		if c, ok := p.categories[lower]; ok && !(auxiliary(lower) && p.helperVerb(plain, folded, i)) {
			addCategory(c, raw)
			if !auxiliary(lower) {
				hints = append(hints, lower)
			}
			continue
		}
		if stopwords[lower] || auxiliary(lower) {
			continue
		}
		words = append(words, lower)
	}
	out.Words = strings.Join(words, " ")
	out.Hints = strings.Join(hints, " ")
	if len(out.Roles) > 0 {
		out.Role = out.Roles[0]
	}
	p.widen(&out)
	return out
}

// addGroup reads a group's name ("executives", "technical leadership"):
// its roles are asked for, all as the group's.
func (p *Parser) addGroup(out *Parsed, id, said string) {
	added := false
	for _, r := range p.roles.GroupRoles(id) {
		if !slices.Contains(out.Related, r) {
			out.Related = append(out.Related, r)
			added = true
		}
	}
	if added {
		out.Understood = append(out.Understood, fmt.Sprintf("%s → group %s (%s)", said, id, strings.Join(p.roles.GroupRoles(id), ", ")))
	}
}

// widen adds the roles that share a group with those asked for: a search
// for CTOs shows the CTOs first, then VPs of engineering and engineering
// managers.
func (p *Parser) widen(out *Parsed) {
	if p.roles == nil {
		return
	}
	for _, r := range out.Roles {
		var added []string
		for _, rel := range p.roles.Related(r) {
			if !slices.Contains(out.Roles, rel) && !slices.Contains(out.Related, rel) {
				out.Related = append(out.Related, rel)
				added = append(added, rel)
			}
		}
		if len(added) > 0 {
			for i, u := range out.Understood {
				if strings.HasSuffix(u, "→ role "+r) {
					out.Understood[i] = fmt.Sprintf("%s, then its group (%s)", u, strings.Join(added, ", "))
				}
			}
		}
	}
	out.Related = slices.DeleteFunc(out.Related, func(r string) bool { return slices.Contains(out.Roles, r) })
}

// auxiliary reports the forms of "do", which are either the category DO
// ("what do CFOs do") or the helper verb of a question ("what do CFOs hear").
func auxiliary(w string) bool { return w == "do" || w == "does" || w == "did" }

// subjects are words that follow the helper "do" as the subject of a
// question: "what do they say", "what trends do people notice".
var subjects = map[string]bool{"they": true, "you": true, "we": true, "i": true, "people": true,
	"customers": true, "buyers": true, "teams": true, "the": true, "our": true, "their": true, "your": true}

// helperVerb reports whether the "do" at plain[i] is the helper verb of a
// question: it opens the query, follows a question word, or comes before
// its subject (a role or a word such as "they").
func (p *Parser) helperVerb(plain []token, folded []string, i int) bool {
	if i == 0 || wh[strings.ToLower(plain[i-1].text)] {
		return true
	}
	if i+1 >= len(plain) {
		return false
	}
	if subjects[strings.ToLower(plain[i+1].text)] {
		return true
	}
	if p.roles != nil {
		if _, n := p.roles.At(folded, i+1); n > 0 {
			return true
		}
	}
	return false
}

// ambiguousRoleWord lists aliases that are also common words; they count
// as roles only in field syntax.
func ambiguousRoleWord(w string) bool {
	switch w {
	case "user", "users", "owner", "owners", "buyer", "buyers", "president", "controller", "pm", "gm", "ae", "fd", "vet", "sponsor", "advocate", "operator", "contributor", "architect":
		return true
	}
	return false
}

func (p *Parser) field(out *Parsed, field, value string, addRole, addCategory func(string, string)) bool {
	switch field {
	case "role", "persona":
		id := strings.ToLower(value)
		if p.roles != nil {
			if g, ok := p.roles.ExactGroup(value); ok {
				if _, isRole := p.roles.Exact(value); !isRole {
					p.addGroup(out, g, field+":"+value)
					return true
				}
			}
			// role:finance-director and role:finance_director name the
			// alias "finance director".
			if r, ok := p.roles.Exact(strings.NewReplacer("-", " ", "_", " ").Replace(value)); ok {
				id = r
			} else if r, ok := p.roles.Exact(value); ok {
				id = r
			}
		}
		addRole(id, field+":"+value)
	case "category", "cat", "cell":
		c := strings.ToUpper(value)
		if w, ok := p.categories[strings.ToLower(value)]; ok {
			c = w
		}
		addCategory(c, field+":"+value)
	case "kind", "type":
		out.Kinds = append(out.Kinds, strings.ToLower(value))
	case "doc", "file", "document":
		if p.ResolveDoc != nil {
			if sha, err := p.ResolveDoc(value); err == nil {
				out.Docs = append(out.Docs, sha)
				return true
			}
		}
		out.Docs = append(out.Docs, value)
	case "speaker", "by":
		out.Speakers = append(out.Speakers, value)
	case "code", "codes":
		out.Codes = append(out.Codes, value)
	case "interviewer", "host":
		v := strings.ToLower(value)
		out.Interviewer = v == "yes" || v == "true" || v == "include" || v == "1"
	default:
		return false
	}
	return true
}

type token struct {
	text   string
	quoted bool
}

// tokenize splits on spaces, keeping "quoted phrases" and field:"quoted
// values" whole.
func tokenize(s string) []token {
	var out []token
	var cur strings.Builder
	quoted, inQuote := false, false
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, token{text: cur.String(), quoted: quoted})
		}
		cur.Reset()
		quoted = false
	}
	for _, r := range s {
		switch {
		case r == '"' || r == '“' || r == '”':
			if inQuote {
				inQuote = false
				if !strings.Contains(cur.String(), ":") {
					quoted = true
				}
				flush()
				continue
			}
			inQuote = true
			if cur.Len() == 0 {
				quoted = true
			}
		case unicode.IsSpace(r) && !inQuote:
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}
