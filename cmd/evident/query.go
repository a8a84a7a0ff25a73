package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/redact"
	"github.com/evident/evident/search"
)

func (a *app) searchCmd() *cobra.Command {
	var asJSON, interviewer, facets bool
	var limit, offset int
	cmd := &cobra.Command{
		Use:   "search [--json] [--limit N] QUERY",
		Short: "Ranked passages with citations for a question",
		Long: `search answers what a person types: "what do CFOs hear", "IT director pains
security", or field syntax "role:cfo category:hear budget". Role names come
from the role taxonomy (possessives, plurals and small misspellings
forgiven: "what do CFO's hear"), category words from the rules file; the
remaining words are matched (stemmed) against the passages, with the other
words of their topic (synonyms.yaml: "pricing" also matches "expensive").
Any other field filters on an attribute: company:Northwind,
segment:"mid-market". Interviewer and host turns are left out unless
--interviewer is given.

The first ten results span people: at most two passages of one speaker and
three of one document, unless the query names them. Passages where someone
reports what a role says or wants ("my CFO keeps asking…") are found for
that role, marked "about cfo", after the role's own words. When nothing
matches, the nearest query that finds something is run, and the output
says what it dropped. --json shows each hit's score_parts.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				// Facets are counted only for --json (unless --facets=false):
				// the list shows none.
				resp, err := b.Search(ctx, search.Request{Query: strings.Join(args, " "), Limit: limit, Offset: offset,
					Interviewer: interviewer, NoFacets: !asJSON || !facets})
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, resp)
				}
				printHits(a.stdout, resp)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object (query, total, hits, facets)")
	cmd.Flags().BoolVar(&facets, "facets", true, "with --json, count the matches per category, role, kind, document and attribute (--facets=false leaves them out: faster)")
	cmd.Flags().IntVarP(&limit, "limit", "n", 10, "how many passages to show")
	cmd.Flags().IntVar(&offset, "offset", 0, "skip this many passages (paging)")
	cmd.Flags().BoolVar(&interviewer, "interviewer", false, "include interviewer and host turns")
	return cmd
}

func printHits(w io.Writer, r *search.Response) {
	if len(r.Query.Understood) > 0 {
		fmt.Fprintf(w, "Understood: %s\n", strings.Join(r.Query.Understood, "; "))
	}
	if len(r.Query.Corrections) > 0 {
		fmt.Fprintf(w, "Read as: %s\n", strings.Join(r.Query.Corrections, "; "))
	}
	if len(r.Query.Also) > 0 {
		also := r.Query.Also
		more := ""
		if len(also) > 8 {
			also, more = also[:8], ", …"
		}
		fmt.Fprintf(w, "Also matching (%s): %s%s\n", strings.Join(r.Query.Topics, ", "), strings.Join(also, ", "), more)
	}
	if r.Fallback != "" {
		fmt.Fprintln(w, r.Fallback)
	}
	if r.Relaxed != "" && r.Total > 0 {
		fmt.Fprintf(w, "Nearest query: %s\n", r.Relaxed)
	}
	if r.Total == 0 {
		if r.Fallback == "" {
			fmt.Fprintf(w, "No passages match %q.\n", r.Query.Text)
		}
		return
	}
	if r.Total == 1 {
		fmt.Fprintln(w, "1 passage matches.")
	} else {
		fmt.Fprintf(w, "%d passages match; showing %d.\n", r.Total, len(r.Hits))
	}
	for i, h := range r.Hits {
		cats := ""
		if len(h.Categories) > 0 {
			cats = " [" + strings.Join(h.Categories, " ") + "]"
		}
		who := h.Citation
		if h.About != "" {
			// Evidence about the role from someone else, not the role's own words.
			who = "about " + h.About + ": " + who
		}
		fmt.Fprintf(w, "\n%d.%s %s\n   — %s\n", i+1, cats, quote(h.Text), who)
		if line := roleLine(h); line != "" {
			fmt.Fprintf(w, "   %s\n", line)
		}
		if len(h.Attrs) > 0 {
			var kv []string
			keys := slices.Sorted(maps.Keys(h.Attrs))
			for _, k := range keys[:min(len(keys), maxAttrsShown)] {
				kv = append(kv, k+": "+h.Attrs[k])
			}
			if more := len(keys) - maxAttrsShown; more > 0 {
				kv = append(kv, fmt.Sprintf("%d more in --json", more))
			}
			fmt.Fprintf(w, "   %s\n", printable(strings.Join(kv, "; ")))
		}
		for _, why := range classify.Explain(h.Matches) {
			fmt.Fprintf(w, "   why %s\n", why)
		}
		if h.TaggedBy != "" {
			fmt.Fprintf(w, "   %s\n", reviewedBy(h.TaggedBy, h.TaggedAt))
		}
		fmt.Fprintf(w, "   id %s\n", h.ID)
	}
}

// roleLine says how a hit answers the role asked for and the title its
// speaker stated: `role vp-engineering ("VP of Engineering"), same group
// as the role asked for`.
func roleLine(h search.Hit) string {
	if h.RoleMatch == "" && h.Title == "" {
		return ""
	}
	s := "role " + h.Role
	if h.Title != "" && !strings.EqualFold(h.Title, h.Role) {
		s += fmt.Sprintf(" (%q)", h.Title)
	}
	switch h.RoleMatch {
	case "exact":
		s += ", the role asked for"
	case "group":
		s += ", same group as the role asked for"
	}
	return printable(s)
}

// maxAttrsShown is how many of a hit's attributes a line shows: a
// survey's respondent may have dozens.
const maxAttrsShown = 8

// reviewedBy says that a person set a passage's categories, which
// outrank the rules': "tags reviewed by dana on 2025-06-01".
func reviewedBy(who string, at time.Time) string {
	return printable(fmt.Sprintf("tags reviewed by %s on %s", who, at.UTC().Format(time.DateOnly)))
}

// quote shows a passage on one line, shortened past 400 characters.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 400 {
		s = string(r[:400]) + "…"
	}
	return "“" + s + "”"
}

