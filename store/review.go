package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/evident/evident"
)

// Action is what a person did to a passage's tags.
type Action string

const (
	Accept  Action = "accept"  // confirmed the tags as they were
	Correct Action = "correct" // changed them
	Clear   Action = "clear"   // withdrew their tags: the rules' stand again
)

// Review is one entry of the review log.
type Review struct {
	ID        int64     `json:"id"`
	PassageID string    `json:"passage_id"`
	SHA256    string    `json:"sha256"` // of the passage's document
	Who       string    `json:"who"`
	At        time.Time `json:"at"` // UTC
	Action    Action    `json:"action"`
	Before    []string  `json:"before"` // the passage's categories before
	After     []string  `json:"after"`  // and after
}

// Override is a person's categories for a passage: they outrank the rules'.
type Override struct {
	PassageID  string    `json:"passage_id"`
	SHA256     string    `json:"sha256"`
	Categories []string  `json:"categories"`
	Who        string    `json:"who"` // who set them last
	At         time.Time `json:"at"`
}

// SaveReview records a review in one transaction: the entry of the log,
// the person's override (set to r.After by accept and correct, removed by
// clear) and p's tags as they now stand. It fills in r.ID, r.SHA256 (the
// passage's document) and r.At when zero. A passage that is not stored is
// ErrNotFound, and nothing is recorded.
func (s *Store) SaveReview(ctx context.Context, r *Review, p *evident.Passage) error {
	switch r.Action {
	case Accept, Correct, Clear:
	default:
		return fmt.Errorf("review of %s: action %q is not accept, correct or clear", r.PassageID, r.Action)
	}
	if strings.TrimSpace(r.Who) == "" {
		return fmt.Errorf("review of %s: who: empty", r.PassageID)
	}
	if p.ID != r.PassageID {
		return fmt.Errorf("review of %s: passage %s given", r.PassageID, p.ID)
	}
	if r.At.IsZero() {
		r.At = time.Now()
	}
	r.At = r.At.UTC()
	before, err := json.Marshal(nonNil(r.Before))
	if err != nil {
		return fmt.Errorf("review of %s: before: %w", r.PassageID, err)
	}
	after, err := json.Marshal(nonNil(r.After))
	if err != nil {
		return fmt.Errorf("review of %s: after: %w", r.PassageID, err)
	}
	at := r.At.Format(time.RFC3339Nano)
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT d.sha256 FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.id = ?`, r.PassageID).Scan(&r.SHA256)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("passage %s: %w", r.PassageID, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("passage %s: %w", r.PassageID, err)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO reviews (passage_id, sha256, who, at, action, categories_before, categories_after)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.PassageID, r.SHA256, r.Who, at, r.Action, string(before), string(after))
		if err != nil {
			return fmt.Errorf("review of %s: %w", r.PassageID, err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return fmt.Errorf("review of %s: %w", r.PassageID, err)
		}
		if r.Action == Clear {
			_, err = tx.ExecContext(ctx, `DELETE FROM overrides WHERE passage_id = ?`, r.PassageID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO overrides (passage_id, sha256, categories, who, at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (passage_id) DO UPDATE SET sha256 = excluded.sha256, categories = excluded.categories,
				who = excluded.who, at = excluded.at`, r.PassageID, r.SHA256, string(after), r.Who, at)
		}
		if err != nil {
			return fmt.Errorf("override of %s: %w", r.PassageID, err)
		}
		return updateTags(ctx, tx, []evident.Passage{*p})
	})
}

// Overrides returns the people's categories of a document's passages, by
// passage id; with sha "", every override there is, of passages stored
// or not (a document deleted leaves its overrides, for its bytes' return).
func (s *Store) Overrides(ctx context.Context, sha string) (map[string]Override, error) {
	q, args := `SELECT passage_id, sha256, categories, who, at FROM overrides`, []any{}
	if sha != "" {
		q, args = q+` WHERE sha256 = ?`, append(args, sha)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("overrides: %w", err)
	}
	defer rows.Close()
	out := map[string]Override{}
	for rows.Next() {
		var o Override
		var cats, at string
		if err := rows.Scan(&o.PassageID, &o.SHA256, &cats, &o.Who, &at); err != nil {
			return nil, fmt.Errorf("overrides: %w", err)
		}
		if err := json.Unmarshal([]byte(cats), &o.Categories); err != nil {
			return nil, fmt.Errorf("override of %s: categories: %w", o.PassageID, err)
		}
		o.At = parseTime(at)
		out[o.PassageID] = o
	}
	return out, rows.Err()
}

// Reviews returns the review log, oldest first: a passage's entries, or
// with passageID "" every entry.
func (s *Store) Reviews(ctx context.Context, passageID string) ([]Review, error) {
	q, args := `SELECT id, passage_id, sha256, who, at, action, categories_before, categories_after FROM reviews`, []any{}
	if passageID != "" {
		q, args = q+` WHERE passage_id = ?`, append(args, passageID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("reviews: %w", err)
	}
	defer rows.Close()
	out := []Review{}
	for rows.Next() {
		var r Review
		var at, before, after string
		if err := rows.Scan(&r.ID, &r.PassageID, &r.SHA256, &r.Who, &at, &r.Action, &before, &after); err != nil {
			return nil, fmt.Errorf("reviews: %w", err)
		}
		r.At = parseTime(at)
		if err := json.Unmarshal([]byte(before), &r.Before); err != nil {
			return nil, fmt.Errorf("review %d: before: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(after), &r.After); err != nil {
			return nil, fmt.Errorf("review %d: after: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
