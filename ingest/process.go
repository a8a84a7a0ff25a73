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
	Timeout time.Duration // per file; extraction beyond it fails the attempt
	Limits  Limits
}

// Input is one file to process: its bytes and what is known of it when
// it is queued (a queue.Job carries the same, see InputOf).
type Input struct {
	SHA256     string       // of Data, checked before anything is read
	File       string       // the file name, as the user dropped it
	Origin     string       // where it came from (evident.Document.Origin)
	Meta       evident.Meta // what the user said; it wins over front matter
	FolderRole string       // the inbox subfolder it was dropped in
	Data       []byte
}

// InputOf is the input of a job whose stored bytes are data.
func InputOf(job queue.Job, data []byte) Input {
	return Input{SHA256: job.SHA256, File: job.File, Origin: job.Origin, Meta: job.Meta, FolderRole: job.FolderRole, Data: data}
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
func (pr *Processor) Process(ctx context.Context, in Input) (*Output, error) {
	out := &Output{}
	if err := pr.Stream(ctx, in, collector{out}); err != nil {
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
func (pr *Processor) Stream(ctx context.Context, in Input, sink Sink) (err error) {
	sum := sha256.Sum256(in.Data)
	if got := hex.EncodeToString(sum[:]); got != in.SHA256 {
		return fmt.Errorf("stored bytes of %s do not match their hash (%s…, want %s…)", in.File, got[:12], in.SHA256[:12])
	}
	limits := pr.Limits.WithDefaults()
	doc, err := pr.extract(ctx, extract.Input{Name: in.File, Data: in.Data, Meta: in.Meta, MaxBlocks: limits.MaxParagraphs})
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
	meta := doc.Meta.Merge(in.Meta) // the sidecar wins over front matter
	opt := passage.Options{MaxChars: limits.PassageChars}
	tax := pr.Rules.Roles()
	folderRole, ok := FolderRole(tax, in.FolderRole)
	if !ok {
		doc.Warnings = append(doc.Warnings, fmt.Sprintf("the inbox folder %q names no role of the taxonomy, so it gives none", in.FolderRole))
	}
	// Personal data is masked before anything is classified, stored or
	// indexed; persona reads the names it needs first.
	mask, err := pr.masker(meta.Redact)
	if err != nil {
		return err
	}
	rules := pr.Rules.Classifier()
	seq := 0
	var sinkErr error // the sink's failure is not the file's
	var legible legibility
	emit := func(p *evident.Passage) error {
		if seq == limits.MaxPassages {
			return &Permanent{&LimitError{What: "passages", Limit: limits.MaxPassages, Field: "MaxPassages"}}
		}
		titled(tax, p)
		maskPassage(mask, p)
		legible.add(p.Text)
		p.Seq = seq
		p.ID = evident.PassageID(in.SHA256, seq)
		seq++
		Tag(rules, p)
		sinkErr = sink.Passage(p)
		return sinkErr
	}
	if doc.Stream != nil {
		// A survey: its answers have no speakers, so each is attributed
		// on its own as it comes.
		d := pr.document(in, doc, meta, folderRole, nil)
		if err := sink.Document(&d); err != nil {
			return err
		}
		var cuts passage.Cuts
		err := doc.Stream(ctx, func(b extract.Block) error {
			ps := passage.Structured(&b, opt, &cuts)
			persona.Resolve(persona.Input{Meta: meta, FolderRole: folderRole, Passages: ps, Roles: tax})
			for i := range ps {
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
		return finish(sink, doc.Warnings, mask.Counts, &legible)
	}
	ps := passage.Build(doc, opt)
	doc.Blocks = nil // the passages hold the text now
	if len(ps) == 0 {
		return &Permanent{fmt.Errorf("no passages: the %s file holds no readable sentences", doc.Format)}
	}
	if len(ps) > limits.MaxPassages {
		return &Permanent{&LimitError{What: "passages", Limit: limits.MaxPassages, Field: "MaxPassages"}}
	}
	speakers := persona.Resolve(persona.Input{Meta: meta, FolderRole: folderRole, Passages: ps, Roles: tax})
	for i := range speakers {
		who := &speakers[i]
		role, title := roleAndTitle(tax, who.Role)
		who.Role = role
		if who.Title == "" {
			who.Title = title
		}
		who.Attrs = speakerAttrs(meta, who)
		// The list of speakers repeats names the passages hold: masked
		// the same way, counted in the passages.
		counts := maps.Clone(mask.Counts)
		who.Name, who.FullName = mask.MaskName(who.Name), mask.MaskName(who.FullName)
		mask.Counts = counts
	}
	d := pr.document(in, doc, meta, folderRole, speakers)
	if err := sink.Document(&d); err != nil {
		return err
	}
	for i := range ps {
		if err := emit(&ps[i]); err != nil {
			return err
		}
		ps[i] = evident.Passage{} // sink has it: let it go
	}
	return finish(sink, doc.Warnings, mask.Counts, &legible)
}

// titled maps a passage's role as written to the taxonomy's, keeping a
// role its speaker gave as a title as the passage's title; a folder's or
// a document's role is no one's title.
func titled(tax *roles.Taxonomy, p *evident.Passage) {
	role, title := roleAndTitle(tax, p.Role)
	p.Role = role
	if p.Title == "" && !p.Interviewer && p.RoleSource != evident.RoleFromFolder && p.RoleSource != evident.RoleFromDocument {
		p.Title = title
	}
}

// roleAndTitle maps a role as written to the taxonomy's id, and returns
// the written form as a title when it says more than the id: "VP of
// Engineering" beside vp-engineering.
func roleAndTitle(tax *roles.Taxonomy, written string) (role, title string) {
	written = strings.TrimSpace(written)
	role = canonical(tax, written)
	if written != "" && !strings.EqualFold(written, role) {
		title = written
	}
	return role, title
}

// finish closes a processed document: it fails when nothing of its text is
// readable, and otherwise ends it with its warnings, one more when much
// of its text is not, and the counts of personal data masked.
func finish(sink Sink, warnings []string, redacted redact.Counts, legible *legibility) error {
	warning, err := legible.verdict()
	if err != nil {
		return &Permanent{err}
	}
	if warning != "" {
		warnings = append(warnings, warning)
	}
	if len(redacted) == 0 {
		redacted = nil
	}
	return sink.End(warnings, redacted)
}

// document is what the worker says about the document as a whole.
func (pr *Processor) document(in Input, doc *extract.Doc, meta evident.Meta, folderRole string, speakers []evident.Person) evident.Document {
	tax := pr.Rules.Roles()
	return evident.Document{
		File:     in.File,
		Origin:   in.Origin,
		SHA256:   in.SHA256,
		Size:     int64(len(in.Data)),
		Format:   doc.Format,
		Title:    first(meta.Title, doc.Title, strings.TrimSuffix(in.File, filepath.Ext(in.File))),
		Kind:     evident.Kind(first(string(meta.Kind), string(doc.Kind), string(guessKind(doc, speakers)))),
		URL:      first(meta.URL, doc.URL),
		Author:   first(meta.Author, doc.Author),
		Date:     first(meta.Date, doc.Date),
		Site:     doc.Site,
		Role:     canonical(tax, first(meta.Role, folderRole)),
		Speakers: speakers,
		Attrs:    maps.Clone(meta.Attrs),
	}
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

// masker is the masking of one document's personal data: the
// redactor in force (nil is the built-in configs/redact.yaml) with the
// names the user's redact: list adds. Its Counts add up what it masked.
func (pr *Processor) masker(names []string) (*redact.Document, error) {
	r := pr.Rules.Redactor()
	if r == nil {
		var err error
		if r, err = redact.Parse(configs.Redact()); err != nil {
			return nil, fmt.Errorf("configs/redact.yaml: %w", err)
		}
	}
	return r.Document(redact.Names(names)), nil
}

// maskPassage masks personal data in a passage's text, context, speaker
// and attributes, in place.
func maskPassage(d *redact.Document, p *evident.Passage) {
	p.Text = d.Mask(p.Text)
	p.Context = d.Mask(p.Context)
	p.Speaker = d.MaskName(p.Speaker)
	for k, v := range p.Attrs {
		p.Attrs[k] = d.Mask(v)
	}
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
	p.Categories, p.Scores, p.Matches = res.Categories, res.Scores, res.Matches
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
