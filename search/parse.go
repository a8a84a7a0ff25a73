package search

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/roles"
)

// Parsed is how a query was understood; search --json echoes it so people
// see how their words were read.
type Parsed struct {
	Text  string `json:"text"`
	Words string `json:"words,omitempty"` // what is matched against passage text
	// Also are the other words of the topics the words belong to
	// (configs/synonyms.yaml): "pricing" also matches "expensive".
	Also   []string `json:"also,omitempty"`
	Topics []string `json:"topics,omitempty"`
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
	Attrs       []Attr   `json:"attributes,omitempty"`
	Interviewer bool     `json:"interviewer,omitempty"`
	// Understood lists each interpretation: "CFOs → role cfo".
	Understood []string `json:"understood,omitempty"`
	// Corrections say which words were read as something else than
	// typed: "finanace director → finance director".
	Corrections []string `json:"corrections,omitempty"`

	// parts are the pieces of the query a relaxation can drop, with the
	// tokens that said them.
	parts []part
	// tokens is the query as typed, for writing a relaxed one.
	tokens []token
}

// Attr is a filter on an attribute: company:Northwind, segment:"mid-market".
type Attr struct {
	Key   string `json:"key"` // as evident.AttrKey spells it
	Value string `json:"value"`
}

// A part is one thing a query asks for, which relaxation may drop.
type part struct {
	kind   partKind
	value  string // the role id, category, word, phrase, attribute key…
	said   string // as the person typed it
	tokens []int  // indexes into Parsed.tokens
}

type partKind int

const (
	partCategory partKind = iota
	partRole
	partWord
	partPhrase
	partAttr
	partKind_
	partSpeaker
	partDoc
)

func (p Parsed) indexQuery() index.Query {
	var attrs []index.Attr
	for _, a := range p.Attrs {
		attrs = append(attrs, index.Attr{Key: a.Key, Value: a.Value})
	}
	// The group's roles are asked for too: ranking puts them after the
	// roles asked for (see rank).
	roles := append(slices.Clip(p.Roles), p.Related...)
	return index.Query{Words: p.Words, Also: p.Also, Hints: p.Hints, Phrases: p.Phrases, Roles: roles, About: len(p.Roles) > 0,
		Categories: p.Categories, Kinds: p.Kinds, Docs: p.Docs, Speakers: p.Speakers, Codes: p.Codes, Attrs: attrs, Interviewer: p.Interviewer,
		Grade: !p.scored()}
}

// scored reports whether the query has words that score passages.
// scoredByWords reports whether words or phrases that must match score
// the query (hints alone may match nothing).
func (p Parsed) scoredByWords() bool {
	return strings.TrimSpace(p.Words) != "" || len(p.Phrases) > 0
}

func (p Parsed) scored() bool {
	return p.scoredByWords() || strings.TrimSpace(p.Hints) != ""
}

// Parser reads the questions people type. Category words come from the
// rules file, role names from the taxonomy, topics from the synonyms: all
// are configuration.
type Parser struct {
	categories map[string]string // word → category
	names      []string          // category names in rules order
	roles      *roles.Taxonomy
	aliases    []alias         // the taxonomy's names, for reading misspelt roles
	aliasWords map[string]bool // every word of those names, ambiguous ones too
	about      *AboutFinder
	// Synonyms expand words to their topics; nil expands nothing.
	Synonyms *Synonyms
	// ResolveDoc turns a doc: or file: value into a content hash.
	ResolveDoc func(string) (string, error)
}

// alias is one name of a role, folded into words.
type alias struct {
	role  string
	words []string
}

