package maps

import (
	"archive/zip"
	"cmp"
	"context"
	"crypto/sha1"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// A REFI-QDA project (QDA-XML 1.0, the exchange format of NVivo, ATLAS.ti,
// MAXQDA and QualCoder): a zip holding project.qde and sources/<guid>.txt.
// The map becomes a parent code with one code per cell, and a cell's
// themes codes under it; every quoted document a text source; every
// quote a plain-text selection coded with its cell (and its theme);
// every speaker a case with a "role" variable; needs and assumptions
// notes, referred to by the selections of their evidence. GUIDs are UUID v5
// of stable keys and dates come from the map, so exporting the same map
// twice gives the same bytes.

// SourceText is the full plain text of a quoted document as it stands,
// made of its passages in order with their speaker labels and times as a
// transcript writes them ("[00:01:34] RK: ..."), headings and survey
// questions where they change, so that a QDA tool shows who said what.
type SourceText struct {
	SHA256  string
	Text    string
	Offsets map[string]int // passage id → byte offset of its text in Text
	// Speakers are the document's speakers, whose full names name the
	// cases of speakers labelled by initials.
	Speakers []evident.Person
}

// passageSep separates passages in a reconstructed source text.
const passageSep = "\n\n"

// SourceTexts reconstructs the text of every quoted document still in
// the store. Documents that are gone are left out: QDPX then builds their
// text from the quotes' snapshots.
func (s *Store) SourceTexts(ctx context.Context, m *Map) ([]SourceText, error) {
	seen := map[string]bool{}
	var shas []string
	for _, q := range m.Quotes() {
		if sha := q.Source.SHA256; sha != "" && !seen[sha] {
			seen[sha] = true
			shas = append(shas, sha)
		}
	}
	sort.Strings(shas)
	var out []SourceText
	for _, sha := range shas {
		d, err := s.cfg.Sources.DocumentBySHA(ctx, sha)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("document %.12s: %w", sha, err)
		}
		ps, err := s.cfg.Sources.Passages(ctx, d.ID)
		if err != nil {
			return nil, fmt.Errorf("document %s: %w", d.File, err)
		}
		if len(ps) == 0 {
			continue
		}
		parts := make([]passageText, len(ps))
		for i, p := range ps {
			parts[i] = passageText{id: p.ID, text: p.Text, speaker: speakerLabel(p.Speaker, p.Locator), time: p.Locator.Time, context: p.Context, notes: p.Section != ""}
		}
		text, offsets := joinPassages(parts)
		out = append(out, SourceText{SHA256: sha, Text: text, Offsets: offsets, Speakers: d.Speakers})
	}
	return out, nil
}

// speakerLabel is how a passage's speaker is labelled in a source text:
// the label of the transcript, or a survey's respondent by row.
func speakerLabel(speaker string, loc evident.Locator) string {
	if speaker == "" && loc.Row > 0 {
		return fmt.Sprintf("Respondent %d", loc.Row)
	}
	return speaker
}

// passageText is a passage as the source text writes it.
type passageText struct {
	id, text string
	speaker  string // its label, as in the transcript
	time     string // hh:mm:ss into the recording
	context  string // the heading or question above it
	notes    bool   // show notes and the like, outside the turns
}

