package persona

import (
	"strings"
	"unicode"

	"github.com/evident/evident"
	"github.com/evident/evident/internal/lazyregexp"
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
	by      int    // the passage that says it
	at      int    // the word of the clause the role starts at
	you     bool   // said to the one addressed: "you are the CEO", "as CEO, you ..."
	said    string // the sentence that says it
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
	titleRunes = 90 // the most introTitle matches
)

var (
	// "Brian is the CEO and founder of markempa", "Ville Tuulos is with
	// us, who is CEO at Outerbounds".
	thirdPerson = nameFirstPattern(introName+`(?:\s+(?:is|are)\s+(?:here\s+|also\s+)?with\s+us|\s+joins\s+us)?`+introVerb+`(?:`+introDet+`)?`+introTitle, titleRunes+1)
	// "Ana Ruiz, head of IT at Velo." The title must then close the
	// clause: "Priya, the CEO told me" is not an introduction.
	apposition = nameFirstPattern(introName+introComma+`(?:`+introDet+`)?`+introTitle, titleRunes+1)
	// "I'm the CFO of ...", "I am a finance director". An aside ("as a
	// developer, I ...") says too little.
	firstPerson = wordFirstPattern(`(?i)\bI(?:'m|’m| am)\s+(?:now\s+|currently\s+|also\s+)?`+`(?:`+introDet+`)`+introTitle, []string{"i'm", "i’m", "i am"}, "i'm", "i’m", "i am")
	// "So now I'm chief software officer at Aryballe": no article, so the
	// title must begin at once.
	firstBare = wordFirstPattern(`(?i)\bI(?:'m|’m| am)\s+(?:now\s+|currently\s+)?`+introTitle, []string{"i'm", "i’m", "i am"}, "i'm", "i’m", "i am")
	// "my title is VP of Engineering", "I work as a national service
	// officer", "they asked if I would join as CEO", "I became the CTO".
	firstSays = wordFirstPattern(`(?i)\b(?:my (?:job )?title is|my role is|I (?:currently |now )?(?:work|serve) as|I (?:became|was (?:promoted|named|appointed|hired|brought in)(?: as| to)?|(?:would |then )?(?:join|joined|came in|came on|started) as))\s+(?:`+introDet+`)?`+introTitle, []string{"my ", "i "}, "title is", "role is", " as", "became", "was ")
	// Said to the one addressed: "you're a CEO", "you are the CEO and
	// founder of ...", "what does it do to you as CEO", "your job as a
	// CEO", "as CEO of Y, you ...", "you went from VP of Product to
	// Founder and CEO of Orro", "you were promoted as a CEO".
	secondPerson = wordFirstPattern(`(?i)(?:\byou(?:'re|’re| are| were|'ve been|’ve been| have been)\s+(?:now\s+|currently\s+|also\s+|still\s+|just\s+)?(?:`+introDet+`)`+
		`|\byou(?:\s+are)?,?\s+as\s+(?:the\s+|a\s+|an\s+)?`+
		`|\byour\s+(?:job|role|time|work|journey|experience|years)\s+as\s+(?:the\s+|a\s+|an\s+)?`+
		`|\byou(?:'ve|’ve| have)?\s+(?:done|did)\s+(?:a|an|such a)\s+(?:\w+\s+){0,2}job\s+as\s+(?:the\s+|a\s+|an\s+)?`+
		`|\byou\s+(?:became|were (?:promoted|named|appointed|hired)(?: as| to)?|(?:joined|started|came in|came on) as|went from [^.?!,]{1,60}? to)\s+(?:the\s+|a\s+|an\s+)?)`+introTitle, []string{"you"}, "you")
	// "you're one of the co-founders of that".
	secondOneOf = wordFirstPattern(`(?i)\byou(?:'re|’re| are| were)\s+(one\s+of\s+[^.;:!?()\n"“”]{2,90})`, []string{"you"}, "you")
	// "as CEO of Grafana, you ...".
	asYou = wordFirstPattern(`(?i)\bas\s+(?:the\s+|a\s+|an\s+)?([^.;:!?()\n"“”,]{2,60}),\s+you\b`, []string{"as"}, "you")
	// A participant in notes, in the third person and without a subject:
	// a bullet that opens with the title ("Director of field service for
	// Velo"), or "works as a national service officer".
	notesTitle = lazyregexp.New(`(?i)^\W*(?:(?:currently |now )?(?:works|worked|serves|served) as |(?:is |was )?)(?:` + introDet + `)?` + introTitle)
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
		if ps[i].Speaker != "" {
			text = unquoteTurn(text)
		}
		for _, form := range []struct {
			re     anchored
			closed bool
		}{{thirdPerson, false}, {apposition, true}} {
			// A clause that is no introduction may hide one: "to hire a
			// CEO, I knew it was time to talk with Isaac Schlueter,
			// co-founder and former CEO". Look again after its name.
			for pos := 0; pos < len(text); {
				m := form.re.FindStringSubmatchIndex(text[pos:])
				if m == nil {
					break
				}
				for k := range m {
					m[k] += pos
				}
				pos = m[3]
				name := personName(text[m[2]:m[3]])
				if name == "" || quoted(text, m[0]) {
					continue
				}
				if in, ok := readTitle(text[m[4]:m[5]], tax, form.closed); ok {
					in.name, in.by, in.said = name, i, sentence(text, m[0], m[1])
					out = append(out, in)
					pos = m[1]
				}
			}
		}
		if ps[i].Speaker == "" {
			continue
		}
		for _, form := range []struct {
			re   anchored
			you  bool
			bare bool
			any  bool // a title the taxonomy does not know is kept too
		}{{firstPerson, false, false, false}, {firstBare, false, true, false}, {firstSays, false, false, true},
			{secondPerson, true, false, false}, {secondOneOf, true, true, false}, {asYou, true, true, false}} {
			for _, m := range form.re.FindAllStringSubmatchIndex(text, -1) {
				// "I'm a software engineer", remembered in quotes, is not now;
				// "because you're a CEO" is anyone who is.
				if quoted(text, m[0]) || form.you && conditional(text[:m[0]]) {
					continue
				}
				clause := text[m[2]:m[3]]
				in, ok := readTitle(clause, tax, false)
				if ok && form.bare && !bareTitle(clause, in) {
					ok = false
				}
				if !ok && form.any {
					in, ok = unknownTitle(clause, tax)
				}
				if ok {
					in.by, in.you, in.said = i, form.you, sentence(text, m[0], m[1])
					out = append(out, in)
				}
			}
		}
	}
	return out
}

