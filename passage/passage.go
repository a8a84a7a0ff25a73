// Package passage cuts an extracted document into quotable passages: speaker
// turns in transcripts, paragraphs elsewhere, long runs split at sentence
// ends. It decides who speaks each passage as far as the text says; the
// persona step refines roles afterwards.
package passage

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/internal/lazyregexp"
)

// Options bound passage size.
type Options struct {
	MaxWords int // a passage longer than this is split at sentence ends (default 160)
	// MaxChars caps a passage's length in characters (default
	// DefaultMaxChars): a longer paragraph, a line of five megabytes with
	// no sentence end, is cut at sentence ends, else between words, else
	// between characters, and the document gets a warning saying so.
	MaxChars int
}

// DefaultMaxChars is the longest passage, in characters, unless Options
// say otherwise: a long page of prose, far more than a quote needs.
const DefaultMaxChars = 4000

// SectionNotes marks passages outside the main text of a transcript: show
// notes, pull quotes and introductions above the first turn.
const SectionNotes = "notes"

// unit is one candidate passage before speakers are settled.
type unit struct {
	text     string
	loc      evident.Locator
	label    *label
	byLabel  bool // split from the previous line only because this line looks labelled
	quote    bool // a "> " blockquote: someone's answer in session notes
	item     bool // a list item
	note     bool // a "Note: ..." line: the transcriber speaking, not the speaker
	heading  bool
	block    *extract.Block
	lineText []string
}

// Build turns the blocks of an extracted document into passages in reading
// order. Passage ids are left for the caller, who knows the content hash.
//
// A paragraph longer than opt.MaxChars is cut into several passages, and
// doc.Warnings says how many were cut.
func Build(doc *extract.Doc, opt Options) []evident.Passage {
	opt.defaults()
	var c Cuts
	var out []evident.Passage
	if doc.Structured {
		for i := range doc.Blocks {
			out = append(out, Structured(&doc.Blocks[i], opt, &c)...)
		}
	} else {
		units := headingLabels(splitUnits(doc.Blocks), doc.Meta)
		accepted := acceptLabels(units, doc.Meta)
		out = turns(mergeUnaccepted(units, accepted), accepted, conversation(units, accepted, doc.Meta), opt, &c)
	}
	if w := c.Warning(opt.MaxChars); w != "" {
		doc.Warnings = append(doc.Warnings, w)
	}
	return out
}

func (o *Options) defaults() {
	if o.MaxWords <= 0 {
		o.MaxWords = 160
	}
	if o.MaxChars <= 0 {
		o.MaxChars = DefaultMaxChars
	}
}

// Cuts counts the paragraphs cut because they were longer than the
// character cap, for the document's warning.
type Cuts struct {
	n       int // paragraphs cut
	longest int // characters of the longest
	at      evident.Locator
}

func (c *Cuts) add(chars int, at evident.Locator) {
	c.n++
	if chars > c.longest {
		c.longest, c.at = chars, at
	}
}

// Warning says what was cut, or "" when nothing was.
func (c *Cuts) Warning(maxChars int) string {
	if c.n == 0 {
		return ""
	}
	where := c.at.String()
	if where != "" {
		where = " (" + where + ")"
	}
	what := "1 paragraph was"
	if c.n > 1 {
		what = fmt.Sprintf("%d paragraphs were", c.n)
	}
	return fmt.Sprintf("%s longer than %d characters and cut into passages of at most %d; the longest had %d characters%s",
		what, maxChars, maxChars, c.longest, where)
}

// Structured turns one block of a structured document (a survey answer, a
// caption run) into its passages, counting in c a block cut for its
// length. Surveys stream their blocks through it one at a time.
func Structured(b *extract.Block, opt Options, c *Cuts) []evident.Passage {
	opt.defaults()
	p := evident.Passage{
		Text:    extract.JoinLines(b.Text),
		Speaker: b.Speaker,
		Role:    b.Role,
		Context: b.Context,
		Attrs:   b.Attrs,
		Section: b.Section,
		Locator: b.Loc,
	}
	if b.Role != "" {
		p.RoleSource = b.RoleSource
		if p.RoleSource == "" {
			p.RoleSource = evident.RoleFromFormat
		}
	}
	return split(p, opt, c)
}

