// Package evident holds the vocabulary every stage of the pipeline shares:
// a Document, the Passages extracted from it, where each passage sits in its
// source (a Locator), and the categories the rules tagged it with.
//
// A file travels inbox → queue → extract → passage → classify → store and
// index → search → maps → web; each step lives in the package of that name.
// What a data folder offers the command line and the pages is one
// interface, api.Service.
//
// # Glossary
//
// The code uses these words in these senses, one word per concept.
//
//   - document: one file handed in, with what is known of it (Document).
//     It is identified by the SHA-256 of its bytes; its origin (Origin) is
//     where it came from: an inbox-relative path, an absolute path, or
//     "upload:NAME". On the wire the origin is "path", an older name kept.
//   - submission: a file handed in to become a document (api.Submission,
//     answered by api.Submitted with its store.Outcome). The store records
//     it as a store.Submission; while it waits for a worker it is a
//     queue.Job, and a worker reads it as an ingest.Input.
//   - passage: one quotable unit of a document, a paragraph, a speaker's
//     turn, a survey answer (Passage), with its Locator: page, time, row,
//     line. Its id is the document's hash and its place: "sha-12".
//   - category: one cell of an empathy map as the rules file names it:
//     SEE, HEAR, SAY, DO, PAINS, GAINS, or a team's own.
//   - tag: a category given to a passage (Passage.Categories). A rule
//     firing on a passage is a match (Match: its category, rule and
//     words); a passage's matches (Passage.Matches, "matches" on the wire
//     and in `evident classify`) are why it carries its tags. A person's
//     correction of the tags is a review (store.Review).
//   - speaker: who says a passage (Person), by the label in the file; an
//     interviewer or host asks rather than answers.
//   - role: the canonical persona a speaker or document speaks for
//     ("cfo"), from the role taxonomy (package roles); a title is the job
//     title as written. RoleSource says where a role came from.
//   - source: the document as cited, its title, file, kind and URL
//     (Source), in a search hit and in a quote alike.
//   - citation: the one human-readable line that lets a person find a
//     passage: speaker, source, file and locator (Citation).
//   - quote: a passage attached to a cell of a map, with a snapshot of its
//     text and citation as they were when attached (maps.Quote).
//   - map: an empathy map for a persona, its cells holding quotes
//     (maps.Map).
//   - hit: a passage a search found. index.Hit is the index's id and
//     score, search.Hit the hit with everything needed to cite it; a
//     store.Cited is a passage loaded with its document.
package evident

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"
	"unicode"
)

// State is where a document is in the pipeline.
type State string

const (
	Queued     State = "queued"
	Processing State = "processing"
	Indexed    State = "indexed"
	Failed     State = "failed"
)

// Kind says what sort of research material a document is.
type Kind string

const (
	Interview Kind = "interview"
	Survey    Kind = "survey"
	Podcast   Kind = "podcast"
	Article   Kind = "article"
	Report    Kind = "report"
	Notes     Kind = "notes"
)

// Document is one source file and what is known about it.
type Document struct {
	ID       int64    `json:"-"`
	File     string   `json:"file"`           // base name, as the user dropped it
	Origin   string   `json:"path,omitempty"` // where it came from: inbox-relative path, absolute path or upload:name
	SHA256   string   `json:"sha256"`
	Size     int64    `json:"size"`
	Format   string   `json:"format,omitempty"` // the extractor that read it: text, pdf, html...
	Title    string   `json:"title,omitempty"`
	Kind     Kind     `json:"kind,omitempty"`
	URL      string   `json:"url,omitempty"`
	Author   string   `json:"author,omitempty"`
	Date     string   `json:"date,omitempty"`
	Site     string   `json:"site,omitempty"`
	Role     string   `json:"role,omitempty"` // persona of the whole document
	Speakers []Person `json:"speakers,omitempty"`
	// Attrs are what the user's metadata says beyond the keys Evident
	// knows (company, industry, segment…): attributes every passage of
	// the document carries.
	Attrs map[string]string `json:"attributes,omitempty"`

	State State  `json:"state"`
	Error string `json:"error,omitempty"`
	// Warnings are problems that did not stop extraction: replaced bytes,
	// a broken front matter, a sheet skipped.
	Warnings []string `json:"warnings,omitempty"`
	// Redacted counts the personal data masked in the document's passages
	// by type (email, phone, card, id, ip, name); see package redact.
	Redacted map[string]int `json:"redacted,omitempty"`
	Passages int            `json:"passages"`
	Added    time.Time      `json:"added"`
	Updated  time.Time      `json:"updated"`
}

