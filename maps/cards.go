package maps

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Needs and assumptions: cards a team writes, linked to the quotes
// that bear on them.

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
