package evident

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Meta is what a user says about a document: a sidecar file named after it
// plus ".meta.yaml", or YAML front matter at the top of a text file. Every
// key is optional.
type Meta struct {
	Title    string                 `yaml:"title,omitempty" json:"title,omitempty"`
	Kind     Kind                   `yaml:"kind,omitempty" json:"kind,omitempty"`
	URL      string                 `yaml:"url,omitempty" json:"url,omitempty"`
	Author   string                 `yaml:"author,omitempty" json:"author,omitempty"`
	Date     string                 `yaml:"date,omitempty" json:"date,omitempty"`
	Role     string                 `yaml:"role,omitempty" json:"role,omitempty"`
	Speakers map[string]SpeakerMeta `yaml:"speakers,omitempty" json:"speakers,omitempty"`
	Password string                 `yaml:"password,omitempty" json:"password,omitempty"` // for an encrypted PDF
	// Redact lists names to mask in the document's text ("[name]"), with
	// the personal data package redact finds by itself.
	Redact []string `yaml:"redact,omitempty" json:"redact,omitempty"`
}

// SpeakerMeta is what a user says about one speaker.
type SpeakerMeta struct {
	Role        string `yaml:"role,omitempty" json:"role,omitempty"`
	Title       string `yaml:"title,omitempty" json:"title,omitempty"`
	Company     string `yaml:"company,omitempty" json:"company,omitempty"`
	Interviewer bool   `yaml:"interviewer,omitempty" json:"interviewer,omitempty"`
}

// SidecarSuffix names a metadata file: interview-3.txt.meta.yaml.
const SidecarSuffix = ".meta.yaml"

var kinds = []Kind{Interview, Survey, Podcast, Article, Report, Notes}

// ParseMeta reads sidecar YAML. Unknown keys are refused so that a typo
// ("speaker:" for "speakers:") does not silently do nothing.
func ParseMeta(data []byte) (Meta, error) {
	var m Meta
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return Meta{}, fmt.Errorf("metadata: %w", err)
	}
	if m.Kind != "" && !slices.Contains(kinds, Kind(strings.ToLower(string(m.Kind)))) {
		return Meta{}, fmt.Errorf("metadata: kind %q is not one of interview, survey, podcast, article, report, notes", m.Kind)
	}
	m.Kind = Kind(strings.ToLower(string(m.Kind)))
	return m, nil
}

// FrontMatter splits YAML front matter between "---" lines off the top of a
// text. It returns the text unchanged and ok=false when there is none, and
// the number of lines the front matter took so that line locators stay true.
func FrontMatter(text string) (meta Meta, body string, lines int, ok bool, err error) {
	if !strings.HasPrefix(text, "---\n") && !strings.HasPrefix(text, "---\r\n") {
		return Meta{}, text, 0, false, nil
	}
	rest := text[strings.IndexByte(text, '\n')+1:]
	end := -1
	for off := 0; off < len(rest); {
		nl := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if t := strings.TrimRight(line, "\r \t"); t == "---" || t == "..." {
			end = off
			break
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	if end < 0 {
		return Meta{}, text, 0, false, nil
	}
	m, err := ParseMeta([]byte(rest[:end]))
	if err != nil {
		return Meta{}, text, 0, false, fmt.Errorf("front matter: %w", err)
	}
	after := rest[end:]
	if nl := strings.IndexByte(after, '\n'); nl >= 0 {
		after = after[nl+1:]
	} else {
		after = ""
	}
	lines = strings.Count(text[:len(text)-len(after)], "\n")
	return m, after, lines, true, nil
}

// Merge lays o over m: o's non-empty fields win, speakers merge by name.
func (m Meta) Merge(o Meta) Meta {
	if o.Title != "" {
		m.Title = o.Title
	}
	if o.Kind != "" {
		m.Kind = o.Kind
	}
	if o.URL != "" {
		m.URL = o.URL
	}
	if o.Author != "" {
		m.Author = o.Author
	}
	if o.Date != "" {
		m.Date = o.Date
	}
	if o.Role != "" {
		m.Role = o.Role
	}
	if o.Password != "" {
		m.Password = o.Password
	}
	for _, n := range o.Redact {
		if !slices.Contains(m.Redact, n) {
			m.Redact = append(slices.Clip(m.Redact), n)
		}
	}
	if len(o.Speakers) > 0 {
		sp := make(map[string]SpeakerMeta, len(m.Speakers)+len(o.Speakers))
		for k, v := range m.Speakers {
			sp[k] = v
		}
		for k, v := range o.Speakers {
			sp[k] = v
		}
		m.Speakers = sp
	}
	return m
}

// IsZero reports whether the user said nothing.
func (m Meta) IsZero() bool {
	return m.Title == "" && m.Kind == "" && m.URL == "" && m.Author == "" && m.Date == "" &&
		m.Role == "" && len(m.Speakers) == 0 && m.Password == "" && len(m.Redact) == 0
}
