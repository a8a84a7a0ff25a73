// Package configs embeds the default configuration files, so that the one
// binary runs with no files beside it. A team edits the YAML and points
// --rules (or --roles) at its copy.
package configs

import "embed"

//go:embed *.yaml *.json
var files embed.FS

// Rules returns the default rules file, configs/rules.yaml.
func Rules() []byte { return mustRead("rules.yaml") }

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("configs: " + name + " missing from the binary: " + err.Error())
	}
	return b
}

// SeedRules returns configs/seed-rules.yaml: the hand-written rules and
// word classes that "evident rules learn --base-rules" rebuilt rules.yaml
// from. Tests of the rule engine's mechanics use it too.
func SeedRules() []byte { return mustRead("seed-rules.yaml") }

// Roles returns the default role taxonomy, configs/roles.yaml.
func Roles() []byte { return mustRead("roles.yaml") }

// Redact returns configs/redact.yaml: which personal data is masked
// before passages are stored and indexed, and how.
func Redact() []byte { return mustRead("redact.yaml") }

// Synonyms returns the default topic synonyms of search,
// configs/synonyms.yaml.
func Synonyms() []byte { return mustRead("synonyms.yaml") }

// RuleWords returns configs/rules-words.json: the categories of
// rules.yaml (name, question, the words that ask for them in a search)
// without their rules. Commands that only read take them from this small
// copy rather than decode the whole rules file; the engine's tests keep
// it equal to rules.yaml.
func RuleWords() []byte { return mustRead("rules-words.json") }

// RulesJSON returns configs/rules.json: rules.yaml decoded, as JSON, which
// decodes several times faster than the YAML. The engine compiles the
// built-in rules from it; its tests keep it equal to rules.yaml.
func RulesJSON() []byte { return mustRead("rules.json") }
