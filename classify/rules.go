package classify

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/evident/evident"
)

// File is the rules file as written: configs/rules.yaml.
type File struct {
	Version    int                 `yaml:"version"`
	Language   string              `yaml:"language,omitempty"`
	Sets       map[string][]string `yaml:"sets,omitempty"`
	Negation   Negation            `yaml:"negation,omitempty"`
	Skip       Skip                `yaml:"skip,omitempty"`
	Categories []Category          `yaml:"categories"`
}

// Negation says which words cancel a cue that follows them closely.
type Negation struct {
	Cues        []string `yaml:"cues,omitempty"`        // words; a trailing * makes a prefix
	Window      int      `yaml:"window,omitempty"`      // how many words before a cue are searched
	Terminators []string `yaml:"terminators,omitempty"` // words that end a negation's reach ("but")
	// Except lists phrases, each starting with a cue, in which the cue does
	// not negate what follows: "not only", "no doubt", "couldn't be happier".
	Except []string `yaml:"except,omitempty"`
	line   int
}

// UnmarshalYAML records the line of the negation block so that errors can point at it.
func (n *Negation) UnmarshalYAML(node *yaml.Node) error {
	type plain Negation
	if err := node.Decode((*plain)(n)); err != nil {
		return err
	}
	n.line = node.Line
	return nil
}

// Skip says which text gets no tags at all.
type Skip struct {
	Questions   bool `yaml:"questions"`   // sentences that end with "?"
	Interviewer bool `yaml:"interviewer"` // interviewer, host and moderator turns
}

// Category is one cell of the map and the rules that put passages in it.
type Category struct {
	Name      string   `yaml:"name"`
	Question  string   `yaml:"question,omitempty"` // the map's question for this cell
	Words     []string `yaml:"words,omitempty"`    // words that ask for this category in a search: "hear", "heard"
	Threshold float64  `yaml:"threshold,omitempty"`
	Rules     []Rule   `yaml:"rules"`
	line      int
}

// Rule is one cue: a set of phrases or patterns with a weight.
//
// A phrase is a sequence of words matched case-insensitively at word
// boundaries. In a phrase, "word*" matches any word starting with "word",
// "*ed" any word ending with "ed" (and at least one letter before it),
// "{set}" any entry of a named set, "_" any single word and "..." up to
// three words.
type Rule struct {
	ID       string   `yaml:"id"`
	Weight   float64  `yaml:"weight,omitempty"`
	Phrases  []string `yaml:"phrases,omitempty"`
	Patterns []string `yaml:"patterns,omitempty"` // RE2 over the lower-cased text
	Unless   []string `yaml:"unless,omitempty"`   // phrases that, found in the same sentence, cancel this rule
	// Except lists phrases that a match must not be exactly: with a broad
	// pattern for "I/we + past-tense verb", except "{we} wanted" keeps
	// desires out of behaviour. (RE2 has no negative look-ahead.)
	Except    []string `yaml:"except,omitempty"`
	Field     string   `yaml:"field,omitempty"` // "text" (default) or "context": the survey question or heading
	Negatable *bool    `yaml:"negatable,omitempty"`
	Note      string   `yaml:"note,omitempty"`
	line      int
}

// UnmarshalYAML records the line of each category so that errors can point at it.
func (c *Category) UnmarshalYAML(n *yaml.Node) error {
	type plain Category
	if err := n.Decode((*plain)(c)); err != nil {
		return err
	}
	c.line = n.Line
	return nil
}

// UnmarshalYAML records the line of each rule so that errors can point at it.
func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	type plain Rule
	if err := n.Decode((*plain)(r)); err != nil {
		return err
	}
	r.line = n.Line
	return nil
}

// Parse compiles rules from YAML. A bad pattern, an unknown set, a duplicate
// rule id or a category with no rules is refused with its line.
func Parse(data []byte) (*Classifier, error) {
	f, err := Decode(data)
	if err != nil {
		return nil, err
	}
	return Compile(f)
}

// Decode reads a rules file without compiling it: enough for the words
// that name categories in a search, at a small part of Parse's cost.
func Decode(data []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return &f, nil
}

// CategoryNames returns the category names in the order the file gives
// them, as the compiled classifier spells them (see Classifier.Categories).
func (f *File) CategoryNames() []string {
	out := make([]string, len(f.Categories))
	for i, cat := range f.Categories {
		out[i] = strings.ToUpper(strings.TrimSpace(cat.Name))
	}
	return out
}

