package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/evident/evident/maps"
)

// mapCmd is `evident map ...`: empathy maps built from cited passages.
func (a *app) mapCmd() *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:   "map",
		Short: "Empathy maps: attach cited quotes to the cells of a persona's map, and export them",
		Long: `A map is a persona's empathy map: one cell per category of the rules file
(SEE, HEAR, SAY, DO, PAINS, GAINS by default). Attach passages (their ids come
from "evident search") to cells; each quote keeps a copy of its text and
citation, so re-ingesting or deleting a source never changes the map, and
"show" says when a quote's source has changed or gone. Every change is kept
in the map's history and "undo" takes back the last one.

  evident map create cfo --role CFO --goal "Adopt rolling forecasts"
  evident map suggest cfo
  evident map attach cfo PAINS 3f2a9c1b7d4e-4 --note "strongest"
  evident map move cfo q1 --position 1
  evident map export cfo --format html -o cfo.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.PersistentFlags().StringVar(&by, "by", defaultUser(), "who makes the change, for the map's history (default $USER)")
	who := func() string { return by }
	cmd.AddCommand(a.mapCreateCmd(who), a.mapListCmd(), a.mapShowCmd(), a.mapEditCmd(who), a.mapAttachCmd(who),
		a.mapDetachCmd(who), a.mapNoteCmd(who), a.mapMoveCmd(who), a.mapUndoCmd(who), a.mapHistoryCmd(),
		a.mapSuggestCmd(), a.mapExportCmd(), a.mapImportCmd(who), a.mapDeleteCmd(who))
	cmd.AddCommand(a.mapInsightCmds(who)...) // mapinsight.go
	return cmd
}

func defaultUser() string {
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if u := strings.TrimSpace(os.Getenv(v)); u != "" {
			return u
		}
	}
	return "cli"
}

// needs checks the positional arguments of a map command and says which
// are missing or extra, in one sentence.
func needs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == len(names) {
			return nil
		}
		usage := strings.Join(names, " ")
		if len(args) < len(names) {
			return fmt.Errorf("%s needs %s: %s is missing (see --help)", cmd.CommandPath(), usage, names[len(args)])
		}
		return fmt.Errorf("%s takes %s, but got %d arguments: %q (quote a name with spaces)", cmd.CommandPath(), usage, len(args), args)
	}
}

func (a *app) mapCreateCmd(by func() string) *cobra.Command {
	var info maps.Info
	cmd := &cobra.Command{
		Use:   "create NAME [--role ROLE] [--goal GOAL] [--title TITLE] [--situation TEXT] [--priority TEXT] [--description TEXT]",
		Short: "Make an empty map for a persona",
		Long: `create makes an empty map with one cell per category of the rules file. The
persona (--role) is a role of the taxonomy ("CFO", "finance directors" and
"VP of Finance" all mean cfo) or any text; suggestions come from its passages.`,
		Args: needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			info.Name = args[0]
			return a.with(ctx, false, func(b backend) error {
				m, err := b.CreateMap(ctx, info, by())
				if err != nil {
					return err
				}
				fmt.Fprintf(plain(a.stdout), "created map %q", m.Name)
				if m.Role != "" {
					fmt.Fprintf(plain(a.stdout), " for %s", m.Role)
				}
				fmt.Fprintf(plain(a.stdout), " with cells %s\n", strings.Join(cellNames(m), ", "))
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&info.Role, "role", "", "the persona: a role such as cfo, or any text")
	f.StringVar(&info.Goal, "goal", "", "what we want the persona to do")
	f.StringVar(&info.Description, "description", "", "anything else about the map")
	f.StringVar(&info.Title, "title", "", "WHO: the persona's job title as people say it")
	f.StringVar(&info.Situation, "situation", "", "WHO: the situation they are in")
	f.StringVar(&info.Priority, "priority", "", "WHO: what matters most to them now")
	return cmd
}

func cellNames(m *maps.Map) []string {
	var out []string
	for _, c := range m.Cells {
		out = append(out, c.Category)
	}
	return out
}

func (a *app) mapListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "Every map: name, persona, quotes, last change",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				list, err := b.ListMaps(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, map[string]any{"maps": list})
				}
				if len(list) == 0 {
					fmt.Fprintln(plain(a.stdout), `No maps yet; "evident map create NAME --role ROLE" makes one.`)
					return nil
				}
				tw := tabwriter.NewWriter(plain(a.stdout), 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "NAME\tPERSONA\tQUOTES\tUPDATED\tGOAL")
				for _, m := range list {
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", m.Name, m.Role, m.Quotes, m.Updated.Local().Format("2006-01-02 15:04"), oneLine(m.Goal, 60))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"maps": [...]} as JSON`)
	return cmd
}