// joinPassages writes passages as a transcript: each a paragraph, a turn
// led by its time and speaker label, a heading or question before the
// first passage under it. It returns the text and where each passage's
// own text starts in it.
func joinPassages(ps []passageText) (string, map[string]int) {
	var b strings.Builder
	offsets := make(map[string]int, len(ps))
	context := ""
	for _, p := range ps {
		if c := oneLine(p.context); c != "" && c != context && !p.notes {
			if b.Len() > 0 {
				b.WriteString(passageSep)
			}
			b.WriteString(c)
		}
		context = oneLine(p.context)
		if b.Len() > 0 {
			b.WriteString(passageSep)
		}
		if p.time != "" && !p.notes {
			b.WriteString("[" + p.time + "] ")
		}
		if label := oneLine(p.speaker); label != "" && !p.notes {
			b.WriteString(label + ": ")
		}
		offsets[p.id] = b.Len()
		b.WriteString(normalizeNewlines(p.text))
	}
	return b.String(), offsets
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// normalizeNewlines writes every line ending as "\n"; QDPX writes them
// as the options ask.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// QDPXOptions are what tools differ on: the line endings of the source
// texts (MAXQDA expects CRLF) and what selection positions count (NVivo
// and ATLAS.ti count UTF-16 code units, QualCoder Unicode code points).
type QDPXOptions struct {
	CRLF  bool // line endings "\r\n", else "\n"
	UTF16 bool // positions in UTF-16 code units, else code points
}

// ParseQDPXOptions reads the options as a person gives them: line endings
// "lf" (default) or "crlf", offsets "codepoints" (default) or "utf16".
func ParseQDPXOptions(lineEndings, offsets string) (QDPXOptions, error) {
	var o QDPXOptions
	switch strings.ToLower(strings.TrimSpace(lineEndings)) {
	case "", "lf", "unix":
	case "crlf", "windows":
		o.CRLF = true
	default:
		return o, fail(ErrInvalid, "line endings %q are not lf or crlf", lineEndings)
	}
	switch strings.ToLower(strings.TrimSpace(offsets)) {
	case "", "codepoints", "code-points", "runes", "unicode":
	case "utf16", "utf-16":
		o.UTF16 = true
	default:
		return o, fail(ErrInvalid, "offsets %q are not codepoints or utf16", offsets)
	}
	return o, nil
}

// position converts a byte offset of an LF text to a selection position
// as the options count it.
func (o QDPXOptions) position(text string, off int) int {
	n := 0
	for _, r := range text[:off] {
		n++
		if o.UTF16 && r > 0xFFFF {
			n++ // a surrogate pair
		}
		if o.CRLF && r == '\n' {
			n++
		}
	}
	return n
}

// encode writes an LF text with the options' line endings.
func (o QDPXOptions) encode(text string) string {
	if o.CRLF {
		return strings.ReplaceAll(text, "\n", "\r\n")
	}
	return text
}

// qdpxSource is one text source of the project as it is being built.
type qdpxSource struct {
	key      string // content hash, or file name when the snapshot has none
	src      evident.Source
	name     string // the source's name: its title, safe as a file name (tools copy it to one)
	file     string // its text file in the archive: sources/<guid>.txt
	text     string
	offsets  map[string]int
	speakers []evident.Person
	quotes   []*Quote
	spans    map[string][2]int // quote id → start and end (exclusive) positions
}

// locate finds a quote's text in its source and returns its byte offset:
// where its passage is, when the passage still reads the same; else where
// the text first occurs; else at the end of the text, where it is added.
func (s *qdpxSource) locate(text, passageID string) int {
	if off, ok := s.offsets[passageID]; ok && strings.HasPrefix(s.text[off:], text) {
		return off
	}
	if i := strings.Index(s.text, text); i >= 0 {
		return i
	}
	if s.text != "" {
		s.text += passageSep
	}
	off := len(s.text)
	s.text += text
	return off
}

// QDPX writes the map as a REFI-QDA project. texts gives the current text
// of quoted documents (SourceTexts); a document without one is rebuilt
// from the snapshots of its quotes.
func QDPX(w io.Writer, m *Map, texts []SourceText, opts QDPXOptions) error {
	byHash := map[string]SourceText{}
	for _, t := range texts {
		byHash[t.SHA256] = t
	}
	sources := map[string]*qdpxSource{}
	var keys []string
	for _, q := range m.Quotes() {
		key := q.Source.SHA256
		if key == "" {
			key = "file:" + q.Source.File
		}
		s := sources[key]
		if s == nil {
			s = &qdpxSource{key: key, src: q.Source, spans: map[string][2]int{}}
			sources[key] = s
			keys = append(keys, key)
		}
		s.quotes = append(s.quotes, q)
	}
	sort.Strings(keys)
	names := fileNames{}
	for _, key := range keys {
		s := sources[key]
		s.name = names.unique(cmp.Or(s.src.Title, s.src.File, "source"))
		s.file = "sources/" + guid(m.Name, "source", key) + ".txt"
		if t, ok := byHash[key]; ok {
			s.text, s.offsets, s.speakers = normalizeNewlines(t.Text), t.Offsets, t.Speakers
		} else {
			s.text, s.offsets = snapshotText(s.quotes)
		}
		for _, q := range s.quotes {
			text := normalizeNewlines(q.Text)
			start := s.locate(text, q.PassageID)
			s.spans[q.ID] = [2]int{opts.position(s.text, start), opts.position(s.text, start+len(text))}
		}
	}
	project := buildProject(m, sources, keys)
	modified := zipTime(m.Updated)
	zw := zip.NewWriter(w)
	write := func(name string, body func(io.Writer) error) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		return body(f)
	}
	err := write("project.qde", func(f io.Writer) error {
		if _, err := io.WriteString(f, xml.Header); err != nil {
			return err
		}
		enc := xml.NewEncoder(f)
		enc.Indent("", "  ")
		if err := enc.Encode(project); err != nil {
			return err
		}
		_, err := io.WriteString(f, "\n")
		return err
	})
	if err != nil {
		return fmt.Errorf("project.qde: %w", err)
	}
	for _, key := range keys {
		s := sources[key]
		if err := write(s.file, func(f io.Writer) error { _, err := io.WriteString(f, opts.encode(s.text)); return err }); err != nil {
			return fmt.Errorf("%s: %w", s.file, err)
		}
	}
	return zw.Close()
}

