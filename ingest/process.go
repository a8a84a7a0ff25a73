// Package ingest is the worker: it takes a job off the queue, fetches the
// original bytes, and runs them through extract → passage → persona →
// classify inside a boundary that turns panics and runaway parsers into a
// failed document with a reason, never a dead worker.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/passage"
	"github.com/evident/evident/persona"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/redact"
	"github.com/evident/evident/roles"
)

// Output is what processing one document produces.
type Output struct {
	Document evident.Document  `json:"document"`
	Passages []evident.Passage `json:"passages"`
	Warnings []string          `json:"warnings,omitempty"`
}

// Rules gives the classifier, the role taxonomy and the masking of
// personal data in force; they can change while workers run.
type Rules interface {
	Classifier() *classify.Classifier
	Roles() *roles.Taxonomy
	// Redactor masks personal data; nil means the built-in
	// configs/redact.yaml, which masks.
	Redactor() *redact.Redactor
}

// Processor turns one file's bytes into passages.
type Processor struct {
	Formats extract.Registry
	Rules   Rules
	// Roles canonicalises roles ("Finance director" → cfo); nil keeps
	// them as written.
	Roles    *roles.Taxonomy
	Timeout  time.Duration // per file; extraction beyond it fails the attempt
	MaxWords int           // passage length before splitting
}

// Permanent marks errors that another attempt cannot fix: the file itself
// is at fault.
type Permanent struct{ Err error }

func (p *Permanent) Error() string { return p.Err.Error() }
func (p *Permanent) Unwrap() error { return p.Err }

// IsPermanent reports whether err is the file's fault.
func IsPermanent(err error) bool {
	var p *Permanent
	return errors.As(err, &p)
}

// Process extracts, splits, attributes and classifies one document.
func (pr *Processor) Process(ctx context.Context, job queue.Job, data []byte) (*Output, error) {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != job.SHA256 {
		return nil, fmt.Errorf("stored bytes of %s do not match their hash (%s…, want %s…)", job.File, got[:12], job.SHA256[:12])
	}
	doc, err := pr.extract(ctx, extract.Input{Name: job.File, Data: data, Meta: job.Meta})
	if err != nil {
		return nil, err
	}
	meta := doc.Meta.Merge(job.Meta) // the sidecar wins over front matter
	ps := passage.Build(doc, passage.Options{MaxWords: pr.MaxWords})
	if len(ps) == 0 {
		return nil, &Permanent{fmt.Errorf("no passages: the %s file holds no readable sentences", doc.Format)}
	}
	tax := pr.Rules.Roles()
	warnings := doc.Warnings
	folderRole, ok := FolderRole(tax, job.FolderRole)
	if !ok {
		warnings = append(warnings, fmt.Sprintf("the inbox folder %q names no role of the taxonomy, so it gives none", job.FolderRole))
	}
	speakers := persona.Resolve(persona.Input{Meta: meta, FolderRole: folderRole, Passages: ps, Roles: tax})
	// A role given as a title ("VP of Engineering") keeps the title as
	// written beside its canonical role (vp-engineering).
	for i := range ps {
		p := &ps[i]
		written := strings.TrimSpace(p.Role)
		p.Role = canonical(tax, written)
		if p.Title == "" && !p.Interviewer && p.RoleSource != evident.RoleFromFolder && p.RoleSource != evident.RoleFromDocument &&
			written != "" && !strings.EqualFold(written, p.Role) {
			p.Title = written
		}
	}
	for i := range speakers {
		who := &speakers[i]
		written := strings.TrimSpace(who.Role)
		who.Role = canonical(tax, written)
		if who.Title == "" && written != "" && !strings.EqualFold(written, who.Role) {
			who.Title = written
		}
		who.Attrs = speakerAttrs(meta, who)
	}
	// Personal data goes before anything is classified, stored or
	// indexed; persona has read the names it needs.
	redacted, err := Redact(pr.Rules.Redactor(), meta.Redact, ps, speakers)
	if err != nil {
		return nil, err
	}
	rules := pr.Rules.Classifier()
	for i := range ps {
		p := &ps[i]
		p.Seq = i
		p.ID = evident.PassageID(job.SHA256, i)
		Tag(rules, p)
	}
	d := evident.Document{
		File:     job.File,
		Origin:   job.Origin,
		SHA256:   job.SHA256,
		Size:     int64(len(data)),
		Format:   doc.Format,
		Title:    first(meta.Title, doc.Title, strings.TrimSuffix(job.File, filepath.Ext(job.File))),
		Kind:     evident.Kind(first(string(meta.Kind), string(doc.Kind), string(guessKind(doc, speakers)))),
		URL:      first(meta.URL, doc.URL),
		Author:   first(meta.Author, doc.Author),
		Date:     first(meta.Date, doc.Date),
		Site:     doc.Site,
		Role:     canonical(tax, first(meta.Role, folderRole)),
		Speakers: speakers,
		Redacted: redacted,
		Attrs:    maps.Clone(meta.Attrs),
	}
	return &Output{Document: d, Passages: ps, Warnings: warnings}, nil
}

