package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/evident/evident/maps"
	"github.com/evident/evident/search"
)

// From quotes to insight: themes in a cell, needs and assumptions.

func (a *app) mapInsightCmds(by func() string) []*cobra.Command {
	return []*cobra.Command{a.mapThemesCmd(by), a.mapNeedCmd(by), a.mapNeedsCmd(), a.mapAssumeCmd(by), a.mapAssumptionCmd(by)}
}

// list reads a comma- or space-separated flag value: "q1,q2 q3".
func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

func (a *app) mapThemesCmd(by func() string) *cobra.Command {
	var cell, name, quotes, rename, merge, split, move, to, drop, add string
	var asJSON, propose, accept bool
	cmd := &cobra.Command{
		Use:   "themes NAME [--cell CELL] [--json] [--accept | --add NAME | --rename T | --merge T1,T2 | --split T | --move Q1,Q2 --to T | --drop T]",
		Short: "Group a cell's quotes into themes: propose, accept, rename, merge, split, move",
		Long: `themes shows the themes of the map's cells. A cell without themes shows the
proposed ones: quotes grouped by what they say (TF-IDF over word stems,
clustered offline, named by the words that set each group apart). The
proposal is not kept until a person accepts it; then every change is in the
map's history, and "evident map undo" takes it back. A quote is in at most
one theme of its cell.

  evident map themes cfo --cell PAINS             # the cell's themes, or the proposal
  evident map themes cfo --cell PAINS --propose   # the proposal, even when the cell has themes
  evident map themes cfo --cell PAINS --accept    # keep the proposal (in place of the cell's themes)
  evident map themes cfo --rename t2 --name "Trust in the numbers"
  evident map themes cfo --merge t1,t3 [--name "Cost"]   # t3 joins t1
  evident map themes cfo --split t2 --quotes q4,q9 [--name "Forecasts"]
  evident map themes cfo --move q7 --to t1        # --to - takes it out of its theme
  evident map themes cfo --add "Renewals" --quotes q2,q5 --cell PAINS
  evident map themes cfo --drop t4                # the theme goes, its quotes stay`,
		Args: needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f := cmd.Flags()
			var changes []maps.ThemeChange
			if accept {
				if cell == "" {
					return errors.New("--accept needs --cell CELL: the cell whose proposal to keep")
				}
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeAccept, Cell: cell})
			}
			if f.Changed("add") {
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeAdd, Cell: cell, Name: add, Quotes: list(quotes)})
			}
			if f.Changed("rename") {
				if name == "" {
					return errors.New("--rename needs --name NEW_NAME")
				}
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeRename, Cell: cell, Theme: rename, Name: name})
			}
			if f.Changed("merge") {
				ts := list(merge)
				if len(ts) < 2 {
					return errors.New("--merge needs two themes or more: --merge t1,t3 puts t3 into t1")
				}
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeMerge, Cell: cell, Theme: ts[0], Themes: ts[1:], Name: name})
			}
			if f.Changed("split") {
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeSplit, Cell: cell, Theme: split, Quotes: list(quotes), Name: name})
			}
			if f.Changed("move") {
				if !f.Changed("to") {
					return errors.New("--move needs --to THEME (or --to - to take the quotes out of their theme)")
				}
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeMove, Cell: cell, Theme: strings.TrimPrefix(strings.TrimSpace(to), "-"), Quotes: list(move)})
			}
			if f.Changed("drop") {
				changes = append(changes, maps.ThemeChange{Op: maps.ThemeDrop, Cell: cell, Theme: drop})
			}
			if len(changes) > 1 {
				return errors.New("one change at a time: --accept, --add, --rename, --merge, --split, --move or --drop")
			}
			if len(changes) == 1 {
				return a.with(ctx, false, func(b backend) error {
					m, err := b.ChangeThemes(ctx, args[0], changes[0], by())
					if err != nil {
						return err
					}
					if asJSON {
						return writeJSON(a.stdout, m)
					}
					printThemes(a.stdout, m, cell, nil)
					return nil
				})
			}
			return a.with(ctx, true, func(b backend) error {
				m, err := b.GetMap(ctx, args[0])
				if err != nil {
					return err
				}
				var p *maps.Proposals
				if propose || anyUnthemed(m, cell) {
					if p, err = b.ProposeThemes(ctx, args[0], cell); err != nil {
						return err
					}
				}
				if asJSON {
					return writeJSON(a.stdout, themesJSON(m, cell, p, propose))
				}
				printThemes(a.stdout, m, cell, proposalsFor(m, p, propose))
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&cell, "cell", "", "the cell (SEE, HEAR, SAY, DO, PAINS, GAINS...); every cell with quotes when absent")
	f.BoolVar(&asJSON, "json", false, `print {"map", "cells": [{"category", "themes", "ungrouped", "proposed"}]} as JSON`)
	f.BoolVar(&propose, "propose", false, "show the proposal even for cells that have themes")
	f.BoolVar(&accept, "accept", false, "keep the proposal for --cell, in place of its themes")
	f.StringVar(&add, "add", "", "a theme by hand with this name, of --quotes")
	f.StringVar(&rename, "rename", "", "the theme to rename to --name")
	f.StringVar(&merge, "merge", "", "themes to merge, the first keeping the others' quotes: t1,t3")
	f.StringVar(&split, "split", "", "the theme --quotes leave, for a new theme (--name)")
	f.StringVar(&move, "move", "", "quotes to move to the theme --to")
	f.StringVar(&to, "to", "", "the theme --move puts quotes in; - for none")
	f.StringVar(&drop, "drop", "", "the theme to drop (its quotes stay in the cell)")
	f.StringVar(&name, "name", "", "the name for --rename, --merge or --split")
	f.StringVar(&quotes, "quotes", "", "quotes for --add or --split: q1,q2")
	return cmd
}