func (a *app) mapShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME [--json]",
		Short: "A map cell by cell, each quote with its citation, note and source status",
		Args:  needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				m, err := b.GetMap(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, m)
				}
				printMap(a.stdout, m)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the map as JSON, as the HTTP API does")
	return cmd
}

func printMap(w io.Writer, m *maps.Map) {
	w = plain(w)
	fmt.Fprintf(w, "%s", m.Name)
	if m.Role != "" {
		fmt.Fprintf(w, " — persona %s", m.Role)
	}
	fmt.Fprintln(w)
	if m.Goal != "" {
		fmt.Fprintf(w, "Goal: %s\n", m.Goal)
	}
	printHeader(w, m)
	if m.Description != "" {
		fmt.Fprintln(w, m.Description)
	}
	fmt.Fprintf(w, "%s · created %s · updated %s\n", plural(m.QuoteCount(), "quote"),
		m.Created.Local().Format("2006-01-02 15:04"), m.Updated.Local().Format("2006-01-02 15:04"))
	for _, c := range m.Cells {
		fmt.Fprintf(w, "\n%s", c.Category)
		if c.Question != "" {
			fmt.Fprintf(w, " — %s", c.Question)
		}
		fmt.Fprintln(w)
		if len(c.Quotes) == 0 {
			fmt.Fprintln(w, "  (no quotes yet)")
			printCellInsight(w, m, c)
			continue
		}
		for i, q := range c.Quotes {
			fmt.Fprintf(w, "  %d. %s %s\n", i+1, q.ID, quote(q.Text))
			fmt.Fprintf(w, "     — %s\n", q.Citation)
			if q.Note != "" {
				fmt.Fprintf(w, "     note: %s\n", oneLine(q.Note, 400))
			}
			switch q.Status {
			case maps.Changed:
				fmt.Fprintln(w, "     ! the source has changed since this quote was attached; the text above is as it was")
			case maps.Gone:
				fmt.Fprintln(w, "     ! the source is gone from Evident; the text above is as it was")
			}
			if q.Retagged {
				fmt.Fprintf(w, "     ! retagged since attached: %s now (was %s); the quote stays in %s\n", tagList(q.TagsNow), tagList(q.Categories), c.Category)
			}
			fmt.Fprintf(w, "     passage %s, added by %s on %s\n", q.PassageID, q.AddedBy, q.AddedAt.Local().Format("2006-01-02"))
		}
		printCellInsight(w, m, c)
	}
	printNeeds(w, m)
}

// plain writes text for a terminal: control characters other than line
// breaks and tabs are dropped, so that text in a map (an imported one, or
// one stored before the maps package refused them) cannot clear the
// screen or rewrite what was printed. Every Write is whole runes: fmt
// writes each call's output at once.
func plain(w io.Writer) io.Writer {
	if p, ok := w.(plainWriter); ok {
		return p
	}
	return plainWriter{w}
}

type plainWriter struct{ w io.Writer }

func (p plainWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, printable(string(b))); err != nil {
		return 0, err
	}
	return len(b), nil
}

// printable drops control characters but \n and \t; invalid UTF-8 (a
// lone 0x9B is a C1 escape to some terminals) becomes U+FFFD.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// oneLine shows text on one line, shortened past n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n]) + "…"
	}
	return s
}