// conditional reports whether the words just before a second-person
// introduction make it anyone's ("when you're the CEO", "because you're
// a CEO", "where you are an engineer").
func conditional(before string) bool {
	f := strings.Fields(strings.ToLower(before))
	if len(f) == 0 {
		return false
	}
	switch strings.Trim(f[len(f)-1], ",;—-") {
	case "if", "when", "whenever", "because", "once", "unless", "whether", "where", "that", "until", "while", "since", "cause", "'cause", "say", "suppose", "imagine":
		return true
	}
	return false
}

// participantTitles reads what notes say of a participant in their first
// bullets, in the third person and without a subject: "Director of field
// service for Velo", "works as a national service officer". A title the
// taxonomy does not know is kept as written, without a role.
func participantTitles(ps []evident.Passage, tax *roles.Taxonomy) []introduction {
	var out []introduction
	seen := map[string]int{}
	for i := range ps {
		sp := ps[i].Speaker
		if sp == "" || ps[i].Section != "" || seen[sp] >= 2 {
			continue
		}
		seen[sp]++
		text := ps[i].Text
		m := notesTitle().FindStringSubmatchIndex(text)
		if m == nil {
			continue
		}
		clause := text[m[2]:m[3]]
		in, ok := readTitle(clause, tax, false)
		if ok && !bareTitle(clause, in) {
			ok = false
		}
		if !ok {
			in, ok = unknownTitle(clause, tax)
		}
		if ok {
			in.by, in.said = i, sentence(text, m[0], m[1])
			out = append(out, in)
		}
	}
	return out
}

// bareTitle reports whether a title read from a clause with no article
// begins the clause ("chief software officer at Aryballe"), give or take
// a word of rank ("first-time founder"), rather than somewhere in a
// sentence ("going to hire a CFO").
func bareTitle(clause string, in introduction) bool {
	if in.at == 0 {
		return true
	}
	words := strings.Fields(strings.ToLower(clause))
	return in.at == 1 && len(words) > 0 && rank[strings.Trim(words[0], ",")]
}