// FolderRole reads the inbox subfolder a file was dropped in as a role
// only when its name is a role or title of the taxonomy ("cfo",
// "finance-directors", "VP of Engineering"), never a folder such as
// "batch" or "2024". It reports false for a folder that names no role.
func FolderRole(tax *roles.Taxonomy, folder string) (string, bool) {
	folder = strings.TrimSpace(folder)
	if folder == "" {
		return "", true
	}
	if tax == nil {
		return "", false
	}
	if id, ok := tax.Exact(strings.NewReplacer("-", " ", "_", " ", ".", " ").Replace(folder)); ok {
		return id, true
	}
	if id, ok := tax.Exact(folder); ok {
		return id, true
	}
	return "", false
}

// Redact masks personal data in passages' text, context and attributes,
// and the speakers' names that are among names (the user's redact: list),
// in place. It returns the counts by type, nil when nothing was masked. A
// nil redactor is the built-in configuration.
func Redact(r *redact.Redactor, names []string, ps []evident.Passage, speakers []evident.Person) (map[string]int, error) {
	if r == nil {
		var err error
		if r, err = redact.Parse(configs.Redact()); err != nil {
			return nil, fmt.Errorf("configs/redact.yaml: %w", err)
		}
	}
	d := r.Document(redact.Names(names))
	for i := range ps {
		p := &ps[i]
		p.Text = d.Mask(p.Text)
		p.Context = d.Mask(p.Context)
		p.Speaker = d.MaskName(p.Speaker)
		for k, v := range p.Attrs {
			p.Attrs[k] = d.Mask(v)
		}
	}
	// The list of speakers repeats names the passages hold: masked the
	// same way, counted once, in the passages.
	counts := maps.Clone(d.Counts)
	for i := range speakers {
		sp := &speakers[i]
		sp.Name, sp.FullName = d.MaskName(sp.Name), d.MaskName(sp.FullName)
	}
	d.Counts = counts
	if len(d.Counts) == 0 {
		return nil, nil
	}
	return d.Counts, nil
}

// speakerAttrs are the attributes the user's metadata gives a speaker:
// the keys of the speaker's entry beyond role, title, company and
// interviewer, found under the name of the label or the full name the
// prose gives initials, the way persona finds the entry.
func speakerAttrs(meta evident.Meta, who *evident.Person) map[string]string {
	m, ok := meta.Speakers[who.Name]
	if !ok && who.FullName != "" {
		m = meta.Speakers[who.FullName]
	}
	return maps.Clone(m.Attrs)
}

// Tag classifies one passage in place. Interviewer turns and notes above a
// transcript get no categories: they are prompts and framing, not evidence.
func Tag(c *classify.Classifier, p *evident.Passage) {
	res := c.Classify(classify.Input{
		Text:        p.Text,
		Context:     p.Context,
		Interviewer: p.Interviewer || p.Section == passage.SectionNotes,
	})
	p.Categories, p.Scores, p.Tags = res.Categories, res.Scores, res.Matches
}

// canonical maps a role as written to the taxonomy's id; a title the
// taxonomy does not know stays as written, lower-cased, never guessed.
func canonical(tax *roles.Taxonomy, role string) string {
	role = strings.TrimSpace(role)
	if role == "" {
		return ""
	}
	if tax != nil {
		if id, ok := tax.Title(role); ok {
			return id
		}
	}
	return strings.ToLower(role)
}

func guessKind(doc *extract.Doc, speakers []evident.Person) evident.Kind {
	if len(speakers) >= 2 {
		return evident.Interview
	}
	return evident.Notes
}

func first(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// extract runs the format's extractor inside the job boundary: a panic in a
// third-party parser becomes a permanent error, and a parser that runs past
// the timeout is abandoned (its goroutine cannot be killed, but the worker
// moves on and the attempt fails).
func (pr *Processor) extract(ctx context.Context, in extract.Input) (*extract.Doc, error) {
	timeout := pr.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type outcome struct {
		doc *extract.Doc
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- outcome{err: &Permanent{&PanicError{Value: r, Stack: string(debug.Stack())}}}
			}
		}()
		doc, err := pr.Formats.Extract(ctx, in)
		if err != nil && ctx.Err() == nil {
			err = &Permanent{err}
		}
		done <- outcome{doc, err}
	}()
	select {
	case o := <-done:
		return o.doc, o.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("extraction did not finish within %s (the file may be malformed or too large)", timeout)
		}
		return nil, ctx.Err()
	}
}

// PanicError is a recovered panic from a parser.
type PanicError struct {
	Value any
	Stack string
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("the parser crashed on this file (%v); it is probably malformed", p.Value)
}

// Live holds rules and roles that a worker process swaps when the server
// publishes new ones.
type Live struct {
	rules  atomic.Pointer[classify.Classifier]
	roles  atomic.Pointer[roles.Taxonomy]
	redact atomic.Pointer[redact.Redactor]
}

// Redactor implements Rules.
func (l *Live) Redactor() *redact.Redactor { return l.redact.Load() }

// SetRedactor swaps the masking of personal data for the next documents.
func (l *Live) SetRedactor(r *redact.Redactor) { l.redact.Store(r) }

// Classifier implements Rules.
func (l *Live) Classifier() *classify.Classifier { return l.rules.Load() }

// Roles implements Rules.
func (l *Live) Roles() *roles.Taxonomy { return l.roles.Load() }

// SetClassifier swaps the rules for the next passages.
func (l *Live) SetClassifier(c *classify.Classifier) { l.rules.Store(c) }

// SetRoles swaps the role taxonomy for the next documents.
func (l *Live) SetRoles(t *roles.Taxonomy) { l.roles.Store(t) }