func (a *app) mapEditCmd(by func() string) *cobra.Command {
	var role, goal, desc, title, situation, priority string
	cmd := &cobra.Command{
		Use:   "edit NAME [--role ROLE] [--goal GOAL] [--title TITLE] [--situation TEXT] [--priority TEXT] [--description TEXT]",
		Short: "Change a map's header: persona, goal, title, situation, priority or description",
		Args:  needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var e maps.Edit
			f := cmd.Flags()
			if f.Changed("role") {
				e.Role = &role
			}
			if f.Changed("goal") {
				e.Goal = &goal
			}
			if f.Changed("description") {
				e.Description = &desc
			}
			for _, h := range []struct {
				flag string
				v    *string
				to   **string
			}{{"title", &title, &e.Title}, {"situation", &situation, &e.Situation}, {"priority", &priority, &e.Priority}} {
				if f.Changed(h.flag) {
					*h.to = h.v
				}
			}
			return a.with(ctx, false, func(b backend) error {
				m, err := b.EditMap(ctx, args[0], e, by())
				if err != nil {
					return err
				}
				fmt.Fprintf(plain(a.stdout), "map %q: persona %q, goal %q\n", m.Name, m.Role, oneLine(m.Goal, 80))
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "the persona")
	f.StringVar(&goal, "goal", "", "what we want the persona to do")
	f.StringVar(&desc, "description", "", "anything else about the map")
	f.StringVar(&title, "title", "", "WHO: the persona's job title")
	f.StringVar(&situation, "situation", "", "WHO: the situation they are in")
	f.StringVar(&priority, "priority", "", "WHO: what matters most to them now")
	return cmd
}

// position reads --position: 1 is the first place in a cell.
func position(cmd *cobra.Command, n int) (*int, error) {
	if !cmd.Flags().Changed("position") {
		return nil, nil
	}
	if n < 1 {
		return nil, fmt.Errorf("--position %d: places in a cell count from 1", n)
	}
	p := n - 1
	return &p, nil
}

func (a *app) mapAttachCmd(by func() string) *cobra.Command {
	var note string
	var pos int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "attach NAME CATEGORY PASSAGE_ID [--note TEXT] [--position N]",
		Short: "Put a passage in a cell of a map, with a copy of its text and citation",
		Long: `attach puts the passage PASSAGE_ID (as "evident search" shows it) in the cell
CATEGORY of the map NAME, at the end of the cell or at --position (1 is the
first place). The quote keeps a copy of the passage's text and citation as
they are now.`,
		Args: needs("NAME", "CATEGORY", "PASSAGE_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, err := position(cmd, pos)
			if err != nil {
				return err
			}
			return a.with(ctx, false, func(b backend) error {
				q, err := b.AttachQuote(ctx, args[0], maps.Attachment{Category: args[1], PassageID: args[2], Note: note, Position: p}, by())
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, q)
				}
				fmt.Fprintf(plain(a.stdout), "attached %s to %s of %q: %s\n   — %s\n", q.ID, q.Category, args[0], quote(q.Text), q.Citation)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&note, "note", "", "a note on the quote")
	f.IntVar(&pos, "position", 0, "place in the cell, 1 being the first (default: the end)")
	f.BoolVar(&asJSON, "json", false, "print the quote as JSON")
	return cmd
}

func (a *app) mapDetachCmd(by func() string) *cobra.Command {
	return &cobra.Command{
		Use:   "detach NAME QUOTE_ID|PASSAGE_ID",
		Short: "Take a quote off a map (undo brings it back)",
		Long: `detach takes a quote off the map NAME: name it by its quote id (q3, as "evident
map show" lists them) or by its passage's id when the passage is on the map
once.`,
		Args: needs("NAME", "QUOTE_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				q, err := b.DetachQuote(ctx, args[0], args[1], by())
				if err != nil {
					return err
				}
				fmt.Fprintf(plain(a.stdout), "detached %s from %s of %q: %s\n", q.ID, q.Category, args[0], quote(q.Text))
				return nil
			})
		},
	}
}

func (a *app) mapNoteCmd(by func() string) *cobra.Command {
	return &cobra.Command{
		Use:   "note NAME QUOTE_ID TEXT",
		Short: `Set the note of a quote ("" clears it)`,
		Args:  needs("NAME", "QUOTE_ID", "TEXT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				q, err := b.UpdateQuote(ctx, args[0], args[1], maps.QuoteUpdate{Note: &args[2]}, by())
				if err != nil {
					return err
				}
				if q.Note == "" {
					fmt.Fprintf(plain(a.stdout), "cleared the note of %s\n", q.ID)
				} else {
					fmt.Fprintf(plain(a.stdout), "noted on %s: %s\n", q.ID, oneLine(q.Note, 200))
				}
				return nil
			})
		},
	}
}

