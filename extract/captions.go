package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident/extract/internal/tidy"
	"github.com/evident/evident/internal/lazyregexp"
)

// Captions reads WebVTT and SRT subtitles. The cue grammar is parsed here
// rather than with a subtitle library because those keep only the first
// voice of a cue, and who speaks is what matters. Consecutive cues of one
// speaker are merged into passages a person can read, each located by the
// time its first cue starts.
type Captions struct{}

// Limits on a merged run of cues. A run ends at a speaker change, at a
// pause, at a sentence end once it is long enough, or at a hard length.
const (
	captionSoftWords = 40   // after this many words, end the run at a sentence end
	captionHardWords = 80   // never merge past this many words
	captionPause     = 2000 // ms of silence that ends a run at a sentence end
	captionLongPause = 6000 // ms of silence that ends a run anywhere
	maxCaptionWarns  = 10
)

// Extract implements Extractor.
func (Captions) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, warnings, err := DecodeText(in.Data)
	if err != nil {
		return nil, err
	}
	p, err := parseCues(ctx, s)
	if err != nil {
		return nil, err
	}
	doc := &Doc{Format: "srt", Title: p.title, Structured: true, Warnings: append(warnings, p.warnings...)}
	if p.vtt {
		doc.Format = "vtt"
	}
	if p.timed == 0 {
		if p.bad > 0 {
			return nil, fmt.Errorf("no caption cues found in the file: none of its %d timing lines can be read (the first is on line %d)", p.bad, p.firstBad)
		}
		return nil, errors.New("no caption cues found in the file")
	}
	cues := cleanCues(p.cues)
	dedupeRolling(cues)
	doc.Blocks = mergeCues(cues)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(doc.Blocks) == 0 {
		return nil, errors.New("the captions hold no spoken text: every cue is empty or a sound description such as [music]")
	}
	return doc, nil
}

// sniffVTT recognises WebVTT by its signature, BOM optional.
func sniffVTT(head []byte) bool {
	rest, ok := strings.CutPrefix(captionHead(head), "WEBVTT")
	return ok && (rest == "" || strings.ContainsRune(" \t\r\n", rune(rest[0])))
}

// sniffSRT recognises SRT by its first cue: a number, then a timing line
// ("00:00:01,000 --> 00:00:04,000"), or the timing line alone.
func sniffSRT(head []byte) bool {
	lines := strings.SplitN(captionHead(head), "\n", 3)
	first := strings.TrimSpace(lines[0])
	if _, _, ok := parseTiming(first); ok {
		return true
	}
	if len(lines) < 2 || !isCueNumber(first) {
		return false
	}
	_, _, ok := parseTiming(strings.TrimSpace(lines[1]))
	return ok
}

// captionHead is the start of a file as text, for the sniffers: UTF-16
// decoded, BOM and leading blank lines dropped.
func captionHead(head []byte) string {
	var s string
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		s = decodeUTF16(head[2:], false)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		s = decodeUTF16(head[2:], true)
	case looksUTF16(head, false):
		s = decodeUTF16(head, false)
	case looksUTF16(head, true):
		s = decodeUTF16(head, true)
	default:
		s = string(head)
	}
	return strings.TrimLeft(s, "\uFEFF \t\r\n")
}

// rawCue is a cue as written: its timing and its text lines.
type rawCue struct {
	line       int   // of the timing line, 1-based
	start, end int64 // ms
	timed      bool  // the start time could be read
	text       []string
}

type parsedCues struct {
	cues     []rawCue
	vtt      bool
	title    string
	timed    int // cues whose timing was read
	bad      int // timing lines that could not be read
	firstBad int
	warnings []string
}

