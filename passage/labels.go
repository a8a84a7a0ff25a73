package passage

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/evident/evident/internal/lazyregexp"
)

// A speaker label in one of the conventions transcripts come in. The
// parsers below try each convention on one line.
type label struct {
	name   string // as written: "Jane Doe", "BC", "Speaker 1"
	detail string // the parenthesis after the name: "CFO, Acme"
	time   string // normalised hh:mm:ss, when the label carries one
	rest   string // text after the label on the same line
	only   bool   // the line is just the label; the turn's text follows below
	semi   bool   // "Participant 12;": a slip of the colon, a label only for a name labelled properly elsewhere
}

const (
	timePat = `\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?`
	// A name: one to four capitalised words (particles allowed), initials,
	// or a generic label with a number.
	namePat = `(?:(?:Speaker|Participant|Respondent|Interviewee|Person|Caller|Guest|User|P)\s?\d{1,3}` +
		`|\p{Lu}[\p{L}\p{M}'’.\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|de|da|di|van|von|der|den|du|del|la|le|bin|al|\d{1,3})){0,3})`
)

var (
	// [0:02:11.5] BC: text   ·   00:01:23 Jane: text
	timeFirst = lazyregexp.New(`^\[?(` + timePat + `)\]?\s+(` + namePat + `)(?:\s*\(([^()]{1,80})\))?\s*:\s*(.*)$`)
	// Speaker 1 (00:01:23):   ·   Jane Doe (00:01:23): text   ·   Jane Doe [00:01:23] text
	nameTimeParen = lazyregexp.New(`^(` + namePat + `)\s*[(\[](` + timePat + `)[)\]]\s*:?\s*(.*)$`)
	// Jane Doe (CFO, Acme): text   ·   BC: text   ·   Interviewer:
	nameColon = lazyregexp.New(`^(` + namePat + `)(?:\s*\(([^()]{1,80})\))?\s*:\s*(.*)$`)
	// Jane Doe  0:03   (note-taking apps put the time after the name, text below)
	nameThenTime = lazyregexp.New(`^(` + namePat + `)\s+(` + timePat + `)\s*$`)
	// [id1] text   ·   [Speaker 2] text
	// Participant 12;   (a semicolon typed for the colon, the text below)
	semiLabel   = lazyregexp.New(`^(` + namePat + `)\s*;$`)
	bracketName = lazyregexp.New(`^\[([\p{L}][\p{L}\p{N} _.\-]{0,30})\]\s*:?\s+(.+)$`)
	// The same three without their last group, the rest of the line: see
	// restOfLine.
	timeFirstHead     = lazyregexp.New(`^\[?(` + timePat + `)\]?\s+(` + namePat + `)(?:\s*\(([^()]{1,80})\))?\s*:\s*`)
	nameTimeParenHead = lazyregexp.New(`^(` + namePat + `)\s*[(\[](` + timePat + `)[)\]]\s*:?\s*`)
	nameColonHead     = lazyregexp.New(`^(` + namePat + `)(?:\s*\(([^()]{1,80})\))?\s*:\s*`)
	// A timestamp at the start of a paragraph: [04:01] text
	leadingTime = lazyregexp.New(`^[\[(](` + timePat + `)[\])]\s*`)
	// Timestamps inside the text are locators, not speech.
	inlineTime = lazyregexp.New(`\s*[\[(]` + timePat + `[\])]\s*`)
	// A transcriber's or editor's note inside a transcript: Note: line dropped.
	editorNote = lazyregexp.New(`(?i)^\[?(?:editor(?:'|’)?s |transcriber(?:'|’)?s )?(?:note|notes|nb|n\.b\.)\s*:`)
	// Markdown bold around a label: **Jane:** or **Jane**: (a name holds no colon)
	// Emoji and other symbols between a label's name and its colon.
	symbolsBeforeColon = lazyregexp.New(`^((?:\*\*|__)?\p{Lu}(?:[^:()]|\([^():]*\)){0,59}?)\s*[\p{So}\p{Sk}\x{FE0F}\x{200D}]+\s*:`)
	boldLabel          = lazyregexp.New(`^\*\*([^*:]{1,60})(:?)\*\*\s*(:?)`)
	unclosedBold       = lazyregexp.New(`^(\*\*|__)\p{Lu}[^*_:]{0,40}:`)
	// Text in square brackets: a note-taker's aside, a date, a checkbox.
	bracketed = lazyregexp.New(`\[[^\]]*\]`)
)