// rank words may come before a title: "senior VP", "interim CEO".
var rank = map[string]bool{"senior": true, "interim": true, "acting": true, "principal": true, "staff": true,
	"lead": true, "associate": true, "assistant": true, "deputy": true, "executive": true, "former": true,
	"first-time": true, "new": true, "current": true, "national": true, "regional": true, "global": true}

// titleHeads are the words a job title the taxonomy does not know is
// built on: "Director of field service", "national service officer".
var titleHeads = map[string]bool{"director": true, "head": true, "vp": true, "president": true, "chief": true,
	"manager": true, "officer": true, "lead": true, "coordinator": true, "specialist": true, "scientist": true,
	"strategist": true, "consultant": true, "advisor": true, "adviser": true, "representative": true,
	"administrator": true, "supervisor": true, "nurse": true, "physician": true, "doctor": true, "counselor": true,
	"counsellor": true, "technician": true, "agent": true, "associate": true, "executive": true}

// unknownTitle keeps a short title that the taxonomy does not know but
// that is built like one: a head word within its first three words, only
// plain words before it, and the title running to the word that names the
// employer ("Director of field service for Velo", "national service
// officer").
func unknownTitle(clause string, tax *roles.Taxonomy) (introduction, bool) {
	spans := wordRe().FindAllStringIndex(clause, -1)
	end := len(spans)
	for k, sp := range spans {
		w := strings.ToLower(clause[sp[0]:sp[1]])
		if k > 0 && (w == "for" || w == "at" || w == "with" || w == "in" || w == "from") {
			end = k
			break
		}
	}
	if end == 0 || end > 6 {
		return introduction{}, false
	}
	head := -1
	for k := 0; k < min(end, 3); k++ {
		w := strings.ToLower(clause[spans[k][0]:spans[k][1]])
		if titleHeads[w] {
			head = k
			break
		}
		if notTitle[w] || notPeople[w] || notCompany[w] || employer[w] || k+1 < len(spans) && strings.ContainsAny(clause[spans[k][1]:spans[k+1][0]], ",;") {
			return introduction{}, false
		}
	}
	if head < 0 {
		return introduction{}, false
	}
	in := introduction{title: clause[spans[0][0]:spans[end-1][1]]}
	in.role, _ = tax.Title(in.title)
	if in.role != "" && tax.IsCommittee(in.role) {
		in.role = ""
	}
	if end+1 < len(spans) {
		w := strings.ToLower(clause[spans[end][0]:spans[end][1]])
		in.company = companyName(clause[spans[end+1][0]:], w == "for" || w == "at")
	}
	return in, true
}

// sentence is the sentence of s around [start, end), for a person to see
// why a role was read: at most 240 bytes.
func sentence(s string, start, end int) string {
	from := strings.LastIndexAny(s[:start], ".!?\n") + 1
	to := len(s)
	if k := strings.IndexAny(s[end:], ".!?\n"); k >= 0 {
		to = end + k + 1
	}
	out := strings.TrimSpace(s[from:to])
	if len(out) > 240 {
		out = strings.TrimSpace(s[start:min(len(s), start+240)]) + "…"
	}
	return out
}