// anyUnthemed says whether a cell asked about has quotes and no themes:
// its proposal is shown.
func anyUnthemed(m *maps.Map, cell string) bool {
	for _, c := range m.Cells {
		if (cell == "" || strings.EqualFold(cell, c.Category)) && len(c.Quotes) > 0 && len(c.Themes) == 0 {
			return true
		}
	}
	return false
}

// proposalsFor picks the proposals to show: every one when asked, else
// those of cells without themes.
func proposalsFor(m *maps.Map, p *maps.Proposals, all bool) map[string]*maps.CellProposal {
	out := map[string]*maps.CellProposal{}
	if p == nil {
		return out
	}
	for i := range p.Cells {
		cp := &p.Cells[i]
		if c := m.Cell(cp.Category); all || c == nil || len(c.Themes) == 0 {
			out[cp.Category] = cp
		}
	}
	return out
}

// themesJSON is what `map themes --json` prints: per cell, its themes,
// its ungrouped quotes and, when shown, the proposal.
func themesJSON(m *maps.Map, cell string, p *maps.Proposals, all bool) any {
	type cellThemes struct {
		Category  string              `json:"category"`
		Quotes    int                 `json:"quotes"`
		Themes    []maps.Theme        `json:"themes"`
		Ungrouped []string            `json:"ungrouped"`
		Proposed  *maps.ThemeProposal `json:"proposed,omitempty"`
	}
	props := proposalsFor(m, p, all)
	out := struct {
		Map   string       `json:"map"`
		Cells []cellThemes `json:"cells"`
	}{Map: m.Name, Cells: []cellThemes{}}
	for _, c := range m.Cells {
		if (cell != "" && !strings.EqualFold(cell, c.Category)) || (cell == "" && len(c.Quotes) == 0) {
			continue
		}
		ct := cellThemes{Category: c.Category, Quotes: len(c.Quotes), Themes: c.Themes, Ungrouped: []string{}}
		if ct.Themes == nil {
			ct.Themes = []maps.Theme{}
		}
		for _, q := range c.Ungrouped() {
			ct.Ungrouped = append(ct.Ungrouped, q.ID)
		}
		if cp := props[c.Category]; cp != nil {
			ct.Proposed = &cp.ThemeProposal
		}
		out.Cells = append(out.Cells, ct)
	}
	return out
}

