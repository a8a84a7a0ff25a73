package main

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/search"
)

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Check and measure classification rules",
		Long: `rules checks a rules file and measures it against labelled passages, so a
team can improve its own rules. The rules in force are --rules, else
<data>/rules.yaml, else the built-in configs/rules.yaml.`,
	}
	cmd.AddCommand(a.rulesCheckCmd(), a.rulesEvalCmd())
	return cmd
}

func (a *app) rulesCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check [FILE]",
		Short: "Validate a rules file: errors name the line and the reason",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path := a.rules
			if len(args) == 1 {
				path = args[0]
			}
			c, err := engine.LoadRules(path, a.data)
			if err != nil {
				return err
			}
			n := 0
			for _, cat := range c.Rules().Categories {
				n += len(cat.Rules)
			}
			fmt.Fprintf(a.stdout, "rules are valid: %d categories (%s), %d rules\n", len(c.Categories()), strings.Join(c.Categories(), ", "), n)
			return nil
		},
	}
}

func (a *app) rulesEvalCmd() *cobra.Command {
	var asJSON bool
	var errorsShown int
	cmd := &cobra.Command{
		Use:   "eval GOLD.jsonl",
		Short: "Precision, recall and F1 per category, per-rule accuracy, and the passages the rules get wrong",
		Long: `eval classifies labelled passages (JSON lines with "id", "text", "labels" and
optionally "speaker", "interviewer" and "question") with the rules in force,
through the same code as ingestion, and reports:

  - per category: support, precision, recall and F1, and the macro-F1;
  - per rule: how often it fired, its accuracy (share of its firings whose
    gold labels include its category), how often it was the only rule of its
    category, and which rules of the same category it overlaps with;
  - conflicts: rules of a category the gold lacks that fire together with a
    rule of a category it has;
  - the passages the rules get wrong, with the words that fired.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rules, err := engine.LoadRules(a.rules, a.data)
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			gold, err := classify.ReadGold(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			rep := classify.Evaluate(rules.Categories(), gold, func(g classify.Gold) classify.Result {
				p := evident.Passage{Text: g.Text, Speaker: g.Speaker, Interviewer: g.Interviewer, Context: g.Question}
				ingest.Tag(rules, &p)
				return classify.Result{Categories: p.Categories, Scores: p.Scores, Matches: p.Tags}
			})
			if asJSON {
				return writeJSON(a.stdout, rep)
			}
			printReport(a, rep, errorsShown)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the whole report as JSON")
	cmd.Flags().IntVar(&errorsShown, "errors", 20, "how many wrongly tagged passages to show")
	return cmd
}

func printReport(a *app, rep classify.Report, errorsShown int) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CATEGORY\tSUPPORT\tPREDICTED\tPRECISION\tRECALL\tF1\t")
	for _, c := range rep.Categories {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t\n", c.Category, c.Support, c.Predicted, c.Precision, c.Recall, c.F1)
	}
	fmt.Fprintf(tw, "macro-F1\t\t\t\t\t%.3f\t\n", rep.MacroF1)
	tw.Flush()
	fmt.Fprintf(a.stdout, "%d passages", rep.Passages)
	if len(rep.Unknown) > 0 {
		var ls []string
		for l, n := range rep.Unknown {
			ls = append(ls, fmt.Sprintf("%s ×%d", l, n))
		}
		sort.Strings(ls)
		fmt.Fprintf(a.stdout, "; gold labels the rules have no category for: %s", strings.Join(ls, ", "))
	}
	fmt.Fprintln(a.stdout)

	fmt.Fprintln(a.stdout, "\nRules (accuracy: share of firings whose gold labels include the rule's category):")
	tw = tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tCATEGORY\tFIRED\tACCURACY\tALONE\tOVERLAPS")
	for _, r := range rep.Rules {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.2f\t%d\t%s\n", r.Rule, r.Category, r.Fired, r.Accuracy, r.Alone, topOverlaps(r.Overlaps, 3))
	}
	tw.Flush()

	if len(rep.Conflicts) > 0 {
		fmt.Fprintln(a.stdout, "\nConflicts (the first rule's category is in the gold labels, the second's is not):")
		for i, c := range rep.Conflicts {
			if i == 10 {
				break
			}
			fmt.Fprintf(a.stdout, "  %s with %s: %d passages\n", c.Right, c.Wrong, c.Passages)
		}
	}
	if len(rep.Errors) > 0 && errorsShown > 0 {
		fmt.Fprintf(a.stdout, "\nWrongly tagged passages (%d of %d shown):\n", min(errorsShown, len(rep.Errors)), len(rep.Errors))
		for i, e := range rep.Errors {
			if i == errorsShown {
				break
			}
			fmt.Fprintf(a.stdout, "\n%s  gold [%s]  predicted [%s]", e.ID, strings.Join(e.Gold, " "), strings.Join(e.Predicted, " "))
			if len(e.Missed) > 0 {
				fmt.Fprintf(a.stdout, "  missed %s", strings.Join(e.Missed, " "))
			}
			if len(e.Spurious) > 0 {
				fmt.Fprintf(a.stdout, "  spurious %s", strings.Join(e.Spurious, " "))
			}
			fmt.Fprintf(a.stdout, "\n  %s\n", quote(e.Text))
			for _, m := range e.Matches {
				fmt.Fprintf(a.stdout, "  fired: %s\n", m)
			}
		}
	}
}

func topOverlaps(m map[string]int, n int) string {
	var out []string
	for i, k := range search.SortedKeys(m) {
		if i == n {
			break
		}
		out = append(out, fmt.Sprintf("%s ×%d", k, m[k]))
	}
	return strings.Join(out, ", ")
}

func (a *app) reclassifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reclassify",
		Short: "Apply the current rules to every stored passage, without extracting again",
		Long: `reclassify reloads the rules (--rules, else <data>/rules.yaml, else the
built-in rules) and tags every stored passage again, then updates the index.
Rules that do not compile are refused with the line and the reason, and the
rules in force stay. With a server running, the server does it, and its
workers (and evident worker processes) use the new rules from then on.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				res, err := b.Reclassify(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "reclassified %d passages; %d changed categories\n", res.Passages, res.Changed)
				return nil
			})
		},
	}
}
