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
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/passage"
	"github.com/evident/evident/persona"
	"github.com/evident/evident/queue"
	"github.com/evident/evident/roles"
)

// Rules gives the classifier and the role taxonomy in force; they can
// change while workers run.
type Rules interface {
	Classifier() *classify.Classifier
	Roles() *roles.Taxonomy
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
	Limits   Limits
}

// Limits bound what one file may cost. Zero fields take the defaults.
type Limits struct {
	// PassageChars caps a passage's length in characters (default
	// passage.DefaultMaxChars): a longer paragraph is cut into several
	// passages, with a warning on the document.
	PassageChars int
	// MaxPassages is the most passages one file may give (default
	// DefaultMaxPassages). Surveys are read row by row, so this is what
	// bounds them.
	MaxPassages int
	// MaxParagraphs is the most paragraphs, turns, cues or table rows a
	// document read whole may hold (default DefaultMaxParagraphs). Every
	// format but surveys is read whole, because who speaks a passage
	// depends on the whole document; this bounds the memory that takes.
	MaxParagraphs int
}

// Default limits.
const (
	DefaultMaxPassages   = 2_000_000
	DefaultMaxParagraphs = 500_000
)

// WithDefaults returns the limits with zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	if l.PassageChars <= 0 {
		l.PassageChars = passage.DefaultMaxChars
	}
	if l.MaxPassages <= 0 {
		l.MaxPassages = DefaultMaxPassages
	}
	if l.MaxParagraphs <= 0 {
		l.MaxParagraphs = DefaultMaxParagraphs
	}
	return l
}

// LimitError is a file over one of the Limits.
type LimitError struct {
	What  string // "passages", "paragraphs"
	Limit int
	Field string // the Limits field, for the sentence
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the file gives more than %s %s, the most one file may (the %s limit); split it into smaller files, or raise the limit",
		thousands(e.Limit), e.What, e.Field)
}

// thousands writes n with thousands separators: 2,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
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

// Process extracts, splits, attributes and classifies one document and
// returns it whole. Workers use Stream; Process serves tests and
// benchmarks.
func (pr *Processor) Process(ctx context.Context, job queue.Job, data []byte) (*Output, error) {
	out := &Output{}
	if err := pr.Stream(ctx, job, data, collector{out}); err != nil {
		return nil, err
	}
	return out, nil
}