func (a *app) mapMoveCmd(by func() string) *cobra.Command {
	var pos int
	cmd := &cobra.Command{
		Use:     "move NAME QUOTE_ID [CATEGORY] [--position N]",
		Aliases: []string{"reorder"},
		Short:   "Move a quote to another place in its cell, or to another cell",
		Long: `move puts a quote at --position N of its cell (1 is the first place), or in
another cell CATEGORY (at its end, or at --position N). "reorder" is the same
command.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 3 {
				return nil
			}
			return needs("NAME", "QUOTE_ID")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, err := position(cmd, pos)
			if err != nil {
				return err
			}
			u := maps.QuoteUpdate{Position: p}
			if len(args) == 3 {
				u.Category = &args[2]
			}
			if u.Position == nil && u.Category == nil {
				return errors.New("say where to: a CATEGORY, --position N, or both")
			}
			return a.with(ctx, false, func(b backend) error {
				q, err := b.UpdateQuote(ctx, args[0], args[1], u, by())
				if err != nil {
					return err
				}
				fmt.Fprintf(plain(a.stdout), "%s is now %s #%d\n", q.ID, q.Category, q.Position+1)
				return nil
			})
		},
	}
	cmd.Flags().IntVar(&pos, "position", 0, "place in the cell, 1 being the first")
	return cmd
}

func (a *app) mapUndoCmd(by func() string) *cobra.Command {
	return &cobra.Command{
		Use:   "undo NAME",
		Short: "Take back the last change to a map (again for the one before)",
		Long: `undo applies the inverse of the last change to the map NAME that is not yet
undone (an attach, detach, note, move or edit), and records the undo in the
map's history. Run it again to undo the change before. A map's creation is
not undone: "evident map delete" removes a map.`,
		Args: needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				u, err := b.UndoMap(ctx, args[0], by())
				if err != nil {
					return err
				}
				fmt.Fprintf(plain(a.stdout), "undid change %d by %s: %s\n", u.Undone.Seq, u.Undone.By, u.Undone.Summary)
				return nil
			})
		},
	}
}

func (a *app) mapHistoryCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "history NAME [--json]",
		Short: "Every change to a map, oldest first: who, when, what",
		Args:  needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				changes, err := b.MapHistory(ctx, args[0])
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, map[string]any{"changes": changes})
				}
				tw := tabwriter.NewWriter(plain(a.stdout), 0, 0, 2, ' ', 0)
				for _, c := range changes {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", c.Seq, c.At.Local().Format("2006-01-02 15:04:05"), c.By, c.Summary)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"changes": [...]} as JSON`)
	return cmd
}

func (a *app) mapSuggestCmd() *cobra.Command {
	var perCell int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "suggest NAME [--per-cell N] [--json]",
		Short: "Propose the strongest passages of the map's persona for each cell",
		Long: `suggest proposes, for each cell of the map, the passages of its persona that
the rules put most strongly in that category and that are not in the cell
yet; "evident map attach" accepts one. When the persona has no passage in a
cell, passages of other roles are proposed and labelled so.`,
		Args: needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if perCell < 1 {
				return fmt.Errorf("--per-cell %d: ask for at least one passage per cell", perCell)
			}
			return a.with(ctx, true, func(b backend) error {
				s, err := b.SuggestQuotes(ctx, args[0], perCell)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, s)
				}
				printSuggestions(a.stdout, s)
				return nil
			})
		},
	}
	cmd.Flags().IntVarP(&perCell, "per-cell", "n", maps.DefaultPerCell, "passages to propose per cell")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the suggestions as JSON")
	return cmd
}

func printSuggestions(w io.Writer, s *maps.Suggestions) {
	w = plain(w)
	fmt.Fprintf(w, "Suggestions for %q", s.Map)
	if s.Role != "" {
		fmt.Fprintf(w, " (persona %s)", s.Role)
	}
	fmt.Fprintln(w)
	for _, cat := range s.Order {
		fmt.Fprintf(w, "\n%s\n", cat)
		if note := s.Notes[cat]; note != "" {
			fmt.Fprintf(w, "  %s\n", note)
		}
		for i, h := range s.Cells[cat] {
			fmt.Fprintf(w, "  %d. %s\n     — %s\n     evident map attach %s %s %s\n", i+1, quote(h.Text), h.Citation,
				shellQuote(s.Map), cat, h.ID)
		}
	}
}

