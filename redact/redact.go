// Package redact masks personal data in text before it is stored or
// indexed: e-mail addresses, phone numbers, payment card numbers (Luhn),
// national identity numbers (US SSN by its shape rules, UK National
// Insurance numbers, IBANs by their mod-97 check), IP addresses (v4 and
// v6) and the names a user lists. Each is replaced by a typed placeholder
// such as "[email]".
//
// Detectors look for the shapes these numbers really have, and check
// digits where the number has them, so that dates, times, timestamps,
// years, prices, percentages and version numbers survive.
package redact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The types of personal data, as they appear in placeholders and counts.
const (
	Email = "email"
	Phone = "phone"
	Card  = "card"
	ID    = "id"
	IP    = "ip"
	Name  = "name"
)

// Types lists the placeholder types in the order counts are shown.
var Types = []string{Email, Phone, Card, ID, IP, Name}

// A detector finds spans of one kind of personal data in a text.
type detector struct {
	name string // as configured: email, phone, card, ssn, nino, iban, ip, name
	typ  string // the placeholder type
	find func(text string) [][2]int
}

// detectors in priority order: where two overlap, the earlier one wins.
// E-mail addresses contain digits and dots; IBANs and cards are checked
// numbers, more certain than a phone number's shape.
var detectorNames = []string{"email", "iban", "card", "ssn", "nino", "ip", "phone", "name"}

func detectorOf(name string) (detector, bool) {
	switch name {
	case "email":
		return detector{name, Email, findEmails}, true
	case "iban":
		return detector{name, ID, findIBANs}, true
	case "card":
		return detector{name, Card, findCards}, true
	case "ssn":
		return detector{name, ID, findSSNs}, true
	case "nino":
		return detector{name, ID, findNINOs}, true
	case "ip":
		return detector{name, IP, findIPs}, true
	case "phone":
		return detector{name, Phone, findPhones}, true
	case "name":
		return detector{name, Name, nil}, true // the names come with each document
	}
	return detector{}, false
}

// Config is configs/redact.yaml: which detectors run and how a masked span
// reads.
type Config struct {
	// Enabled turns masking on; off, text is stored as extracted.
	Enabled bool `yaml:"enabled"`
	// Detectors lists the detectors that run: email, phone, card, ssn,
	// nino, iban, ip, name. Empty means all of them.
	Detectors []string `yaml:"detectors,omitempty"`
	// Placeholder is what replaces a masked span: {type} is the type in
	// lower case (email), {TYPE} in upper case (EMAIL), and {n} numbers
	// the distinct values of a type within a document (email-1, email-2).
	Placeholder string `yaml:"placeholder,omitempty"`
}

// DefaultPlaceholder reads "[email]", "[phone]"...
const DefaultPlaceholder = "[{type}]"

// Redactor masks personal data. It is safe for concurrent use.
type Redactor struct {
	enabled     bool
	detectors   []detector
	names       bool
	placeholder string
}

// Parse reads a redact.yaml. Unknown keys and detectors are refused so that
// a typo does not silently turn a detector off.
func Parse(data []byte) (*Redactor, error) {
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return New(c)
}

// New builds a redactor from a configuration.
func New(c Config) (*Redactor, error) {
	r := &Redactor{enabled: c.Enabled, placeholder: c.Placeholder}
	if r.placeholder == "" {
		r.placeholder = DefaultPlaceholder
	}
	if !strings.Contains(r.placeholder, "{type}") && !strings.Contains(r.placeholder, "{TYPE}") && strings.Contains(r.placeholder, "{n}") {
		return nil, fmt.Errorf("redact: placeholder %q numbers values without saying their type; add {type}", r.placeholder)
	}
	want := c.Detectors
	if len(want) == 0 {
		want = detectorNames
	}
	on := map[string]bool{}
	for _, name := range want {
		name = strings.ToLower(strings.TrimSpace(name))
		if _, ok := detectorOf(name); !ok {
			return nil, fmt.Errorf("redact: detectors: %q is not one of %s", name, strings.Join(detectorNames, ", "))
		}
		on[name] = true
	}
	for _, name := range detectorNames {
		if !on[name] {
			continue
		}
		d, _ := detectorOf(name)
		if d.find == nil {
			r.names = true
			continue
		}
		r.detectors = append(r.detectors, d)
	}
	return r, nil
}

