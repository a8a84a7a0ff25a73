// Package configs embeds the default configuration files, so that the one
// binary runs with no files beside it. A team edits the YAML and points
// --rules (or --roles) at its copy.
package configs

import "embed"

//go:embed *.yaml
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

// Roles returns the default role taxonomy, configs/roles.yaml.
func Roles() []byte { return mustRead("roles.yaml") }
