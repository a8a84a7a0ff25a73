package maps

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// From quotes to insight: after the cells are filled, a team groups
// similar notes into themes, writes the persona's needs (what the pains
// and gains add up to) and puts its assumptions on the map to see which
// the evidence confirms. All three refer to quotes by id. A quote that
// leaves a cell leaves its theme, and one detached stops counting as
// evidence, without the stored lists being rewritten: undoing the detach
// brings the quote back where it was.

// Theme is a group of a cell's quotes that say the same thing.
type Theme struct {
	ID     string   `json:"id"` // t1, t2... within the map; never reused
	Name   string   `json:"name"`
	Quotes []string `json:"quotes"` // quote ids of the cell, in the theme's order
	// Terms are the words that defined the group when it was proposed.
	Terms []string `json:"terms,omitempty"`
}

// Need is what the persona needs, in the team's words, with the quotes
// that support it.
type Need struct {
	ID       string   `json:"id"` // n1, n2... within the map
	Text     string   `json:"text"`
	Evidence []string `json:"evidence"` // quote ids
	// Count is the number of evidence quotes on the map now; Roles are
	// the roles they come from.
	Count    int       `json:"evidence_count"`
	Roles    []string  `json:"roles,omitempty"`
	Position int       `json:"position"`
	AddedBy  string    `json:"added_by"`
	AddedAt  time.Time `json:"added_at"`
}

// Stance says whether a quote supports or contradicts an assumption.
type Stance string

const (
	Supports    Stance = "supports"
	Contradicts Stance = "contradicts"
)

// Evidence is a quote linked to an assumption.
type Evidence struct {
	Quote  string `json:"quote"`
	Stance Stance `json:"stance"`
}

// Assumption is a card in a cell without a passage: what the team
// believes before the evidence says so.
type Assumption struct {
	ID       string     `json:"id"` // a1, a2... within the map
	Category string     `json:"category"`
	Text     string     `json:"text"`
	Evidence []Evidence `json:"evidence"`
	// Verdict sums the evidence up: untested, supported, contradicted or
	// mixed.
	Verdict  string    `json:"verdict"`
	Position int       `json:"position"`
	AddedBy  string    `json:"added_by"`
	AddedAt  time.Time `json:"added_at"`
}

// Verdicts of an assumption.
const (
	Untested     = "untested"
	Supported    = "supported"
	Contradicted = "contradicted"
	Mixed        = "mixed"
)

// Ungrouped returns the quotes of a cell that are in none of its themes.
func (c *Cell) Ungrouped() []Quote {
	in := map[string]bool{}
	for _, t := range c.Themes {
		for _, id := range t.Quotes {
			in[id] = true
		}
	}
	var out []Quote
	for _, q := range c.Quotes {
		if !in[q.ID] {
			out = append(out, q)
		}
	}
	return out
}

// Quote returns the map's quote with an id, nil if none.
func (m *Map) Quote(id string) *Quote {
	for _, q := range m.Quotes() {
		if q.ID == id {
			return q
		}
	}
	return nil
}

// ThemeOf returns the theme a quote is in, nil if none.
func (c *Cell) ThemeOf(quoteID string) *Theme {
	for i := range c.Themes {
		if slices.Contains(c.Themes[i].Quotes, quoteID) {
			return &c.Themes[i]
		}
	}
	return nil
}

// loadInsight reads a map's themes, needs and assumptions into m, whose
// cells are arranged already, keeping of each list the quotes that are
// where it expects them.
func (s *Store) loadInsight(ctx context.Context, q querier, mapID int64, m *Map) error {
	themes, err := loadThemes(ctx, q, mapID, "")
	if err != nil {
		return err
	}
	needs, err := loadNeeds(ctx, q, mapID)
	if err != nil {
		return err
	}
	assumptions, err := loadAssumptions(ctx, q, mapID, "")
	if err != nil {
		return err
	}
	assembleInsight(m, themes, needs, assumptions)
	return nil
}

