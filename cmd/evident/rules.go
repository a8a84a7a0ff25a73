package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
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
	cmd.AddCommand(a.rulesCheckCmd(), a.rulesEvalCmd(), a.rulesLearnCmd())
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
	var errorsShown, folds int
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
  - the passages the rules get wrong, with the words that fired.

With --folds K it measures learning instead: the passages are split into K
folds by source document, rules are learned (as "rules learn" does) on K-1
folds and scored on the documents of the fold left out, and the scores of all
folds are pooled. That is what the learned rules can be expected to score on
documents nobody labelled, where eval without --folds on the training file
shows how well they fit it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rules, gold, err := a.rulesAndGold(args[0])
			if err != nil {
				return err
			}
			if folds > 1 {
				learned, err := classify.Learn(cmd.Context(), rules.Rules(), gold, classify.LearnOptions{Folds: folds})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, learned.CV)
				}
				fmt.Fprintf(a.stdout, "Cross-validated over %d folds (rules re-learned on each fold's training part, scored on the documents it held out):\n", folds)
				printScores(a, *learned.CV)
				return nil
			}
			rep := classify.Evaluate(rules.Categories(), gold, func(g classify.Gold) classify.Result {
				p := evident.Passage{Text: g.Text, Speaker: g.Speaker, Interviewer: g.Interviewer, Context: g.Question}
				ingest.Tag(rules, &p)
				return classify.Result{Categories: p.Categories, Scores: p.Scores, Matches: p.Matches}
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
	cmd.Flags().IntVar(&folds, "folds", 0, "measure rules learned from the file by K-fold cross-validation, grouped by source document")
	return cmd
}

func (a *app) rulesLearnCmd() *cobra.Command {
	var out string
	var folds int
	var baseRules bool
	var alone float64
	cmd := &cobra.Command{
		Use:   "learn TRAIN.jsonl",
		Short: "Propose rules mined from labelled passages, each with its precision, support and held-out value",
		Long: `learn reads labelled passages (the shape of "rules eval") and proposes a
rules file learned from them:

  - candidate cues are the word n-grams (up to three words), word stems
    ("frustrat*"), pronoun frames ("{we} use", "{others} told") and, for
    survey answers, n-grams of the question (field: context) that occur in
    enough passages of enough source documents;
  - per category, cues that beat the category's base rate are weighed by an
    L1-penalised logistic regression with non-negative weights, and the
    weights are scaled so that the category fires when the weights of its
    fired rules add up to 1, at the score that maximised F1 on the data; a
    kept cue right at least --alone of the time is given weight 1, enough
    on its own;
  - each rule's note gives its precision and support on the data and, from
    K-fold cross-validation grouped by source document, the held-out F1 its
    category loses without it.

The sets, negation, skip settings, category questions and search words come
from the rules in force; their rules are candidates only with --base-rules.
Review the proposals, then copy them to <data>/rules.yaml (or pass --rules)
and run "evident reclassify".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rules, gold, err := a.rulesAndGold(args[0])
			if err != nil {
				return err
			}
			learned, err := classify.Learn(cmd.Context(), rules.Rules(), gold, classify.LearnOptions{Folds: folds, BaseRules: baseRules, Alone: alone})
			if err != nil {
				return err
			}
			header := fmt.Sprintf(`Evident classification rules, learned by "evident rules learn %s" from
%d labelled passages (%d candidate cues). Each rule's note gives its
precision and support on those passages and what its category loses,
held out, without it. Edit freely: "evident rules check" validates the
file and "evident rules eval GOLD.jsonl" measures it.
`, filepath.Base(args[0]), learned.Passages, learned.Candidates)
			data, err := classify.Marshal(learned.File, header+classify.Notation)
			if err != nil {
				return err
			}
			if out == "" || out == "-" {
				_, err = a.stdout.Write(data)
				return err
			}
			if err := os.WriteFile(out, data, 0o644); err != nil {
				return err
			}
			n := map[string]int{}
			for _, r := range learned.Rules {
				n[r.Category]++
			}
			fmt.Fprintf(a.stdout, "wrote %s: %d rules learned from %d passages\n", out, len(learned.Rules), learned.Passages)
			if learned.CV != nil {
				fmt.Fprintf(a.stdout, "\nCross-validated over %d folds (what to expect on new documents):\n", folds)
				printScores(a, *learned.CV)
			}
			fmt.Fprintln(a.stdout, "\nFit on the training file itself:")
			printScores(a, learned.Fit)
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the proposed rules file here (default: standard output)")
	cmd.Flags().IntVar(&folds, "folds", 5, "cross-validation folds, grouped by source document, for each rule's held-out value (1: none)")
	cmd.Flags().BoolVar(&baseRules, "base-rules", false, "let the rules in force compete as candidates too")
	cmd.Flags().Float64Var(&alone, "alone", 0.6, "precision at which a kept cue tags a passage by itself (weight raised to 1); 0 keeps the fitted weights")
	return cmd
}

// rulesAndGold loads the rules in force and a file of labelled passages.
func (a *app) rulesAndGold(path string) (*classify.Classifier, []classify.Gold, error) {
	rules, err := engine.LoadRules(a.rules, a.data)
	if err != nil {
		return nil, nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	gold, err := classify.ReadGold(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rules, gold, nil
}

// printScores prints the per-category table of a report.
func printScores(a *app, rep classify.Report) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "CATEGORY\tSUPPORT\tPREDICTED\tPRECISION\tRECALL\tF1\t")
	for _, c := range rep.Categories {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t\n", c.Category, c.Support, c.Predicted, c.Precision, c.Recall, c.F1)
	}
	fmt.Fprintf(tw, "macro-F1\t\t\t\t\t%.3f\t\n", rep.MacroF1)
	tw.Flush()
}

func printReport(a *app, rep classify.Report, errorsShown int) {
	printScores(a, rep)
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
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
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
			return a.with(ctx, false, func(b api.Service) error {
				res, err := b.Reclassify(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "reclassified %d passages; %d changed categories\n", res.Passages, res.Changed)
				return printRetagged(ctx, a, b)
			})
		},
	}
}

// printRetagged says, map by map, which cells hold quotes whose passages
// are now tagged otherwise: the quotes stay, and "map show" marks them.
func printRetagged(ctx context.Context, a *app, b api.Service) error {
	list, err := b.ListMaps(ctx)
	if err != nil {
		return err
	}
	for _, s := range list {
		m, err := b.GetMap(ctx, s.Name)
		if err != nil {
			return err
		}
		cells := m.RetaggedCells()
		if len(cells) == 0 {
			continue
		}
		var parts []string
		for _, c := range m.Cells {
			if n := cells[c.Category]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", c.Category, n))
			}
		}
		fmt.Fprintf(a.stdout, "map %s: quotes now tagged otherwise (they stay where they are; see evident map show %s): %s\n", oneLine(m.Name, 80), oneLine(m.Name, 80), strings.Join(parts, ", "))
	}
	return nil
}
