package main

import (
	"bytes"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/store"
)

func (a *app) tagCmd() *cobra.Command {
	var by string
	var accept, clear, asJSON bool
	cmd := &cobra.Command{
		Use:   "tag PASSAGE_ID [+CAT] [-CAT] [=CAT] [--accept] [--clear] [--by NAME] [--json]",
		Short: "Accept or correct a passage's tags; a person's tags outrank the rules",
		Long: `tag records a person's review of the categories of one passage (the ids
"evident search" prints):

  evident tag ID +GAINS -SAY   add GAINS, take SAY away (any case; CAT,CAT too)
  evident tag ID =PAINS =SAY   exactly PAINS and SAY
  evident tag ID --accept      the tags are right as they are
  evident tag ID --clear       forget the person's tags: the rules' stand again
                               (a bare "=" does the same)

The person's categories outrank the rules: "evident reclassify" and the same
file ingested again keep them. Where no rule gives a category, the passage
says who did ("why GAINS: tagged by dana on 2025-06-01"). Every review goes
into the review log ("evident review log"), and "evident review export"
writes the reviewed passages as labelled passages for "evident rules eval".`,
		// "-SAY" is a category to take away, not a flag: the arguments are
		// sorted out in RunE.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			var edits []string
			var rest []string
			for _, arg := range args {
				if isTagEdit(arg) {
					edits = append(edits, arg)
				} else {
					rest = append(rest, arg)
				}
			}
			cmd.DisableFlagParsing = false // for ParseFlags, which does nothing otherwise
			if err := cmd.ParseFlags(rest); err != nil {
				return err
			}
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			pos := cmd.Flags().Args()
			if len(pos) != 1 {
				return fmt.Errorf("give one PASSAGE_ID (the ids `evident search` prints), then +CAT, -CAT, =CAT, --accept or --clear; got %q", pos)
			}
			edit, err := tagEdit(edits)
			if err != nil {
				return err
			}
			edit.Accept, edit.Clear = accept, edit.Clear || clear
			ctx := cmd.Context()
			return a.with(ctx, false, func(b api.Service) error {
				res, err := b.Tag(ctx, pos[0], edit, by)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, res)
				}
				r := res.Review
				out := plain(a.stdout)
				fmt.Fprintf(out, "%s: %s → %s (%s by %s)\n", r.PassageID, categoryList(r.Before), categoryList(r.After), done(r.Action), r.Who)
				for _, why := range classify.Explain(res.Passage.Matches) {
					fmt.Fprintf(out, "   why %s\n", why)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&by, "by", defaultUser(), "who reviews, for the review log (default $USER)")
	cmd.Flags().BoolVar(&accept, "accept", false, "the passage's tags are right as they are")
	cmd.Flags().BoolVar(&clear, "clear", false, "forget the person's tags of the passage: the rules' stand again")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"review", "passage"} as JSON`)
	return cmd
}

// isTagEdit tells a category edit (+GAINS, -SAY, =PAINS, =) from a flag
// (-v, --by) or the passage id.
func isTagEdit(arg string) bool {
	switch {
	case arg == "=" || strings.HasPrefix(arg, "+") || strings.HasPrefix(arg, "="):
		return true
	case strings.HasPrefix(arg, "--"):
		return false
	case strings.HasPrefix(arg, "-"):
		return len(arg) > 2 // -v and -h are flags; -SAY is an edit
	}
	return false
}

// tagEdit reads the edits of `evident tag`: +CAT adds, -CAT takes away,
// =CAT sets exactly (several add up), a bare = clears. Each may list
// categories separated by commas.
func tagEdit(args []string) (api.TagEdit, error) {
	var edit api.TagEdit
	var set []string
	exact := false
	for _, arg := range args {
		op, names := arg[:1], arg[1:]
		if op == "=" && names == "" {
			edit.Clear = true
			continue
		}
		var cats []string
		for _, c := range strings.Split(names, ",") {
			if c = strings.TrimSpace(c); c != "" {
				cats = append(cats, c)
			}
		}
		if len(cats) == 0 {
			return edit, fmt.Errorf("%q names no category: write %sGAINS", arg, op)
		}
		switch op {
		case "+":
			edit.Add = append(edit.Add, cats...)
		case "-":
			edit.Remove = append(edit.Remove, cats...)
		case "=":
			exact, set = true, append(set, cats...)
		}
	}
	if exact {
		edit.Set = &set
	}
	return edit, nil
}

func categoryList(cats []string) string {
	if len(cats) == 0 {
		return "(none)"
	}
	return strings.Join(cats, " ")
}

// done says what a review did, for a sentence.
func done(a store.Action) string {
	switch a {
	case store.Accept:
		return "accepted"
	case store.Correct:
		return "corrected"
	case store.Clear:
		return "cleared"
	}
	return string(a)
}

func (a *app) reviewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "review",
		Short: "The review log of people's tags, and its export as labelled passages",
		Long: `review shows what people did to passages' tags ("evident tag", or the form
under each passage in the web application) and exports the reviewed passages
as labelled passages (JSON lines), the input of "evident rules eval".`,
	}
	cmd.AddCommand(a.reviewLogCmd(), a.reviewExportCmd())
	return cmd
}

func (a *app) reviewLogCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "log [PASSAGE_ID] [--json]",
		Short: "Every review, oldest first: when, who, what, the tags before and after",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			passageID := ""
			if len(args) == 1 {
				passageID = args[0]
			}
			return a.with(ctx, true, func(b api.Service) error {
				log, err := b.Reviews(ctx, passageID)
				if err != nil {
					return err
				}
				if asJSON {
					if log == nil {
						log = []store.Review{}
					}
					return writeJSON(a.stdout, map[string]any{"reviews": log})
				}
				if len(log) == 0 {
					fmt.Fprintln(a.stdout, "No reviews yet: `evident tag PASSAGE_ID +CAT -CAT` makes one.")
					return nil
				}
				tw := tabwriter.NewWriter(plain(a.stdout), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tAT (UTC)\tWHO\tACTION\tPASSAGE\tBEFORE → AFTER")
				for _, r := range log {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s → %s\n", r.ID, r.At.UTC().Format(time.DateTime), r.Who, r.Action, r.PassageID,
						categoryList(r.Before), categoryList(r.After))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"reviews": [...]} as JSON`)
	return cmd
}

func (a *app) reviewExportCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "export [-o FILE]",
		Short: "Write the reviewed passages as labelled JSON lines for `evident rules eval`",
		Long: `export writes one JSON line per passage whose categories a person set, with
the person's latest categories as its labels: {"id", "text", "labels",
"speaker", "interviewer", "question", "kind", "source"}, the gold shape that
"evident rules eval" reads. A passage whose tags were cleared is left out.
Without -o the lines go to standard output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b api.Service) error {
				gold, err := b.ReviewGold(ctx)
				if err != nil {
					return err
				}
				if out == "" {
					return classify.WriteGold(a.stdout, gold)
				}
				var buf bytes.Buffer
				if err := classify.WriteGold(&buf, gold); err != nil {
					return err
				}
				if err := writeFileAtomic(out, buf.Bytes()); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "wrote %d labelled passages to %s; measure the rules with: evident rules eval %s\n", len(gold), out, out)
				return nil
			})
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	return cmd
}