// assembleInsight puts stored themes, needs and assumptions on a map:
// a theme keeps the quotes still in its cell that no theme before it
// holds; evidence keeps the quotes still on the map.
func assembleInsight(m *Map, themes map[string][]Theme, needs []Need, assumptions map[string][]Assumption) {
	where := map[string]*Quote{}
	for _, q := range m.Quotes() {
		where[q.ID] = q
	}
	for i := range m.Cells {
		c := &m.Cells[i]
		claimed := map[string]bool{}
		for _, t := range themes[c.Category] {
			kept := []string{}
			for _, id := range t.Quotes {
				if q := where[id]; q != nil && q.Category == c.Category && !claimed[id] {
					claimed[id] = true
					kept = append(kept, id)
				}
			}
			t.Quotes = kept
			c.Themes = append(c.Themes, t)
		}
		for _, a := range assumptions[c.Category] {
			kept := []Evidence{}
			for _, e := range a.Evidence {
				if where[e.Quote] != nil {
					kept = append(kept, e)
				}
			}
			a.Evidence = kept
			a.Verdict = verdict(kept)
			c.Assumptions = append(c.Assumptions, a)
		}
	}
	for _, n := range needs {
		kept := []string{}
		roles := []string{}
		for _, id := range n.Evidence {
			if q := where[id]; q != nil {
				kept = append(kept, id)
				if q.Role != "" && !slices.Contains(roles, q.Role) {
					roles = append(roles, q.Role)
				}
			}
		}
		slices.Sort(roles)
		n.Evidence, n.Count, n.Roles = kept, len(kept), roles
		m.Needs = append(m.Needs, n)
	}
}

func verdict(ev []Evidence) string {
	var sup, con bool
	for _, e := range ev {
		sup = sup || e.Stance == Supports
		con = con || e.Stance == Contradicts
	}
	switch {
	case sup && con:
		return Mixed
	case sup:
		return Supported
	case con:
		return Contradicted
	}
	return Untested
}

func loadThemes(ctx context.Context, q querier, mapID int64, category string) (map[string][]Theme, error) {
	query := `SELECT category, id, name, quotes, terms FROM map_themes WHERE map_id = ?`
	args := []any{mapID}
	if category != "" {
		query += ` AND category = ?`
		args = append(args, category)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY category, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Theme{}
	for rows.Next() {
		var cat, quotes, terms string
		var t Theme
		if err := rows.Scan(&cat, &t.ID, &t.Name, &quotes, &terms); err != nil {
			return nil, err
		}
		if err := unmarshalList(quotes, &t.Quotes); err != nil {
			return nil, fmt.Errorf("theme %s: %w", t.ID, err)
		}
		if err := unmarshalList(terms, &t.Terms); err != nil {
			return nil, fmt.Errorf("theme %s: %w", t.ID, err)
		}
		out[cat] = append(out[cat], t)
	}
	return out, rows.Err()
}

func loadNeeds(ctx context.Context, q querier, mapID int64) ([]Need, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, position, text, evidence, added_by, added_at FROM map_needs WHERE map_id = ? ORDER BY position`, mapID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Need
	for rows.Next() {
		var n Need
		var ev, at string
		if err := rows.Scan(&n.ID, &n.Position, &n.Text, &ev, &n.AddedBy, &at); err != nil {
			return nil, err
		}
		if err := unmarshalList(ev, &n.Evidence); err != nil {
			return nil, fmt.Errorf("need %s: %w", n.ID, err)
		}
		n.AddedAt = parseTime(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

func loadAssumptions(ctx context.Context, q querier, mapID int64, id string) (map[string][]Assumption, error) {
	query := `SELECT id, category, position, text, evidence, added_by, added_at FROM map_assumptions WHERE map_id = ?`
	args := []any{mapID}
	if id != "" {
		query += ` AND id = ?`
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY category, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]Assumption{}
	for rows.Next() {
		var a Assumption
		var ev, at string
		if err := rows.Scan(&a.ID, &a.Category, &a.Position, &a.Text, &ev, &a.AddedBy, &at); err != nil {
			return nil, err
		}
		if err := unmarshalList(ev, &a.Evidence); err != nil {
			return nil, fmt.Errorf("assumption %s: %w", a.ID, err)
		}
		a.AddedAt = parseTime(at)
		out[a.Category] = append(out[a.Category], a)
	}
	return out, rows.Err()
}

func unmarshalList[T any](s string, v *[]T) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return err
	}
	if *v == nil {
		*v = []T{}
	}
	return nil
}

func marshalList[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// writeThemes replaces the themes of a cell with ts, in their order.
func writeThemes(ctx context.Context, tx *sql.Tx, mapID int64, category string, ts []Theme) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM map_themes WHERE map_id = ? AND category = ?`, mapID, category); err != nil {
		return err
	}
	for i, t := range ts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO map_themes (map_id, id, category, position, name, quotes, terms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			mapID, t.ID, category, i, t.Name, marshalList(t.Quotes), marshalList(t.Terms)); err != nil {
			return fmt.Errorf("theme %s: %w", t.ID, err)
		}
	}
	return nil
}