// Person is a speaker in a document.
type Person struct {
	Name        string     `json:"name"`
	Role        string     `json:"role,omitempty"`
	Title       string     `json:"title,omitempty"` // job title as written
	Company     string     `json:"company,omitempty"`
	Interviewer bool       `json:"interviewer,omitempty"`
	RoleSource  RoleSource `json:"role_source,omitempty"` // where the role came from
	// RoleReason is the sentence a role or title was read from, when it
	// was read from the text.
	RoleReason string `json:"role_reason,omitempty"`
	// FullName is the name the prose gives a speaker labelled by initials.
	FullName string `json:"full_name,omitempty"`
	// InterviewerSource says why a speaker counts as interviewer or host:
	// the user said so, the label says so, or what the speaker does.
	InterviewerSource string `json:"interviewer_source,omitempty"`
	// Attrs are the other keys of the speaker's entry in the user's
	// metadata (region, tenure…): attributes of the speaker's passages.
	Attrs map[string]string `json:"attributes,omitempty"`
}

// Attributes are what a passage carries for filtering, facets and exports:
// its document's attributes, overlaid by its speaker's (the company, and
// the other keys of the speaker's entry), overlaid by its own (a survey
// respondent's other answers). It returns nil when there are none.
func Attributes(d *Document, p *Passage) map[string]string {
	var out map[string]string
	var spelt map[string]string // AttrKey → the key in out spelt so
	set := func(k, v string) {
		if k = strings.TrimSpace(k); k == "" || strings.TrimSpace(v) == "" {
			return
		}
		if out == nil {
			out, spelt = map[string]string{}, map[string]string{}
		}
		// Keys that differ only in case or punctuation are one attribute:
		// the last spelling wins.
		key := AttrKey(k)
		if old, ok := spelt[key]; ok && old != k {
			delete(out, old)
		}
		spelt[key] = k
		out[k] = v
	}
	each := func(m map[string]string) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			set(k, m[k])
		}
	}
	if d != nil {
		each(d.Attrs)
		if p != nil && p.Speaker != "" {
			for i := range d.Speakers {
				if who := &d.Speakers[i]; who.Name == p.Speaker {
					set("company", who.Company)
					each(who.Attrs)
					break
				}
			}
		}
	}
	if p != nil {
		own := p.Attrs
		if _, ok := own[LabelAttr]; ok {
			own = maps.Clone(own)
			delete(own, LabelAttr)
		}
		each(own)
	}
	return out
}

// LabelAttr is the passage attribute that keeps what a speaker label said
// besides the name ("CFO, Acme" of "Jane Doe (CFO, Acme):"); the speaker's
// role and company are read from it, so it is not one of Attributes.
const LabelAttr = "label"