func (a *app) showCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show DOC [--json]",
		Short: "One document: its metadata and all its passages in order",
		Long: `show prints one document (DOC is its file name, its path or a prefix of its
SHA-256) with its metadata and every passage in order, with speaker, role,
categories and locator.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				s, err := b.Show(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, s)
				}
				d := s.Document
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				for _, kv := range [][2]string{{"file", d.File}, {"path", d.Origin}, {"sha256", d.SHA256}, {"state", string(d.State)},
					{"error", d.Error}, {"title", d.Title}, {"kind", string(d.Kind)}, {"format", d.Format}, {"url", d.URL},
					{"author", d.Author}, {"date", d.Date}, {"role", d.Role}} {
					if kv[1] != "" {
						fmt.Fprintf(tw, "%s:\t%s\n", kv[0], kv[1])
					}
				}
				// Every attribute, so that a key misspelt in a sidecar
				// shows up as what it is.
				for _, k := range slices.Sorted(maps.Keys(d.Attrs)) {
					fmt.Fprintf(tw, "attribute:\t%s: %s\n", k, d.Attrs[k])
				}
				for _, p := range d.Speakers {
					fmt.Fprintf(tw, "speaker:\t%s\n", person(p))
				}
				for _, w := range d.Warnings {
					fmt.Fprintf(tw, "warning:\t%s\n", w)
				}
				if len(d.Redacted) > 0 {
					fmt.Fprintf(tw, "masked:\t%s\n", redact.Counts(d.Redacted))
				}
				tw.Flush()
				for _, p := range s.Passages {
					who := p.Speaker
					if p.Role != "" {
						who += " (" + p.Role + ")"
					}
					if p.Interviewer {
						who += " [interviewer]"
					}
					fmt.Fprintf(a.stdout, "\n#%d %s %s", p.Seq, p.Locator, strings.TrimSpace(who))
					if len(p.Categories) > 0 {
						fmt.Fprintf(a.stdout, " [%s]", strings.Join(p.Categories, " "))
					}
					fmt.Fprintf(a.stdout, "\n%s\n", p.Text)
					for _, why := range classify.Explain(p.Tags) {
						fmt.Fprintf(a.stdout, "  why %s\n", why)
					}
					if p.TaggedBy != "" {
						fmt.Fprintf(a.stdout, "  %s\n", reviewedBy(p.TaggedBy, p.TaggedAt))
					}
					if len(p.Codes) > 0 {
						fmt.Fprintf(a.stdout, "  codes: %s\n", strings.Join(p.Codes, ", "))
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print {document, passages} as JSON")
	return cmd
}

// person describes a speaker and where what we know of them comes from:
// "BC = Brian Carroll (ceo, from introduction; markempa)".
func person(p evident.Person) string {
	s := p.Name
	if p.FullName != "" {
		s += " = " + p.FullName
	}
	var about []string
	if p.Role != "" {
		role := p.Role
		if p.RoleSource != "" {
			role += ", from " + p.RoleSource
		}
		about = append(about, role)
	}
	if p.Title != "" && !strings.EqualFold(p.Title, p.Role) {
		about = append(about, fmt.Sprintf("%q", p.Title))
	}
	if p.Company != "" {
		about = append(about, p.Company)
	}
	for _, k := range slices.Sorted(maps.Keys(p.Attrs)) {
		about = append(about, k+": "+p.Attrs[k])
	}
	if p.Interviewer {
		who := "interviewer"
		if p.InterviewerSource != "" {
			who += " [" + p.InterviewerSource + "]"
		}
		about = append(about, who)
	}
	if len(about) > 0 {
		s += " (" + strings.Join(about, "; ") + ")"
	}
	return s
}

func (a *app) statusCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [--json]",
		Short: "Every document and its state: queued, processing, indexed or failed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				st, err := b.Status(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, st)
				}
				docs := st.Documents
				if disk := st.Disk.String(); disk != "" {
					fmt.Fprintln(a.stdout, disk)
				}
				if len(docs) == 0 {
					fmt.Fprintln(a.stdout, "No documents yet.")
					return nil
				}
				counts := map[evident.State]int{}
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "STATE\tPASSAGES\tFILE\tSHA256\tREASON")
				for _, d := range docs {
					counts[d.State]++
					fmt.Fprintf(tw, "%s\t%d\t%s\t%.12s\t%s\n", d.State, d.Passages, d.Origin, d.SHA256, reason(d))
				}
				tw.Flush()
				fmt.Fprintf(a.stdout, "%d documents: %d indexed, %d failed, %d queued, %d processing\n", len(docs),
					counts[evident.Indexed], counts[evident.Failed], counts[evident.Queued], counts[evident.Processing])
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"documents": [...]} as JSON`)
	return cmd
}

