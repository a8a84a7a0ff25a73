package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/evident/evident"
	"github.com/evident/evident/persona"
	"github.com/evident/evident/store"
)

// SpeakerEdit is what a person says of a speaker of a document: its
// role, title, company, and whether it interviews. Nil fields stand.
type SpeakerEdit = persona.Correction

// SetSpeaker records what a person says of a speaker of a document and
// applies it at once to the document's passages, in the store and the
// index, without extracting the file again. It outranks every detected
// source (role_source and interviewer_source "person"), and stays
// through Reclassify and through the same bytes processed again. doc is
// what `evident show` takes: a file name, a path or a hash prefix.
func (e *Engine) SetSpeaker(ctx context.Context, doc, name string, edit SpeakerEdit, who string) (*evident.Document, error) {
	who = strings.TrimSpace(who)
	if err := checkWho(who); err != nil {
		return nil, err
	}
	if edit.IsZero() {
		return nil, Invalid("say what to change: a role, a title, a company, or whether the speaker interviews")
	}
	for field, v := range map[string]*string{"role": edit.Role, "title": edit.Title, "company": edit.Company} {
		if v == nil {
			continue
		}
		if len(*v) > 200 || strings.ContainsFunc(*v, unicode.IsControl) {
			return nil, Invalid(fmt.Sprintf("the %s must be one line of at most 200 bytes", field))
		}
	}
	d, err := e.store.FindDocument(ctx, doc)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, NotFound(fmt.Sprintf("no document is called %q; `evident status` lists them", doc))
		}
		return nil, err
	}
	if d.State != evident.Indexed {
		return nil, Invalid(fmt.Sprintf("%s is %s, not indexed: its speakers are not known yet", d.File, d.State))
	}
	// A speaker labelled by initials may be named in full ("Brian Carroll"
	// for "BC").
	for _, p := range d.Speakers {
		if p.Name != name && p.FullName != "" && p.FullName == name {
			name = p.Name
		}
	}
	if !slices.ContainsFunc(d.Speakers, func(p evident.Person) bool { return p.Name == name }) {
		var names []string
		for _, p := range d.Speakers {
			names = append(names, fmt.Sprintf("%q", p.Name))
		}
		if len(names) == 0 {
			return nil, NotFound(fmt.Sprintf("%s has no speakers", d.File))
		}
		return nil, NotFound(fmt.Sprintf("%s has no speaker %q; its speakers are %s", d.File, name, strings.Join(names, ", ")))
	}
	// None of this while a review, Reclassify or the indexer writes tags.
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	ps, err := e.store.Passages(ctx, d.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d.File, err)
	}
	before, err := e.store.SpeakerOverrides(ctx, d.SHA256)
	if err != nil {
		return nil, err
	}
	speakers := slices.Clone(d.Speakers)
	fix := before[name].Correction.Merge(edit)
	changed := persona.Correct(speakers, ps, map[string]persona.Correction{name: fix}, e.Roles())
	tagged, err := e.store.Overrides(ctx, d.SHA256)
	if err != nil {
		return nil, err
	}
	rules := e.Classifier()
	var out []evident.Passage
	for _, i := range changed {
		p := &ps[i]
		by, at := p.TaggedBy, p.TaggedAt
		tagByRules(rules, p)
		if o, ok := tagged[p.ID]; ok {
			overrule(p, o)
			p.TaggedBy, p.TaggedAt = by, at
		}
		out = append(out, *p)
	}
	o := store.SpeakerOverride{Correction: edit, Speaker: name, Who: who, At: time.Now().UTC()}
	if err := e.store.SaveSpeaker(ctx, d.SHA256, o, speakers, out); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, NotFound(fmt.Sprintf("%s left the database while its speaker was corrected", d.File))
		}
		return nil, err
	}
	d.Speakers = speakers
	if err := e.rewriteDocument(ctx, d); err != nil {
		return nil, fmt.Errorf("%s: the speaker is saved, but the index was not updated (`evident reindex` repairs it): %w", d.File, err)
	}
	e.log.Info("speaker corrected", "file", d.File, "sha256", short(d.SHA256), "speaker", name, "by", who, "passages", len(out))
	return d, nil
}

// speakerFixes applies what people said of a document's speakers to a
// worker's output for it: to d's speakers now, and to each passage by the
// function it returns, which retags a passage whose speaker changed.
func (e *Engine) speakerFixes(ctx context.Context, sha string, d *evident.Document) (func(*evident.Passage), error) {
	fixes, err := e.store.SpeakerOverrides(ctx, sha)
	if err != nil || len(fixes) == 0 {
		return func(*evident.Passage) {}, err
	}
	rules, tax, corr := e.Classifier(), e.Roles(), store.Corrections(fixes)
	persona.Correct(d.Speakers, nil, corr, tax)
	return func(p *evident.Passage) {
		// Passages come one at a time; Correct fixing the speakers again
		// gives the same speakers.
		one := []evident.Passage{*p}
		if len(persona.Correct(d.Speakers, one, corr, tax)) > 0 {
			*p = one[0]
			tagByRules(rules, p)
		}
	}, nil
}