// NewParser builds a parser from category words (see classify.QueryWords)
// and a role taxonomy.
func NewParser(categoryWords map[string]string, categories []string, tax *roles.Taxonomy) *Parser {
	p := &Parser{categories: categoryWords, names: categories, roles: tax, aliasWords: map[string]bool{}, about: NewAbout(tax)}
	if tax != nil {
		for _, r := range tax.Roles() {
			for _, a := range append([]string{r.ID}, r.Aliases...) {
				words := roles.Fold(a)
				for _, w := range words {
					p.aliasWords[w] = true
				}
				if len(words) == 0 || len(words) == 1 && ambiguousRoleWord(words[0]) {
					continue
				}
				p.aliases = append(p.aliases, alias{role: r.ID, words: words})
			}
		}
	}
	return p
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
// doc:file speaker:"Jane Doe" interviewer:yes, and any other key:value as
// an attribute filter, company:Northwind segment:"mid-market"), quoted
// phrases, role names and category words in plain English (possessives,
// plurals and small misspellings of role names forgiven), and the
// remaining words as search terms, each with its topic's synonyms.
func (p *Parser) Parse(text string) Parsed {
	out := Parsed{Text: text}
	tokens := tokenize(text)
	out.tokens = tokens
	var words, hints []string
	understood := func(format string, args ...any) {
		out.Understood = append(out.Understood, fmt.Sprintf(format, args...))
	}
	addPart := func(kind partKind, value, said string, toks ...int) {
		out.parts = append(out.parts, part{kind: kind, value: value, said: said, tokens: toks})
	}
	addRole := func(id, said string, toks ...int) {
		if !slices.Contains(out.Roles, id) {
			out.Roles = append(out.Roles, id)
			understood("%s → role %s", said, id)
		}
		addPart(partRole, id, said, toks...)
	}
	addCategory := func(c, said string, toks ...int) {
		if !slices.Contains(out.Categories, c) {
			out.Categories = append(out.Categories, c)
			understood("%s → category %s", said, c)
		}
		addPart(partCategory, c, said, toks...)
	}
	// Plain tokens are scanned as a sequence so that multi-word role names
	// ("IT director", "head of finance") are found.
	var plain []token
	var at []int // plain[i] is tokens[at[i]]
	for ti, t := range tokens {
		if t.quoted {
			out.Phrases = append(out.Phrases, t.text)
			addPart(partPhrase, t.text, t.text, ti)
			continue
		}
		if field, value, ok := strings.Cut(t.text, ":"); ok && value != "" {
			if p.field(&out, strings.ToLower(field), value, ti, addRole, addCategory) {
				continue
			}
		}
		plain = append(plain, token{text: possessive(t.text), quoted: t.quoted, start: t.start, end: t.end})
		at = append(at, ti)
	}
	folded := make([]string, len(plain))
	for i, t := range plain {
		w := roles.Fold(t.text)
		if len(w) == 1 {
			folded[i] = w[0]
		}
	}
	span := func(i, n int) []int {
		toks := make([]int, n)
		for j := range n {
			toks[j] = at[i+j]
		}
		return toks
	}
	said := func(i, n int) string {
		s := make([]string, n)
		for j := range n {
			s[j] = plain[i+j].text
		}
		return strings.Join(s, " ")
	}
	for i := 0; i < len(plain); i++ {
		raw := plain[i].text
		lower := strings.ToLower(strings.Trim(raw, ".,;!?"))
		if p.roles != nil {
			if id, n := p.roles.At(folded, i); n > 0 && !(n == 1 && ambiguousRoleWord(lower)) {
				addRole(id, said(i, n), span(i, n)...)
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
			addCategory(c, raw, at[i])
			if !auxiliary(lower) {
				hints = append(hints, lower)
			}
			continue
		}
		if stopwords[lower] || auxiliary(lower) {
			continue
		}
		if id, n, name := p.misspeltRole(folded, i); n > 0 {
			typed := said(i, n)
			addRole(id, typed, span(i, n)...)
			out.Corrections = append(out.Corrections, fmt.Sprintf("%s → %s", typed, name))
			i += n - 1
			continue
		}
		if lower == "" {
			continue
		}
		words = append(words, lower)
		addPart(partWord, lower, raw, at[i])
		topics, also := p.Synonyms.Expand(lower)
		for _, t := range topics {
			if !slices.Contains(out.Topics, t) {
				out.Topics = append(out.Topics, t)
			}
		}
		for _, a := range also {
			if !slices.Contains(out.Also, a) {
				out.Also = append(out.Also, a)
			}
		}
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

// possessive takes the possessive off a word: "CFO's" and "CFOs'" are
// "CFO" and "CFOs" (straight or curly apostrophes).
func possessive(w string) string {
	trail := strings.TrimRight(w, ".,;!?")
	punct := w[len(trail):]
	for _, suffix := range []string{"'s", "’s", "'S", "’S", "'", "’"} {
		if strings.HasSuffix(trail, suffix) && len(trail) > len(suffix) {
			return strings.TrimSuffix(trail, suffix) + punct
		}
	}
	return w
}

// misspeltRole reads a role name typed with a small mistake ("finanace
// director", "procurment lead", "enginers"): the taxonomy's name whose
// words are each within one edit (two for words of eight letters or
// more) of the words at folded[i:], at least one of them not exact. Short
// words (cfo, ceo, it) must be exact, since they are one letter apart from
// each other, and so must words that look like another form of the name
// ("developed" is not "developer"). Two roles equally near are no answer.
// It returns the role, the words taken and the name it read.
func (p *Parser) misspeltRole(folded []string, i int) (id string, n int, name string) {
	best, tie := -1, false
	for _, a := range p.aliases {
		if i+len(a.words) > len(folded) {
			continue
		}
		total, ok := 0, true
		for j, w := range a.words {
			typed := folded[i+j]
			if typed == w {
				continue
			}
			if p.aliasWords[typed] {
				ok = false // a word of another name, not a misspelling
				break
			}
			d, limit := editDistance(typed, w), allowedEdits(w)
			if len([]rune(typed)) < 4 || limit == 0 || d > limit || inflected(typed, w) {
				ok = false
				break
			}
			total += d
		}
		if !ok || total == 0 {
			continue
		}
		switch {
		case best < 0 || total < best, total == best && len(a.words) > n:
			// Nearer, or as near and longer: "procurment leads" is the
			// procurement lead, not procurement and a word.
			best, tie, id, n, name = total, false, a.role, len(a.words), strings.Join(a.words, " ")
		case total == best && len(a.words) == n && a.role != id:
			tie = true
		}
	}
	if best < 0 || tie {
		return "", 0, ""
	}
	return id, n, name
}

// allowedEdits is how far a typed word may be from a role name's word.
func allowedEdits(w string) int {
	switch n := len([]rune(w)); {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// inflected reports whether typed looks like another form of the word w
// rather than a misspelling of it: the same stem with another English
// ending ("developed" and "developer", "market" and "marketer",
// "engineering" and "engineer").
func inflected(typed, w string) bool {
	for _, a := range endings {
		base, ok := strings.CutSuffix(typed, a)
		if !ok || len(base) < 4 {
			continue
		}
		for _, b := range endings {
			if a != b && w == base+b {
				return true
			}
		}
	}
	return false
}

// endings are the English word endings inflected swaps.
var endings = []string{"", "s", "es", "ed", "d", "ing", "er", "ers", "or", "ors", "ment", "ments", "ion", "ions", "al", "ly"}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
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

// field reads field syntax; it returns false for a token that is not a
// field (a time, a web address), which is then read as words.
func (p *Parser) field(out *Parsed, field, value string, tok int, addRole, addCategory func(string, string, ...int)) bool {
	said := field + ":" + value
	addPart := func(kind partKind, v string) {
		out.parts = append(out.parts, part{kind: kind, value: v, said: said, tokens: []int{tok}})
	}
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
		addRole(id, said, tok)
	case "category", "cat", "cell":
		c := strings.ToUpper(value)
		if w, ok := p.categories[strings.ToLower(value)]; ok {
			c = w
		}
		addCategory(c, said, tok)
	case "kind", "type":
		out.Kinds = append(out.Kinds, strings.ToLower(value))
		addPart(partKind_, strings.ToLower(value))
	case "doc", "file", "document":
		sha := value
		if p.ResolveDoc != nil {
			if s, err := p.ResolveDoc(value); err == nil {
				sha = s
			}
		}
		out.Docs = append(out.Docs, sha)
		addPart(partDoc, sha)
	case "speaker", "by":
		out.Speakers = append(out.Speakers, value)
		addPart(partSpeaker, value)
	case "code", "codes":
		out.Codes = append(out.Codes, value)
	case "interviewer", "host":
		v := strings.ToLower(value)
		out.Interviewer = v == "yes" || v == "true" || v == "include" || v == "1"
	default:
		key := evident.AttrKey(field)
		if !attrField(field) || key == "" || strings.HasPrefix(value, "//") {
			return false
		}
		out.Attrs = append(out.Attrs, Attr{Key: key, Value: value})
		addPart(partAttr, key)
	}
	return true
}

// attrField reports whether a field name can be an attribute's: a word
// that starts with a letter (not the 10 of 10:30), with dashes,
// underscores and dots inside.
func attrField(f string) bool {
	for i, r := range f {
		switch {
		case unicode.IsLetter(r):
		case i > 0 && (unicode.IsDigit(r) || r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return f != "" && len(f) <= 80
}

type token struct {
	text       string
	quoted     bool
	start, end int // byte range in the query, quotes included
}

// tokenize splits on spaces, keeping "quoted phrases" and field:"quoted
// values" whole.
func tokenize(s string) []token {
	var out []token
	var cur strings.Builder
	quoted, inQuote := false, false
	start := -1
	flush := func(end int) {
		if cur.Len() > 0 {
			out = append(out, token{text: cur.String(), quoted: quoted, start: start, end: end})
		}
		cur.Reset()
		quoted, start = false, -1
	}
	for i, r := range s {
		size := utf8.RuneLen(r)
		switch {
		case r == '"' || r == '“' || r == '”':
			if start < 0 {
				start = i
			}
			if inQuote {
				inQuote = false
				if !strings.Contains(cur.String(), ":") {
					quoted = true
				}
				flush(i + size)
				continue
			}
			inQuote = true
			if cur.Len() == 0 {
				quoted = true
			}
		case unicode.IsSpace(r) && !inQuote:
			flush(i)
		default:
			if start < 0 {
				start = i
			}
			cur.WriteRune(r)
		}
	}
	flush(len(s))
	return out
}