// QueryWords maps each word that names a category in a search ("heard",
// "frustrations") to the category, lower-cased.
func (f *File) QueryWords() map[string]string {
	out := map[string]string{}
	for _, cat := range f.Categories {
		name := strings.ToUpper(strings.TrimSpace(cat.Name))
		out[strings.ToLower(name)] = name
		for _, w := range cat.Words {
			out[strings.ToLower(strings.TrimSpace(w))] = name
		}
	}
	return out
}

// Compile checks a rules file and builds its classifier.
func Compile(f *File) (*Classifier, error) {
	if len(f.Categories) == 0 {
		return nil, errors.New("rules: no categories")
	}
	sets := make(map[string][]string, len(f.Sets))
	for name, entries := range f.Sets {
		if len(entries) == 0 {
			return nil, fmt.Errorf("rules: set %q is empty", name)
		}
		sets[strings.ToLower(name)] = entries
	}
	c := &Classifier{file: f, skipQuestions: f.Skip.Questions, skipInterviewer: f.Skip.Interviewer}
	c.anchors = newAnchors()
	c.reduced = &reducedCache{limit: reducedLimit}
	var err error
	if c.negation, err = compileNegation(f.Negation, sets); err != nil {
		return nil, err
	}
	setAlts := make(map[string]*alternation, len(sets))
	for name, entries := range sets {
		setAlts[name] = setAlternation(entries)
	}
	seenCat := map[string]bool{}
	seenRule := map[string]int{}
	for _, cat := range f.Categories {
		name := strings.ToUpper(strings.TrimSpace(cat.Name))
		if name == "" {
			return nil, fmt.Errorf("rules: line %d: category without a name", cat.line)
		}
		if seenCat[name] {
			return nil, fmt.Errorf("rules: line %d: category %s appears twice", cat.line, name)
		}
		seenCat[name] = true
		if len(cat.Rules) == 0 {
			return nil, fmt.Errorf("rules: line %d: category %s has no rules", cat.line, name)
		}
		cc := compiledCategory{name: name, threshold: cat.Threshold}
		if cc.threshold <= 0 {
			cc.threshold = 1
		}
		for _, r := range cat.Rules {
			if r.ID == "" {
				return nil, fmt.Errorf("rules: line %d: rule without an id in category %s", r.line, name)
			}
			if r.ID == evident.PersonRule {
				return nil, fmt.Errorf("rules: line %d: rule id %q is reserved for the tags people set; choose another", r.line, r.ID)
			}
			if prev, dup := seenRule[r.ID]; dup {
				return nil, fmt.Errorf("rules: line %d: rule id %q already used on line %d", r.line, r.ID, prev)
			}
			seenRule[r.ID] = r.line
			cr, err := compileRule(name, r, sets)
			if err != nil {
				return nil, fmt.Errorf("rules: line %d: rule %s: %w", r.line, r.ID, err)
			}
			if !cr.onContext {
				cr.pre, cr.phraseConds = c.anchors.ruleCond(r, sets)
				cr.sentenceLocal = sentenceLocal(r, sets)
				cr.m = newMatcher(r, setAlts)
				if cr.m == nil && cr.re == nil {
					// Phrases beyond the matcher: the regexp does the work.
					if cr.re, err = regexp.Compile(cr.src); err != nil {
						return nil, fmt.Errorf("rules: line %d: rule %s: %w", r.line, r.ID, err)
					}
				}
				if cr.m == nil {
					cr.lits = patternLits(cr.re)
				}
			}
			cc.rules = append(cc.rules, cr)
		}
		c.categories = append(c.categories, cc)
	}
	c.anchors.finish()
	return c, nil
}

func compileNegation(n Negation, sets map[string][]string) (negation, error) {
	neg := negation{window: n.Window, cues: map[string]bool{}, terminators: map[string]bool{}}
	if neg.window <= 0 {
		neg.window = 3
	}
	for _, w := range n.Cues {
		w = strings.ToLower(strings.TrimSpace(w))
		if strings.HasSuffix(w, "*") {
			neg.prefixes = append(neg.prefixes, strings.TrimSuffix(w, "*"))
			continue
		}
		if strings.HasPrefix(w, "*") {
			neg.suffixes = append(neg.suffixes, strings.TrimPrefix(w, "*"))
			continue
		}
		neg.cues[w] = true
	}
	for _, w := range n.Terminators {
		neg.terminators[strings.ToLower(strings.TrimSpace(w))] = true
	}
	if len(n.Except) > 0 {
		var alts []string
		for _, p := range n.Except {
			re, err := phraseRegexp(p, sets)
			if err != nil {
				return neg, fmt.Errorf("rules: line %d: negation except %q: %w", n.line, p, err)
			}
			first := strings.Fields(normalize(p))[0]
			if !isCue(first, n.Cues) {
				return neg, fmt.Errorf("rules: line %d: negation except %q does not start with a negation cue", n.line, p)
			}
			alts = append(alts, re)
		}
		re, err := regexp.Compile(`^(?:` + strings.Join(alts, "|") + `)(?:[^\p{L}\p{N}_]|$)`)
		if err != nil {
			return neg, fmt.Errorf("rules: line %d: negation except: %w", n.line, err)
		}
		neg.except = re
	}
	return neg, nil
}

