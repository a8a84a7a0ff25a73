package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/evident/evident"
)

// passageCodes returns the codes of a document's passages that have any.
func passageCodes(ctx context.Context, tx *sql.Tx, docID int64) (map[string][]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, codes FROM passages WHERE doc_id = ? AND codes != '[]'`, docID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var id, codes string
		if err := rows.Scan(&id, &codes); err != nil {
			return nil, err
		}
		var list []string
		if err := json.Unmarshal([]byte(codes), &list); err != nil {
			return nil, fmt.Errorf("passage %s: codes: %w", id, err)
		}
		out[id] = list
	}
	return out, rows.Err()
}

// AddCodes gives a passage codes it does not have yet, in the order given
// after those it has, and returns the passage as it now stands.
func (s *Store) AddCodes(ctx context.Context, passageID string, codes []string) (*evident.Passage, error) {
	var out *evident.Passage
	err := s.tx(ctx, func(tx *sql.Tx) error {
		p, err := scanPassage(tx.QueryRowContext(ctx, `SELECT `+passageColumns+` FROM `+passageTables+` WHERE p.id = ?`, passageID))
		if err != nil {
			return fmt.Errorf("passage %s: %w", passageID, err)
		}
		for _, c := range codes {
			if c != "" && !slices.Contains(p.Codes, c) {
				p.Codes = append(p.Codes, c)
			}
		}
		b, err := json.Marshal(nonNil(p.Codes))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE passages SET codes = ? WHERE id = ?`, string(b), passageID); err != nil {
			return fmt.Errorf("passage %s: %w", passageID, err)
		}
		out = p
		return nil
	})
	return out, err
}
