package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/ingest"
	"github.com/evident/evident/passage"
	"github.com/evident/evident/store"
)

// The methods in this file let people accept or correct a passage's tags.
// A person's categories outrank the rules': they stay through Reclassify
// and through the same bytes processed again, every review is kept in an
// append-only log, and ReviewGold turns the reviews into labelled passages
// for `evident rules eval`.

// Tag applies a person's review to the passage with this id: it logs
// the review, sets (or, with Clear, drops) the person's categories, and
// updates the passage in the store and the index at once. Categories are
// the rules' (any case); one the rules do not have is refused, naming it.
// A correction that leaves the categories as they were is logged as an
// accept. The passage's matches explain every category: the rules' that
// fired for the categories kept, a match of the person (rule "person",
// "tagged by dana on 2025-06-01") for a category no rule gave.
func (e *Engine) Tag(ctx context.Context, id string, edit api.TagEdit, who string) (*api.Reviewed, error) {
	who = strings.TrimSpace(who)
	if err := checkWho(who); err != nil {
		return nil, err
	}
	rules := e.Classifier()
	// One review at a time, and none while the indexer or Reclassify
	// writes tags: the store and the index must agree about them.
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	found, err := e.store.PassagesByID(ctx, []string{id})
	if err != nil {
		return nil, fmt.Errorf("passage %s: %w", id, err)
	}
	hit, ok := found[id]
	if !ok {
		return nil, api.Errorf(api.NotFound, "no passage has the id %q; `evident search` prints passage ids", id)
	}
	p := hit.Passage
	before := nonNil(p.Categories)
	after, err := applyEdit(edit, id, before, rules.Categories(), p.TaggedBy != "")
	if err != nil {
		return nil, err
	}
	r := store.Review{PassageID: id, Who: who, At: time.Now().UTC(), Before: before}
	tagByRules(rules, &p)
	switch {
	case edit.Clear:
		r.Action, r.After = store.Clear, nonNil(p.Categories)
	default:
		r.Action, r.After = store.Correct, order(after, rules.Categories())
		if edit.Accept || slices.Equal(r.After, before) {
			r.Action = store.Accept
		}
		overrule(&p, store.Override{Categories: r.After, Who: who, At: r.At})
	}
	if err := e.store.SaveReview(ctx, &r, &p); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, api.Errorf(api.NotFound, "passage %q left the database while it was reviewed; its document was re-ingested or deleted", id)
		}
		return nil, err
	}
	if err := e.rewriteDocument(ctx, hit.Document); err != nil {
		return nil, fmt.Errorf("passage %s: the review is saved, but the index was not updated (`evident reindex` repairs it): %w", id, err)
	}
	e.log.Info("passage reviewed", "passage", id, "by", who, "action", r.Action, "before", before, "after", r.After)
	return &api.Reviewed{Review: r, Passage: p}, nil
}

// checkWho refuses a name that cannot sign a review: none, a very long
// one, or one with control characters (it is printed on terminals).
func checkWho(who string) error {
	switch {
	case who == "":
		return api.Errorf(api.Invalid, "say who reviews the tags (--by NAME, or the X-Evident-User header)")
	case len(who) > 200:
		return api.Errorf(api.Invalid, "the reviewer's name is longer than 200 bytes")
	case strings.IndexFunc(who, unicode.IsControl) >= 0:
		return api.Errorf(api.Invalid, "the reviewer's name %q holds control characters", who)
	}
	return nil
}