// nextID takes the next id of a kind ("t", "n", "a") from its counter.
func nextID(ctx context.Context, tx *sql.Tx, r *mapRow, column, prefix string) (string, error) {
	n := r.next[column]
	if _, err := tx.ExecContext(ctx, `UPDATE maps SET `+column+` = ? WHERE id = ?`, n+1, r.id); err != nil {
		return "", err
	}
	r.next[column] = n + 1
	return prefix + strconv.Itoa(n), nil
}

// maxLabel bounds a theme's name.
const maxLabel = 200

func checkLabel(field, s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if err := checkPlain(field, s); err != nil {
		return "", err
	}
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", fail(ErrInvalid, "the %s is empty", field)
	case n > maxLabel:
		return "", fail(ErrInvalid, "the %s is %d characters long; the limit is %d", field, n, maxLabel)
	}
	return s, nil
}

// checkStatement checks a need's or an assumption's text.
func checkStatement(field, s string) (string, error) {
	s = strings.TrimSpace(lineBreaks(s))
	if s == "" {
		return "", fail(ErrInvalid, "the %s is empty", field)
	}
	return s, checkText(field, s)
}

// quoteRefs resolves quotes as a person names them (q3, or a passage id
// on the map once) to quote ids, each once, in the order given.
func (s *Store) quoteRefs(ctx context.Context, tx *sql.Tx, r *mapRow, refs []string) ([]*Quote, error) {
	var out []*Quote
	seen := map[string]bool{}
	for _, ref := range refs {
		if strings.TrimSpace(ref) == "" {
			continue
		}
		q, err := s.findQuote(ctx, tx, r, ref)
		if err != nil {
			return nil, err
		}
		if !seen[q.ID] {
			seen[q.ID] = true
			out = append(out, q)
		}
	}
	return out, nil
}

func ids(qs []*Quote) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// The operations of a ThemeChange.
const (
	ThemeAccept = "accept" // store the proposal for the cell, in place of its themes
	ThemeAdd    = "add"    // a theme by hand: name and quotes
	ThemeRename = "rename"
	ThemeMerge  = "merge" // Themes into Theme
	ThemeSplit  = "split" // Quotes out of Theme into a new theme
	ThemeMove   = "move"  // Quotes into Theme, or out of any theme when Theme is ""
	ThemeDrop   = "drop"  // the theme goes; its quotes stay in the cell
)

// ThemeChange is one change to the themes of a cell.
type ThemeChange struct {
	Op     string   `json:"op"`
	Cell   string   `json:"cell,omitempty"`
	Theme  string   `json:"theme,omitempty"`
	Name   string   `json:"name,omitempty"`
	Themes []string `json:"themes,omitempty"` // merge: the themes that join Theme
	Quotes []string `json:"quotes,omitempty"` // quote ids, or passage ids on the map once
}