// printThemes shows each cell's themes with their quotes, and the
// proposal for cells that have one to show.
func printThemes(w io.Writer, m *maps.Map, cell string, props map[string]*maps.CellProposal) {
	w = plain(w)
	shown := 0
	for _, c := range m.Cells {
		if (cell != "" && !strings.EqualFold(cell, c.Category)) || (cell == "" && len(c.Quotes) == 0) {
			continue
		}
		shown++
		fmt.Fprintf(w, "%s of %q: %s", c.Category, m.Name, plural(len(c.Quotes), "quote"))
		if len(c.Themes) > 0 {
			fmt.Fprintf(w, " in %s", plural(len(c.Themes), "theme"))
		}
		fmt.Fprintln(w)
		for _, t := range c.Themes {
			fmt.Fprintf(w, "  %s %s (%s)\n", t.ID, quote(t.Name), plural(len(t.Quotes), "quote"))
			for _, id := range t.Quotes {
				if q := m.Quote(id); q != nil {
					fmt.Fprintf(w, "     %s %s\n", id, oneLine(q.Text, 100))
				}
			}
		}
		if len(c.Themes) > 0 {
			if rest := c.Ungrouped(); len(rest) > 0 {
				fmt.Fprintf(w, "  in no theme: %s\n", idsOf(rest))
			}
		}
		cp := props[c.Category]
		if cp == nil {
			continue
		}
		if len(cp.Themes) == 0 {
			fmt.Fprintf(w, "  No themes to propose: the quotes share too few words.\n")
			continue
		}
		fmt.Fprintf(w, "  Proposed (%s; silhouette %.2f), not kept until accepted:\n", plural(len(cp.Themes), "theme"), cp.Silhouette)
		for i, t := range cp.Themes {
			fmt.Fprintf(w, "  %d. %s (%s)\n", i+1, quote(t.Name), plural(len(t.Quotes), "quote"))
			for _, id := range t.Quotes {
				if q := m.Quote(id); q != nil {
					fmt.Fprintf(w, "     %s %s\n", id, oneLine(q.Text, 100))
				}
			}
		}
		if len(cp.Ungrouped) > 0 {
			fmt.Fprintf(w, "  in no theme: %s\n", strings.Join(cp.Ungrouped, " "))
		}
		fmt.Fprintf(w, "  evident map themes %s --cell %s --accept   keeps it\n", shellQuote(m.Name), c.Category)
	}
	if shown == 0 {
		fmt.Fprintf(w, "Map %q has no quotes to group yet.\n", m.Name)
	}
}

func idsOf(qs []maps.Quote) string {
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ID
	}
	return strings.Join(ids, " ")
}