// quoted reports whether position i of s is inside a quotation: an odd
// number of straight double quotes before it, or an opening curly quote
// not yet closed.
// unquoteTurn takes the quotation marks off a turn that is one quotation
// from end to end: notes put a participant's own words in quotes
// (“Well I’m the veteran, I’m a patient there.”), which are theirs now,
// not words remembered.
func unquoteTurn(s string) string {
	for _, q := range [][2]string{{"“", "”"}, {`"`, `"`}} {
		inner, ok := strings.CutPrefix(s, q[0])
		if !ok {
			continue
		}
		// The closing mark ends the turn, and no other quotation opens.
		closes := strings.HasSuffix(strings.TrimRight(inner, " ."), q[1])
		others := strings.Count(inner, q[0])
		if q[0] == q[1] {
			others--
		}
		if closes && others == 0 {
			return inner
		}
	}
	return s
}

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
// Velo", "one of four co-founders"). The title runs on past the role ("CEO
// and founder") until a word that introduces the employer.
func readTitle(clause string, tax *roles.Taxonomy, closed bool) (introduction, bool) {
	spans := wordRe().FindAllStringIndex(clause, -1)
	words := make([]string, len(spans))
	for i, sp := range spans {
		// Folding word by word keeps words and spans aligned.
		if f := roles.Fold(clause[sp[0]:sp[1]]); len(f) > 0 {
			words[i] = f[0]
		}
	}
	// "one of four co-founders", "one of the founders": a title shared.
	start, shared := 0, false
	if len(words) > 2 && words[0] == "one" && words[1] == "of" {
		start, shared = 2, true
		for start < len(words) && counting[words[start]] {
			start++
		}
	}
	for i := start; i < min(start+3, len(words)); i++ {
		if notTitle[words[i]] {
			return introduction{}, false
		}
		id, n := tax.At(words, i)
		if n == 0 {
			continue
		}
		// "a product of your environment": some role ids name a role
		// only within a longer title.
		if n == 1 && vague[words[i]] {
			return introduction{}, false
		}
		// "CFOs" is a group talked about, not a title someone holds.
		last := spans[i+n-1]
		lw := strings.ToLower(clause[last[0]:last[1]])
		if tax.IsCommittee(id) || !shared && lw != words[i+n-1] && lw != "sales" {
			return introduction{}, false
		}
		// "CEO and founder", "founder & CEO", "co-founder and the CEO": a
		// title may join two.
		end := i + n
		for end+1 < len(words) && (words[end] == "and" || words[end] == "&") && !strings.ContainsAny(clause[spans[end-1][1]:spans[end][0]], ",;") {
			skip := 1
			if articles[words[end+1]] && end+2 < len(words) {
				skip = 2
			}
			m := titleWords(tax, words, end+skip)
			if m == 0 {
				break
			}
			end += skip + m
		}
		// A closed title ends the clause, names the employer next, or goes
		// on to another title ("the CEO and one of two co-founders of
		// Gatsby", "co-founder and former CEO").
		if closed && end < len(words) {
			sep := strings.ContainsAny(clause[spans[end-1][1]:spans[end][0]], ",;")
			switch {
			case employer[words[end]] && !sep:
			case words[end] == "and" && end+1 < len(words) && andTitle[words[end+1]]:
			default:
				return introduction{}, false
			}
		}
		in := introduction{role: id, title: clause[spans[0][0]:spans[end-1][1]], at: i - start}
		for k := end; k < len(words) && k < end+8; k++ {
			if employer[words[k]] && k+1 < len(spans) && (k == end || words[end] == "and") {
				in.company = companyName(clause[spans[k+1][0]:], words[k] == "of" || words[k] == "at")
				break
			}
		}
		return in, true
	}
	return introduction{}, false
}

// vague words are roles' ids that say nothing alone: "product",
// "procurement", "legal".
var vague = map[string]bool{"product": true, "procurement": true, "legal": true, "user": true}

// counting words may follow "one of": "one of two co-founders".
var counting = map[string]bool{"the": true, "its": true, "our": true, "their": true, "two": true, "three": true,
	"four": true, "five": true, "six": true, "several": true, "many": true, "2": true, "3": true, "4": true, "5": true}

var articles = map[string]bool{"the": true, "a": true, "an": true}

// andTitle words may follow "and" after a title in an apposition: "Kyle
// Mathews, the CEO and one of two co-founders of Gatsby".
var andTitle = map[string]bool{"one": true, "former": true, "now": true, "also": true, "a": true, "an": true, "the": true,
	"co-founder": true, "cofounder": true, "founder": true, "creator": true, "chair": true, "current": true}

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

var wordRe = lazyregexp.New(`[\p{L}\p{N}&'’\-]+`)

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
	nameRe = lazyregexp.New(introName)
	// initialsRe finds names defined with their initials: "Brian Carroll (BC)".
	initialsRe = lazyregexp.New(introName + `\s*\((\p{Lu}{2,4})\)`)
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
		for _, m := range initialsRe().FindAllStringSubmatch(p.Text, -1) {
			explicit[m[2]] = personName(m[1])
		}
		for _, n := range nameRe().FindAllString(p.Text, -1) {
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