// isCue reports whether word is one of the negation cues as written
// (plain, "prefix*" or "*suffix").
func isCue(word string, cues []string) bool {
	for _, c := range cues {
		c = strings.ToLower(strings.TrimSpace(c))
		switch {
		case strings.HasSuffix(c, "*") && strings.HasPrefix(word, strings.TrimSuffix(c, "*")):
			return true
		case strings.HasPrefix(c, "*") && strings.HasSuffix(word, strings.TrimPrefix(c, "*")):
			return true
		case c == word:
			return true
		}
	}
	return false
}

func compileRule(category string, r Rule, sets map[string][]string) (compiledRule, error) {
	cr := compiledRule{id: r.ID, category: category, weight: r.Weight, negatable: true, onContext: false}
	if cr.weight == 0 {
		cr.weight = 1
	}
	if r.Negatable != nil {
		cr.negatable = *r.Negatable
	}
	switch strings.ToLower(r.Field) {
	case "", "text":
	case "context":
		cr.onContext = true
	default:
		return cr, fmt.Errorf("field %q is not text or context", r.Field)
	}
	if len(r.Phrases) == 0 && len(r.Patterns) == 0 {
		return cr, errors.New("no phrases or patterns")
	}
	var alts []string
	for _, p := range r.Phrases {
		re, err := phraseRegexp(p, sets)
		if err != nil {
			return cr, fmt.Errorf("phrase %q: %w", p, err)
		}
		alts = append(alts, re)
	}
	cr.phraseAlts = alts[:len(alts):len(alts)]
	for _, p := range r.Patterns {
		if _, err := regexp.Compile(p); err != nil {
			return cr, fmt.Errorf("pattern %q: %w", p, err)
		}
		alts = append(alts, "(?:"+p+")")
	}
	// A rule whose phrases the matcher takes needs its regexp only to be
	// compared with the matcher in tests: it is compiled when first asked
	// for, which spares most of the compile time (see Compile). So is a
	// rule on a survey question (context): a third of compiling the
	// built-in rules, which only surveys need, and which a one-file
	// ingest used to wait for before its first job. Its phrases are
	// checked one by one above, as every phrase rule's are.
	src := boundedSource(alts)
	cr.src = src
	cr.lazyRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(src) })
	if len(r.Patterns) > 0 {
		re, err := regexp.Compile(cr.src)
		if err != nil {
			return cr, err
		}
		cr.re = re
	}
	var err error
	if len(r.Unless) > 0 {
		var un []string
		for _, p := range r.Unless {
			re, err := phraseRegexp(p, sets)
			if err != nil {
				return cr, fmt.Errorf("unless %q: %w", p, err)
			}
			un = append(un, re)
		}
		if cr.onContext {
			// A context rule is cancelled by an answer that is nothing but
			// one of its unless phrases: "N/A", "None.", "-".
			cr.unless, err = regexp.Compile(`^[\s\p{P}\p{S}]*(?:` + strings.Join(un, "|") + `)[\s\p{P}\p{S}]*$`)
		} else {
			cr.unless, err = bounded(un)
		}
		if err != nil {
			return cr, err
		}
	}
	if len(r.Except) > 0 {
		var ex []string
		for _, p := range r.Except {
			re, err := phraseRegexp(p, sets)
			if err != nil {
				return cr, fmt.Errorf("except %q: %w", p, err)
			}
			ex = append(ex, re)
		}
		if cr.except, err = regexp.Compile(`^(?:` + strings.Join(ex, "|") + `)$`); err != nil {
			return cr, err
		}
	}
	return cr, nil
}

// bounded joins alternatives into one regexp whose group 1 is the match,
// framed by non-word characters (RE2 has no look-around, and \b is ASCII-only).
func bounded(alts []string) (*regexp.Regexp, error) {
	return regexp.Compile(boundedSource(alts))
}

func boundedSource(alts []string) string {
	return `(?:^|[^\p{L}\p{N}_])(` + strings.Join(alts, "|") + `)(?:[^\p{L}\p{N}_]|$)`
}

const wordChars = `[\p{L}\p{N}_'\-]`