// splitUnits breaks paragraphs into units: list items and blockquote runs
// stand alone, and a line that carries a speaker label starts a new unit.
func splitUnits(blocks []extract.Block) []unit {
	var units []unit
	for i := range blocks {
		b := &blocks[i]
		if b.Section == extract.SectionHeading {
			units = append(units, unit{text: b.Text, loc: b.Loc, heading: true, block: b})
			continue
		}
		lines := strings.Split(b.Text, "\n")
		var cur *unit
		for j, line := range lines {
			loc := b.Loc
			if loc.Line > 0 {
				loc.Line += j
			}
			quote := strings.HasPrefix(line, "> ") || line == ">"
			item := strings.HasPrefix(line, "• ")
			note := editorNote().MatchString(line)
			_, labelled := parseLabel(line)
			// A note is one line: what follows it is the turn again.
			if cur == nil || item || labelled || note || cur.note || quote != cur.quote {
				units = append(units, unit{loc: loc, quote: quote, item: item, note: note, block: b, byLabel: labelled && !item && !quote && cur != nil})
				cur = &units[len(units)-1]
			}
			cur.lineText = append(cur.lineText, line)
		}
	}
	for i := range units {
		u := &units[i]
		if u.heading {
			continue
		}
		var clean []string
		for _, l := range u.lineText {
			l = strings.TrimPrefix(l, ">")
			clean = append(clean, strings.TrimSpace(l))
		}
		u.text = strings.Join(clean, "\n")
		first, _, _ := strings.Cut(u.text, "\n")
		if l, ok := parseLabel(first); ok {
			u.label = &l
		}
	}
	return units
}

// mergeUnaccepted puts back together a paragraph that was split at a line
// that looked like a label but is not a speaker ("Note: ...").
func mergeUnaccepted(units []unit, accepted map[string]bool) []unit {
	out := units[:0]
	for _, u := range units {
		if u.byLabel && u.label != nil && !accepted[u.label.name] && len(out) > 0 && out[len(out)-1].block == u.block {
			prev := &out[len(out)-1]
			prev.text += "\n" + u.text
			continue
		}
		if u.label != nil && !accepted[u.label.name] {
			u.label = nil
		}
		out = append(out, u)
	}
	return out
}

// headingLabels turns lines that only look labelled into the headings
// they are: "PROTOTYPE: Facility Locator", "PROTOTYPE: Open-ended search
// results", each alone in its paragraph. A speaker's label carries speech
// at least once; a generic, timed or user-named one always counts, and so
// does "Jane Doe:" alone on its line, the text in the paragraph below.
func headingLabels(units []unit, meta evident.Meta) []unit {
	all, shaped := map[string]int{}, map[string]int{}
	for _, u := range units {
		if u.label == nil {
			continue
		}
		all[u.label.name]++
		if headingShaped(u) {
			shaped[u.label.name]++
		}
	}
	for i := range units {
		u := &units[i]
		if u.label == nil || u.label.time != "" || genericSpeaker(u.label.name) {
			continue
		}
		if _, known := meta.Speakers[u.label.name]; known {
			continue
		}
		// Once may still be a person's one short turn.
		if n := shaped[u.label.name]; n == all[u.label.name] && n >= 2 {
			u.heading, u.label = true, nil
		}
	}
	return units
}

// headingShaped reports a labelled line that is a paragraph of its own and
// says nothing a person would: a few words from a capital, with no
// sentence's end.
func headingShaped(u unit) bool {
	// The line is the whole paragraph: compared, not searched, so that a
	// long paragraph of many labels is not read once per label.
	if u.item || u.quote || len(u.lineText) != 1 || strings.TrimSpace(u.lineText[0]) != strings.TrimSpace(u.block.Text) {
		return false
	}
	rest := strings.TrimSpace(u.label.rest)
	first, _ := utf8.DecodeRuneInString(rest)
	last, _ := utf8.DecodeLastRuneInString(rest)
	return unicode.IsUpper(first) && wordCount(rest) <= 8 && !strings.ContainsRune(`.?!…"”'’):;`, last)
}

// acceptLabels decides which label names are speakers: a name used twice or
// more, a generic label ("Speaker 2", "Interviewer"), a label with a
// timestamp, or a speaker the user named. A lone "Note:" is prose. Fewer
// than two accepted turns means the document is not a transcript at all.
// In notes that lead lines with their topic ("Military service: that's
// legit", "Thoughts: I mean ..."), a capitalised topic is no name either:
// there only generic, timed and user-named labels count.
func acceptLabels(units []unit, meta evident.Meta) map[string]bool {
	count := map[string]int{}
	timed := map[string]bool{}
	for _, u := range units {
		if u.label != nil && !u.label.semi {
			count[u.label.name]++
			if u.label.time != "" {
				timed[u.label.name] = true
			}
		}
	}
	topics := topicLeadIns(units)
	accepted := map[string]bool{}
	turns := 0
	for name, n := range count {
		_, known := meta.Speakers[name]
		if n >= 2 && !topics || timed[name] || known || genericSpeaker(name) {
			accepted[name] = true
			turns += n
		}
	}
	if turns < 2 {
		return nil
	}
	// Inside a conversation, a person who speaks once is still a speaker
	// ("Jane: I sign off on it."), not part of the turn before: a name of
	// one to three capitalised words, after the first accepted turn, with
	// words after the colon or alone on its line above them.
	started := false
	for _, u := range units {
		if u.label == nil {
			continue
		}
		if accepted[u.label.name] {
			started = true
			continue
		}
		if started && !topics && count[u.label.name] == 1 && (u.label.rest != "" || u.label.only) && personLike(u.label.name) {
			accepted[u.label.name] = true
		}
	}
	return accepted
}