// snapshotText rebuilds a document that is gone from the quotes of it on
// the map: their passages in document order, each once.
func snapshotText(quotes []*Quote) (string, map[string]int) {
	seen := map[string]bool{}
	var qs []*Quote
	for _, q := range quotes {
		if !seen[q.PassageID] {
			seen[q.PassageID] = true
			qs = append(qs, q)
		}
	}
	sort.SliceStable(qs, func(i, j int) bool {
		if qs[i].Seq != qs[j].Seq {
			return qs[i].Seq < qs[j].Seq
		}
		return qs[i].PassageID < qs[j].PassageID
	})
	parts := make([]passageText, len(qs))
	for i, q := range qs {
		parts[i] = passageText{id: q.PassageID, text: q.Text, speaker: speakerLabel(q.Speaker, q.Locator), time: q.Locator.Time, context: q.Context}
	}
	return joinPassages(parts)
}

// fileNames makes names that every file system takes, each once.
type fileNames map[string]bool

// maxFileName bounds a source's name in bytes, leaving room for ".txt",
// a " (2)" and the folders a tool copies it into.
const maxFileName = 100

// unique returns name made safe as a file name on Windows, macOS and
// Linux (no / \ : * ? " < > |, no control characters, no trailing dot or
// space, not a reserved device name, at most maxFileName bytes), and
// different, ignoring case, from the names it returned before.
func (seen fileNames) unique(name string) string {
	base := SafeFileName(name)
	for n := 1; ; n++ {
		cand := base
		if n > 1 {
			suffix := fmt.Sprintf(" (%d)", n)
			cand = truncateUTF8(base, maxFileName-len(suffix)) + suffix
		}
		if key := strings.ToLower(cand); !seen[key] {
			seen[key] = true
			return cand
		}
	}
}

