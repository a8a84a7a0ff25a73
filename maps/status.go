package maps

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/evident/evident"
	"github.com/evident/evident/store"
)

// resolve sets each quote's status by comparing its snapshot with the
// passage as it stands. Passage ids derive from the document's content
// hash, so a re-ingested source with other bytes has new ids: a missing
// passage whose document is still there (same hash, or same origin with
// new bytes) is "changed", one whose document is not is "gone". A passage
// whose tags differ from the snapshot's is marked retagged.
func (s *Store) resolve(ctx context.Context, quotes []*Quote) error {
	if len(quotes) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var ids []string
	for _, q := range quotes {
		if !seen[q.PassageID] {
			seen[q.PassageID] = true
			ids = append(ids, q.PassageID)
		}
	}
	found, err := s.cfg.Sources.PassagesByID(ctx, ids)
	if err != nil {
		return fmt.Errorf("checking quoted passages: %w", err)
	}
	// Documents by what documentThere looks at.
	type doc struct{ sha, path, file string }
	there := map[doc]bool{}
	for _, q := range quotes {
		if h, ok := found[q.PassageID]; ok {
			if h.Passage.Text == q.Text {
				q.Status = Current
			} else {
				q.Status = Changed
			}
			now := slices.Sorted(slices.Values(h.Passage.Categories))
			if !slices.Equal(now, slices.Sorted(slices.Values(q.Categories))) {
				q.Retagged, q.TagsNow = true, now
			}
			continue
		}
		key := doc{q.Source.SHA256, q.Source.Path, q.Source.File}
		present, ok := there[key]
		if !ok {
			if present, err = s.documentThere(ctx, q.Source); err != nil {
				return err
			}
			there[key] = present
		}
		q.Status = Gone
		if present {
			q.Status = Changed
		}
	}
	return nil
}

// documentThere reports whether the quoted document is still in the store:
// the same bytes, or the same origin (or file name) with other bytes.
func (s *Store) documentThere(ctx context.Context, src evident.Source) (bool, error) {
	if src.SHA256 != "" {
		_, err := s.cfg.Sources.DocumentBySHA(ctx, src.SHA256)
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	}
	ref := src.Path
	if ref == "" {
		ref = src.File
	}
	if ref == "" {
		return false, nil
	}
	d, err := s.cfg.Sources.FindDocument(ctx, ref)
	if err != nil {
		// Not found, or ambiguous: no document we can call the same.
		return false, ctx.Err()
	}
	if src.Path != "" {
		return d.Origin == src.Path, nil
	}
	return d.File == src.File, nil
}
