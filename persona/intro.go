package persona

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/evident/evident"
	"github.com/evident/evident/roles"
)

// An introduction is a role read from prose: "Brian is the CEO and founder
// of markempa", "my guest is Ana Ruiz, head of IT at Velo", "I'm the CFO of
// a logistics firm". It is a guess, and is recorded as one.
type introduction struct {
	name    string // who is introduced, as written; empty for "I'm ..."
	title   string // the job title as written
	role    string // the taxonomy role inside the title
	company string
	by      int // the passage that says it
}

const (
	// A person's name: one to four capitalised words or initials.
	introName = `((?:\p{Lu}\.\s?)?\p{Lu}[\p{L}’'\-]+(?:\s+(?:\p{Lu}\.|\p{Lu}[\p{L}’'\-]+)){0,3})`
	// What may stand between a name and the title.
	introVerb  = `(?:,\s*(?:who\s+is|who's)\s+|\s+(?:is|was|has\s+been|serves\s+as|works\s+as)\s+)(?:now\s+|also\s+|currently\s+)?`
	introComma = `,\s*`
	introDet   = `(?:the|a|an|our|their|his|her)\s+`
	// The title runs to the end of the clause.
	introTitle = `([^.;:!?()\n"“”]{2,90})`
)

var (
	// "Brian is the CEO and founder of markempa".
	thirdPerson = regexp.MustCompile(introName + introVerb + `(?:` + introDet + `)?` + introTitle)
	// "Ana Ruiz, head of IT at Velo." The title must then close the
	// clause: "Priya, the CEO told me" is not an introduction.
	apposition = regexp.MustCompile(introName + introComma + `(?:` + introDet + `)?` + introTitle)
	// "I'm the CFO of ...", "I am a finance director". An aside ("as a
	// developer, I ...") says too little.
	firstPerson = regexp.MustCompile(`(?i)\bI(?:'m|’m| am)\s+(?:now\s+|currently\s+|also\s+)?` + `(?:` + introDet + `)` + introTitle)
)

// notPeople are capitalised words that start sentences without being
// anyone's name ("This is the CFO's problem").
var notPeople = map[string]bool{
	"he": true, "she": true, "it": true, "this": true, "that": true, "there": true, "here": true,
	"who": true, "what": true, "which": true, "today": true, "they": true, "we": true, "i": true,
	"you": true, "my": true, "our": true, "his": true, "her": true, "their": true, "one": true,
	"everyone": true, "nobody": true, "someone": true, "so": true, "and": true, "but": true,
	"the": true, "a": true, "an": true, "now": true, "then": true, "also": true, "yes": true,
	"yeah": true, "well": true, "okay": true, "ok": true, "right": true, "welcome": true,
	"thanks": true, "thank": true, "hi": true, "hello": true, "hey": true, "if": true, "when": true,
	"because": true, "as": true, "in": true, "on": true, "at": true, "for": true, "with": true,
	"guest": true, "host": true, "episode": true, "podcast": true, "show": true, "company": true,
	"team": true, "everybody": true, "both": true, "each": true, "all": true, "some": true,
}

// introductions finds every introduction in a document's passages that
// names a role of the taxonomy. Committee roles ("user", "champion") are
// too easily said in passing to count.
func introductions(ps []evident.Passage, tax *roles.Taxonomy) []introduction {
	var out []introduction
	for i := range ps {
		text := ps[i].Text
		for _, form := range []struct {
			re     *regexp.Regexp
			closed bool
		}{{thirdPerson, false}, {apposition, true}} {
			for _, m := range form.re.FindAllStringSubmatchIndex(text, -1) {
				name := personName(text[m[2]:m[3]])
				if name == "" || quoted(text, m[0]) {
					continue
				}
				if in, ok := readTitle(text[m[4]:m[5]], tax, form.closed); ok {
					in.name, in.by = name, i
					out = append(out, in)
				}
			}
		}
		if ps[i].Speaker == "" {
			continue
		}
		for _, m := range firstPerson.FindAllStringSubmatchIndex(text, -1) {
			// "I'm a software engineer", remembered in quotes, is not now.
			if quoted(text, m[0]) {
				continue
			}
			if in, ok := readTitle(text[m[2]:m[3]], tax, false); ok {
				in.by = i
				out = append(out, in)
			}
		}
	}
	return out
}