func (a *app) mapNeedCmd(by func() string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "need",
		Short: "Add, edit, link evidence to or delete a need of the persona",
		Long: `A need is what the persona's pains and gains add up to, in the team's words,
linked to the quotes that support it (usually PAINS and GAINS); "evident map
needs" lists them with their evidence count and the roles it comes from.

  evident map need add cfo "Numbers the board can trust" --evidence q3,q8
  evident map need link cfo n1 --evidence q11
  evident map need unlink cfo n1 --evidence q3
  evident map need edit cfo n1 "Forecasts the board trusts"
  evident map need delete cfo n1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	run := func(use, short string, args cobra.PositionalArgs, withEvidence bool, build func(args []string, evidence []string) maps.NeedChange) *cobra.Command {
		var evidence string
		var asJSON bool
		c := &cobra.Command{
			Use:   use,
			Short: short,
			Args:  args,
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx := cmd.Context()
				ch := build(args, list(evidence))
				return a.with(ctx, false, func(b backend) error {
					m, err := b.ChangeNeeds(ctx, args[0], ch, by())
					if err != nil {
						return err
					}
					if asJSON {
						return writeJSON(a.stdout, m)
					}
					id := strings.ToLower(ch.Need)
					if ch.Op == maps.NeedAdd && len(m.Needs) > 0 {
						id = lastNeed(m).ID
					}
					for _, n := range m.Needs {
						if n.ID == id {
							printNeed(a.stdout, m, n)
							return nil
						}
					}
					fmt.Fprintf(plain(a.stdout), "deleted need %s of %q\n", id, m.Name)
					return nil
				})
			},
		}
		if withEvidence {
			c.Flags().StringVar(&evidence, "evidence", "", "the quotes that support it: q1,q2 (quote ids, or passage ids on the map once)")
		}
		c.Flags().BoolVar(&asJSON, "json", false, "print the map as JSON")
		return c
	}
	cmd.AddCommand(
		run(`add NAME "TEXT" --evidence Q1,Q2`, "Add a need with the quotes that support it", needs("NAME", "TEXT"), true,
			func(args, ev []string) maps.NeedChange {
				return maps.NeedChange{Op: maps.NeedAdd, Text: args[1], Evidence: ev}
			}),
		run(`edit NAME NEED "TEXT"`, "Reword a need", needs("NAME", "NEED", "TEXT"), false,
			func(args, _ []string) maps.NeedChange {
				return maps.NeedChange{Op: maps.NeedEdit, Need: args[1], Text: args[2]}
			}),
		run("link NAME NEED --evidence Q1,Q2", "Add evidence to a need", needs("NAME", "NEED"), true,
			func(args, ev []string) maps.NeedChange {
				return maps.NeedChange{Op: maps.NeedLink, Need: args[1], Evidence: ev}
			}),
		run("unlink NAME NEED --evidence Q1,Q2", "Take evidence off a need", needs("NAME", "NEED"), true,
			func(args, ev []string) maps.NeedChange {
				return maps.NeedChange{Op: maps.NeedUnlink, Need: args[1], Evidence: ev}
			}),
		run("delete NAME NEED", "Delete a need (undo brings it back)", needs("NAME", "NEED"), false,
			func(args, _ []string) maps.NeedChange {
				return maps.NeedChange{Op: maps.NeedDelete, Need: args[1]}
			}),
	)
	return cmd
}

// lastNeed is the need added last: the one with the highest number.
func lastNeed(m *maps.Map) maps.Need {
	best := m.Needs[0]
	for _, n := range m.Needs {
		if idNumber(n.ID) > idNumber(best.ID) {
			best = n
		}
	}
	return best
}

// idNumber reads the number of an id such as n12 or a3.
func idNumber(id string) int {
	n, _ := strconv.Atoi(strings.TrimLeft(id, "abcdefghijklmnopqrstuvwxyz"))
	return n
}

func printNeed(w io.Writer, m *maps.Map, n maps.Need) {
	w = plain(w)
	fmt.Fprintf(w, "%s %s\n", n.ID, quote(n.Text))
	roles := "no role"
	if len(n.Roles) > 0 {
		roles = strings.Join(n.Roles, ", ")
	}
	fmt.Fprintf(w, "   evidence: %s, from %s\n", plural(n.Count, "quote"), roles)
	for _, id := range n.Evidence {
		if q := m.Quote(id); q != nil {
			fmt.Fprintf(w, "     %s %s %s\n", id, q.Category, oneLine(q.Text, 90))
		}
	}
}

func (a *app) mapNeedsCmd() *cobra.Command {
	var suggest, asJSON bool
	cmd := &cobra.Command{
		Use:   "needs NAME [--suggest] [--json]",
		Short: "The persona's needs with their evidence; --suggest drafts needs from the themes of PAINS and GAINS",
		Args:  needs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, true, func(b backend) error {
				m, err := b.GetMap(ctx, args[0])
				if err != nil {
					return err
				}
				var sug []maps.NeedSuggestion
				if suggest {
					if sug, err = b.SuggestNeeds(ctx, args[0]); err != nil {
						return err
					}
				}
				if asJSON {
					out := map[string]any{"map": m.Name, "needs": m.Needs}
					if m.Needs == nil {
						out["needs"] = []maps.Need{}
					}
					if suggest {
						out["suggestions"] = sug
					}
					return writeJSON(a.stdout, out)
				}
				w := plain(a.stdout)
				if len(m.Needs) == 0 {
					fmt.Fprintf(w, "Map %q has no needs yet.\n", m.Name)
				}
				for _, n := range m.Needs {
					printNeed(w, m, n)
				}
				if !suggest {
					return nil
				}
				if len(sug) == 0 {
					fmt.Fprintln(w, "\nNo needs to suggest: PAINS and GAINS have no theme of two quotes or more that a need does not cover.")
					return nil
				}
				fmt.Fprintln(w, "\nSuggested needs, drafts to reword (from the themes of PAINS and GAINS):")
				for i, s := range sug {
					from := "proposed theme"
					if s.Theme != "" {
						from = "theme " + s.Theme
					}
					fmt.Fprintf(w, "  %d. %s  (%s %s %s, %s)\n", i+1, quote(s.Text), s.Category, from, quote(s.Name), plural(len(s.Evidence), "quote"))
					fmt.Fprintf(w, "     evident map need add %s %s --evidence %s\n", shellQuote(m.Name), shellQuote(s.Text), strings.Join(s.Evidence, ","))
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&suggest, "suggest", false, "draft needs from the themes of PAINS and GAINS")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"map", "needs", "suggestions"} as JSON`)
	return cmd
}