// themesDetail records a change to a cell's themes: all of them before
// and after, as stored.
type themesDetail struct {
	Category string  `json:"category"`
	What     string  `json:"what"`
	Before   []Theme `json:"before"`
	After    []Theme `json:"after"`
}

// ChangeThemes applies one change to the themes of a cell, recorded in
// the history as one change that undo takes back.
func (s *Store) ChangeThemes(ctx context.Context, name string, c ThemeChange, by string) (*Map, error) {
	var proposal []Theme
	if c.Op == ThemeAccept {
		m, err := s.Get(ctx, name)
		if err != nil {
			return nil, err
		}
		cat, err := s.category(c.Cell)
		if err != nil {
			return nil, err
		}
		cell := m.Cell(cat)
		if cell == nil || len(cell.Quotes) == 0 {
			return nil, fail(ErrInvalid, "cell %s of map %q has no quotes to group", cat, m.Name)
		}
		proposal = ProposeThemes(cell.Quotes).Themes
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		cat, err := s.themeCell(ctx, tx, r, c)
		if err != nil {
			return err
		}
		stored, err := loadThemes(ctx, tx, r.id, cat)
		if err != nil {
			return err
		}
		before := stored[cat]
		after := slices.Clone(before)
		for i := range after {
			after[i].Quotes = slices.Clone(after[i].Quotes)
		}
		find := func(id string) (int, error) {
			id = strings.ToLower(strings.TrimSpace(id))
			for i, t := range after {
				if t.ID == id {
					return i, nil
				}
			}
			return -1, fail(ErrNotFound, "cell %s of map %q has no theme %q; `evident map themes %s --cell %s` lists them", cat, r.info.Name, id, r.info.Name, cat)
		}
		quotes := func() ([]string, error) {
			qs, err := s.quoteRefs(ctx, tx, r, c.Quotes)
			if err != nil {
				return nil, err
			}
			for _, q := range qs {
				if q.Category != cat {
					return nil, fail(ErrInvalid, "quote %s is in %s, not %s: a theme groups quotes of its own cell", q.ID, q.Category, cat)
				}
			}
			if len(qs) == 0 {
				return nil, fail(ErrInvalid, "name the quotes (q1,q2...)")
			}
			return ids(qs), nil
		}
		// take removes quotes from every theme, so that each is in one.
		take := func(qs []string) {
			for i := range after {
				after[i].Quotes = slices.DeleteFunc(after[i].Quotes, func(id string) bool { return slices.Contains(qs, id) })
			}
		}
		var what string
		switch c.Op {
		case ThemeAccept:
			after = nil
			for _, t := range proposal {
				if t.ID, err = nextID(ctx, tx, r, "next_theme", "t"); err != nil {
					return err
				}
				after = append(after, t)
			}
			what = fmt.Sprintf("accepted %s proposed for %s", countOf(len(after), "theme"), cat)
		case ThemeAdd:
			label, err := checkLabel("theme's name", c.Name)
			if err != nil {
				return err
			}
			qs, err := quotes()
			if err != nil {
				return err
			}
			take(qs)
			t := Theme{Name: label, Quotes: qs}
			if t.ID, err = nextID(ctx, tx, r, "next_theme", "t"); err != nil {
				return err
			}
			after = append(after, t)
			what = fmt.Sprintf("grouped %s in %s as %s %q", strings.Join(qs, ", "), cat, t.ID, label)
		case ThemeRename:
			i, err := find(c.Theme)
			if err != nil {
				return err
			}
			label, err := checkLabel("theme's name", c.Name)
			if err != nil {
				return err
			}
			what = fmt.Sprintf("renamed %s %q to %q", after[i].ID, after[i].Name, label)
			after[i].Name = label
		case ThemeMerge:
			i, err := find(c.Theme)
			if err != nil {
				return err
			}
			if len(c.Themes) == 0 {
				return fail(ErrInvalid, "name the themes to merge into %s", after[i].ID)
			}
			into := after[i].ID
			var gone []string
			for _, other := range c.Themes {
				j, err := find(other)
				if err != nil {
					return err
				}
				if after[j].ID == into {
					return fail(ErrInvalid, "theme %s cannot merge into itself", into)
				}
				i, _ = find(into)
				after[i].Quotes = append(after[i].Quotes, after[j].Quotes...)
				gone = append(gone, after[j].ID)
				after = slices.Delete(after, j, j+1)
			}
			i, _ = find(into)
			if c.Name != "" {
				label, err := checkLabel("theme's name", c.Name)
				if err != nil {
					return err
				}
				after[i].Name = label
			}
			after[i].Terms = nil // no longer the proposal's group
			what = fmt.Sprintf("merged %s into %s %q", strings.Join(gone, ", "), into, after[i].Name)
		case ThemeSplit:
			i, err := find(c.Theme)
			if err != nil {
				return err
			}
			qs, err := quotes()
			if err != nil {
				return err
			}
			for _, id := range qs {
				if !slices.Contains(after[i].Quotes, id) {
					return fail(ErrInvalid, "quote %s is not in theme %s", id, after[i].ID)
				}
			}
			label := c.Name
			if strings.TrimSpace(label) == "" {
				label = after[i].Name + " (split)"
			}
			if label, err = checkLabel("theme's name", label); err != nil {
				return err
			}
			take(qs)
			t := Theme{Name: label, Quotes: qs}
			if t.ID, err = nextID(ctx, tx, r, "next_theme", "t"); err != nil {
				return err
			}
			after = slices.Insert(after, i+1, t)
			what = fmt.Sprintf("split %s out of %s as %s %q", strings.Join(qs, ", "), after[i].ID, t.ID, label)
		case ThemeMove:
			qs, err := quotes()
			if err != nil {
				return err
			}
			if strings.TrimSpace(c.Theme) == "" {
				take(qs)
				what = fmt.Sprintf("took %s out of its theme in %s", strings.Join(qs, ", "), cat)
				break
			}
			i, err := find(c.Theme)
			if err != nil {
				return err
			}
			take(qs)
			after[i].Quotes = append(after[i].Quotes, qs...)
			what = fmt.Sprintf("moved %s to %s %q", strings.Join(qs, ", "), after[i].ID, after[i].Name)
		case ThemeDrop:
			i, err := find(c.Theme)
			if err != nil {
				return err
			}
			what = fmt.Sprintf("dropped theme %s %q", after[i].ID, after[i].Name)
			after = slices.Delete(after, i, i+1)
		default:
			return fail(ErrInvalid, "theme change %q is not one of accept, add, rename, merge, split, move, drop", c.Op)
		}
		if err := writeThemes(ctx, tx, r.id, cat, after); err != nil {
			return err
		}
		return s.record(ctx, tx, r.id, r.info.Name, opThemes, by, themesDetail{Category: cat, What: what, Before: before, After: after}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, name)
}

// themeCell finds the cell a theme change is about: the one named, else
// the cell of the theme or of the first quote named.
func (s *Store) themeCell(ctx context.Context, tx *sql.Tx, r *mapRow, c ThemeChange) (string, error) {
	if strings.TrimSpace(c.Cell) != "" {
		return s.category(c.Cell)
	}
	for _, id := range append([]string{c.Theme}, c.Themes...) {
		var cat string
		err := tx.QueryRowContext(ctx, `SELECT category FROM map_themes WHERE map_id = ? AND id = ?`, r.id, strings.ToLower(strings.TrimSpace(id))).Scan(&cat)
		if err == nil {
			return cat, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	if len(c.Quotes) > 0 {
		q, err := s.findQuote(ctx, tx, r, c.Quotes[0])
		if err != nil {
			return "", err
		}
		return q.Category, nil
	}
	if c.Theme != "" {
		return "", fail(ErrNotFound, "map %q has no theme %q", r.info.Name, c.Theme)
	}
	return "", fail(ErrInvalid, "say which cell (--cell CELL)")
}

// The operations of a NeedChange.
const (
	NeedAdd    = "add"
	NeedEdit   = "edit"   // a new text
	NeedLink   = "link"   // more evidence
	NeedUnlink = "unlink" // less evidence
	NeedDelete = "delete"
)

// NeedChange is one change to a map's needs.
type NeedChange struct {
	Op       string   `json:"op"`
	Need     string   `json:"need,omitempty"` // n1: every op but add
	Text     string   `json:"text,omitempty"`
	Evidence []string `json:"evidence,omitempty"` // quote ids, or passage ids on the map once
}

// needDetail records a change to one need: as it was and as it is
// (nil before an add, nil after a delete).
type needDetail struct {
	What   string `json:"what"`
	Before *Need  `json:"before,omitempty"`
	After  *Need  `json:"after,omitempty"`
}

// ChangeNeeds adds, edits, links evidence to or deletes a need. It
// returns the need as it is after the change (nil after a delete) and
// the map.
func (s *Store) ChangeNeeds(ctx context.Context, name string, c NeedChange, by string) (*Map, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		needs, err := loadNeeds(ctx, tx, r.id)
		if err != nil {
			return err
		}
		var before, after *Need
		if c.Op != NeedAdd {
			id := strings.ToLower(strings.TrimSpace(c.Need))
			for i := range needs {
				if needs[i].ID == id {
					n := needs[i]
					before = &n
				}
			}
			if before == nil {
				return fail(ErrNotFound, "map %q has no need %q; `evident map needs %s` lists them", r.info.Name, c.Need, r.info.Name)
			}
			n := *before
			n.Evidence = slices.Clone(n.Evidence)
			after = &n
		}
		evidence := func() ([]string, error) {
			qs, err := s.quoteRefs(ctx, tx, r, c.Evidence)
			if err != nil {
				return nil, err
			}
			if len(qs) == 0 && c.Op != NeedAdd {
				return nil, fail(ErrInvalid, "name the evidence quotes (q1,q2...)")
			}
			return ids(qs), nil
		}
		var what string
		switch c.Op {
		case NeedAdd:
			text, err := checkStatement("need", c.Text)
			if err != nil {
				return err
			}
			ev, err := evidence()
			if err != nil {
				return err
			}
			after = &Need{Text: text, Evidence: ev, Position: len(needs), AddedBy: by, AddedAt: s.now()}
			if after.ID, err = nextID(ctx, tx, r, "next_need", "n"); err != nil {
				return err
			}
			what = fmt.Sprintf("added need %s %q with %s", after.ID, short(text), countOf(len(ev), "quote"))
		case NeedEdit:
			text, err := checkStatement("need", c.Text)
			if err != nil {
				return err
			}
			after.Text = text
			what = fmt.Sprintf("changed need %s to %q", after.ID, short(text))
		case NeedLink:
			ev, err := evidence()
			if err != nil {
				return err
			}
			for _, id := range ev {
				if !slices.Contains(after.Evidence, id) {
					after.Evidence = append(after.Evidence, id)
				}
			}
			what = fmt.Sprintf("linked %s to need %s", strings.Join(ev, ", "), after.ID)
		case NeedUnlink:
			ev, err := evidence()
			if err != nil {
				return err
			}
			after.Evidence = slices.DeleteFunc(after.Evidence, func(id string) bool { return slices.Contains(ev, id) })
			what = fmt.Sprintf("unlinked %s from need %s", strings.Join(ev, ", "), after.ID)
		case NeedDelete:
			after = nil
			what = fmt.Sprintf("deleted need %s %q", before.ID, short(before.Text))
		default:
			return fail(ErrInvalid, "need change %q is not one of add, edit, link, unlink, delete", c.Op)
		}
		if err := putNeed(ctx, tx, r.id, before, after); err != nil {
			return err
		}
		return s.record(ctx, tx, r.id, r.info.Name, opNeed, by, needDetail{What: what, Before: before, After: after}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, name)
}

// putNeed turns the stored need before into after (see putCard).
func putNeed(ctx context.Context, tx *sql.Tx, mapID int64, before, after *Need) error {
	row := func(n *Need) *cardRow {
		if n == nil {
			return nil
		}
		return &cardRow{id: n.ID, position: n.Position, text: n.Text, evidence: marshalList(n.Evidence), by: n.AddedBy, at: n.AddedAt}
	}
	return putCard(ctx, tx, "map_needs", mapID, row(before), row(after))
}

// cardRow is a stored need or assumption: a card with its place in a
// list, the map's (needs) or a cell's (assumptions, category set).
type cardRow struct {
	id, category   string
	position       int
	text, evidence string
	by             string
	at             time.Time
}

// putCard turns the stored card before into after: an insert at its
// place, an update of its text and evidence, or a delete that closes
// the gap.
func putCard(ctx context.Context, tx *sql.Tx, table string, mapID int64, before, after *cardRow) error {
	// Places count within the map, or within a cell for assumptions.
	scope, args := ` WHERE map_id = ?`, []any{mapID}
	if c := cmp.Or(before, after); c.category != "" {
		scope, args = scope+` AND category = ?`, append(args, c.category)
	}
	shift := func(by string, from int) error {
		_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET position = position `+by+scope+` AND position >= ?`, append(args, from)...)
		return err
	}
	switch {
	case before != nil && after == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE map_id = ? AND id = ?`, mapID, before.id); err != nil {
			return err
		}
		return shift("- 1", before.position+1)
	case before != nil:
		_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET text = ?, evidence = ? WHERE map_id = ? AND id = ?`, after.text, after.evidence, mapID, after.id)
		return err
	}
	if err := shift("+ 1", after.position); err != nil {
		return err
	}
	cols, vals := `map_id, id, position, text, evidence, added_by, added_at`, []any{mapID, after.id, after.position, after.text, after.evidence, after.by, formatTime(after.at)}
	if after.category != "" {
		cols, vals = cols+`, category`, append(vals, after.category)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+cols+`) VALUES (?`+strings.Repeat(", ?", len(vals)-1)+`)`, vals...)
	return err
}

// The operations of an AssumptionChange.
const (
	AssumeAdd        = "add"
	AssumeEdit       = "edit"
	AssumeSupport    = "support"    // quotes that confirm it
	AssumeContradict = "contradict" // quotes that refute it
	AssumeUnlink     = "unlink"
	AssumeDelete     = "delete"
)

// AssumptionChange is one change to a map's assumptions.
type AssumptionChange struct {
	Op         string   `json:"op"`
	Assumption string   `json:"assumption,omitempty"` // a1: every op but add
	Cell       string   `json:"cell,omitempty"`       // add
	Text       string   `json:"text,omitempty"`
	Quotes     []string `json:"quotes,omitempty"`
}

type assumptionDetail struct {
	What   string      `json:"what"`
	Before *Assumption `json:"before,omitempty"`
	After  *Assumption `json:"after,omitempty"`
}

// ChangeAssumptions adds, edits, links evidence to or deletes an
// assumption.
func (s *Store) ChangeAssumptions(ctx context.Context, name string, c AssumptionChange, by string) (*Map, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := loadMap(ctx, tx, name)
		if err != nil {
			return err
		}
		var before, after *Assumption
		if c.Op != AssumeAdd {
			id := strings.ToLower(strings.TrimSpace(c.Assumption))
			found, err := loadAssumptions(ctx, tx, r.id, id)
			if err != nil {
				return err
			}
			for _, as := range found {
				before = &as[0]
			}
			if before == nil {
				return fail(ErrNotFound, "map %q has no assumption %q; `evident map show %s` lists them", r.info.Name, c.Assumption, r.info.Name)
			}
			a := *before
			a.Evidence = slices.Clone(a.Evidence)
			after = &a
		}
		quotes := func() ([]string, error) {
			qs, err := s.quoteRefs(ctx, tx, r, c.Quotes)
			if err != nil {
				return nil, err
			}
			if len(qs) == 0 {
				return nil, fail(ErrInvalid, "name the quotes (q1,q2...)")
			}
			return ids(qs), nil
		}
		link := func(stance Stance) (string, error) {
			qs, err := quotes()
			if err != nil {
				return "", err
			}
			after.Evidence = slices.DeleteFunc(after.Evidence, func(e Evidence) bool { return slices.Contains(qs, e.Quote) })
			for _, id := range qs {
				after.Evidence = append(after.Evidence, Evidence{Quote: id, Stance: stance})
			}
			return fmt.Sprintf("%s %s %s", strings.Join(qs, ", "), stance, after.ID), nil
		}
		var what string
		switch c.Op {
		case AssumeAdd:
			cat, err := s.category(c.Cell)
			if err != nil {
				return err
			}
			text, err := checkStatement("assumption", c.Text)
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM map_assumptions WHERE map_id = ? AND category = ?`, r.id, cat).Scan(&n); err != nil {
				return err
			}
			after = &Assumption{Category: cat, Text: text, Evidence: []Evidence{}, Position: n, AddedBy: by, AddedAt: s.now()}
			if after.ID, err = nextID(ctx, tx, r, "next_assumption", "a"); err != nil {
				return err
			}
			what = fmt.Sprintf("assumed in %s as %s: %q", cat, after.ID, short(text))
		case AssumeEdit:
			text, err := checkStatement("assumption", c.Text)
			if err != nil {
				return err
			}
			after.Text = text
			what = fmt.Sprintf("changed assumption %s to %q", after.ID, short(text))
		case AssumeSupport:
			if what, err = link(Supports); err != nil {
				return err
			}
		case AssumeContradict:
			if what, err = link(Contradicts); err != nil {
				return err
			}
		case AssumeUnlink:
			qs, err := quotes()
			if err != nil {
				return err
			}
			after.Evidence = slices.DeleteFunc(after.Evidence, func(e Evidence) bool { return slices.Contains(qs, e.Quote) })
			what = fmt.Sprintf("unlinked %s from assumption %s", strings.Join(qs, ", "), after.ID)
		case AssumeDelete:
			after = nil
			what = fmt.Sprintf("deleted assumption %s %q", before.ID, short(before.Text))
		default:
			return fail(ErrInvalid, "assumption change %q is not one of add, edit, support, contradict, unlink, delete", c.Op)
		}
		if err := putAssumption(ctx, tx, r.id, before, after); err != nil {
			return err
		}
		return s.record(ctx, tx, r.id, r.info.Name, opAssume, by, assumptionDetail{What: what, Before: before, After: after}, 0)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, name)
}