// reason is what status says of a document: why it failed or waits, or
// else its first warning (show gives them all).
func reason(d evident.Document) string {
	switch {
	case d.Error != "":
		return d.Error
	case len(d.Warnings) == 1:
		return "warning: " + d.Warnings[0]
	case len(d.Warnings) > 1:
		return fmt.Sprintf("warning: %s (and %d more: evident show %.12s)", d.Warnings[0], len(d.Warnings)-1, d.SHA256)
	}
	return ""
}

func (a *app) reindexCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index from the database",
		Long: `reindex rebuilds the Bleve index from SQLite, the source of truth, beside
the index in force, which goes on answering searches until the new one is
complete and takes its place. Stopped or killed halfway, it leaves the old
index in force. Use it after changing the index mapping or if the index is
damaged.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				n, err := b.Reindex(ctx)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "reindexed %d passages\n", n)
				return nil
			})
		},
	}
}

func (a *app) matrixCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "matrix [--json]",
		Short: "Evidence per role and category: where a map has quotes and where it has none",
		Long: `matrix counts passages per role (rows) and category (columns), like a QDA
matrix coding query, so a team sees at a glance which cells of which persona's
map have evidence and which have none. Interviewer turns and notes are left
out; "(no role)" counts passages whose speaker's role is unknown.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				m, err := b.Matrix(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, m)
				}
				if len(m.Roles) == 0 {
					fmt.Fprintln(a.stdout, "No evidence yet.")
					return nil
				}
				tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintf(tw, "ROLE\t%s\tUNTAGGED\tPASSAGES\t\n", strings.Join(m.Categories, "\t"))
				for _, role := range m.Roles {
					c := m.Cells[role]
					name := role
					if name == "" {
						name = "(no role)"
					}
					fmt.Fprintf(tw, "%s\t", name)
					for _, cat := range m.Categories {
						if n := c.Categories[cat]; n > 0 {
							fmt.Fprintf(tw, "%d\t", n)
						} else {
							fmt.Fprint(tw, "·\t") // an empty cell: no evidence yet
						}
					}
					fmt.Fprintf(tw, "%d\t%d\t\n", c.Untagged, c.Passages)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the matrix as JSON")
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