// parseCues splits decoded text into cues. It is lenient where files are
// sloppy: blank lines may be missing between cues (a timing line always
// starts a new one), a line of spaces before the first text line is
// ignored (YouTube writes one), and identifiers are optional.
func parseCues(ctx context.Context, s string) (*parsedCues, error) {
	lines := strings.Split(s, "\n")
	p := &parsedCues{}
	i := 0
	if rest, ok := strings.CutPrefix(strings.TrimLeft(lines[0], " \t"), "WEBVTT"); ok {
		p.vtt = true
		p.title = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(rest), "-–:"))
		// Header lines (Kind:, Language:) run to the first blank line.
		for i = 1; i < len(lines) && strings.TrimSpace(lines[i]) != "" && !timingCandidate(lines[i]); i++ {
		}
	}
	cur := -1 // index of the cue being read, -1 between cues
	stray := 0
	blockStart := true
	isTimingLine := func(j int) bool { return j < len(lines) && timingCandidate(lines[j]) }
	for ; i < len(lines); i++ {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		raw := lines[i]
		line := strings.TrimSpace(raw)
		if line == "" {
			if cur >= 0 && len(p.cues[cur].text) == 0 && raw != "" {
				continue
			}
			cur, blockStart = -1, true
			continue
		}
		if timingCandidate(line) {
			c := rawCue{line: i + 1}
			start, end, ok := parseTiming(line)
			switch {
			case ok:
				c.start, c.end, c.timed = start, end, true
				p.timed++
				if !strings.Contains(line, "-->") {
					p.warn(fmt.Sprintf("line %d: the timing %q has an odd arrow; read as -->", i+1, clip(line, 60)))
				}
			default:
				p.bad++
				if p.firstBad == 0 {
					p.firstBad = i + 1
				}
				// The text is worth more than the lost time: keep it with
				// the time of the cue before.
				if n := len(p.cues); n > 0 {
					prev := p.cues[n-1]
					c.start, c.end, c.timed = prev.start, prev.end, prev.timed
				}
				p.warn(fmt.Sprintf("line %d: the timing %q cannot be read; its text is kept with the time of the cue before", i+1, clip(line, 60)))
			}
			p.cues = append(p.cues, c)
			cur, blockStart = len(p.cues)-1, false
			continue
		}
		if cur < 0 {
			switch {
			case p.vtt && blockStart && vttBlock(line):
				// NOTE, STYLE and REGION blocks run to the next blank line.
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
					i++
				}
			case isTimingLine(i + 1):
				// a cue identifier
			default:
				stray++
			}
			blockStart = false
			continue
		}
		if isCueNumber(line) && isTimingLine(i+1) {
			// The next cue's number, after a missing blank line.
			cur = -1
			continue
		}
		p.cues[cur].text = append(p.cues[cur].text, line)
	}
	if stray > 0 {
		p.warn(fmt.Sprintf("%d lines outside any cue were ignored", stray))
	}
	if p.bad > maxCaptionWarns {
		p.warnings = append(p.warnings, fmt.Sprintf("%d more timing lines cannot be read", p.bad-maxCaptionWarns))
	}
	return p, nil
}

func (p *parsedCues) warn(w string) {
	if len(p.warnings) < maxCaptionWarns {
		p.warnings = append(p.warnings, w)
	}
}

func vttBlock(line string) bool {
	for _, kw := range []string{"NOTE", "STYLE", "REGION"} {
		if rest, ok := strings.CutPrefix(line, kw); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return true
		}
	}
	return false
}

