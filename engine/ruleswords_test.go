package engine

import (
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
