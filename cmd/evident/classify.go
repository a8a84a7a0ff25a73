package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/evident/evident"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/ingest"
)

// classifyInput is one line of `evident classify`'s input.
type classifyInput struct {
	ID          string `json:"id"`
	Text        string `json:"text"`
	Speaker     string `json:"speaker"`
	Role        string `json:"role"`
	Interviewer bool   `json:"interviewer"`
	Context     string `json:"context"`
}

// classifyOutput is one line of its output.
type classifyOutput struct {
	ID         string             `json:"id"`
	Categories []string           `json:"categories"`
	Scores     map[string]float64 `json:"scores"`
	Matches    []evident.Match    `json:"matches"`
}

func (a *app) classifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "classify [--rules FILE]",
		Short: "Tag JSON lines from stdin with the rules, explaining each tag",
		Long: `classify is a filter: it reads JSON lines {"id","text"} (optionally "speaker",
"role", "interviewer", "context") on stdin and writes one JSON line per input:
{"id","categories","scores","matches":[{"category","rule","text"}]}. It uses
the same rules and code as ingestion. A line that is not valid JSON is
reported on stderr with its number, and the exit status is then 1.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules, err := engine.LoadRules(a.rules, a.data)
			if err != nil {
				return err
			}
			sc := bufio.NewScanner(a.stdin)
			sc.Buffer(make([]byte, 64<<10), 64<<20)
			out := bufio.NewWriter(a.stdout)
			defer out.Flush()
			enc := json.NewEncoder(out)
			bad := 0
			for n := 1; sc.Scan(); n++ {
				line := strings.TrimSpace(sc.Text())
				if line == "" {
					continue
				}
				var in classifyInput
				if err := json.Unmarshal([]byte(line), &in); err != nil {
					fmt.Fprintf(a.stderr, "evident: stdin line %d: %v\n", n, err)
					bad++
					continue
				}
				p := evident.Passage{Text: in.Text, Speaker: in.Speaker, Role: in.Role, Interviewer: in.Interviewer, Context: in.Context}
				ingest.Tag(rules, &p)
				matches := p.Matches
				if matches == nil {
					matches = []evident.Match{}
				}
				if err := enc.Encode(classifyOutput{ID: in.ID, Categories: p.Categories, Scores: p.Scores, Matches: matches}); err != nil {
					return err
				}
			}
			if err := sc.Err(); err != nil {
				return fmt.Errorf("reading stdin: %w", err)
			}
			if bad > 0 {
				return &exitError{code: 1, msg: fmt.Sprintf("%d input lines were not valid JSON", bad)}
			}
			return nil
		},
	}
}