// Off is a redactor that masks nothing.
func Off() *Redactor { return &Redactor{placeholder: DefaultPlaceholder} }

// Enabled reports whether the redactor masks anything.
func (r *Redactor) Enabled() bool { return r != nil && r.enabled }

// Counts says how many spans of each type were masked.
type Counts map[string]int

// String reads "2 email, 1 phone", in the order of Types, then any other
// type by name.
func (c Counts) String() string {
	var parts []string
	for _, t := range Types {
		if c[t] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c[t], t))
		}
	}
	var other []string
	for t, n := range c {
		if n > 0 && !slices.Contains(Types, t) {
			other = append(other, fmt.Sprintf("%d %s", n, t))
		}
	}
	sort.Strings(other)
	return strings.Join(append(parts, other...), ", ")
}

// Add adds o's counts to c.
func (c Counts) Add(o Counts) {
	for k, v := range o {
		c[k] += v
	}
}

// Document masks the texts of one document: placeholders numbered with
// {n} stay the same for the same value throughout it, and the counts add
// up. names are the names the user asked to mask in it (the sidecar's
// redact: list). A Document is not safe for concurrent use.
type Document struct {
	r      *Redactor
	names  *nameMatcher
	seen   map[string]map[string]int // type → value → number
	Counts Counts
}

// Document starts masking one document.
func (r *Redactor) Document(names []string) *Document {
	d := &Document{r: r, seen: map[string]map[string]int{}, Counts: Counts{}}
	if r.Enabled() && r.names {
		d.names = newNameMatcher(names)
	}
	return d
}

// Span is one masked stretch of a text.
type Span struct {
	Start, End int // byte offsets in the original text
	Type       string
	Detector   string
}

// Find returns the spans the redactor would mask in text, in order, with
// names as the user's list. It masks nothing when disabled.
func (r *Redactor) Find(text string, names []string) []Span {
	return r.Document(names).find(text)
}

func (d *Document) find(text string) []Span {
	if !d.r.Enabled() || text == "" {
		return nil
	}
	var spans []Span
	taken := func(s, e int) bool {
		for _, sp := range spans {
			if s < sp.End && sp.Start < e {
				return true
			}
		}
		return false
	}
	add := func(name, typ string, found [][2]int) {
		for _, f := range found {
			if !taken(f[0], f[1]) {
				spans = append(spans, Span{f[0], f[1], typ, name})
			}
		}
	}
	for _, det := range d.r.detectors {
		add(det.name, det.typ, det.find(text))
	}
	if d.names != nil {
		add("name", Name, d.names.find(text))
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	return spans
}

// Mask returns text with its personal data replaced by placeholders, and
// counts what it masked.
func (d *Document) Mask(text string) string {
	// A value can hide another that touches it ("(200)200 0000" right
	// after a number): once the first is a placeholder the second shows,
	// so mask until nothing more is found.
	for range maxPasses {
		masked := d.maskOnce(text)
		if masked == text {
			break
		}
		text = masked
	}
	return text
}

// maxPasses bounds Mask's passes; each masks at least one more value.
const maxPasses = 4

func (d *Document) maskOnce(text string) string {
	spans := d.find(text)
	if len(spans) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for _, s := range spans {
		b.WriteString(text[last:s.Start])
		b.WriteString(d.placeholder(s.Type, text[s.Start:s.End]))
		d.Counts[s.Type]++
		last = s.End
	}
	b.WriteString(text[last:])
	return b.String()
}

// MaskName masks a whole value, such as a speaker's name, when it is one of
// the names to mask; it returns the value unchanged otherwise.
func (d *Document) MaskName(value string) string {
	if d.names == nil || value == "" {
		return value
	}
	found := d.names.find(value)
	if len(found) == 0 {
		return value
	}
	return d.Mask(value)
}

func (d *Document) placeholder(typ, value string) string {
	p := d.r.placeholder
	if strings.Contains(p, "{n}") {
		key := strings.ToLower(value)
		if typ != Email && typ != Name {
			key = digitsAndLetters(value)
		}
		m := d.seen[typ]
		if m == nil {
			m = map[string]int{}
			d.seen[typ] = m
		}
		n, ok := m[key]
		if !ok {
			n = len(m) + 1
			m[key] = n
		}
		p = strings.ReplaceAll(p, "{n}", strconv.Itoa(n))
	}
	p = strings.ReplaceAll(p, "{type}", typ)
	return strings.ReplaceAll(p, "{TYPE}", strings.ToUpper(typ))
}

func digitsAndLetters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
}