// SafeFileName makes a name safe as a file name on every common system:
// the characters Windows forbids become dashes, control characters and
// runs of spaces one space, trailing dots and spaces go, a reserved
// device name (CON, NUL, COM1...) gets an underscore, and it is cut to
// maxFileName bytes at a character boundary. An empty result is "source".
func SafeFileName(name string) string {
	var b strings.Builder
	space := false
	for _, r := range name {
		switch {
		case strings.ContainsRune(`/\:*?"<>|`, r):
			r = '-'
		case r == utf8.RuneError, unicode.IsControl(r), unicode.IsSpace(r), r == '\u2028', r == '\u2029':
			r = ' '
		}
		if r == ' ' {
			if space || b.Len() == 0 {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteRune(r)
	}
	out := strings.TrimRight(truncateUTF8(b.String(), maxFileName), " .")
	out = strings.TrimLeft(out, " ")
	if out == "" {
		return "source"
	}
	stem, _, _ := strings.Cut(out, ".")
	switch strings.ToUpper(strings.TrimSpace(stem)) {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		out = "_" + out
	}
	return out
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// zipTime is the time stamped on the files of the zip: the map's last
// change, which the zip format cannot put before 1980.
func zipTime(t time.Time) time.Time {
	floor := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	if t.Before(floor) {
		return floor
	}
	return t.UTC().Truncate(time.Second)
}

// xsdTime writes a time as an xsd:dateTime, to the second; "" when unknown.
func xsdTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// Colours of the default cells, the same as the web page's canvas and
// the HTML export (TestCanvasMatchesThePage).
func cellColor(category string) string {
	switch category {
	case "SEE":
		return "#2563EB"
	case "HEAR":
		return "#7C3AED"
	case "SAY":
		return "#0E7490"
	case "DO":
		return "#15803D"
	case "PAINS":
		return "#C2410C"
	case "GAINS":
		return "#B45309"
	}
	return ""
}

func buildProject(m *Map, sources map[string]*qdpxSource, keys []string) *qdeProject {
	p := &qdeProject{Name: m.Name, Origin: "Evident", Created: xsdTime(m.Created), Modified: xsdTime(m.Updated)}
	// Attribute names become variables: of cases (a speaker's) and of
	// sources (a document's); "role" is the case variable of its own.
	attrNames := map[string]string{}
	variable := func(name string) string {
		if _, ok := attrNames[name]; !ok {
			attrNames[name] = "An attribute from the user's metadata or the survey."
		}
		return guid(m.Name, "variable", "attribute\x00"+name)
	}
	var about []string
	if m.Role != "" {
		about = append(about, "Persona: "+m.Role)
	}
	for _, f := range [][2]string{{"Title", m.Title}, {"Situation", m.Situation}, {"Priority", m.Priority}, {"Goal", m.Goal}} {
		if f[1] != "" {
			about = append(about, f[0]+": "+f[1])
		}
	}
	if m.Description != "" {
		about = append(about, m.Description)
	}
	p.Description = strings.Join(about, "\n")

	// Codes: the map, and its cells under it.
	parent := qdeCode{GUID: guid(m.Name, "code", ""), Name: m.Name, IsCodable: false,
		Description: "Empathy map exported by Evident; one code per cell."}
	// A cell's themes are codes under the cell's code: a quote in a
	// theme is coded with both.
	codeOf := map[string]string{}
	themeOf := map[string]string{} // quote id → its theme's code
	for _, c := range m.Cells {
		g := guid(m.Name, "code", c.Category)
		codeOf[c.Category] = g
		cell := qdeCode{GUID: g, Name: c.Category, IsCodable: true, Color: cellColor(c.Category), Description: c.Question}
		for _, t := range c.Themes {
			tg := guid(m.Name, "code", c.Category+"\x00theme\x00"+t.ID)
			desc := fmt.Sprintf("Theme %s of %s on the empathy map.", t.ID, c.Category)
			if len(t.Terms) > 0 {
				desc += " Proposed from the words: " + strings.Join(t.Terms, ", ") + "."
			}
			cell.Codes = append(cell.Codes, qdeCode{GUID: tg, Name: t.Name, IsCodable: true, Color: cellColor(c.Category), Description: desc})
			for _, id := range t.Quotes {
				themeOf[id] = tg
			}
		}
		parent.Codes = append(parent.Codes, cell)
	}
	p.CodeBook.Codes.Codes = []qdeCode{parent}

	// Needs and assumptions are notes, each referred to by the
	// selections of its evidence.
	notesOf := map[string][]string{} // quote id → notes that cite it
	p.Notes = insightNotes(m, notesOf)

	// Users: whoever added a quote, a need or an assumption.
	users := map[string]bool{}
	var userNames []string
	addUser := func(u string) {
		if u != "" && !users[u] {
			users[u] = true
			userNames = append(userNames, u)
		}
	}
	for _, q := range m.Quotes() {
		addUser(q.AddedBy)
	}
	for _, n := range m.Needs {
		addUser(n.AddedBy)
	}
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			addUser(a.AddedBy)
		}
	}
	sort.Strings(userNames)
	if len(userNames) > 0 {
		p.Users = &qdeUsers{}
		for _, u := range userNames {
			p.Users.Users = append(p.Users.Users, qdeUser{GUID: userGUID(u), Name: u})
		}
	}

	// Sources, their selections and codings. A case is a speaker in one
	// document: "Participant 1" of two transcripts is two people.
	type caseOf struct {
		key        string // speaker and document key: the case's identity
		speaker    string // the name people know: the full name of a speaker labelled by initials
		label      string // the label in the transcript, when it is not the name
		doc        string // the document as people know it: its file name
		docKey     string
		role       string
		attrs      map[string]string // the speaker's attributes
		source     string            // the document's GUID
		selections []string
	}
	cases := map[string]*caseOf{}
	p.Sources = &qdeSources{}
	for _, key := range keys {
		s := sources[key]
		sg := guid(m.Name, "source", key)
		var desc []string
		title := s.src.Title // as written, when the name had to change to be a file name
		if title == s.name {
			title = ""
		}
		for _, kv := range [][2]string{{"Title", title}, {"File", s.src.File}, {"Kind", s.src.Kind}, {"URL", s.src.URL},
			{"Author", s.src.Author}, {"Date", s.src.Date}, {"SHA-256", s.src.SHA256}} {
			if kv[1] != "" {
				desc = append(desc, kv[0]+": "+kv[1])
			}
		}
		ts := qdeTextSource{GUID: sg, Name: s.name, PlainTextPath: "internal://" + strings.TrimPrefix(s.file, "sources/"), Description: strings.Join(desc, "\n")}
		qs := append([]*Quote(nil), s.quotes...)
		sort.SliceStable(qs, func(i, j int) bool {
			a, b := s.spans[qs[i].ID], s.spans[qs[j].ID]
			if a != b {
				return a[0] < b[0] || (a[0] == b[0] && a[1] < b[1])
			}
			return qs[i].ID < qs[j].ID
		})
		var first time.Time
		for _, q := range qs {
			span := s.spans[q.ID]
			selGUID := guid(m.Name, "selection", q.ID)
			user := ""
			if q.AddedBy != "" {
				user = userGUID(q.AddedBy)
			}
			var d []string
			if q.Note != "" {
				d = append(d, "Note: "+q.Note)
			}
			d = append(d, "Citation: "+q.Citation)
			if q.Status != "" && q.Status != Current {
				d = append(d, "Source "+string(q.Status)+" since the quote was attached.")
			}
			sel := qdeSelection{
				GUID: selGUID, Name: q.ID + ": " + short(q.Text), Start: span[0], End: span[1],
				CreatingUser: user, Created: xsdTime(q.AddedAt), Description: strings.Join(d, "\n"),
				Codings: []qdeCoding{{GUID: guid(m.Name, "coding", q.ID), CreatingUser: user, Created: xsdTime(q.AddedAt),
					CodeRef: qdeRef{Target: codeOf[q.Category]}}},
			}
			if tg, ok := themeOf[q.ID]; ok {
				sel.Codings = append(sel.Codings, qdeCoding{GUID: guid(m.Name, "coding", q.ID+"\x00theme"), CreatingUser: user,
					Created: xsdTime(q.AddedAt), CodeRef: qdeRef{Target: tg}})
			}
			for _, n := range notesOf[q.ID] {
				sel.Notes = append(sel.Notes, qdeRef{Target: n})
			}
			ts.Selections = append(ts.Selections, sel)
			if first.IsZero() || q.AddedAt.Before(first) {
				first = q.AddedAt
			}
			if q.Speaker != "" {
				ck := q.Speaker + "\x00" + key
				c := cases[ck]
				if c == nil {
					c = &caseOf{key: ck, speaker: q.Speaker, doc: cmp.Or(s.src.File, s.src.Title, key), docKey: key, source: sg}
					if full := fullName(s.speakers, q.Speaker); full != "" {
						c.speaker, c.label = full, q.Speaker
					}
					cases[ck] = c
				}
				if c.role == "" {
					c.role = q.Role
				}
				if c.attrs == nil {
					c.attrs = q.SpeakerAttrs
				}
				c.selections = append(c.selections, selGUID)
			}
		}
		ts.Created = xsdTime(first)
		for _, k := range slices.Sorted(maps.Keys(s.src.Attrs)) {
			ts.Values = append(ts.Values, qdeVariableValue{Variable: qdeRef{Target: variable(k)}, Text: s.src.Attrs[k]})
		}
		p.Sources.Text = append(p.Sources.Text, ts)
	}
	if len(p.Sources.Text) == 0 {
		p.Sources = nil
	}

	// Cases: the speakers, each with a role and their attributes. A
	// speaker named in one document keeps the bare name; one named in
	// several gets the document's file name too, and its hash when file
	// names clash.
	if len(cases) > 0 {
		roleVar := guid(m.Name, "variable", "role")
		labelVar := guid(m.Name, "variable", "label")
		p.Variables = &qdeVariables{Variables: []qdeVariable{{GUID: roleVar, Name: "role", Type: "Text",
			Description: "The speaker's role in the buying committee, from Evident's role taxonomy."}}}
		for _, c := range cases {
			if c.label != "" {
				p.Variables.Variables = append(p.Variables.Variables, qdeVariable{GUID: labelVar, Name: "label", Type: "Text",
					Description: "The speaker's label in the transcript (initials, say) where the case has the full name."})
				break
			}
		}
		perSpeaker, perDoc := map[string]int{}, map[string]int{}
		for _, c := range cases {
			perSpeaker[c.speaker]++
			perDoc[c.speaker+"\x00"+c.doc]++
		}
		type named struct {
			name string
			c    *caseOf
		}
		list := make([]named, 0, len(cases))
		for _, c := range cases {
			name := c.speaker
			if perSpeaker[c.speaker] > 1 {
				doc := c.doc
				if perDoc[c.speaker+"\x00"+c.doc] > 1 {
					hash := strings.TrimPrefix(c.docKey, "file:")
					doc += ", " + hash[:min(12, len(hash))]
				}
				name += " (" + doc + ")"
			}
			list = append(list, named{name, c})
		}
		sort.Slice(list, func(i, j int) bool {
			if list[i].name != list[j].name {
				return list[i].name < list[j].name
			}
			return list[i].c.key < list[j].c.key
		})
		p.Cases = &qdeCases{}
		for _, n := range list {
			c := n.c
			qc := qdeCase{GUID: guid(m.Name, "case", c.key), Name: n.name, Sources: []qdeRef{{Target: c.source}}}
			if c.role != "" {
				qc.Values = []qdeVariableValue{{Variable: qdeRef{Target: roleVar}, Text: c.role}}
			}
			if c.label != "" {
				qc.Description = fmt.Sprintf("Labelled %q in %s.", c.label, c.doc)
				qc.Values = append(qc.Values, qdeVariableValue{Variable: qdeRef{Target: labelVar}, Text: c.label})
			}
			for _, k := range slices.Sorted(maps.Keys(c.attrs)) {
				qc.Values = append(qc.Values, qdeVariableValue{Variable: qdeRef{Target: variable(k)}, Text: c.attrs[k]})
			}
			for _, s := range c.selections {
				qc.Selections = append(qc.Selections, qdeRef{Target: s})
			}
			p.Cases.Cases = append(p.Cases.Cases, qc)
		}
	}
	// Attributes of speakers (case variables) and of documents (source
	// variables): one variable per name, after role.
	for _, name := range slices.Sorted(maps.Keys(attrNames)) {
		if p.Variables == nil {
			p.Variables = &qdeVariables{}
		}
		p.Variables.Variables = append(p.Variables.Variables, qdeVariable{GUID: variable(name), Name: name, Type: "Text",
			Description: attrNames[name]})
	}
	return p
}

// fullName is the full name the document gives a speaker labelled by
// initials, or "".
func fullName(speakers []evident.Person, label string) string {
	for _, p := range speakers {
		if p.Name == label && p.FullName != "" && p.FullName != label {
			return p.FullName
		}
	}
	return ""
}

// The elements of project.qde that a map uses, in the order Project.xsd
// requires.
type (
	qdeProject struct {
		XMLName     xml.Name      `xml:"urn:QDA-XML:project:1.0 Project"`
		Name        string        `xml:"name,attr"`
		Origin      string        `xml:"origin,attr,omitempty"`
		Created     string        `xml:"creationDateTime,attr,omitempty"`
		Modified    string        `xml:"modifiedDateTime,attr,omitempty"`
		Users       *qdeUsers     `xml:"Users,omitempty"`
		CodeBook    qdeCodeBook   `xml:"CodeBook"`
		Variables   *qdeVariables `xml:"Variables,omitempty"`
		Cases       *qdeCases     `xml:"Cases,omitempty"`
		Sources     *qdeSources   `xml:"Sources,omitempty"`
		Notes       *qdeNotes     `xml:"Notes,omitempty"`
		Description string        `xml:"Description,omitempty"`
	}
	qdeNotes struct {
		Notes []qdeNote `xml:"Note"`
	}
	// qdeNote is a note: a text source whose text is in the project.
	qdeNote struct {
		GUID         string `xml:"guid,attr"`
		Name         string `xml:"name,attr"`
		CreatingUser string `xml:"creatingUser,attr,omitempty"`
		Created      string `xml:"creationDateTime,attr,omitempty"`
		Text         string `xml:"PlainTextContent"`
	}
	qdeUsers struct {
		Users []qdeUser `xml:"User"`
	}
	qdeUser struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
	}
	qdeCodeBook struct {
		Codes struct {
			Codes []qdeCode `xml:"Code"`
		} `xml:"Codes"`
	}
	qdeCode struct {
		GUID        string    `xml:"guid,attr"`
		Name        string    `xml:"name,attr"`
		IsCodable   bool      `xml:"isCodable,attr"`
		Color       string    `xml:"color,attr,omitempty"`
		Description string    `xml:"Description,omitempty"`
		Codes       []qdeCode `xml:"Code"`
	}
	qdeVariables struct {
		Variables []qdeVariable `xml:"Variable"`
	}
	qdeVariable struct {
		GUID        string `xml:"guid,attr"`
		Name        string `xml:"name,attr"`
		Type        string `xml:"typeOfVariable,attr"`
		Description string `xml:"Description,omitempty"`
	}
	qdeCases struct {
		Cases []qdeCase `xml:"Case"`
	}
	qdeCase struct {
		GUID        string             `xml:"guid,attr"`
		Name        string             `xml:"name,attr"`
		Description string             `xml:"Description,omitempty"`
		Values      []qdeVariableValue `xml:"VariableValue"`
		Sources     []qdeRef           `xml:"SourceRef"`
		Selections  []qdeRef           `xml:"SelectionRef"`
	}
	qdeVariableValue struct {
		Variable qdeRef `xml:"VariableRef"`
		Text     string `xml:"TextValue"`
	}
	qdeRef struct {
		Target string `xml:"targetGUID,attr"`
	}
	qdeSources struct {
		Text []qdeTextSource `xml:"TextSource"`
	}
	qdeTextSource struct {
		GUID          string             `xml:"guid,attr"`
		Name          string             `xml:"name,attr"`
		PlainTextPath string             `xml:"plainTextPath,attr"`
		Created       string             `xml:"creationDateTime,attr,omitempty"`
		Description   string             `xml:"Description,omitempty"`
		Selections    []qdeSelection     `xml:"PlainTextSelection"`
		Values        []qdeVariableValue `xml:"VariableValue"`
	}
	qdeSelection struct {
		GUID         string      `xml:"guid,attr"`
		Name         string      `xml:"name,attr"`
		Start        int         `xml:"startPosition,attr"`
		End          int         `xml:"endPosition,attr"`
		CreatingUser string      `xml:"creatingUser,attr,omitempty"`
		Created      string      `xml:"creationDateTime,attr,omitempty"`
		Description  string      `xml:"Description,omitempty"`
		Codings      []qdeCoding `xml:"Coding"`
		Notes        []qdeRef    `xml:"NoteRef"`
	}
	qdeCoding struct {
		GUID         string `xml:"guid,attr"`
		CreatingUser string `xml:"creatingUser,attr,omitempty"`
		Created      string `xml:"creationDateTime,attr,omitempty"`
		CodeRef      qdeRef `xml:"CodeRef"`
	}
)

