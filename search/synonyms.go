package search

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"gopkg.in/yaml.v3"

	"github.com/evident/evident/configs"
)

// Synonyms are the topics of configs/synonyms.yaml: general business
// topics with the words the material uses for them. A query word that
// names a topic or is one of its words also matches the topic's other
// words; a passage that speaks of topics has substance. Immutable and safe
// to share.
type Synonyms struct {
	topics []Topic
	byWord map[string][]int  // a topic's name or entry, lower case and singular → topics
	forms  map[string]string // forms of every one-word entry and topic name → its stem
}

// Topic is one topic and its words, as the file spells them.
type Topic struct {
	Name  string
	Words []string
}

// DefaultSynonyms returns the built-in topics.
func DefaultSynonyms() *Synonyms {
	s, err := ParseSynonyms(configs.Synonyms())
	if err != nil {
		panic("search: built-in synonyms: " + err.Error())
	}
	return s
}

// LoadSynonyms reads a synonyms file.
func LoadSynonyms(path string) (*Synonyms, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	s, err := ParseSynonyms(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// ParseSynonyms reads a synonyms file: version 1 and topics, a mapping of
// topic names to lists of words and phrases. Errors name the line.
func ParseSynonyms(data []byte) (*Synonyms, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("synonyms: the file is empty; it needs version: 1 and topics")
		}
		return nil, fmt.Errorf("synonyms: %w", err)
	}
	doc := &root
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("synonyms: line %d: want version: 1 and topics", doc.Line)
	}
	s := &Synonyms{byWord: map[string][]int{}, forms: map[string]string{}}
	var version int
	var topics *yaml.Node
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		switch k.Value {
		case "version":
			if err := v.Decode(&version); err != nil {
				return nil, fmt.Errorf("synonyms: line %d: version: %w", v.Line, err)
			}
		case "topics":
			topics = v
		default:
			return nil, fmt.Errorf("synonyms: line %d: unknown key %q (the file has version and topics)", k.Line, k.Value)
		}
	}
	if version != 1 {
		return nil, fmt.Errorf("synonyms: version %d is not supported (want 1)", version)
	}
	if topics == nil || topics.Kind != yaml.MappingNode {
		return nil, errors.New("synonyms: topics must map each topic's name to its words (pricing: [price, cost])")
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(topics.Content); i += 2 {
		k, v := topics.Content[i], topics.Content[i+1]
		name := strings.TrimSpace(k.Value)
		if name == "" || k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("synonyms: line %d: a topic needs a name", k.Line)
		}
		if at, dup := seen[strings.ToLower(name)]; dup {
			return nil, fmt.Errorf("synonyms: line %d: topic %q is already given on line %d", k.Line, name, at)
		}
		seen[strings.ToLower(name)] = k.Line
		var words []string
		if err := v.Decode(&words); err != nil {
			return nil, fmt.Errorf("synonyms: line %d: topic %s: want a list of words: %w", v.Line, name, err)
		}
		t := Topic{Name: name}
		for _, w := range words {
			if w = strings.Join(strings.Fields(w), " "); w != "" && !slices.ContainsFunc(t.Words, func(o string) bool { return strings.EqualFold(o, w) }) {
				t.Words = append(t.Words, w)
			}
		}
		if len(t.Words) == 0 {
			return nil, fmt.Errorf("synonyms: line %d: topic %s has no words", v.Line, name)
		}
		idx := len(s.topics)
		s.topics = append(s.topics, t)
		for _, w := range append([]string{name}, t.Words...) {
			key := wordKey(w)
			if !slices.Contains(s.byWord[key], idx) {
				s.byWord[key] = append(s.byWord[key], idx)
			}
			if ws := words1(w); len(ws) == 1 {
				st := Stem(ws[0])
				for _, f := range forms(ws[0]) {
					if _, ok := s.forms[f]; !ok {
						s.forms[f] = st
					}
				}
			}
		}
	}
	if len(s.topics) == 0 {
		return nil, errors.New("synonyms: no topics")
	}
	return s, nil
}

// Topics lists the topics in the file's order.
func (s *Synonyms) Topics() []Topic { return s.topics }

// Expand returns the topics a query word belongs to and the other words
// it also matches, in the file's order; none for a word of no topic. The
// word must be the topic's name or one of its words as written, case and
// a plural s aside: "costs" is pricing's, "developed" is not "developer".
func (s *Synonyms) Expand(word string) (topics []string, also []string) {
	if s == nil {
		return nil, nil
	}
	key := wordKey(word)
	for _, i := range s.byWord[key] {
		t := s.topics[i]
		topics = append(topics, t.Name)
		for _, w := range append([]string{t.Name}, t.Words...) {
			if wordKey(w) == key {
				continue // the word itself
			}
			if !slices.ContainsFunc(also, func(o string) bool { return strings.EqualFold(o, w) }) {
				also = append(also, w)
			}
		}
	}
	return topics, also
}

// wordKey is a word or phrase as Expand compares it: lower case, spaces
// collapsed, a final plural s taken off ("costs" is "cost", "business"
// stays).
func wordKey(w string) string {
	w = strings.ToLower(strings.Join(strings.Fields(w), " "))
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") {
		w = strings.TrimSuffix(w, "s")
	}
	return w
}

// TopicWords counts the distinct topic words a text uses (a word and its
// forms count once): how much it speaks of work rather than small talk.
// It looks words up among the forms of the topics' words made when the
// file was read, so it stems nothing itself.
func (s *Synonyms) TopicWords(text string) int {
	return s.topicWords(words1(text))
}

func (s *Synonyms) topicWords(words []string) int {
	if s == nil {
		return 0
	}
	var seen []string
	for _, w := range words {
		if st, ok := s.forms[w]; ok && !slices.Contains(seen, st) {
			seen = append(seen, st)
		}
	}
	return len(seen)
}

// forms are a word and the forms its English endings give it: cost,
// costs, costed, costing; price, prices, priced, pricing.
func forms(w string) []string {
	out := []string{w}
	base := strings.TrimSuffix(w, "e")
	for _, end := range []string{"s", "es", "ed", "ing", "er", "ers", "ly"} {
		out = append(out, w+end, base+end)
	}
	if y, ok := strings.CutSuffix(w, "y"); ok {
		out = append(out, y+"ies", y+"ied")
	}
	if ies, ok := strings.CutSuffix(w, "ies"); ok {
		out = append(out, ies+"y")
	}
	if sing, ok := strings.CutSuffix(w, "s"); ok && len(sing) > 2 {
		out = append(out, sing)
	}
	return out
}

// Stem is the Snowball English stem of a lower-case word, the way the
// index folds word endings.
func Stem(w string) string {
	env := snowballstem.NewEnv(w)
	english.Stem(env)
	return env.Current()
}

// words1 splits text into lower-case words (letters and digits, with
// inner apostrophes dropped: "don't" is "dont").
func words1(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range text {
		switch {
		case r == '\'' || r == '’':
			// dropped: the word goes on
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}