// quoted reports whether position i of s is inside a quotation: an odd
// number of straight double quotes before it, or an opening curly quote
// not yet closed.
func quoted(s string, i int) bool {
	before := s[:i]
	if strings.Count(before, `"`)%2 == 1 {
		return true
	}
	return strings.LastIndex(before, "“") > strings.LastIndex(before, "”")
}

// personName trims words that are not part of a name off the front of a
// capitalised run ("Today Brian" → "Brian") and refuses runs that are not
// names at all.
func personName(s string) string {
	words := strings.Fields(s)
	for len(words) > 0 && notPeople[strings.ToLower(strings.Trim(words[0], ".,"))] {
		words = words[1:]
	}
	if len(words) == 0 {
		return ""
	}
	return strings.Join(words, " ")
}

// readTitle accepts a clause as a job title when a taxonomy role starts
// within its first three words ("the former CFO of Acme", "head of IT at
// Velo"). The title runs on past the role ("CEO and founder") until a word
// that introduces the employer.
func readTitle(clause string, tax *roles.Taxonomy, closed bool) (introduction, bool) {
	spans := wordRe.FindAllStringIndex(clause, -1)
	words := make([]string, len(spans))
	for i, sp := range spans {
		// Folding word by word keeps words and spans aligned.
		if f := roles.Fold(clause[sp[0]:sp[1]]); len(f) > 0 {
			words[i] = f[0]
		}
	}
	for i := 0; i < min(3, len(words)); i++ {
		if notTitle[words[i]] {
			return introduction{}, false
		}
		id, n := tax.At(words, i)
		if n == 0 {
			continue
		}
		// "CFOs" is a group talked about, not a title someone holds.
		last := spans[i+n-1]
		lw := strings.ToLower(clause[last[0]:last[1]])
		if tax.IsCommittee(id) || lw != words[i+n-1] && lw != "sales" {
			return introduction{}, false
		}
		// "CEO and founder", "founder & CEO": a title may join two.
		end := i + n
		for end+1 < len(words) && (words[end] == "and" || words[end] == "&") && !strings.ContainsAny(clause[spans[end-1][1]:spans[end][0]], ",;") {
			m := titleWords(tax, words, end+1)
			if m == 0 {
				break
			}
			end += 1 + m
		}
		// A closed title ends the clause or names the employer next.
		if closed && end < len(words) && (!employer[words[end]] || strings.ContainsAny(clause[spans[end-1][1]:spans[end][0]], ",;")) {
			return introduction{}, false
		}
		in := introduction{role: id, title: clause[spans[0][0]:spans[end-1][1]]}
		if end < len(words) && employer[words[end]] && end+1 < len(spans) {
			in.company = companyName(clause[spans[end+1][0]:], words[end] == "of" || words[end] == "at")
		}
		return in, true
	}
	return introduction{}, false
}

// titleWords reports how many words at i continue a title: a role's alias
// or a word of rank.
func titleWords(tax *roles.Taxonomy, words []string, i int) int {
	if _, n := tax.At(words, i); n > 0 {
		return n
	}
	switch words[i] {
	case "founder", "co-founder", "cofounder", "owner", "co-owner", "partner", "chair", "chairman", "chairwoman", "president", "principal", "board":
		return 1
	}
	return 0
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}&'’\-]+`)

// employer words end a title: what follows is where the person works.
var employer = map[string]bool{"of": true, "at": true, "for": true, "with": true, "in": true, "from": true, "on": true}

// notTitle words mean the clause is a sentence, not a title ("is the one
// who talks to the CFO").
var notTitle = map[string]bool{
	"who": true, "that": true, "which": true, "when": true, "where": true, "because": true, "if": true,
	"to": true, "than": true, "one": true, "person": true, "guy": true, "reason": true, "way": true,
	"thing": true, "kind": true, "sort": true, "lot": true, "bit": true, "problem": true, "question": true,
	"part": true, "like": true, "not": true, "also": true, "just": true, "really": true, "talking": true,
}