// nameMatcher finds listed names as whole words, ignoring case, and the
// parts of a listed full name ("Ravi Kumar": "Ravi", "Kumar") where they
// are written with a capital.
type nameMatcher struct {
	full  []string // lower case, longest first
	parts map[string]bool
}

func newNameMatcher(names []string) *nameMatcher {
	m := &nameMatcher{parts: map[string]bool{}}
	for _, n := range names {
		n = strings.Join(strings.Fields(n), " ")
		if utf8.RuneCountInString(n) < 2 {
			continue
		}
		m.full = append(m.full, strings.ToLower(n))
		if words := strings.Fields(n); len(words) > 1 {
			for _, w := range words {
				w = strings.Trim(w, ".,")
				if utf8.RuneCountInString(w) >= 3 {
					m.parts[w] = true
				}
			}
		}
	}
	if len(m.full) == 0 {
		return nil
	}
	sort.Slice(m.full, func(i, j int) bool { return len(m.full[i]) > len(m.full[j]) })
	return m
}

func (m *nameMatcher) find(text string) [][2]int {
	if m == nil {
		return nil
	}
	var out [][2]int
	lower := strings.ToLower(text)
	taken := func(s, e int) bool {
		for _, o := range out {
			if s < o[1] && o[0] < e {
				return true
			}
		}
		return false
	}
	for _, n := range m.full {
		// Lower-casing keeps byte offsets for the scripts names are written
		// in here; a text whose length changes is searched as written.
		index := strings.Index
		hay, needle := lower, n
		if len(lower) != len(text) {
			hay, index = text, indexFold
		}
		for off := 0; ; {
			i := index(hay[off:], needle)
			if i < 0 {
				break
			}
			s, e := off+i, off+i+len(needle)
			if wordEdge(text, s, e) && !taken(s, e) {
				out = append(out, [2]int{s, e})
			}
			off = s + max(1, len(needle))
		}
	}
	if len(m.parts) > 0 {
		for _, w := range words(text) {
			if m.parts[text[w[0]:w[1]]] && !taken(w[0], w[1]) {
				out = append(out, w)
			}
		}
	}
	return out
}

func indexFold(hay, needle string) int {
	// Mixed-width case folding, or bytes that are not UTF-8: slow but
	// rare. (strings.Index first would find an exact match past an
	// earlier folded one.)
	for i := range hay {
		if len(hay)-i >= len(needle) && strings.EqualFold(hay[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// words returns the spans of the letter runs of text (apostrophes end a
// word, so "Ravi's" holds the word "Ravi").
func words(text string) [][2]int {
	var out [][2]int
	start := -1
	for i, r := range text {
		if unicode.IsLetter(r) || r == '-' && start >= 0 {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, [2]int{start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(text)})
	}
	return out
}

// wordEdge reports whether text[s:e] starts and ends at word boundaries.
func wordEdge(text string, s, e int) bool {
	if s > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:s])
		if isWordRune(r) {
			return false
		}
	}
	if e < len(text) {
		r, _ := utf8.DecodeRuneInString(text[e:])
		if isWordRune(r) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// Names returns the user's list without blanks and repeats, in order.
func Names(list []string) []string {
	var out []string
	for _, n := range list {
		n = strings.Join(strings.Fields(n), " ")
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
