package maps

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

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