// notNames are words that end in a colon at the start of a line without
// being anyone's name.
var notNames = map[string]bool{
	"note": true, "notes": true, "nb": true, "ps": true, "source": true, "sources": true, "date": true,
	"time": true, "title": true, "subject": true, "summary": true, "tags": true, "tag": true,
	"location": true, "update": true, "updated": true, "edit": true, "warning": true, "tip": true,
	"example": true, "examples": true, "step": true, "re": true, "fwd": true, "from": true, "to": true,
	"cc": true, "bcc": true, "http": true, "https": true, "www": true, "mailto": true, "links": true,
	"link": true, "related": true, "transcript": true, "episode": true, "chapter": true, "part": true,
	"section": true, "agenda": true, "goal": true, "goals": true, "objective": true, "objectives": true,
	"context": true, "background": true, "conducted": true, "participants": true, "attendees": true,
	"duration": true, "length": true, "format": true, "audience": true, "topic": true, "topics": true,
	"important": true, "disclaimer": true, "warm-up": true, "wrap-up": true, "questions": true, "description": true, "status": true, "result": true,
	"results": true, "findings": true, "takeaways": true, "takeaway": true, "recap": true,
	"action items": true, "next steps": true, "todo": true, "email": true, "phone": true, "website": true,
	"twitter": true, "linkedin": true, "music": true, "intro": true, "outro": true, "sponsor": true,
	"ad": true, "monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "january": true, "february": true, "march": true, "april": true,
	"may": true, "june": true, "july": true, "august": true, "september": true, "october": true,
	"november": true, "december": true, "yes": true, "no": true, "ok": true, "okay": true, "also": true,
	"and": true, "but": true, "so": true, "the": true, "this": true, "that": true, "what": true, "why": true,
	"how": true, "who": true, "when": true, "where": true, "i": true, "we": true, "you": true,
}

// stageDirections are bracketed words that are not speakers: [laughs].
var stageDirections = map[string]bool{
	"laughs": true, "laughter": true, "laughing": true, "music": true, "applause": true,
	"inaudible": true, "crosstalk": true, "silence": true, "pause": true, "noise": true,
	"unintelligible": true, "sic": true, "end": true, "intro": true, "outro": true, "break": true,
	"ad": true, "sponsor": true, "cough": true, "coughs": true, "sighs": true, "beep": true,
}

// parseLabel finds a speaker label at the start of a line.
func parseLabel(line string) (label, bool) {
	line = strings.TrimSpace(strings.TrimPrefix(line, "• "))
	// "Paul Frazee✌:" is Paul Frazee's label: a name may end in emoji.
	line = symbolsBeforeColon().ReplaceAllString(line, "$1:")
	// "**Moderator:Got it." lost its closing stars: the label is still one.
	if m := unclosedBold().FindStringSubmatch(line); m != nil && !strings.Contains(line[2:], m[1]) {
		line = line[2:]
	}
	if m := boldLabel().FindStringSubmatch(line); m != nil && (m[2] != "" || m[3] != "") {
		name := m[1]
		// **Mireille Reece, PsyD:** is the bold form of "Mireille Reece (PsyD):".
		if n, detail, ok := strings.Cut(name, ","); ok && !strings.ContainsAny(detail, "()") && strings.TrimSpace(detail) != "" {
			name = n + " (" + strings.TrimSpace(detail) + ")"
		}
		line = name + ":" + line[len(m[0]):]
	}
	if m := restOfLine(timeFirst, timeFirstHead, line); m != nil && nameOK(m[2]) {
		return label{name: m[2], detail: m[3], time: normTime(m[1]), rest: m[4], only: m[4] == ""}, true
	}
	if m := restOfLine(nameTimeParen, nameTimeParenHead, line); m != nil && nameOK(m[1]) {
		return label{name: m[1], time: normTime(m[2]), rest: m[3], only: m[3] == ""}, true
	}
	// Before nameColon, which would read "Priya Nair 0:03" (the extractor
	// folds the double space) as the name "Priya Nair 0" saying "03".
	if m := nameThenTime().FindStringSubmatch(line); m != nil && nameOK(m[1]) {
		return label{name: m[1], time: normTime(m[2]), only: true}, true
	}
	if m := restOfLine(nameColon, nameColonHead, line); m != nil && nameOK(m[1]) && !strings.HasPrefix(m[3], "//") {
		l := label{name: m[1], detail: m[2], rest: m[3], only: m[3] == ""}
		if t := leadingTime().FindStringSubmatch(l.rest); t != nil {
			l.time = normTime(t[1])
			l.rest = l.rest[len(t[0]):]
		}
		return l, true
	}
	// "[x] UAT TASK: ..." is a checkbox, and "[Participant 5] [March 5,
	// 2020]" a session's header: a turn says something outside brackets.
	if m := bracketName().FindStringSubmatch(line); m != nil && !stageDirections[strings.ToLower(m[1])] && !isTime(m[1]) &&
		utf8.RuneCountInString(m[1]) > 1 && hasWords(bracketed().ReplaceAllString(m[2], "")) {
		return label{name: m[1], rest: m[2]}, true
	}
	if m := semiLabel().FindStringSubmatch(line); m != nil && nameOK(m[1]) {
		return label{name: m[1], only: true, semi: true}, true
	}
	return label{}, false
}