func putAssumption(ctx context.Context, tx *sql.Tx, mapID int64, before, after *Assumption) error {
	row := func(a *Assumption) *cardRow {
		if a == nil {
			return nil
		}
		return &cardRow{id: a.ID, category: a.Category, position: a.Position, text: a.Text, evidence: marshalList(a.Evidence), by: a.AddedBy, at: a.AddedAt}
	}
	return putCard(ctx, tx, "map_assumptions", mapID, row(before), row(after))
}

// invertInsight undoes a change to themes, needs or assumptions: what
// was before is put back.
func invertInsight(ctx context.Context, tx *sql.Tx, r *mapRow, c Change) error {
	switch c.Op {
	case opThemes:
		var d themesDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		return writeThemes(ctx, tx, r.id, d.Category, d.Before)
	case opNeed:
		var d needDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		return putNeed(ctx, tx, r.id, d.After, d.Before)
	case opAssume:
		var d assumptionDetail
		if err := json.Unmarshal(c.Detail, &d); err != nil {
			return err
		}
		return putAssumption(ctx, tx, r.id, d.After, d.Before)
	}
	return errors.New("not a change to themes, needs or assumptions")
}

// insightSummary is the words of a change to themes, needs or
// assumptions, kept in its detail.
func insightSummary(c Change) string {
	var d struct {
		What string `json:"what"`
	}
	json.Unmarshal(c.Detail, &d)
	return cmp.Or(d.What, c.Op)
}

// countOf writes "1 theme", "3 themes".
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// importedInsight is what an imported map brings besides its quotes.
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