// shellQuote quotes a word for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:/@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func (a *app) mapExportCmd() *cobra.Command {
	var format, out string
	var opts maps.ExportOptions
	cmd := &cobra.Command{
		Use:   "export NAME --format md|json|csv|html|qdpx [-o FILE] [--line-endings lf|crlf] [--offsets codepoints|utf16]",
		Short: "Write a map as Markdown, JSON, CSV, a printable HTML canvas or a REFI-QDA project",
		Long: `export writes the map NAME to FILE, or to standard output without -o:
  md    a readable document, cell by cell, each quote with its citation
  json  the whole map; "evident map import" reads it back
  csv   one row per quote, for a spreadsheet
  html  one self-contained, printable page drawing the canvas
  qdpx  a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA or QualCoder (a zip
        file: give -o FILE, or send it down a pipe). Each quoted document is
        a source with its speaker labels and times; --line-endings crlf for
        MAXQDA, --offsets utf16 for NVivo and ATLAS.ti (QualCoder counts code
        points, the default)`,
		Args: needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if format == "" {
				return fmt.Errorf("--format is needed: one of %s", maps.FormatNames)
			}
			f, err := maps.FormatOf(format)
			if err != nil {
				return err
			}
			if _, err := maps.ParseQDPXOptions(opts.LineEndings, opts.Offsets); err != nil {
				return err
			}
			if f.Name != "qdpx" && (opts.LineEndings != "" || opts.Offsets != "") {
				return fmt.Errorf("--line-endings and --offsets apply to --format qdpx only")
			}
			if f.Binary && out == "" && isTerminal(a.stdout) {
				return fmt.Errorf("a .%s file is a zip, not for a terminal: give -o FILE or send it down a pipe", f.Ext)
			}
			return a.with(ctx, true, func(b backend) error {
				exp, err := b.ExportMap(ctx, args[0], f.Name, opts)
				if err != nil {
					return err
				}
				if out == "" {
					_, err := a.stdout.Write(exp.Data)
					return err
				}
				if err := writeFileAtomic(out, exp.Data); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "wrote %s (%d bytes)\n", out, len(exp.Data))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "format", "", "md, json, csv, html or qdpx")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().StringVar(&opts.LineEndings, "line-endings", "", "qdpx: lf (default) or crlf (MAXQDA)")
	cmd.Flags().StringVar(&opts.Offsets, "offsets", "", "qdpx: codepoints (default; QualCoder) or utf16 (NVivo, ATLAS.ti)")
	return cmd
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeFileAtomic writes a file whole or not at all: a failed export
// never leaves half a file where a good one was.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("-o %s: %w", path, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("-o %s: %w", path, err)
	}
	return nil
}

func (a *app) mapImportCmd(by func() string) *cobra.Command {
	var rename string
	cmd := &cobra.Command{
		Use:   "import FILE [--name NAME]",
		Short: `Read a map from a JSON export ("-" reads standard input)`,
		Long: `import stores the map of a JSON export ("evident map export NAME --format json")
with its quotes, their snapshots, notes and authors. --name imports it under
another name, for a map of that name that already exists.`,
		Args: needs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var data []byte
			var err error
			if args[0] == "-" {
				data, err = io.ReadAll(io.LimitReader(a.stdin, 64<<20))
			} else {
				data, err = os.ReadFile(args[0])
			}
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if bytes.HasPrefix(data, []byte("PK")) || strings.HasSuffix(strings.ToLower(args[0]), ".qdpx") {
				return fmt.Errorf("%s is a REFI-QDA project (a .qdpx), not a map's JSON export: bring it in with \"evident import %s\" (--map NAME names the map)", args[0], args[0])
			}
			return a.with(ctx, false, func(b backend) error {
				m, err := b.ImportMap(ctx, data, rename, by())
				if err != nil {
					return fmt.Errorf("%s: %w", args[0], err)
				}
				fmt.Fprintf(plain(a.stdout), "imported map %q with %s\n", m.Name, plural(m.QuoteCount(), "quote"))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&rename, "name", "", "import under this name")
	return cmd
}

func (a *app) mapDeleteCmd(by func() string) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Remove a map for good (export it first to keep a copy)",
		Long: `delete removes the map NAME and its quotes. It cannot be undone, and
nothing brings the map back: to keep a copy, export it first with
"evident map export NAME --format json -o FILE"; "evident map import FILE"
reads it back.`,
		Args: needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				if err := b.DeleteMap(ctx, args[0], by()); err != nil {
					return err
				}
				fmt.Fprintf(plain(a.stdout), "deleted map %q\n", args[0])
				return nil
			})
		},
	}
}

// plural writes "1 quote", "3 quotes".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// tagList writes categories for a person: "PAINS SAY", or "no tags".
func tagList(cats []string) string {
	if len(cats) == 0 {
		return "no tags"
	}
	return strings.Join(cats, " ")
}