func (a *app) mapAssumeCmd(by func() string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   `assume NAME CELL "TEXT"`,
		Short: "Put an assumption on the map: a card without a passage, to confirm or refute",
		Long: `assume puts what the team believes, before the evidence says so, in a cell of
the map ("CFOs hear about us from their auditors"). It shows as an
assumption until quotes support or contradict it:

  evident map assume cfo HEAR "CFOs hear about us from their auditors"
  evident map assumption cfo a1 --find              # search for evidence
  evident map assumption cfo a1 --supports q4       # a quote that confirms it
  evident map assumption cfo a1 --contradicts q9    # one that refutes it`,
		Args: needs("NAME", "CELL", "TEXT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return a.with(ctx, false, func(b backend) error {
				m, err := b.ChangeAssumptions(ctx, args[0], maps.AssumptionChange{Op: maps.AssumeAdd, Cell: args[1], Text: args[2]}, by())
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, m)
				}
				as := newestAssumption(m)
				fmt.Fprintf(plain(a.stdout), "assumed in %s of %q as %s: %s (untested; \"evident map assumption %s %s --find\" searches for evidence)\n",
					as.Category, m.Name, as.ID, quote(as.Text), shellQuote(m.Name), as.ID)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the map as JSON")
	return cmd
}

// newestAssumption is the assumption added last: the highest number.
func newestAssumption(m *maps.Map) maps.Assumption {
	var best maps.Assumption
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			if best.ID == "" || idNumber(a.ID) > idNumber(best.ID) {
				best = a
			}
		}
	}
	return best
}

