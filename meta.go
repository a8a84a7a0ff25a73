package evident

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// Meta is what a user says about a document: a sidecar file named after it
// plus ".meta.yaml", or YAML front matter at the top of a text file. Every
// key is optional, and a key Evident does not know is kept as an attribute
// of the document (company, industry, segment, note…), never refused.
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
	// Attrs are the other keys, as text: attributes of the document.
	Attrs map[string]string `yaml:"-" json:"attributes,omitempty"`
}

// SpeakerMeta is what a user says about one speaker. Keys other than
// these are kept as attributes of the speaker.
type SpeakerMeta struct {
	Role        string            `yaml:"role,omitempty" json:"role,omitempty"`
	Title       string            `yaml:"title,omitempty" json:"title,omitempty"`
	Company     string            `yaml:"company,omitempty" json:"company,omitempty"`
	Interviewer bool              `yaml:"interviewer,omitempty" json:"interviewer,omitempty"`
	Attrs       map[string]string `yaml:"-" json:"attributes,omitempty"`
}

// SidecarSuffix names a metadata file: interview-3.txt.meta.yaml.
const SidecarSuffix = ".meta.yaml"

var kinds = []Kind{Interview, Survey, Podcast, Article, Report, Notes}

// ParseMeta reads sidecar YAML. Known keys are read strictly (kind must be
// one of the kinds, speakers a mapping of names); any other key becomes an
// attribute, so that a sidecar written for another tool, or with a key
// Evident does not know, still works and `evident show` lists what it
// kept. Malformed YAML fails with its line.
func ParseMeta(data []byte) (Meta, error) {
	var m Meta
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil && !errors.Is(err, io.EOF) {
		return Meta{}, fmt.Errorf("metadata: %w", err)
	}
	if m.Kind != "" && !slices.Contains(kinds, Kind(strings.ToLower(string(m.Kind)))) {
		return Meta{}, fmt.Errorf("metadata: kind %q is not one of interview, survey, podcast, article, report, notes", m.Kind)
	}
	m.Kind = Kind(strings.ToLower(string(m.Kind)))
	return m, nil
}

// UnmarshalYAML reads the known keys into their fields and keeps every
// other key as an attribute.
func (m *Meta) UnmarshalYAML(n *yaml.Node) error {
	var out Meta
	err := eachKey(n, "metadata", func(key string, k, v *yaml.Node) error {
		var dst any
		switch strings.ToLower(key) {
		case "title":
			dst = &out.Title
		case "kind":
			dst = &out.Kind
		case "url":
			dst = &out.URL
		case "author":
			dst = &out.Author
		case "date":
			dst = &out.Date
		case "role":
			dst = &out.Role
		case "password":
			dst = &out.Password
		case "redact":
			dst = &out.Redact
		case "speakers":
			if isNull(v) {
				return nil
			}
			if v.Kind != yaml.MappingNode {
				return fmt.Errorf("line %d: speakers must map each speaker's name to what is known of them (Jane Doe: {role: cfo})", v.Line)
			}
			out.Speakers = map[string]SpeakerMeta{}
			return eachKey(v, "speakers", func(name string, _, sv *yaml.Node) error {
				var sm SpeakerMeta
				if !isNull(sv) {
					if err := sv.Decode(&sm); err != nil {
						return err
					}
				}
				out.Speakers[name] = sm
				return nil
			})
		default:
			setAttr(&out.Attrs, key, v)
			return nil
		}
		if isNull(v) {
			return nil
		}
		return v.Decode(dst)
	})
	if err != nil {
		return err
	}
	*m = out
	return nil
}

// UnmarshalYAML reads a speaker's entry: role, title, company and
// interviewer, and any other key as an attribute of the speaker.
func (s *SpeakerMeta) UnmarshalYAML(n *yaml.Node) error {
	var out SpeakerMeta
	err := eachKey(n, "speaker", func(key string, k, v *yaml.Node) error {
		var dst any
		switch strings.ToLower(key) {
		case "role":
			dst = &out.Role
		case "title":
			dst = &out.Title
		case "company":
			dst = &out.Company
		case "interviewer":
			dst = &out.Interviewer
		default:
			setAttr(&out.Attrs, key, v)
			return nil
		}
		if isNull(v) {
			return nil
		}
		return v.Decode(dst)
	})
	if err != nil {
		return err
	}
	*s = out
	return nil
}

// eachKey calls fn for each key of a mapping node, in order. A key given
// twice is refused: which one was meant cannot be known.
func eachKey(n *yaml.Node, what string, fn func(key string, k, v *yaml.Node) error) error {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: %s must be keys with values (key: value), not %s", n.Line, what, describeNode(n))
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.AliasNode && k.Alias != nil {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a key of %s must be a word, not %s", k.Line, what, describeNode(k))
		}
		key := strings.TrimSpace(k.Value)
		if key == "<<" {
			return fmt.Errorf("line %d: %s: merge keys (<<) are not supported", k.Line, what)
		}
		if at, dup := seen[strings.ToLower(key)]; dup {
			return fmt.Errorf("line %d: %s: key %q is already given on line %d", k.Line, what, key, at)
		}
		seen[strings.ToLower(key)] = k.Line
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		if err := fn(key, k, v); err != nil {
			return err
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	return fmt.Sprintf("%q", n.Value)
}

// maxAttr bounds an attribute's value: attributes are labels to filter
// and group by, not documents.
const maxAttr = 500

// setAttr keeps an unknown key's value as text: a scalar as written, a
// list of scalars joined with commas, anything else as one line of YAML.
// An empty value is left out.
func setAttr(attrs *map[string]string, key string, v *yaml.Node) {
	text := attrText(v)
	if text == "" || key == "" {
		return
	}
	if r := []rune(text); len(r) > maxAttr {
		text = string(r[:maxAttr]) + "…"
	}
	if *attrs == nil {
		*attrs = map[string]string{}
	}
	(*attrs)[key] = text
}

func attrText(v *yaml.Node) string {
	if v.Kind == yaml.AliasNode && v.Alias != nil && v.Alias.Kind == yaml.ScalarNode {
		v = v.Alias
	}
	switch {
	case isNull(v):
		return ""
	case v.Kind == yaml.ScalarNode:
		return strings.Join(strings.Fields(v.Value), " ")
	case v.Kind == yaml.SequenceNode:
		var items []string
		for _, item := range v.Content {
			if item.Kind == yaml.AliasNode && item.Alias != nil {
				item = item.Alias
			}
			if item.Kind != yaml.ScalarNode {
				items = nil
				break
			}
			if t := strings.Join(strings.Fields(item.Value), " "); t != "" {
				items = append(items, t)
			}
		}
		if items != nil || len(v.Content) == 0 {
			return strings.Join(items, ", ")
		}
	}
	flow := *v
	flow.Style = yaml.FlowStyle
	b, err := yaml.Marshal(&flow)
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(b)), " ")
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
	if len(o.Attrs) > 0 {
		attrs := make(map[string]string, len(m.Attrs)+len(o.Attrs))
		maps.Copy(attrs, m.Attrs)
		maps.Copy(attrs, o.Attrs)
		m.Attrs = attrs
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
		m.Role == "" && len(m.Speakers) == 0 && m.Password == "" && len(m.Redact) == 0 && len(m.Attrs) == 0
}