// apply works out the categories an edit asks for, from the passage's
// categories now (current) and the rules' categories (known, in order).
// A category to remove may also be one the passage carries that the rules
// no longer have.
func applyEdit(edit api.TagEdit, id string, current, known []string, overridden bool) ([]string, error) {
	edits := 0
	for _, given := range []bool{edit.Accept, edit.Clear, edit.Set != nil, len(edit.Add)+len(edit.Remove) > 0} {
		if given {
			edits++
		}
	}
	switch {
	case edits == 0:
		return nil, api.Errorf(api.Invalid, "passage %s: say which categories to add or remove (+GAINS -SAY), or accept or clear its tags", id)
	case edits > 1:
		return nil, api.Errorf(api.Invalid, "passage %s: accept, clear, a list of categories and +/- changes do not go together; give one of them", id)
	case edit.Accept:
		return current, nil
	case edit.Clear:
		if !overridden {
			return nil, api.Errorf(api.Invalid, "passage %s carries no tags set by a person: the rules' tags stand already", id)
		}
		return nil, nil
	}
	canon := func(what, c string, also []string) (string, error) {
		c = strings.TrimSpace(c)
		for _, k := range slices.Concat(known, also) {
			if strings.EqualFold(k, c) {
				return k, nil
			}
		}
		return "", api.Errorf(api.Invalid, "%s %q: the rules have no such category; they have %s", what, c, strings.Join(known, ", "))
	}
	if edit.Set != nil {
		var out []string
		for _, c := range *edit.Set {
			k, err := canon("category", c, nil)
			if err != nil {
				return nil, err
			}
			if !slices.Contains(out, k) {
				out = append(out, k)
			}
		}
		return nonNil(out), nil
	}
	out := slices.Clone(current)
	removed := map[string]bool{}
	for _, c := range edit.Remove {
		k, err := canon("category to remove", c, current)
		if err != nil {
			return nil, err
		}
		removed[k] = true
		out = slices.DeleteFunc(out, func(have string) bool { return have == k })
	}
	for _, c := range edit.Add {
		k, err := canon("category to add", c, nil)
		if err != nil {
			return nil, err
		}
		if removed[k] {
			return nil, api.Errorf(api.Invalid, "passage %s: %s is both added and removed", id, k)
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return nonNil(out), nil
}

// order puts categories in the rules' order; those the rules no longer
// have (kept from an earlier review) follow, by name.
func order(cats, known []string) []string {
	out := make([]string, 0, len(cats))
	for _, k := range known {
		if slices.Contains(cats, k) {
			out = append(out, k)
		}
	}
	var rest []string
	for _, c := range cats {
		if !slices.Contains(known, c) && !slices.Contains(rest, c) {
			rest = append(rest, c)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// tagByRules tags a stored passage with the rules alone, as ingestion
// does, forgetting any person's categories.
func tagByRules(rules *classify.Classifier, p *evident.Passage) {
	ingest.Tag(rules, p)
	p.TaggedBy, p.TaggedAt = "", time.Time{}
}

// overrule gives a passage tagged by the rules the person's categories
// of o. The rules' matches of a category kept stay, to explain it; those
// of a category the person took away go; a category no rule gave is
// explained by a match of the person.
func overrule(p *evident.Passage, o store.Override) {
	var tags []evident.Match
	for _, c := range o.Categories {
		fired := false
		for _, m := range p.Matches {
			if m.Category == c && !m.ByPerson() {
				tags = append(tags, m)
				fired = fired || m.Reason == ""
			}
		}
		if !fired {
			tags = append(tags, evident.PersonMatch(c, o.Who, o.At))
		}
	}
	p.Categories, p.Matches = nonNil(slices.Clone(o.Categories)), tags
	p.TaggedBy, p.TaggedAt = o.Who, o.At
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Reviews returns the review log, oldest first: one passage's entries, or
// every entry when passageID is empty.
func (e *Engine) Reviews(ctx context.Context, passageID string) ([]store.Review, error) {
	return e.store.Reviews(ctx, passageID)
}

// ReviewGold returns one labelled passage per passage whose categories a
// person set, labelled with them, in document order: the shape
// `evident rules eval` reads (classify.ReadGold). A passage whose tags
// were cleared is not in it, nor one no longer stored.
func (e *Engine) ReviewGold(ctx context.Context) ([]classify.Gold, error) {
	overrides, err := e.store.Overrides(ctx, "")
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(overrides))
	for id := range overrides {
		ids = append(ids, id)
	}
	found, err := e.store.PassagesByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	hits := make([]store.Cited, 0, len(found))
	for _, h := range found {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b store.Cited) int {
		return cmp.Or(cmp.Compare(a.Document.ID, b.Document.ID), cmp.Compare(a.Passage.Seq, b.Passage.Seq))
	})
	out := make([]classify.Gold, 0, len(hits))
	for _, h := range hits {
		p := &h.Passage
		out = append(out, classify.Gold{
			ID:     p.ID,
			Text:   p.Text,
			Labels: nonNil(slices.Clone(overrides[p.ID].Categories)),
			// Ingestion classifies notes as it does interviewers' turns
			// (ingest.Tag): eval must predict what ingestion does.
			Speaker:     p.Speaker,
			Interviewer: p.Interviewer || p.Section == passage.SectionNotes,
			Question:    p.Context,
			Kind:        string(h.Document.Kind),
			Source:      h.Document.File,
		})
	}
	return out, nil
}