// leadIn is a line that opens with a few words and a colon.
var leadIn = lazyregexp.New(`^(?:• )?([^:]{1,60}?)\s*:\s+\S`)

// topicLeadIns reports whether more lines open with a topic and a colon
// ("Why applying at this point: ...") than with a speaker's label: the
// document is notes by topic, whatever names its topics look like.
func topicLeadIns(units []unit) bool {
	labels, topics := 0, 0
	for _, u := range units {
		for _, line := range u.lineText {
			m := leadIn().FindStringSubmatch(line)
			if m == nil || strings.Contains(m[1], "//") || isTime(m[1]) || strings.HasSuffix(m[1], "http") || strings.HasSuffix(m[1], "https") {
				continue
			}
			if _, ok := parseLabel(line); ok {
				labels++
			} else {
				topics++
			}
		}
	}
	return topics > labels
}

// conversation reports whether a document has the shape of a transcript,
// where a turn runs on until the next label: at least two people take
// turns, or the labels carry times, or the user named the speakers. Notes
// that label only some lines ("Participant: “Yes.”" among the moderator's
// script) give each label its own paragraph and no more.
func conversation(units []unit, accepted map[string]bool, meta evident.Meta) bool {
	prev, changes := "", 0
	for _, u := range units {
		if u.label == nil || !accepted[u.label.name] {
			continue
		}
		if _, known := meta.Speakers[u.label.name]; known || u.label.time != "" {
			return true
		}
		if prev != "" && prev != u.label.name {
			changes++
		}
		prev = u.label.name
	}
	return changes > 0
}

// personLike reports a label that reads as a person's name: one to three
// capitalised words of letters.
func personLike(name string) bool {
	words := strings.Fields(name)
	if len(words) == 0 || len(words) > 3 {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) {
			return false
		}
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '-' && c != '\'' && c != '’' && c != '.' {
				return false
			}
		}
	}
	return true
}

// turns gives each unit its speaker. In a conversation a turn runs on
// over the paragraphs after its label, but not past a heading, nor past
// its list item when the label opened one (the next item is the
// moderator's next question). In notes a label holds its own paragraph.
func turns(units []unit, accepted map[string]bool, conversation bool, opt Options, c *Cuts) []evident.Passage {
	var out []evident.Passage
	transcript := len(accepted) > 0 && conversation
	speaker, detail, clock := "", "", ""
	heading, prompt := "", ""
	itemTurn := false
	for _, u := range units {
		if u.heading {
			// A new section starts with nobody speaking: a table under
			// "Figures she quoted" is not her turn.
			heading, speaker, detail = u.text, "", ""
			continue
		}
		if u.label == nil && (!transcript || itemTurn) {
			speaker, detail = "", ""
		}
		text := u.text
		if u.label != nil {
			speaker, detail, itemTurn = u.label.name, u.label.detail, u.item
			if u.label.time != "" {
				clock = u.label.time
			}
			text = u.label.rest
			if rest := strings.SplitN(u.text, "\n", 2); len(rest) == 2 {
				text = strings.TrimSpace(text + "\n" + rest[1])
			}
		}
		if m := leadingTime().FindStringSubmatch(text); m != nil {
			clock = normTime(m[1])
			text = text[len(m[0]):]
		}
		joined := extract.JoinLines(text)
		text = strings.TrimSpace(inlineTime().ReplaceAllString(joined, " "))
		text = strings.TrimPrefix(text, "• ")
		if !hasWords(text) {
			continue
		}
		// The locator is the source's: "¶ 4" is the fourth paragraph of
		// the page or document, however many passages came before it.
		p := evident.Passage{Text: text, Locator: u.loc}
		p.Context = heading
		if u.block.Context != "" {
			p.Context = u.block.Context
		}
		switch {
		case u.quote:
			// A blockquote under a moderator's prompt holds the participant's
			// answer (usability and interview notes): the prompt is its context.
			if prompt != "" {
				p.Context = prompt
			}
			if speaker != "" && !interviewerLabel(speaker) {
				p.Speaker = speaker
			}
		case transcript && (speaker == "" || u.note || u.label == nil && (aside(text) || marker(text))):
			// Above the first turn, or a transcriber's note between turns:
			// nobody said it. A pull quote's time says where in the
			// recording to hear it.
			p.Section = SectionNotes
			if t := inlineTime().FindString(joined); t != "" && speaker == "" {
				p.Locator.Time = normTime(strings.Trim(t, " \t[]()"))
			}
		case speaker != "":
			p.Speaker = speaker
			if detail != "" {
				p.Attrs = map[string]string{"label": detail}
			}
		}
		if clock != "" && transcript {
			p.Locator.Time = clock
		}
		if !u.quote && !u.note {
			prompt = text
		}
		out = append(out, split(p, opt, c)...)
	}
	return out
}

