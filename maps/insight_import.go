package maps

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

type importedInsight struct {
	themes      map[string][]Theme
	needs       []Need
	assumptions []Assumption
	next        map[string]int // next_theme, next_need, next_assumption
}

// importInsight checks the themes, needs and assumptions of an imported
// map against its quotes: references to quotes the file does not hold
// (or, for a theme, holds in another cell) are dropped, texts checked
// like a person's, ids kept when usable and unique, else numbered anew.
func importInsight(m *Map, quotes []Quote, now time.Time) (importedInsight, error) {
	out := importedInsight{themes: map[string][]Theme{}, next: map[string]int{}}
	cellOf := map[string]string{}
	for _, q := range quotes {
		cellOf[q.ID] = q.Category
	}
	type idSet struct {
		seen    map[string]bool
		highest int
		pending []*string
	}
	kinds := map[string]*idSet{"t": {seen: map[string]bool{}}, "n": {seen: map[string]bool{}}, "a": {seen: map[string]bool{}}}
	claim := func(prefix string, id *string) {
		k := kinds[prefix]
		*id = strings.ToLower(strings.TrimSpace(*id))
		if rest, ok := strings.CutPrefix(*id, prefix); ok {
			if n, err := strconv.Atoi(rest); err == nil && n > 0 && n <= maxQuoteNumber && prefix+strconv.Itoa(n) == *id && !k.seen[*id] {
				k.seen[*id] = true
				k.highest = max(k.highest, n)
				return
			}
		}
		k.pending = append(k.pending, id)
	}
	for _, c := range m.Cells {
		cat := strings.ToUpper(strings.TrimSpace(c.Category))
		inTheme := map[string]bool{}
		for i, t := range c.Themes {
			where := fmt.Sprintf("theme %d of cell %s", i+1, cat)
			name, err := checkLabel("name of "+where, t.Name)
			if err != nil {
				return out, err
			}
			th := Theme{ID: t.ID, Name: name, Quotes: []string{}}
			for _, id := range t.Quotes {
				id = strings.ToLower(strings.TrimSpace(id))
				if cellOf[id] == cat && !inTheme[id] {
					inTheme[id] = true
					th.Quotes = append(th.Quotes, id)
				}
			}
			for _, term := range t.Terms {
				if err := checkPlain("terms of "+where, term); err != nil {
					return out, err
				}
				th.Terms = append(th.Terms, term)
			}
			out.themes[cat] = append(out.themes[cat], th)
		}
		for i, a := range c.Assumptions {
			text, err := checkStatement(fmt.Sprintf("text of assumption %d of cell %s", i+1, cat), a.Text)
			if err != nil {
				return out, err
			}
			as := Assumption{ID: a.ID, Category: cat, Text: text, Evidence: []Evidence{}, AddedBy: a.AddedBy, AddedAt: a.AddedAt}
			if err := checkPlain("added_by of an assumption", as.AddedBy); err != nil {
				return out, err
			}
			if as.AddedAt.IsZero() {
				as.AddedAt = now
			}
			linked := map[string]bool{}
			for _, e := range a.Evidence {
				id := strings.ToLower(strings.TrimSpace(e.Quote))
				if cellOf[id] == "" || linked[id] || (e.Stance != Supports && e.Stance != Contradicts) {
					continue
				}
				linked[id] = true
				as.Evidence = append(as.Evidence, Evidence{Quote: id, Stance: e.Stance})
			}
			out.assumptions = append(out.assumptions, as)
		}
	}
	for i, n := range m.Needs {
		text, err := checkStatement(fmt.Sprintf("text of need %d", i+1), n.Text)
		if err != nil {
			return out, err
		}
		nd := Need{ID: n.ID, Text: text, Evidence: []string{}, Position: i, AddedBy: n.AddedBy, AddedAt: n.AddedAt}
		if err := checkPlain("added_by of a need", nd.AddedBy); err != nil {
			return out, err
		}
		if nd.AddedAt.IsZero() {
			nd.AddedAt = now
		}
		for _, id := range n.Evidence {
			id = strings.ToLower(strings.TrimSpace(id))
			if cellOf[id] != "" && !slices.Contains(nd.Evidence, id) {
				nd.Evidence = append(nd.Evidence, id)
			}
		}
		out.needs = append(out.needs, nd)
	}
	// Ids: pointers into the slices, which no longer grow.
	for cat := range out.themes {
		for i := range out.themes[cat] {
			claim("t", &out.themes[cat][i].ID)
		}
	}
	for i := range out.needs {
		claim("n", &out.needs[i].ID)
	}
	for i := range out.assumptions {
		claim("a", &out.assumptions[i].ID)
	}
	for prefix, column := range map[string]string{"t": "next_theme", "n": "next_need", "a": "next_assumption"} {
		k := kinds[prefix]
		for _, id := range k.pending {
			k.highest++
			*id = prefix + strconv.Itoa(k.highest)
		}
		out.next[column] = k.highest + 1
	}
	// Positions of assumptions, cell by cell, in the file's order.
	places := map[string]int{}
	for i := range out.assumptions {
		a := &out.assumptions[i]
		a.Position = places[a.Category]
		places[a.Category]++
	}
	return out, nil
}

// store writes an imported map's themes, needs and assumptions.
func (in importedInsight) store(ctx context.Context, tx *sql.Tx, mapID int64) error {
	for cat, ts := range in.themes {
		if err := writeThemes(ctx, tx, mapID, cat, ts); err != nil {
			return err
		}
	}
	for i := range in.needs {
		if err := putNeed(ctx, tx, mapID, nil, &in.needs[i]); err != nil {
			return err
		}
	}
	for i := range in.assumptions {
		if err := putAssumption(ctx, tx, mapID, nil, &in.assumptions[i]); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE maps SET next_theme = ?, next_need = ?, next_assumption = ? WHERE id = ?`,
		in.next["next_theme"], in.next["next_need"], in.next["next_assumption"], mapID)
	return err
}
