package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/persona"
)

// SpeakerOverride is what a person said of one speaker of a document,
// which outranks whatever was detected.
type SpeakerOverride struct {
	persona.Correction
	Speaker string    `json:"speaker"`
	Who     string    `json:"who"`
	At      time.Time `json:"at"`
}

// SpeakerOverrides returns what people said of the speakers of the
// document with this content hash, by speaker name.
func (s *Store) SpeakerOverrides(ctx context.Context, sha string) (map[string]SpeakerOverride, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT speaker, role, title, company, interviewer, who, at FROM speaker_overrides WHERE sha256 = ?`, sha)
	if err != nil {
		return nil, fmt.Errorf("speakers of %s: %w", short(sha), err)
	}
	defer rows.Close()
	out := map[string]SpeakerOverride{}
	for rows.Next() {
		var o SpeakerOverride
		var role, title, company sql.NullString
		var iv sql.NullBool
		var at string
		if err := rows.Scan(&o.Speaker, &role, &title, &company, &iv, &o.Who, &at); err != nil {
			return nil, fmt.Errorf("speakers of %s: %w", short(sha), err)
		}
		if role.Valid {
			o.Role = &role.String
		}
		if title.Valid {
			o.Title = &title.String
		}
		if company.Valid {
			o.Company = &company.String
		}
		if iv.Valid {
			o.Interviewer = &iv.Bool
		}
		o.At = parseTime(at)
		out[o.Speaker] = o
	}
	return out, rows.Err()
}

// Corrections returns the overrides as persona applies them.
func Corrections(o map[string]SpeakerOverride) map[string]persona.Correction {
	if len(o) == 0 {
		return nil
	}
	out := make(map[string]persona.Correction, len(o))
	for name, v := range o {
		out[name] = v.Correction
	}
	return out
}

// SaveSpeaker records what a person said of a speaker (merged over what
// was said before) and, in the same transaction, the document's speakers
// and the passages the correction changed, with their new tags.
func (s *Store) SaveSpeaker(ctx context.Context, sha string, o SpeakerOverride, speakers []evident.Person, changed []evident.Passage) error {
	list, err := json.Marshal(nonNil(speakers))
	if err != nil {
		return err
	}
	nullable := func(p *string) any {
		if p == nil {
			return nil
		}
		return *p
	}
	var iv any
	if o.Interviewer != nil {
		iv = *o.Interviewer
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE documents SET speakers = ?, updated = ? WHERE sha256 = ?`, string(list), now(), sha)
		if err != nil {
			return fmt.Errorf("document %s: %w", short(sha), err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO speaker_overrides (sha256, speaker, role, title, company, interviewer, who, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (sha256, speaker) DO UPDATE SET
				role = COALESCE(excluded.role, role), title = COALESCE(excluded.title, title),
				company = COALESCE(excluded.company, company), interviewer = COALESCE(excluded.interviewer, interviewer),
				who = excluded.who, at = excluded.at`,
			sha, o.Speaker, nullable(o.Role), nullable(o.Title), nullable(o.Company), iv, o.Who, o.At.UTC().Format(time.RFC3339Nano)); err != nil {
			return fmt.Errorf("speaker %q of %s: %w", o.Speaker, short(sha), err)
		}
		stmt, err := tx.PrepareContext(ctx, `UPDATE passages SET role = ?, title = ?, role_source = ?, interviewer = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i := range changed {
			p := &changed[i]
			if _, err := stmt.ExecContext(ctx, p.Role, p.Title, p.RoleSource, p.Interviewer, p.ID); err != nil {
				return fmt.Errorf("passage %s: %w", p.ID, err)
			}
		}
		return updateTags(ctx, tx, changed)
	})
}