// restOfLine is re.FindStringSubmatch(line) for a pattern that is head
// followed by `(.*)$`. On a line without a line break that last group
// always matches the rest of the line, so only head is run: the regexp
// engine would otherwise step through the whole turn a label opens.
func restOfLine(re, head func() *regexp.Regexp, line string) []string {
	if strings.Contains(line, "\n") {
		return re().FindStringSubmatch(line)
	}
	m := head().FindStringSubmatch(line)
	if m == nil {
		return nil
	}
	m = append(m, line[len(m[0]):])
	m[0] = line
	return m
}

func nameOK(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if n == "" || len(n) > 40 || notNames[n] {
		return false
	}
	// The first word alone may be a giveaway: "Note 2:", "Update from",
	// and a name never opens with a preposition: "For Caregivers:",
	// "With the team:" are headings of notes.
	if first, _, _ := strings.Cut(n, " "); notNames[first] && strings.Contains(n, " ") || prepositions[first] {
		return false
	}
	return true
}

// prepositions open headings and topics, never names.
var prepositions = map[string]bool{
	"for": true, "with": true, "about": true, "before": true, "after": true, "during": true,
	"under": true, "over": true, "into": true, "through": true, "without": true, "between": true,
	"per": true, "via": true, "on": true, "in": true, "at": true, "by": true, "of": true,
	"regarding": true, "towards": true, "toward": true, "upon": true, "within": true,
}

var timeOnly = lazyregexp.New(`^` + timePat + `$`)

func isTime(s string) bool { return timeOnly().MatchString(s) }

// normTime turns "0:02:11.5", "04:01" or "1:02:03,500" into "00:02:11",
// "00:04:01", "01:02:03".
func normTime(t string) string {
	if i := strings.IndexAny(t, ".,"); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ":")
	for len(parts) < 3 {
		parts = append([]string{"0"}, parts...)
	}
	for i, p := range parts {
		if len(p) < 2 {
			parts[i] = strings.Repeat("0", 2-len(p)) + p
		}
	}
	return strings.Join(parts, ":")
}

// genericSpeaker reports labels that are speakers whatever the count:
// "Speaker 2", "Interviewer", "Q".
func genericSpeaker(name string) bool {
	n := strings.ToLower(name)
	if interviewerLabel(n) {
		return true
	}
	for _, p := range []string{"speaker", "participant", "respondent", "interviewee", "guest", "caller", "customer", "user", "p"} {
		if rest, ok := strings.CutPrefix(n, p); ok && strings.Trim(rest, " 0123456789") == "" {
			return true
		}
	}
	return n == "a" || n == "answer"
}

// interviewerLabel reports labels that name the person asking, not answering.
func interviewerLabel(n string) bool {
	n = strings.ToLower(strings.TrimSpace(n))
	switch n {
	case "interviewer", "moderator", "host", "co-host", "cohost", "facilitator", "researcher",
		"q", "question", "announcer", "narrator", "prompt", "presenter", "mc", "anchor", "reporter":
		return true
	}
	for _, p := range []string{"interviewer", "moderator", "host", "facilitator", "researcher"} {
		if rest, ok := strings.CutPrefix(n, p); ok && strings.Trim(rest, " 0123456789") == "" {
			return true
		}
	}
	return false
}