// phraseRegexp turns the phrase notation into a regexp fragment.
func phraseRegexp(phrase string, sets map[string][]string) (string, error) {
	words := strings.Fields(normalize(phrase))
	if len(words) == 0 {
		return "", errors.New("empty phrase")
	}
	parts := make([]string, 0, len(words))
	for _, w := range words {
		switch {
		case strings.HasPrefix(w, "_") && len(w) > 1:
			// "_" is one word; "_er" would match only the text "_er".
			return "", fmt.Errorf("%q is not a wildcard: \"_\" stands alone for one word, \"*%s\" matches words ending in %q", w, w[1:], w[1:])
		case w == "_":
			parts = append(parts, wordChars+`+`)
		case w == "...":
			parts = append(parts, `(?:`+wordChars+`+[\s,]+){0,3}?`)
		case strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}"):
			name := strings.ToLower(w[1 : len(w)-1])
			entries, ok := sets[name]
			if !ok {
				return "", fmt.Errorf("unknown set {%s}", name)
			}
			var alts []string
			for _, e := range entries {
				sub, err := phraseRegexp(e, nil)
				if err != nil {
					return "", fmt.Errorf("set {%s}: %w", name, err)
				}
				alts = append(alts, sub)
			}
			parts = append(parts, "(?:"+strings.Join(alts, "|")+")")
		case strings.HasPrefix(w, "*") && len(w) > 1:
			if strings.ContainsAny(w[1:], "*{}") {
				return "", fmt.Errorf("malformed suffix wildcard %q", w)
			}
			parts = append(parts, wordChars+`+`+regexp.QuoteMeta(w[1:]))
		case strings.HasSuffix(w, "*") && len(w) > 1:
			parts = append(parts, regexp.QuoteMeta(strings.TrimSuffix(w, "*"))+wordChars+`*`)
		default:
			if strings.ContainsAny(w, "{}") {
				return "", fmt.Errorf("malformed set reference %q", w)
			}
			parts = append(parts, regexp.QuoteMeta(w))
		}
	}
	// "..." already swallows its own separator.
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && words[i-1] != "..." {
			b.WriteString(`[\s,]+`)
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

func normalize(s string) string {
	// Most of a rules file is plain lower-case ASCII already: compiling
	// rules normalizes their words thousands of times.
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' || c == '`' || c == '\t' || c == '\r' {
			return newNormalized(s).norm
		}
	}
	return s
}

// Marshal writes a rules file as YAML that Parse reads back, with header
// as its opening comment.
func Marshal(f *File, header string) ([]byte, error) {
	var b bytes.Buffer
	for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		if line == "" {
			b.WriteString("#\n")
			continue
		}
		b.WriteString("# " + line + "\n")
	}
	var doc yaml.Node
	if err := doc.Encode(f); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	flowLists(&doc)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return b.Bytes(), nil
}

// flowLists writes lists of words on one line, as a person writes them in
// a rules file: [use, run, spend].
func flowLists(n *yaml.Node) {
	if n.Kind == yaml.SequenceNode {
		flat := true
		for _, c := range n.Content {
			flat = flat && c.Kind == yaml.ScalarNode
		}
		if flat {
			n.Style = yaml.FlowStyle
			return
		}
	}
	for _, c := range n.Content {
		flowLists(c)
	}
}

// Notation explains the rules file to a person editing it; Marshal callers
// put it under their own header.
const Notation = `
Phrase notation (matched case-insensitively at word boundaries; curly and
straight quotes are the same):
  word*     any word that starts with "word"      frustrat* → frustrating
  *suffix   any word that ends with "suffix"      {we} *ed → we switched
  {set}     any entry of a named set below         {we} use
  _         exactly one word                       we _ switched
  ...       up to three words                      {boss} ... told me
patterns:   RE2 regular expressions over the lower-cased text
unless:     phrases that, found in the same sentence, cancel the rule
except:     phrases a match must not be exactly: a broad pattern such as
            "I/we + past-tense verb" with except ["{we} wanted"] drops desires
field:      context  → match the survey question or heading, not the answer;
            its unless phrases then cancel it when the whole answer is one
            of them ("N/A", "None.", "-" under "What hinders you?")
negatable:  false    → a negation before the cue does not cancel it
Negation: a cue (negation.cues) up to 'window' words before a match, in the
same clause (no comma, semicolon or terminator such as "but" in between),
cancels the match. negation.except lists phrases that start with a cue but
do not negate what follows ("not only", "no doubt", "couldn't be happier");
each must start with a cue, and the phrase notation applies.
A category fires when the weights of its distinct matching rules reach its
threshold. Interviewer turns and questions get no tags (see skip); a "?"
that closes a quotation ("I was like, "will it work?"") is reported speech,
not a question, and does not silence its sentence.`
