package maps

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Markdown writes the map as a readable document: what it is for, then
// cell by cell each quote with its citation, note and status.
func Markdown(w io.Writer, m *Map) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	p("# Empathy map: %s\n\n", mdEscape(m.Name))
	if m.Role != "" {
		p("- **Persona:** %s\n", mdEscape(m.Role))
	}
	for _, f := range [][2]string{{"Title", m.Title}, {"Situation", m.Situation}, {"Priority", m.Priority}} {
		if f[1] != "" {
			p("- **%s:** %s\n", f[0], mdInline(f[1]))
		}
	}
	if m.Goal != "" {
		p("- **Goal:** %s\n", mdInline(m.Goal))
	}
	p("- **Quotes:** %d · **Created:** %s · **Updated:** %s\n\n", m.QuoteCount(), day(m.Created), day(m.Updated))
	if d := strings.TrimSpace(m.Description); d != "" {
		p("%s\n\n", mdEscape(d))
	}
	for _, c := range m.Cells {
		p("## %s\n\n", mdEscape(c.Category))
		if c.Question != "" {
			p("*%s*\n\n", mdInline(c.Question))
		}
		if len(c.Quotes) == 0 {
			p("No quotes yet.\n\n")
		}
		for _, g := range groups(c) {
			if g.theme != nil {
				p("### Theme: %s\n\n*%s · %s*\n\n", mdInline(g.theme.Name), g.theme.ID, countOf(len(g.quotes), "quote"))
			} else if len(c.Themes) > 0 && len(g.quotes) > 0 {
				p("### In no theme\n\n")
			}
			for _, q := range g.quotes {
				mdQuote(p, q)
			}
		}
		if len(c.Assumptions) > 0 {
			p("### Assumptions\n\n")
			for _, a := range c.Assumptions {
				p("- **Assumption %s** (%s): %s", a.ID, a.Verdict, mdInline(a.Text))
				for i, e := range a.Evidence {
					sep := " — "
					if i > 0 {
						sep = ", "
					}
					p("%s%s %s", sep, e.Quote, e.Stance)
				}
				p("\n")
			}
			p("\n")
		}
	}
	if len(m.Needs) > 0 {
		p("## Needs\n\n")
		for _, n := range m.Needs {
			p("- **%s** %s — %s", n.ID, mdInline(n.Text), countOf(n.Count, "quote"))
			if len(n.Roles) > 0 {
				p(", from %s", mdInline(strings.Join(n.Roles, ", ")))
			}
			p("\n")
			for _, id := range n.Evidence {
				if q := m.Quote(id); q != nil {
					p("  - %s (%s): “%s” — %s\n", q.ID, q.Category, mdInline(short(q.Text)), mdInline(q.Citation))
				}
			}
		}
		p("\n")
	}
	return bw.Flush()
}

// group is quotes of a cell under one theme, or under none.
type group struct {
	theme  *Theme
	quotes []*Quote
}

// groups orders a cell's quotes for reading: theme by theme, then those
// in no theme; a cell without themes is one group.
func groups(c Cell) []group {
	byID := map[string]*Quote{}
	for i := range c.Quotes {
		byID[c.Quotes[i].ID] = &c.Quotes[i]
	}
	var out []group
	for i := range c.Themes {
		g := group{theme: &c.Themes[i]}
		for _, id := range c.Themes[i].Quotes {
			if q := byID[id]; q != nil {
				g.quotes = append(g.quotes, q)
			}
		}
		out = append(out, g)
	}
	rest := group{}
	for _, q := range c.Ungrouped() {
		rest.quotes = append(rest.quotes, byID[q.ID])
	}
	return append(out, rest)
}

// mdQuote writes one quote with its citation, note and status.
func mdQuote(p func(string, ...any), q *Quote) {
	for _, line := range strings.Split(strings.TrimSpace(q.Text), "\n") {
		if line = strings.TrimSpace(line); line == "" {
			p(">\n")
		} else {
			p("> %s\n", mdEscape(line))
		}
	}
	p(">\n> — %s\n\n", mdInline(q.Citation))
	if q.Note != "" {
		p("**Note:** %s\n\n", mdInline(q.Note))
	}
	switch q.Status {
	case Changed:
		p("**Source changed** since this quote was attached; the text above is as it was then.\n\n")
	case Gone:
		p("**Source gone** from Evident; the text above is as it was when attached.\n\n")
	}
	if q.Retagged {
		now := "no tags"
		if len(q.TagsNow) > 0 {
			now = strings.Join(q.TagsNow, ", ")
		}
		p("**Retagged** since attached: now %s.\n\n", now)
	}
	meta := []string{q.Why(), "quote " + q.ID, "passage " + q.PassageID}
	if q.AddedBy != "" {
		meta = append(meta, "added by "+q.AddedBy+" on "+day(q.AddedAt))
	}
	p("<sub>%s</sub>\n\n", mdInline(strings.Join(meta, " · ")))
}

// mdInline escapes text for one line of Markdown.
func mdInline(s string) string {
	return mdEscape(strings.Join(strings.Fields(s), " "))
}

// Characters that make Markdown (or the HTML it may carry) out of text.
var mdSpecial = strings.NewReplacer(`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `>`, `\>`, `|`, `\|`, `&`, `\&`, `~`, `\~`)

// A line that starts like a heading, a list item or a rule.
var mdBlockStart = regexp.MustCompile(`(?m)^(\s*)([#+=-]|\d+[.)])`)

// mdEscape makes text read as itself in Markdown: no emphasis, links,
// HTML, headings or lists that the text did not mean.
func mdEscape(s string) string {
	s = mdSpecial.Replace(s)
	return mdBlockStart.ReplaceAllStringFunc(s, func(m string) string {
		trimmed := strings.TrimLeft(m, " \t")
		lead := m[:len(m)-len(trimmed)]
		if strings.HasSuffix(trimmed, ".") || strings.HasSuffix(trimmed, ")") {
			return lead + trimmed[:len(trimmed)-1] + `\` + trimmed[len(trimmed)-1:]
		}
		return lead + `\` + trimmed
	})
}