// AttrKey is an attribute's name as field syntax and the index spell it:
// lower case, each run of other characters than letters and digits one
// dash ("Company size" and company_size are company-size).
func AttrKey(k string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(k) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// Locator says where a passage sits in its source, in terms a person can
// follow. Fields that do not apply stay zero and are left out of JSON.
type Locator struct {
	Page      int    `json:"page,omitempty"`
	Time      string `json:"time,omitempty"` // hh:mm:ss into a recording
	Row       int    `json:"row,omitempty"`  // survey respondent (1 = first data row)
	Column    string `json:"column,omitempty"`
	Paragraph int    `json:"paragraph,omitempty"`
	Line      int    `json:"line,omitempty"`
}

// String renders the locator for a citation line: "p. 3", "00:12:41",
// `row 17, "What slows you down?"`.
func (l Locator) String() string {
	var parts []string
	if l.Page > 0 {
		parts = append(parts, fmt.Sprintf("p. %d", l.Page))
	}
	if l.Time != "" {
		parts = append(parts, l.Time)
	}
	if l.Row > 0 {
		parts = append(parts, fmt.Sprintf("row %d", l.Row))
	}
	if l.Column != "" {
		parts = append(parts, fmt.Sprintf("%q", l.Column))
	}
	// A text file's paragraph may hold several turns: its line tells them
	// apart. Pages and Word files have paragraphs, not lines.
	switch {
	case l.Line > 0:
		parts = append(parts, fmt.Sprintf("line %d", l.Line))
	case l.Paragraph > 0:
		parts = append(parts, fmt.Sprintf("¶ %d", l.Paragraph))
	}
	return strings.Join(parts, ", ")
}

// Passage is one quotable unit of a document: a paragraph, a speaker turn,
// a survey answer, a caption run.
type Passage struct {
	ID          string             `json:"id"`
	Seq         int                `json:"seq"`
	Text        string             `json:"text"`
	Speaker     string             `json:"speaker,omitempty"`
	Role        string             `json:"role,omitempty"`
	Title       string             `json:"title,omitempty"` // the speaker's job title as stated; Role is its canonical role
	RoleSource  RoleSource         `json:"role_source,omitempty"`
	Interviewer bool               `json:"interviewer,omitempty"`
	Section     string             `json:"section,omitempty"` // "notes" for show notes and pull quotes kept apart from the turns
	Context     string             `json:"context,omitempty"` // survey question, heading
	Attrs       map[string]string  `json:"attrs,omitempty"`   // respondent attributes and the like
	Locator     Locator            `json:"locator"`
	Categories  []string           `json:"categories"`
	Scores      map[string]float64 `json:"scores,omitempty"`
	Matches     []Match            `json:"matches,omitempty"` // the rules that tagged it, with their words
	// Codes are qualitative codes a person gave the passage that are not
	// categories: the codes of an imported QDA project (search: code:NAME).
	Codes []string `json:"codes,omitempty"`
	// TaggedBy names the person whose categories the passage carries,
	// outranking the rules' (see PersonRule), and TaggedAt says when they
	// set them; both are empty while the rules' categories stand.
	TaggedBy string    `json:"tagged_by,omitempty"`
	TaggedAt time.Time `json:"tagged_at,omitzero"`
}

// Match is one rule firing on a passage: which category, which rule, which words.
type Match struct {
	Category string  `json:"category"`
	Rule     string  `json:"rule"`
	Text     string  `json:"text"`
	Weight   float64 `json:"weight,omitempty"`
	Reason   string  `json:"reason,omitempty"` // why a match did not count: negated, in a question, below threshold
}

// PersonRule is the Rule of a Match that a person set rather than a rule
// of the rules file: a person's categories for a passage outrank the
// rules' (see engine.Tag). Rules files cannot use it as a rule id.
const PersonRule = "person"

// PersonMatch is the match that explains a category a person gave a
// passage: its Text says who and on which day, "tagged by dana on
// 2025-06-01". Like a rule's match that counted, it has no Reason.
func PersonMatch(category, who string, at time.Time) Match {
	return Match{Category: category, Rule: PersonRule, Text: "tagged by " + who + " on " + at.UTC().Format(time.DateOnly)}
}

// ByPerson reports whether a person, not a rule, set the match's category.
func (m Match) ByPerson() bool { return m.Rule == PersonRule }

// Why says in a few words what put the match's category on a passage: the
// rule and the words that fired, `pains.slow "takes forever"`, or the
// person, `tagged by dana on 2025-06-01`.
func (m Match) Why() string {
	if m.ByPerson() {
		return m.Text
	}
	return fmt.Sprintf("%s %q", m.Rule, m.Text)
}

// PassageID is the stable identifier of the seq-th passage of the document
// with the given content hash: the same bytes always give the same ids.
func PassageID(sha256 string, seq int) string {
	if len(sha256) > 12 {
		sha256 = sha256[:12]
	}
	return fmt.Sprintf("%s-%d", sha256, seq)
}

// RoleSource says where a role came from. The values are the wire's
// "role_source".
type RoleSource string

// Role sources, most reliable first.
const (
	RoleFromPerson   RoleSource = "person"        // a person's correction (evident speaker)
	RoleFromSidecar  RoleSource = "sidecar"       // the user's metadata file or front matter, per speaker
	RoleFromColumn   RoleSource = "survey column" // a role or job-title column of a survey
	RoleFromLabel    RoleSource = "label"         // a speaker label with a title: "Jane Doe (CFO, Acme):"
	RoleFromIntro    RoleSource = "introduction"  // "Brian is the CEO of markempa": read from prose, a guess
	RoleFromFolder   RoleSource = "folder"        // the inbox subfolder the file was dropped in
	RoleFromDocument RoleSource = "document"      // the user's role for the whole document
	RoleFromFormat   RoleSource = "format"        // given by the file format itself
)

// Citation is the one human-readable line that lets a person find a quote:
// speaker, source title, file and locator.
func Citation(d *Document, p *Passage) string {
	var b strings.Builder
	switch {
	case p.Speaker != "":
		// "Brian Carroll (BC; ceo, from an introduction)": the full name the
		// prose gives initials, and a role read from prose marked as a guess.
		name, about := p.Speaker, []string{}
		for _, who := range d.Speakers {
			if who.Name == p.Speaker && who.FullName != "" {
				name, about = who.FullName, append(about, p.Speaker)
			}
		}
		switch {
		case p.Role != "" && p.RoleSource == RoleFromIntro:
			about = append(about, p.Role+", from an introduction")
		case p.Role != "":
			about = append(about, p.Role)
		}
		b.WriteString(name)
		if len(about) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(about, "; "))
		}
		b.WriteString(", ")
	case p.Role != "" && d.Kind == Survey:
		fmt.Fprintf(&b, "a respondent (%s), ", p.Role)
	}
	title := d.Title
	if title == "" {
		title = d.File
	}
	fmt.Fprintf(&b, "%q", title)
	if d.Kind != "" {
		fmt.Fprintf(&b, " [%s]", d.Kind)
	}
	if title != d.File && d.File != "" {
		fmt.Fprintf(&b, ", %s", d.File)
	}
	if loc := p.Locator.String(); loc != "" {
		fmt.Fprintf(&b, ", %s", loc)
	}
	if d.URL != "" {
		fmt.Fprintf(&b, ", %s", d.URL)
	}
	return b.String()
}