func (a *app) mapAssumptionCmd(by func() string) *cobra.Command {
	var supports, contradicts, unlink, text string
	var del, find, asJSON bool
	cmd := &cobra.Command{
		Use:   "assumption NAME ID [--supports Q1,Q2] [--contradicts Q3] [--unlink Q1] [--text TEXT] [--delete] [--find]",
		Short: "Link quotes that support or contradict an assumption, reword it, delete it, or search for evidence",
		Long: `assumption shows an assumption with its evidence and verdict (untested,
supported, contradicted or mixed), or changes it. --find runs a search for
its words and lists passages to attach, with the commands to do so.`,
		Args: needs("NAME", "ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			var changes []maps.AssumptionChange
			base := maps.AssumptionChange{Assumption: args[1]}
			add := func(op string, quotes []string, text string) {
				c := base
				c.Op, c.Quotes, c.Text = op, quotes, text
				changes = append(changes, c)
			}
			f := cmd.Flags()
			if f.Changed("supports") {
				add(maps.AssumeSupport, list(supports), "")
			}
			if f.Changed("contradicts") {
				add(maps.AssumeContradict, list(contradicts), "")
			}
			if f.Changed("unlink") {
				add(maps.AssumeUnlink, list(unlink), "")
			}
			if f.Changed("text") {
				add(maps.AssumeEdit, nil, text)
			}
			if del {
				add(maps.AssumeDelete, nil, "")
			}
			if len(changes) > 1 {
				return errors.New("one change at a time: --supports, --contradicts, --unlink, --text or --delete")
			}
			return a.with(ctx, len(changes) == 0, func(b backend) error {
				var m *maps.Map
				var err error
				if len(changes) == 1 {
					m, err = b.ChangeAssumptions(ctx, args[0], changes[0], by())
				} else {
					m, err = b.GetMap(ctx, args[0])
				}
				if err != nil {
					return err
				}
				if del {
					fmt.Fprintf(plain(a.stdout), "deleted assumption %s of %q\n", args[1], m.Name)
					return nil
				}
				as, ok := findAssumption(m, args[1])
				if !ok {
					return fmt.Errorf("map %q has no assumption %q; \"evident map show %s\" lists them", m.Name, args[1], m.Name)
				}
				var hits []search.Hit
				if find {
					resp, err := b.Search(ctx, search.Request{Query: as.Text, Limit: 5, NoFacets: true})
					if err != nil {
						return err
					}
					hits = resp.Hits
				}
				if asJSON {
					out := map[string]any{"map": m.Name, "assumption": as}
					if find {
						out["hits"] = hits
					}
					return writeJSON(a.stdout, out)
				}
				printAssumption(a.stdout, m, as)
				if find {
					printEvidenceHits(a.stdout, m, as, hits)
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&supports, "supports", "", "quotes that confirm it: q1,q2")
	f.StringVar(&contradicts, "contradicts", "", "quotes that refute it: q3")
	f.StringVar(&unlink, "unlink", "", "quotes to take off it")
	f.StringVar(&text, "text", "", "reword it")
	f.BoolVar(&del, "delete", false, "delete it (undo brings it back)")
	f.BoolVar(&find, "find", false, "search for evidence: passages to attach and link")
	f.BoolVar(&asJSON, "json", false, `print {"map", "assumption", "hits"} as JSON`)
	return cmd
}

func findAssumption(m *maps.Map, id string) (maps.Assumption, bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	for _, c := range m.Cells {
		for _, a := range c.Assumptions {
			if a.ID == id {
				return a, true
			}
		}
	}
	return maps.Assumption{}, false
}

func printAssumption(w io.Writer, m *maps.Map, as maps.Assumption) {
	w = plain(w)
	fmt.Fprintf(w, "%s assumption in %s: %s — %s\n", as.ID, as.Category, quote(as.Text), as.Verdict)
	for _, e := range as.Evidence {
		if q := m.Quote(e.Quote); q != nil {
			fmt.Fprintf(w, "   %s %s: %s\n", e.Quote, e.Stance, oneLine(q.Text, 100))
		}
	}
}

func printEvidenceHits(w io.Writer, m *maps.Map, as maps.Assumption, hits []search.Hit) {
	w = plain(w)
	if len(hits) == 0 {
		fmt.Fprintf(w, "\nNo passage matches %s.\n", quote(as.Text))
		return
	}
	fmt.Fprintf(w, "\nPassages that may bear on it (attach one, then link it with --supports or --contradicts):\n")
	for i, h := range hits {
		fmt.Fprintf(w, "  %d. %s\n     — %s\n", i+1, quote(oneLine(h.Text, 200)), h.Citation)
		onMap := ""
		for _, q := range m.Quotes() {
			if q.PassageID == h.ID {
				onMap = q.ID
				break
			}
		}
		if onMap != "" {
			fmt.Fprintf(w, "     on the map as %s: evident map assumption %s %s --supports %s\n", onMap, shellQuote(m.Name), as.ID, onMap)
			continue
		}
		fmt.Fprintf(w, "     evident map attach %s %s %s\n", shellQuote(m.Name), as.Category, h.ID)
	}
}

// printHeader shows the map's WHO fields.
func printHeader(w io.Writer, m *maps.Map) {
	for _, f := range [][2]string{{"Title", m.Title}, {"Situation", m.Situation}, {"Priority", m.Priority}} {
		if f[1] != "" {
			fmt.Fprintf(w, "%s: %s\n", f[0], oneLine(f[1], 400))
		}
	}
}

// printCellInsight shows a cell's themes and assumptions under its quotes.
func printCellInsight(w io.Writer, m *maps.Map, c maps.Cell) {
	for _, t := range c.Themes {
		fmt.Fprintf(w, "  theme %s %s: %s\n", t.ID, quote(t.Name), strings.Join(t.Quotes, " "))
	}
	for _, as := range c.Assumptions {
		fmt.Fprintf(w, "  assumption %s %s — %s", as.ID, quote(as.Text), as.Verdict)
		for i, e := range as.Evidence {
			sep := ": "
			if i > 0 {
				sep = ", "
			}
			fmt.Fprintf(w, "%s%s %s", sep, e.Quote, e.Stance)
		}
		fmt.Fprintln(w)
	}
}

// printNeeds shows the map's needs after its cells.
func printNeeds(w io.Writer, m *maps.Map) {
	if len(m.Needs) == 0 {
		return
	}
	fmt.Fprintln(w, "\nNEEDS")
	for _, n := range m.Needs {
		fmt.Fprintf(w, "  %s %s — %s (%s)", n.ID, quote(n.Text), plural(n.Count, "quote"), strings.Join(n.Evidence, " "))
		if len(n.Roles) > 0 {
			fmt.Fprintf(w, ", from %s", strings.Join(n.Roles, ", "))
		}
		fmt.Fprintln(w)
	}
}