func isCueNumber(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// oddArrow is a timing line whose arrow was mistyped: "->", "–>", "→".
var oddArrow = lazyregexp.New(`^(\s*\d[\d:.,]*\s*)(?:->|[–—]-?>|→|=>)(\s*\d)`)

// timingCandidate says whether a line is meant as a cue timing, readable
// or not.
func timingCandidate(line string) bool {
	return strings.Contains(line, "-->") || oddArrow().MatchString(line)
}

// parseTiming reads "00:00:01,000 --> 00:00:04,000" and its variants: hours
// optional, comma or dot before the milliseconds, cue settings after, a
// mistyped arrow.
func parseTiming(line string) (start, end int64, ok bool) {
	if !strings.Contains(line, "-->") {
		line = oddArrow().ReplaceAllString(line, "$1-->$2")
	}
	l, r, found := strings.Cut(line, "-->")
	if !found {
		return 0, 0, false
	}
	start, ok1 := parseTimestamp(strings.TrimSpace(l))
	fields := strings.Fields(r)
	if !ok1 || len(fields) == 0 {
		return 0, 0, false
	}
	end, ok2 := parseTimestamp(fields[0])
	if !ok2 {
		return 0, 0, false
	}
	return start, end, true
}

// parseTimestamp reads [hh:]mm:ss[.mmm] into milliseconds.
func parseTimestamp(s string) (int64, bool) {
	var ms int64
	if k := strings.LastIndexAny(s, ".,"); k >= 0 {
		frac := s[k+1:]
		if frac == "" || len(frac) > 9 || !isCueNumber(frac) {
			return 0, false
		}
		frac = (frac + "00")[:3]
		n, _ := strconv.ParseInt(frac, 10, 64)
		ms, s = n, s[:k]
	}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	var total int64
	for j, part := range parts {
		if part == "" || len(part) > 2 && (j > 0 || len(part) > 6) || !isCueNumber(part) {
			return 0, false
		}
		n, _ := strconv.ParseInt(part, 10, 64)
		if j > 0 && n >= 60 {
			return 0, false
		}
		total = total*60 + n
	}
	return total*1000 + ms, true
}

// clock renders milliseconds as the hh:mm:ss a Locator holds.
func clock(ms int64) string {
	sec := ms / 1000
	return fmt.Sprintf("%02d:%02d:%02d", sec/3600, sec/60%60, sec%60)
}

// cue is a cue after its markup is read: pieces of text, each with the
// voice that speaks it when a tag says so.
type cue struct {
	rawCue
	pieces []piece
	shown  []string // the lines a viewer saw, for spotting rolling captions
}

// piece is one line of a cue, or the part of a line after a voice tag.
type piece struct {
	text   string
	voice  string
	voiced bool // a <v> tag names the speaker
	turn   bool // a turn starts here: a voice tag, ">>" or a dialogue dash
	label  string
	rest   string // text after the label
}

var (
	assTag      = lazyregexp.New(`\{\\[^{}]*\}`)
	captionTag  = lazyregexp.New(`<(/?)([a-zA-Z0-9][^<>\n]{0,200})>`)
	voiceTag    = lazyregexp.New(`^v(?:\.[^\s>]*)?(?:[ \t]+(.*))?$`)
	soundOnly   = lazyregexp.New(`^[\[(（【][^\])）】]*[\])）】]$`)
	turnMarker  = lazyregexp.New(`^(?:>{2,}|-(?:\s+|(?:[\p{L}"“'‘\[(¿¡]))|–\s+)`)
	captionName = lazyregexp.New(`^\[?((?:\p{Lu}[\p{L}\p{M}\d'’._\-]*(?:\s+(?:\p{Lu}[\p{L}\p{M}'’.\-]*|de|da|di|van|von|der|den|du|del|la|le|bin|al|\d{1,3})){0,3})|[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]{1,8})\]?\s*[:：]\s*(.*)$`)
	bidiMarks   = strings.NewReplacer("\u200e", "", "\u200f", "") // &lrm; and &rlm;, WebVTT's own entities
	bracketed   = lazyregexp.New(`^\[([\p{L}][\p{L}\p{N} _.\-]{0,30})\]\s*:?\s+(.+)$`)
)

// cleanCues reads the markup of every cue: voice tags split a cue into
// pieces, other tags and ASS overrides go, entities are decoded, and lines
// that only describe a sound are dropped.
func cleanCues(raw []rawCue) []cue {
	cues := make([]cue, 0, len(raw))
	for _, rc := range raw {
		c := cue{rawCue: rc}
		voice, voiced := "", false
		for _, line := range rc.text {
			line = assTag().ReplaceAllString(line, "")
			var b strings.Builder
			turn := false
			flush := func() {
				text := strings.TrimSpace(tidy.Spaces(bidiMarks.Replace(html.UnescapeString(b.String()))))
				b.Reset()
				if text == "" || soundOnly().MatchString(text) || strings.Trim(text, "♪♫#~ ") == "" || strings.HasPrefix(text, "♪") || strings.HasPrefix(text, "♫") {
					return
				}
				c.pieces = append(c.pieces, piece{text: text, voice: voice, voiced: voiced, turn: turn})
				turn = false
			}
			skip := 0 // inside <rt> or <rp>: ruby annotations, not speech
			last := 0
			for _, m := range captionTag().FindAllStringSubmatchIndex(line, -1) {
				if skip == 0 {
					b.WriteString(line[last:m[0]])
				}
				last = m[1]
				closing, body := line[m[2]:m[3]] == "/", line[m[4]:m[5]]
				name := strings.ToLower(strings.FieldsFunc(body, func(r rune) bool { return r == '.' || r == ' ' || r == '\t' })[0])
				switch {
				case (name == "rt" || name == "rp") && !closing:
					skip++
				case (name == "rt" || name == "rp") && closing && skip > 0:
					skip--
				case !closing && voiceTag().MatchString(body):
					flush()
					voice = strings.TrimSpace(tidy.Spaces(html.UnescapeString(voiceTag().FindStringSubmatch(body)[1])))
					voiced, turn = voice != "", true
				}
			}
			if skip == 0 {
				b.WriteString(line[last:])
			}
			flush()
		}
		for _, p := range c.pieces {
			// Another voice saying the same words is not a repeat.
			c.shown = append(c.shown, p.voice+"\x00"+p.text)
		}
		cues = append(cues, c)
	}
	return cues
}

// dedupeRolling removes what rolling captions repeat: YouTube and live
// captioners show the previous line again above the new one, or grow a
// line word by word. Only files where this happens again and again are
// touched, so that a speaker who really says the same thing twice keeps it.
func dedupeRolling(cues []cue) {
	repeats := 0
	var prev []string
	for _, c := range cues {
		if len(c.shown) == 0 {
			continue
		}
		// Short repeats ("Yes." "Yes.") happen in speech; rolling repeats
		// are whole caption lines.
		if k, _ := rollOverlap(prev, c.shown); k > 0 && len(strings.Fields(strings.Join(c.shown[:k], " "))) >= 3 {
			repeats++
		}
		prev = c.shown
	}
	if repeats < max(2, len(cues)/10) {
		return
	}
	prev = nil
	for i := range cues {
		c := &cues[i]
		if len(c.shown) == 0 {
			continue
		}
		k, grown := rollOverlap(prev, c.shown)
		if grown {
			// The last repeated line grew: keep only its new words.
			p := &c.pieces[k-1]
			_, last, _ := strings.Cut(prev[len(prev)-1], "\x00")
			p.text = strings.TrimSpace(p.text[len(last):])
			p.turn = false
			k--
		}
		c.pieces = c.pieces[k:]
		prev = c.shown
	}
}

// rollOverlap finds the most lines k that cur starts with and prev ends
// with. grown means cur's k-th line is prev's last line with words added.
func rollOverlap(prev, cur []string) (k int, grown bool) {
	for k := min(len(prev), len(cur)); k > 0; k-- {
		if !equalLines(prev[len(prev)-k:len(prev)-1], cur[:k-1]) {
			continue
		}
		last, line := prev[len(prev)-1], cur[k-1]
		if line == last {
			return k, false
		}
		if strings.HasPrefix(line, last+" ") {
			return k, true
		}
	}
	return 0, false
}

func equalLines(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// notCaptionNames are words followed by a colon that name no speaker.
var notCaptionNames = map[string]bool{
	"note": true, "notes": true, "example": true, "warning": true, "tip": true, "step": true,
	"update": true, "source": true, "title": true, "chapter": true, "part": true, "translation": true,
	"translator": true, "subtitles": true, "captions": true, "transcript": true, "edit": true,
	"important": true, "hint": true, "summary": true, "caution": true, "music": true, "lyrics": true,
	"www": true, "http": true, "https": true, "question": true, "answer": true,
}

var soundWords = map[string]bool{
	"music": true, "applause": true, "laughter": true, "laughs": true, "laughing": true, "silence": true,
	"inaudible": true, "crosstalk": true, "noise": true, "cheering": true, "sighs": true, "cough": true,
	"coughs": true, "beep": true, "static": true, "pause": true, "foreign": true, "blank_audio": true,
}

// readLabel finds a turn marker and a "Name:" or "[Name]" label at the start
// of a piece. strong says a marker (">>", a dialogue dash) vouches for it.
func readLabel(p *piece) (strong bool) {
	if m := turnMarker().FindString(p.text); m != "" && !strings.HasPrefix(p.text, "--") {
		p.text = strings.TrimSpace(p.text[len(m):])
		p.turn, strong = true, true
	}
	if p.voiced || p.text == "" {
		return strong
	}
	if m := captionName().FindStringSubmatch(p.text); m != nil && !notCaptionNames[strings.ToLower(m[1])] && !soundWords[strings.ToLower(m[1])] && !strings.HasPrefix(m[2], "//") {
		p.label, p.rest = m[1], m[2]
	} else if m := bracketed().FindStringSubmatch(p.text); m != nil && !soundWords[strings.ToLower(m[1])] {
		p.label, p.rest = m[1], m[2]
	}
	return strong
}

// genericSpeaker is a label that names a speaker even when used once.
var genericSpeaker = lazyregexp.New(`(?i)^(?:speaker|participant|interviewer|interviewee|moderator|host|guest|narrator|respondent|person|caller)(?:[ _]?\d{1,3})?$`)

// run is a passage being built from consecutive cues.
type run struct {
	speaker  string
	start    int64
	timed    bool
	line     int
	end      int64
	words    float64
	tracks   [2]strings.Builder // the main text, and a second language when cues are bilingual
	anyText  bool
	lastText string
}

// mergeCues joins consecutive cues of one speaker into blocks.
func mergeCues(cues []cue) []Block {
	// A label counts as a speaker when a marker vouches for it, when it is a
	// generic one ("Speaker 2"), or when it turns up in two cues or more.
	counts := map[string]int{}
	strongs := map[string]bool{}
	for i := range cues {
		for j := range cues[i].pieces {
			p := &cues[i].pieces[j]
			if readLabel(p) && p.label != "" {
				strongs[p.label] = true
			}
			if p.label != "" {
				counts[p.label]++
			}
		}
	}
	strict := func(name string) bool {
		return strongs[name] || counts[name] >= 2 || genericSpeaker().MatchString(name)
	}
	// In a file whose cues are labelled, a label that opens a cue names a
	// speaker even when that speaker talks once.
	labelled := 0
	for _, c := range cues {
		if len(c.pieces) > 0 && c.pieces[0].label != "" && strict(c.pieces[0].label) {
			labelled++
		}
	}
	accepted := func(p piece, first bool) bool {
		return p.label != "" && (strict(p.label) || labelled >= 2 && first)
	}
	// In bilingual captions, lines in the script of the first line go to the
	// first track and the others to the second.
	bilingual, firstCJK := isBilingual(cues), false
	for _, c := range cues {
		if len(c.pieces) > 0 {
			firstCJK = hasCJK(c.pieces[0].text)
			break
		}
	}
	trackOf := func(text string) int {
		if bilingual && hasCJK(text) != firstCJK {
			return 1
		}
		return 0
	}

	var blocks []Block
	var cur *run
	speaker := ""
	flush := func() {
		if cur == nil || !cur.anyText {
			cur = nil
			return
		}
		var parts []string
		for k := range cur.tracks {
			if t := cur.tracks[k].String(); t != "" {
				parts = append(parts, t)
			}
		}
		b := Block{Text: strings.Join(parts, "\n"), Speaker: cur.speaker}
		if cur.timed {
			b.Loc.Time = clock(cur.start)
		} else {
			b.Loc.Line = cur.line
		}
		blocks = append(blocks, b)
		cur = nil
	}
	for _, c := range cues {
		for j, p := range c.pieces {
			text, turn := p.text, p.turn
			// "- 你好" above "- Hello" is one turn written in two languages.
			if turn && !p.voiced && j > 0 && c.pieces[j-1].turn && trackOf(c.pieces[j-1].text) != trackOf(text) {
				turn = false
			}
			switch {
			case p.voiced:
				speaker = p.voice
			case accepted(p, j == 0):
				speaker, text, turn = p.label, p.rest, true
			case turn:
				speaker = "" // ">>" or a dash: someone else, unnamed
			}
			if !hasLetters(text) && !(turn && text == "") {
				continue
			}
			if cur != nil && breakRun(cur, c.rawCue, speaker, turn) {
				flush()
			}
			if cur == nil {
				cur = &run{speaker: speaker, start: c.start, timed: c.timed, line: c.line, end: c.end}
			}
			if text == "" {
				continue // a label alone on its line: the words follow
			}
			appendText(&cur.tracks[trackOf(text)], text)
			cur.anyText = true
			if w := captionWords(text); bilingual {
				cur.words += w / 2 // each thing is said twice
			} else {
				cur.words += w
			}
			cur.lastText = text
			cur.end = max(cur.end, c.end)
		}
	}
	flush()
	return blocks
}

// breakRun decides whether the next piece starts a new passage.
func breakRun(r *run, c rawCue, speaker string, turn bool) bool {
	if speaker != r.speaker || turn && speaker == "" {
		return true
	}
	if !r.anyText {
		return false
	}
	ended := sentenceEnd(r.lastText)
	gap := c.start - r.end
	switch {
	case r.words >= captionHardWords:
		return true
	case r.words >= captionSoftWords && ended:
		return true
	case c.timed && gap > captionLongPause:
		return true
	case c.timed && gap > captionPause && ended:
		return true
	}
	return false
}

// isBilingual reports whether most cues hold one line in a CJK script and
// another in a script with spaces (subtitles that teach or translate).
// Such text is merged per language, so a passage reads as one language and
// then the other, not interleaved line by line.
func isBilingual(cues []cue) bool {
	both, total := 0, 0
	for _, c := range cues {
		if len(c.pieces) == 0 {
			continue
		}
		total++
		cjk, other := false, false
		for _, p := range c.pieces {
			if hasCJK(p.text) {
				cjk = true
			} else if hasLetters(p.text) {
				other = true
			}
		}
		if cjk && other {
			both++
		}
	}
	return total > 0 && both*2 > total
}

// appendText joins caption lines with a space, except between two CJK
// characters, which are written without one.
func appendText(b *strings.Builder, text string) {
	if b.Len() > 0 {
		last, _ := utf8.DecodeLastRuneInString(b.String())
		first, _ := utf8.DecodeRuneInString(text)
		if !(isCJK(last) || isCJKPunct(last)) || !isCJK(first) {
			b.WriteByte(' ')
		}
	}
	b.WriteString(text)
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func isCJKPunct(r rune) bool { return r >= 0x3000 && r <= 0x303F || r >= 0xFF00 && r <= 0xFFEF }

func hasCJK(s string) bool {
	for _, r := range s {
		if isCJK(r) {
			return true
		}
	}
	return false
}

// captionWords counts words, a CJK character as half of one (about what a
// character weighs in a Chinese sentence).
func captionWords(s string) float64 {
	var n float64
	for _, f := range strings.Fields(s) {
		cjk := 0
		for _, r := range f {
			if isCJK(r) {
				cjk++
			}
		}
		if cjk == 0 {
			n++
		} else {
			n += float64(cjk) / 2
		}
	}
	return n
}

func sentenceEnd(s string) bool {
	s = strings.TrimRight(s, `"'”’)]»」』 `)
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?…。！？", r)
}

func hasLetters(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return true
		}
	}
	return false
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