// Stream extracts, splits, attributes and classifies one document and
// gives it to sink: the document, then each passage as soon as it is
// classified, then the warnings. A survey streams from its rows to sink
// one answer at a time; other formats are held while speakers are worked
// out, and each passage is let go once sink has it. A file over the
// limits fails with a LimitError; a panic in any step fails the file.
func (pr *Processor) Stream(ctx context.Context, job queue.Job, data []byte, sink Sink) (err error) {
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != job.SHA256 {
		return fmt.Errorf("stored bytes of %s do not match their hash (%s…, want %s…)", job.File, got[:12], job.SHA256[:12])
	}
	limits := pr.Limits.WithDefaults()
	doc, err := pr.extract(ctx, extract.Input{Name: job.File, Data: data, Meta: job.Meta, MaxBlocks: limits.MaxParagraphs})
	if errors.Is(err, extract.ErrTooManyBlocks) {
		return &Permanent{&LimitError{What: "paragraphs (or turns, cues or table rows)", Limit: limits.MaxParagraphs, Field: "MaxParagraphs"}}
	}
	if err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = &Permanent{&PanicError{Value: r, Stack: string(debug.Stack())}}
		}
	}()
	meta := doc.Meta.Merge(job.Meta) // the sidecar wins over front matter
	opt := passage.Options{MaxWords: pr.MaxWords, MaxChars: limits.PassageChars}
	tax := pr.Rules.Roles()
	rules := pr.Rules.Classifier()
	seq := 0
	var sinkErr error // the sink's failure is not the file's
	var legible legibility
	emit := func(p *evident.Passage) error {
		if seq == limits.MaxPassages {
			return &Permanent{&LimitError{What: "passages", Limit: limits.MaxPassages, Field: "MaxPassages"}}
		}
		legible.add(p.Text)
		p.Seq = seq
		p.ID = evident.PassageID(job.SHA256, seq)
		seq++
		Tag(rules, p)
		sinkErr = sink.Passage(p)
		return sinkErr
	}
	if doc.Stream != nil {
		// A survey: its answers have no speakers, so each is attributed
		// on its own as it comes.
		d := pr.document(job, data, doc, meta, nil)
		if err := sink.Document(&d); err != nil {
			return err
		}
		var cuts passage.Cuts
		err := doc.Stream(ctx, func(b extract.Block) error {
			ps := passage.Structured(&b, opt, &cuts)
			persona.Resolve(persona.Input{Meta: meta, FolderRole: job.FolderRole, Passages: ps, Roles: tax})
			for i := range ps {
				ps[i].Role = canonical(tax, ps[i].Role)
				if err := emit(&ps[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			if sinkErr == nil && ctx.Err() == nil && !IsPermanent(err) {
				err = &Permanent{err}
			}
			return err
		}
		if w := cuts.Warning(opt.MaxChars); w != "" {
			doc.Warnings = append(doc.Warnings, w)
		}
		return finish(sink, doc.Warnings, &legible)
	}
	ps := passage.Build(doc, opt)
	doc.Blocks = nil // the passages hold the text now
	if len(ps) == 0 {
		return &Permanent{fmt.Errorf("no passages: the %s file holds no readable sentences", doc.Format)}
	}
	if len(ps) > limits.MaxPassages {
		return &Permanent{&LimitError{What: "passages", Limit: limits.MaxPassages, Field: "MaxPassages"}}
	}
	speakers := persona.Resolve(persona.Input{Meta: meta, FolderRole: job.FolderRole, Passages: ps, Roles: tax})
	for i := range speakers {
		speakers[i].Role = canonical(tax, speakers[i].Role)
	}
	d := pr.document(job, data, doc, meta, speakers)
	if err := sink.Document(&d); err != nil {
		return err
	}
	for i := range ps {
		ps[i].Role = canonical(tax, ps[i].Role)
		if err := emit(&ps[i]); err != nil {
			return err
		}
		ps[i] = evident.Passage{} // sink has it: let it go
	}
	return finish(sink, doc.Warnings, &legible)
}

// finish closes a processed document: it fails when nothing of its text is
// readable, and otherwise ends it with its warnings, one more when much
// of its text is not.
func finish(sink Sink, warnings []string, legible *legibility) error {
	warning, err := legible.verdict()
	if err != nil {
		return &Permanent{err}
	}
	if warning != "" {
		warnings = append(warnings, warning)
	}
	return sink.End(warnings)
}

// document is what the worker says about the document as a whole.
func (pr *Processor) document(job queue.Job, data []byte, doc *extract.Doc, meta evident.Meta, speakers []evident.Person) evident.Document {
	tax := pr.Rules.Roles()
	return evident.Document{
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
		Role:     canonical(tax, first(meta.Role, job.FolderRole)),
		Speakers: speakers,
	}
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
		if err != nil && ctx.Err() == nil && !IsPermanent(err) {
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
	rules atomic.Pointer[classify.Classifier]
	roles atomic.Pointer[roles.Taxonomy]
}

// Classifier implements Rules.
func (l *Live) Classifier() *classify.Classifier { return l.rules.Load() }

// Roles implements Rules.
func (l *Live) Roles() *roles.Taxonomy { return l.roles.Load() }

// SetClassifier swaps the rules for the next passages.
func (l *Live) SetClassifier(c *classify.Classifier) { l.rules.Store(c) }

// SetRoles swaps the role taxonomy for the next documents.
func (l *Live) SetRoles(t *roles.Taxonomy) { l.roles.Store(t) }