// aside reports a paragraph wholly in parentheses or brackets: the
// note-taker's "(Participant 12 takes a short break.)" between turns, not
// the speaker's words.
func aside(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 2 {
		return false
	}
	open, close := s[0], s[len(s)-1]
	if close == '.' && len(s) > 2 {
		close = s[len(s)-2]
	}
	return (open == '(' && close == ')' || open == '[' && close == ']') &&
		strings.Count(s, string(open)) == 1
}

// marker reports words in capitals only, "NOTHING FOLLOWS", "END OF
// SESSION": the note-taker's marks, not speech.
func marker(s string) bool {
	return wordCount(s) >= 2 && hasWords(s) && strings.ToUpper(s) == s && strings.ToLower(s) != s
}

func hasWords(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

// split cuts a passage longer than opt.MaxWords words at sentence ends,
// keeping the locator and speaker on every piece. A sentence longer than
// the limit is cut between words. A passage longer than opt.MaxChars
// characters is cut the same way into pieces of at most MaxChars, a word
// longer than that between characters, and counted in c. It takes time
// in proportion to the passage's length, however long it is.
func split(p evident.Passage, opt Options, c *Cuts) []evident.Passage {
	maxWords, maxChars := opt.MaxWords, opt.MaxChars
	chars := utf8.RuneCountInString(p.Text)
	if chars > maxChars {
		c.add(chars, p.Locator)
	} else if wordCount(p.Text) <= maxWords {
		return []evident.Passage{p}
	}
	var out []evident.Passage
	var cur strings.Builder
	words, size := 0, 0
	emit := func() {
		if t := strings.TrimSpace(cur.String()); t != "" {
			q := p
			q.Text = t
			out = append(out, q)
		}
		cur.Reset()
		words, size = 0, 0
	}
	add := func(s string, n, c int) {
		if words > 0 && (words+n > maxWords || size+1+c > maxChars) {
			emit()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
			size++
		}
		cur.WriteString(s)
		words += n
		size += c
	}
	for _, s := range sentences(p.Text) {
		n, c := wordCount(s), utf8.RuneCountInString(s)
		if n <= maxWords && c <= maxChars {
			add(s, n, c)
			continue
		}
		// A sentence over a limit starts a passage of its own and is cut
		// between words.
		emit()
		for w := range strings.FieldsSeq(s) {
			c := utf8.RuneCountInString(w)
			for c > maxChars {
				head, tail := cutChars(w, maxChars)
				add(head, 1, maxChars)
				w, c = tail, c-maxChars
			}
			add(w, 1, c)
		}
	}
	emit()
	return out
}

// wordCount counts the words of s as strings.Fields would cut them,
// without making the list: a line of millions of words costs nothing.
func wordCount(s string) int {
	n := 0
	for range strings.FieldsSeq(s) {
		n++
	}
	return n
}

// cutChars cuts s after n characters.
func cutChars(s string, n int) (string, string) {
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return s[:i], s[i:]
}

// sentences splits at ". ", "! ", "? " (and their closing quotes) when the
// next word starts with a capital, a digit or a quote.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '.' && c != '!' && c != '?' && c != '\n' {
			continue
		}
		j := i + 1
		for j < len(s) && strings.IndexByte(`.!?"')]`, s[j]) >= 0 {
			j++
		}
		if c == '\n' || j < len(s) && s[j] == ' ' && nextStartsSentence(s[j+1:]) {
			out = append(out, strings.TrimSpace(s[start:j]))
			start = j
			i = j - 1
		}
	}
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

func nextStartsSentence(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune(`"'“‘(•`, r)
}
