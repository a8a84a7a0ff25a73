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
