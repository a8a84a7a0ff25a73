// Package maps keeps empathy maps: one cell per category of the rules
// file, each holding quotes attached from passages. A quote keeps a
// snapshot of its passage's text and citation, so that re-ingesting,
// editing or deleting a source never changes a map; the map says when a
// quote's source has changed or gone. Every change is recorded in an
// append-only history and can be undone. Maps leave Evident as Markdown,
// JSON (re-importable), CSV, a printable HTML canvas and a REFI-QDA
// project (.qdpx).
package maps

import (
	"cmp"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// Info is what a person says about a map: the guide's header. WHO is
// the persona's role, title, situation and priority; Goal is the DO, what
// we want them to do.
type Info struct {
	Name        string `json:"name"`
	Role        string `json:"role"`                // the persona: a role of the taxonomy, or free text
	Goal        string `json:"goal"`                // what we want them to do
	Description string `json:"description"`         // anything else the team wants to say
	Title       string `json:"title,omitempty"`     // WHO: the job title, as people say it
	Situation   string `json:"situation,omitempty"` // WHO: the situation they are in
	Priority    string `json:"priority,omitempty"`  // WHO: what matters most to them now
}

// Map is an empathy map with its quotes, cell by cell.
type Map struct {
	Info
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	// Cells come in the rules' order, every category present even when
	// empty; categories no longer in the rules that still hold quotes follow.
	Cells []Cell `json:"cells"`
	// Needs are what the pains and gains add up to, each with its evidence.
	Needs []Need `json:"needs,omitempty"`
}

// Cell is one category of the map.
type Cell struct {
	Category string  `json:"category"`
	Question string  `json:"question,omitempty"` // the rules file's question for this cell
	Quotes   []Quote `json:"quotes"`
	// Themes group the cell's quotes; a quote is in at most one.
	Themes []Theme `json:"themes,omitempty"`
	// Assumptions are the team's cards without a passage, to be confirmed
	// or refuted by quotes.
	Assumptions []Assumption `json:"assumptions,omitempty"`
}

// Quote is a passage attached to a cell: its id, a snapshot taken when it
// was attached, and what the team added.
type Quote struct {
	ID        string `json:"id"` // q1, q2... within the map; never reused
	Category  string `json:"category"`
	PassageID string `json:"passage_id"`
	Snapshot
	Note     string    `json:"note"`
	Position int       `json:"position"` // 0-based order within the cell
	AddedBy  string    `json:"added_by"`
	AddedAt  time.Time `json:"added_at"`
	// Rule names the rules (and their words) that put the passage in this
	// cell; empty when a person placed it where the rules did not.
	Rule string `json:"rule"`
	// Status compares the snapshot with the passage as it stands now.
	Status Status `json:"status"`
	// Retagged says the passage's tags now differ from the snapshot's: new
	// rules (evident reclassify) or a person's correction. TagsNow are the
	// tags it has now; the quote stays where the team put it.
	Retagged bool     `json:"retagged,omitempty"`
	TagsNow  []string `json:"tags_now,omitempty"`
}

// RetaggedCells counts, per cell, the quotes whose passages are now tagged
// otherwise than when they were attached.
func (m *Map) RetaggedCells() map[string]int {
	out := map[string]int{}
	for _, q := range m.Quotes() {
		if q.Retagged {
			out[q.Category]++
		}
	}
	return out
}

// Snapshot is the passage and its citation as they were when attached.
type Snapshot struct {
	Text     string `json:"text"`
	Citation string `json:"citation"`
	Speaker  string `json:"speaker"`
	// FullName is the speaker's name where the transcript labels them by
	// initials; Title the job title they state.
	FullName string            `json:"full_name,omitempty"`
	Title    string            `json:"title,omitempty"`
	Role     string            `json:"role"`
	Locator  evident.Locator   `json:"locator"`
	Source   evident.Source    `json:"source"`
	Seq      int               `json:"seq"`               // the passage's place in its document
	Context  string            `json:"context,omitempty"` // survey question or heading
	Attrs    map[string]string `json:"attrs,omitempty"`   // the passage's attributes: its document's, its speaker's, its own (evident.Attributes)
	// SpeakerAttrs are the speaker's attributes (the company, and the
	// other keys of the speaker's entry in the user's metadata):
	// variables of the speaker's case in a QDPX export.
	SpeakerAttrs map[string]string `json:"speaker_attributes,omitempty"`
	Categories   []string          `json:"categories,omitempty"`
	Matches      []evident.Match   `json:"matches,omitempty"` // the rules that tagged it, with their words
}

// Status says how a quote's passage stands now.
type Status string

const (
	Current Status = "current" // the passage is there with the same text
	Changed Status = "changed" // its document is there, but the passage's text differs or is gone
	Gone    Status = "gone"    // its document is gone
)

// Summary is one line of the list of maps.
type Summary struct {
	Info
	Quotes  int       `json:"quotes"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// Category is a cell of the rules file: its name and question.
type Category struct {
	Name     string
	Question string
}

// Quotes returns every quote of the map, cell by cell.
func (m *Map) Quotes() []*Quote {
	var out []*Quote
	for i := range m.Cells {
		for j := range m.Cells[i].Quotes {
			out = append(out, &m.Cells[i].Quotes[j])
		}
	}
	return out
}

// QuoteCount is the number of quotes on the map.
func (m *Map) QuoteCount() int {
	n := 0
	for _, c := range m.Cells {
		n += len(c.Quotes)
	}
	return n
}

// Cell returns the cell of a category, nil if the map has none.
func (m *Map) Cell(category string) *Cell {
	for i := range m.Cells {
		if m.Cells[i].Category == category {
			return &m.Cells[i]
		}
	}
	return nil
}

// snapshotOf takes the snapshot of a stored passage.
func snapshotOf(d *evident.Document, p *evident.Passage) Snapshot {
	var counted []evident.Match
	for _, m := range p.Matches {
		if m.Reason == "" {
			counted = append(counted, m)
		}
	}
	return Snapshot{
		Text:     p.Text,
		Citation: evident.Citation(d, p),
		Speaker:  p.Speaker,
		FullName: fullName(d.Speakers, p.Speaker),
		Title:    p.Title,
		Role:     p.Role,
		Locator:  p.Locator,
		// The same fields as a search hit's source; only the JSON differs.
		Source:       evident.SourceOf(d),
		Seq:          p.Seq,
		Context:      p.Context,
		Attrs:        evident.Attributes(d, p),
		SpeakerAttrs: speakerAttrs(d, p),
		Categories:   p.Categories,
		Matches:      counted,
	}
}

// speakerAttrs are the attributes of a passage's speaker: the company and
// the other keys of the speaker's entry.
func speakerAttrs(d *evident.Document, p *evident.Passage) map[string]string {
	if p.Speaker == "" {
		return nil
	}
	for _, who := range d.Speakers {
		if who.Name != p.Speaker {
			continue
		}
		var out map[string]string
		if who.Company != "" {
			out = map[string]string{"company": who.Company}
		}
		for k, v := range who.Attrs {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
		return out
	}
	return nil
}

// ruleOf explains why the rules put a snapshot in a category:
// `pains.slow ("takes forever"), pains.worry ("worried about")`, or why a
// person did: `tagged by dana on 2025-06-01`.
func ruleOf(s *Snapshot, category string) string {
	var parts []string
	seen := map[string]bool{}
	for _, m := range s.Matches {
		if m.Category != category || m.Reason != "" {
			continue
		}
		part := fmt.Sprintf("%s (%q)", m.Rule, m.Text)
		if m.ByPerson() {
			part = m.Text // "tagged by dana on 2025-06-01"
		}
		if !seen[part] {
			seen[part] = true
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, ", ")
}

// Byline says who said a quote as a card shows it: the full name and
// the title ("Ravi Kumar, financial controller"), else the role ("Ravi
// Kumar (cfo)"); a survey's respondent by row.
func (s *Snapshot) Byline() string {
	name := cmp.Or(s.FullName, s.Speaker)
	if name == "" && s.Locator.Row > 0 {
		name = fmt.Sprintf("Respondent %d", s.Locator.Row)
	}
	switch {
	case name == "":
		return cmp.Or(s.Title, s.Role)
	case s.Title != "":
		return name + ", " + s.Title
	case s.Role != "":
		return name + " (" + s.Role + ")"
	}
	return name
}

// Place is where in its source a quote is, as a card shows it: page,
// time, row, line or paragraph (a survey's question is the quote's
// context, shown apart).
func (s *Snapshot) Place() string {
	l := s.Locator
	l.Column = ""
	return l.String()
}

// Why says what put the quote's passage in its cell: the rules and their
// words, `rules: pains.slow ("takes forever")`; the person who tagged the
// passage so, `tagged by dana on 2025-06-01`; or nothing, "placed by hand".
func (q *Quote) Why() string {
	if q.Rule == "" {
		return "placed by hand"
	}
	for _, m := range q.Matches {
		if m.Category == q.Category && m.ByPerson() {
			return q.Rule
		}
	}
	return "rules: " + q.Rule
}

// arrange orders quotes into cells: the rules' categories first, in their
// order, then any other category that holds quotes, by name.
func arrange(quotes []Quote, categories []Category) []Cell {
	cells := make([]Cell, 0, len(categories))
	index := map[string]int{}
	for _, c := range categories {
		index[c.Name] = len(cells)
		cells = append(cells, Cell{Category: c.Name, Question: c.Question, Quotes: []Quote{}})
	}
	var extra []string
	for _, q := range quotes {
		if _, ok := index[q.Category]; !ok {
			index[q.Category] = -1
			extra = append(extra, q.Category)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		index[name] = len(cells)
		cells = append(cells, Cell{Category: name, Quotes: []Quote{}})
	}
	for _, q := range quotes {
		c := &cells[index[q.Category]]
		c.Quotes = append(c.Quotes, q)
	}
	for i := range cells {
		qs := cells[i].Quotes
		sort.SliceStable(qs, func(a, b int) bool { return qs[a].Position < qs[b].Position })
		for j := range qs {
			qs[j].Position = j
			qs[j].Rule = ruleOf(&qs[j].Snapshot, qs[j].Category)
		}
	}
	return cells
}

// Errors of this package match one of these with errors.Is, so that the
// HTTP API can answer 404, 400 or 409.
var (
	ErrNotFound = store.ErrNotFound
	ErrInvalid  = errors.New("invalid")
	ErrConflict = errors.New("conflict")
)

// Error is a one-sentence message of a given kind.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string        { return e.Msg }
func (e *Error) Is(target error) bool { return target == e.Kind }

func fail(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func noMap(name string) error {
	return fail(ErrNotFound, "no map is called %q; `evident map list` shows the maps", name)
}

// Limits on what a person types, so that a map stays a map.
const (
	maxName = 200
	maxText = 10000 // goal, description, note
)

// CheckName refuses names that would be hard to type, print or use as a
// file name: empty, too long, with control characters or slashes,
// starting with a dash (it would read as a flag), or "." and ".." (a web
// address reads them as folders, so the map's page could never be
// reached).
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fail(ErrInvalid, "a map needs a name")
	case name == "." || name == "..":
		return fail(ErrInvalid, "map name %q would read as a folder in a web address; use a name with a letter or a digit", name)
	case name != strings.TrimSpace(name):
		return fail(ErrInvalid, "map name %q starts or ends with a space", name)
	case !utf8.ValidString(name):
		return fail(ErrInvalid, "map name %q is not valid UTF-8", name)
	case utf8.RuneCountInString(name) > maxName:
		return fail(ErrInvalid, "map name %.40q... is longer than %d characters", name, maxName)
	case strings.HasPrefix(name, "-"):
		return fail(ErrInvalid, "map name %q starts with a dash, which would read as a flag", name)
	case strings.ContainsAny(name, `/\`):
		return fail(ErrInvalid, "map name %q contains a slash; use another character", name)
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return fail(ErrInvalid, "map name %q contains a control character", name)
	}
	return nil
}

// checkText checks what a person types (goal, description, note): plain
// text of a sane length.
func checkText(field, s string) error {
	if err := checkPlain(field, s); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(s); n > maxText {
		return fail(ErrInvalid, "the %s is %d characters long; the limit is %d", field, n, maxText)
	}
	return nil
}

// checkPlain refuses invalid UTF-8 and control characters other than line
// breaks and tabs: an escape sequence in a map would drive the terminal
// of whoever runs `evident map show` on it.
func checkPlain(field, s string) error {
	if !utf8.ValidString(s) {
		return fail(ErrInvalid, "the %s is not valid UTF-8", field)
	}
	if i := strings.IndexFunc(s, isControl); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return fail(ErrInvalid, "the %s contains a control character (%U); only line breaks and tabs are allowed", field, r)
	}
	return nil
}

func isControl(r rune) bool { return r != '\n' && r != '\t' && unicode.IsControl(r) }

// lineBreaks turns the line breaks a browser sends from a text box
// (CR LF), or an old Mac's (CR), into LF, the only one a map keeps.
func lineBreaks(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func (i *Info) check() error {
	i.Name = strings.TrimSpace(i.Name)
	i.Role = strings.TrimSpace(i.Role)
	i.Goal, i.Description = lineBreaks(i.Goal), lineBreaks(i.Description)
	if err := CheckName(i.Name); err != nil {
		return err
	}
	i.Title, i.Situation, i.Priority = strings.TrimSpace(i.Title), lineBreaks(i.Situation), lineBreaks(i.Priority)
	for _, f := range []struct{ name, value string }{{"role", i.Role}, {"goal", i.Goal}, {"description", i.Description},
		{"title", i.Title}, {"situation", i.Situation}, {"priority", i.Priority}} {
		if err := checkText(f.name, f.value); err != nil {
			return err
		}
	}
	return nil
}

// day shows a date as people read it in an export: 2026-10-14.
func day(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02")
}
