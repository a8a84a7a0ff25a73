package search

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSynonyms(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string // a substring; "" means it parses
	}{
		{name: "one topic", in: "version: 1\ntopics:\n  pricing: [price, cost]\n"},
		{name: "phrases", in: "version: 1\ntopics:\n  pricing: [per seat, \"value for money\"]\n"},
		{name: "empty", in: "", wantErr: "empty"},
		{name: "no version", in: "topics:\n  pricing: [price]\n", wantErr: "version 0"},
		{name: "version 2", in: "version: 2\ntopics:\n  pricing: [price]\n", wantErr: "version 2"},
		{name: "unknown key", in: "version: 1\ntopic:\n  pricing: [price]\n", wantErr: `line 2: unknown key "topic"`},
		{name: "no topics", in: "version: 1\n", wantErr: "topics must map"},
		{name: "topics as a list", in: "version: 1\ntopics: [pricing]\n", wantErr: "topics must map"},
		{name: "words not a list", in: "version: 1\ntopics:\n  pricing: {price: 1}\n", wantErr: "line 3: topic pricing: want a list"},
		{name: "no words", in: "version: 1\ntopics:\n  pricing: []\n", wantErr: "line 3: topic pricing has no words"},
		{name: "a topic twice", in: "version: 1\ntopics:\n  pricing: [price]\n  Pricing: [cost]\n", wantErr: `line 4: topic "Pricing" is already given on line 3`},
		{name: "broken YAML", in: "version: 1\ntopics:\n  pricing: [price\n", wantErr: "synonyms: yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSynonyms([]byte(tt.in))
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("ParseSynonyms error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestSynonymsExpand(t *testing.T) {
	builtin := DefaultSynonyms()
	team, err := LoadSynonyms("testdata/synonyms-team.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		syn    *Synonyms
		word   string
		topics []string
		also   []string // must be among the words it also matches
		not    []string // must not be
	}{
		{builtin, "pricing", []string{"pricing"}, []string{"price", "cost", "expensive", "justify the cost"}, []string{"pricing"}},
		{builtin, "Costs", []string{"pricing"}, []string{"pricing", "expensive"}, []string{"costs"}},
		{builtin, "hiring", []string{"hiring"}, []string{"recruiting", "headcount"}, nil},
		{builtin, "SOC", nil, nil, nil}, // only "SOC 2", as a phrase
		{builtin, "weekend", nil, nil, nil},
		{team, "trucks", []string{"dispatch"}, []string{"dispatch", "routing", "last mile"}, []string{"truck"}},
		{team, "pricing", []string{"pricing"}, []string{"per seat"}, []string{"budget"}},
		{nil, "pricing", nil, nil, nil},
	}
	for _, tt := range tests {
		topics, also := tt.syn.Expand(tt.word)
		if !slices.Equal(topics, tt.topics) {
			t.Errorf("Expand(%q) topics %v, want %v", tt.word, topics, tt.topics)
		}
		for _, w := range tt.also {
			if !slices.Contains(also, w) {
				t.Errorf("Expand(%q) = %v, lacks %q", tt.word, also, w)
			}
		}
		for _, w := range tt.not {
			if slices.Contains(also, w) {
				t.Errorf("Expand(%q) = %v, has %q", tt.word, also, w)
			}
		}
	}
}

func TestTopicWords(t *testing.T) {
	syn := DefaultSynonyms()
	for _, tt := range []struct {
		text string
		want int
	}{
		{"I decided I actually really wanted a couch, so I went and bought a couch.", 0},
		{"The licence is so expensive that we can't justify the cost to the board.", 4}, // licence, expensive, cost, board
		{"Costs, costing, cost: one word.", 1},
		{"We ship code to the cloud and our engineers deploy twice a day.", 4},
		{"", 0},
	} {
		if got := syn.TopicWords(tt.text); got != tt.want {
			t.Errorf("TopicWords(%q) = %d, want %d", tt.text, got, tt.want)
		}
	}
}