// uuidV5 is a name-based UUID (RFC 9562, version 5: SHA-1).
func uuidV5(namespace [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

func formatUUID(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// evidentNamespace is the UUID v5 namespace of Evident's GUIDs: the v5 UUID
// of its module path in the URL namespace of RFC 9562.
func evidentNamespace() [16]byte {
	url := [16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	return uuidV5(url, "https://github.com/evident/evident/maps")
}

// guid is the GUID of one object of a map's project: what it is (code,
// source, selection...) and its key within the map.
func guid(mapName, kind, key string) string {
	return formatUUID(uuidV5(evidentNamespace(), mapName+"\x00"+kind+"\x00"+key))
}

// userGUID is a person's GUID, the same in every map's project.
func userGUID(name string) string {
	return formatUUID(uuidV5(evidentNamespace(), "user\x00"+name))
}

// insightNotes writes the map's needs and assumptions as notes, each
// saying its evidence, and records in notesOf which notes cite a quote.
func insightNotes(m *Map, notesOf map[string][]string) *qdeNotes {
	var out qdeNotes
	evidence := func(b *strings.Builder, id, stance string) {
		q := m.Quote(id)
		if q == nil {
			return
		}
		fmt.Fprintf(b, "\n- %s (%s)", q.ID, q.Category)
		if stance != "" {
			b.WriteString(" " + stance)
		}
		fmt.Fprintf(b, ": \u201c%s\u201d \u2014 %s", short(q.Text), q.Citation)
	}
	user := func(by string) string {
		if by == "" {
			return ""
		}
		return userGUID(by)
	}
	for _, n := range m.Needs {
		g := guid(m.Name, "note", "need\x00"+n.ID)
		var b strings.Builder
		fmt.Fprintf(&b, "Need %s: %s\nEvidence: %s", n.ID, n.Text, countOf(n.Count, "quote"))
		if len(n.Roles) > 0 {
			b.WriteString(", from " + strings.Join(n.Roles, ", "))
		}
		for _, id := range n.Evidence {
			evidence(&b, id, "")
			notesOf[id] = append(notesOf[id], g)
		}
		out.Notes = append(out.Notes, qdeNote{GUID: g, Name: "Need " + n.ID + ": " + short(n.Text), CreatingUser: user(n.AddedBy),
			Created: xsdTime(n.AddedAt), Text: b.String()})
	}
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			g := guid(m.Name, "note", "assumption\x00"+a.ID)
			var b strings.Builder
			fmt.Fprintf(&b, "Assumption %s in %s (%s): %s", a.ID, a.Category, a.Verdict, a.Text)
			for _, e := range a.Evidence {
				evidence(&b, e.Quote, string(e.Stance))
				notesOf[e.Quote] = append(notesOf[e.Quote], g)
			}
			out.Notes = append(out.Notes, qdeNote{GUID: g, Name: "Assumption " + a.ID + ": " + short(a.Text), CreatingUser: user(a.AddedBy),
				Created: xsdTime(a.AddedAt), Text: b.String()})
		}
	}
	if len(out.Notes) == 0 {
		return nil
	}
	return &out
}