// companyName keeps the capitalised head of what follows "of"/"at": the
// employer, not the rest of the sentence. Brands may be written in lower
// case ("markempa"), but only right after "of" or "at".
func companyName(s string, lowerOK bool) string {
	s, _, _ = strings.Cut(s, ",")
	words := strings.Fields(s)
	n := 0
	for n < len(words) && n < 5 {
		r := []rune(words[n])
		upper := unicode.IsUpper(r[0]) || unicode.IsDigit(r[0])
		if !upper && (n > 0 || !lowerOK || notCompany[strings.ToLower(words[n])]) {
			break
		}
		n++
	}
	return strings.Join(words[:n], " ")
}

var notCompany = map[string]bool{"the": true, "a": true, "an": true, "this": true, "that": true, "least": true,
	"all": true, "most": true, "some": true, "my": true, "our": true, "their": true, "his": true, "her": true, "your": true, "its": true}

var (
	nameRe = regexp.MustCompile(introName)
	// initialsRe finds names defined with their initials: "Brian Carroll (BC)".
	initialsRe = regexp.MustCompile(introName + `\s*\((\p{Lu}{2,4})\)`)
)

// fullNames maps speaker labels written as initials ("BC") to the full name
// the prose defines for them: explicitly ("Brian Carroll (BC)"), or the
// name in the document whose initials they are.
func fullNames(ps []evident.Passage, labels []string) map[string]string {
	var initials []string
	for _, l := range labels {
		if isInitials(l) {
			initials = append(initials, l)
		}
	}
	if len(initials) == 0 {
		return nil
	}
	explicit := map[string]string{}
	candidates := map[string]map[string]int{}
	for _, p := range ps {
		for _, m := range initialsRe.FindAllStringSubmatch(p.Text, -1) {
			explicit[m[2]] = personName(m[1])
		}
		for _, n := range nameRe.FindAllString(p.Text, -1) {
			words := strings.Fields(personName(n))
			// "J. David Green" is DG as often as JDG.
			for k := len(words); k >= 2; k-- {
				tail := words[len(words)-k:]
				ini := initialsOf(tail)
				if candidates[ini] == nil {
					candidates[ini] = map[string]int{}
				}
				candidates[ini][strings.Join(tail, " ")]++
			}
		}
	}
	out := map[string]string{}
	for _, l := range initials {
		if n := explicit[l]; n != "" {
			out[l] = n
		} else if n := dominant(candidates[l]); n != "" {
			out[l] = n
		}
	}
	return out
}

// dominant returns the name mentioned clearly more often than any other
// with the same initials (a typo such as "Brain Carroll" once beside
// "Brian Carroll" five times), or "" when none stands out.
func dominant(counts map[string]int) string {
	best, bestN, second := "", 0, 0
	for n, c := range counts {
		switch {
		case c > bestN || c == bestN && n < best:
			best, bestN, second = n, c, max(second, bestN)
		case c > second:
			second = c
		}
	}
	if bestN < 2*second {
		return ""
	}
	return best
}

func isInitials(s string) bool {
	if len(s) < 2 || len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func initialsOf(words []string) string {
	var b strings.Builder
	for _, w := range words {
		r := []rune(strings.TrimLeft(w, "'’-"))
		if len(r) > 0 {
			b.WriteRune(unicode.ToUpper(r[0]))
		}
	}
	return b.String()
}

// samePerson reports whether a name in prose refers to a speaker: the same
// name, or one is a word of the other ("Brian" and "Brian Carroll").
func samePerson(prose, speaker string) bool {
	a, b := nameWords(prose), nameWords(speaker)
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	for _, w := range a {
		found := false
		for _, v := range b {
			if w == v {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func nameWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		w = strings.Trim(w, ".,’'")
		if len(w) > 1 {
			out = append(out, w)
		}
	}
	return out
}
