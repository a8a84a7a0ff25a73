package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/evident/evident/api"
	"github.com/evident/evident/persona"
)

func (a *app) speakerCmd() *cobra.Command {
	var by, role, title, company string
	var interviewer, asJSON bool
	cmd := &cobra.Command{
		Use:   "speaker DOC NAME [--role ROLE] [--title TITLE] [--company COMPANY] [--interviewer=false] [--by NAME] [--json]",
		Short: "Correct who a speaker is: role, title, company, interviewer or not",
		Long: `speaker records what a person says of one speaker of a document (DOC as
"evident show" takes it: a file name, a path or a hash prefix; NAME as the
document lists its speakers):

  evident speaker interview-3.txt "Priya Raman" --title "VP of Engineering"
  evident speaker podcast-14.md "Adam Stacoviak" --interviewer=true
  evident speaker podcast-14.md "Raj Dutt" --role ceo --company "Grafana Labs"
  evident speaker notes.md "Participant 3" --interviewer=false

It applies at once to the document's passages, in the database and the
index, without extracting the file again. A role is read through the role
taxonomy ("VP of Engineering" gives role vp-engineering and keeps the
title); a title alone gives its role. What a person says outranks every
detected source (role_source and interviewer_source "person"), and stays
through "evident reclassify" and the same file ingested again.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var edit persona.Correction
			f := cmd.Flags()
			if f.Changed("role") {
				edit.Role = &role
			}
			if f.Changed("title") {
				edit.Title = &title
			}
			if f.Changed("company") {
				edit.Company = &company
			}
			if f.Changed("interviewer") {
				edit.Interviewer = &interviewer
			}
			if edit.IsZero() {
				return fmt.Errorf("say what to change: --role, --title, --company or --interviewer")
			}
			ctx := cmd.Context()
			return a.with(ctx, false, func(b api.Service) error {
				d, err := b.SetSpeaker(ctx, args[0], args[1], edit, by)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, d)
				}
				out := plain(a.stdout)
				for _, p := range d.Speakers {
					if p.Name == args[1] {
						fmt.Fprintf(out, "%s: %s\n", d.File, person(p))
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&role, "role", "", "the speaker's role: a role of the taxonomy or a title (\"VP of Engineering\"); empty to clear it")
	cmd.Flags().StringVar(&title, "title", "", "the job title the speaker holds, as written")
	cmd.Flags().StringVar(&company, "company", "", "where the speaker works")
	cmd.Flags().BoolVar(&interviewer, "interviewer", false, "whether the speaker interviews or hosts (their turns are then no evidence)")
	cmd.Flags().StringVar(&by, "by", defaultUser(), "who corrects the speaker (default $USER)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the document as it now stands, as JSON")
	return cmd
}
