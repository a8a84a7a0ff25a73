package engine

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/internal/golden"
)

// Readers of the built-in rules take the categories from
// configs/rules-words.json; it must say what configs/rules.yaml says.
// `go test ./engine -run TestBuiltinRuleWords -update` rewrites it.
func TestBuiltinRuleWords(t *testing.T) {
	f, err := classify.Decode(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	type category struct {
		Name     string   `json:"name"`
		Question string   `json:"question,omitempty"`
		Words    []string `json:"words,omitempty"`
	}
	var cats []category
	for _, c := range f.Categories {
		cats = append(cats, category{c.Name, c.Question, c.Words})
	}
	b, err := json.MarshalIndent(cats, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := golden.Check("../configs/rules-words.json", append(b, '\n'), *golden.Update); err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		return // the binary embeds the file as it was
	}
	words, err := builtinWords()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(words.QueryWords(), f.QueryWords()) || !reflect.DeepEqual(words.CategoryNames(), f.CategoryNames()) {
		t.Errorf("the words read from rules-words.json differ from rules.yaml's")
	}
	for i := range min(len(f.Categories), len(words.Categories)) {
		if words.Categories[i].Question != f.Categories[i].Question {
			t.Errorf("%s: question %q, rules.yaml says %q", f.Categories[i].Name, words.Categories[i].Question, f.Categories[i].Question)
		}
	}
}

// The built-in rules compile from configs/rules.json, which must decode
// to what configs/rules.yaml does.
// `go test ./engine -run TestBuiltinRules -update` rewrites it.
func TestBuiltinRules(t *testing.T) {
	f, err := classify.Decode(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := golden.Check("../configs/rules.json", append(b, '\n'), *golden.Update); err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		return
	}
	var back classify.File
	if err := json.Unmarshal(configs.RulesJSON(), &back); err != nil {
		t.Fatal(err)
	}
	if again, err := json.Marshal(&back); err != nil || !bytes.Equal(again, b) {
		t.Errorf("rules.json does not decode to what it says (%v)", err)
	}
	fromJSON, err := ParseRules(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := classify.Parse(configs.Rules())
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []classify.Input{
		{Text: "I keep hearing from peers that the close takes too long, and it frustrates me."},
		{Text: "We switched to rolling forecasts last year; the board loves the dashboards."},
		{Text: "Manual reconciliations, every month.", Context: "What is the most frustrating part of your week?"},
		{Text: "My manager says approvals wait a week. I wish it were automatic.", Interviewer: true},
	} {
		a, b := fromJSON.Classify(in), fromYAML.Classify(in)
		if !reflect.DeepEqual(a, b) || len(a.Matches) == 0 && !in.Interviewer {
			t.Errorf("%+v: from rules.json %+v, from rules.yaml %+v", in, a, b)
		}
	}
}
