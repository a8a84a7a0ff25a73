package ingest

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/evident/evident"
)

// Encoding names how a worker writes a result's payload: gzip-compressed
// JSON lines, one record each, written and read one passage at a time so
// that neither the worker nor the indexer holds a whole document's
// passages. A result without it (queue.Result.Encoding "") is one JSON
// Output, as workers before it wrote.
//
// The records are the document, then every passage in order, then an end
// record with the number of passages and the warnings; a payload cut short
// has no end record, and reading it fails.
const Encoding = "records+gzip"

type record struct {
	Document *evident.Document `json:"document,omitempty"`
	Passage  *evident.Passage  `json:"passage,omitempty"`
	End      *end              `json:"end,omitempty"`
}

type end struct {
	Passages int            `json:"passages"`
	Warnings []string       `json:"warnings,omitempty"`
	Redacted map[string]int `json:"redacted,omitempty"`
}

// Sink receives a processed document: its Document first, then each
// passage in order, then End with the warnings and the counts of personal
// data masked, by type (nil when none). A Sink may keep nothing of what it
// is given: the processor reuses and clears it.
type Sink interface {
	Document(*evident.Document) error
	Passage(*evident.Passage) error
	End(warnings []string, redacted map[string]int) error
}

// Writer writes a result's records to a stream (see Encoding).
type Writer struct {
	zw  *gzip.Writer
	enc *json.Encoder
	n   int
}

// NewWriter returns a Writer that writes to w. End completes the payload.
func NewWriter(w io.Writer) *Writer {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	return &Writer{zw: zw, enc: enc}
}

// Reset makes the Writer write a new payload to out, as NewWriter(out)
// would, keeping its compressor: allocating one costs about a megabyte,
// so a worker keeps one Writer for all its jobs.
func (w *Writer) Reset(out io.Writer) {
	w.zw.Reset(out)
	w.enc = json.NewEncoder(w.zw)
	w.enc.SetEscapeHTML(false)
	w.n = 0
}

// Document implements Sink.
func (w *Writer) Document(d *evident.Document) error { return w.enc.Encode(record{Document: d}) }

// Passage implements Sink.
func (w *Writer) Passage(p *evident.Passage) error {
	w.n++
	return w.enc.Encode(record{Passage: p})
}

// End implements Sink: it writes the end record and flushes the stream.
func (w *Writer) End(warnings []string, redacted map[string]int) error {
	if err := w.enc.Encode(record{End: &end{Passages: w.n, Warnings: warnings, Redacted: redacted}}); err != nil {
		return err
	}
	return w.zw.Close()
}

// Output is a processed document held whole: what Process returns, and
// what workers that sent one JSON object sent.
type Output struct {
	Document evident.Document  `json:"document"`
	Passages []evident.Passage `json:"passages"`
	Warnings []string          `json:"warnings,omitempty"`
}

// collector is the Sink that builds an Output.
type collector struct{ out *Output }

func (c collector) Document(d *evident.Document) error {
	c.out.Document = *d
	return nil
}

func (c collector) Passage(p *evident.Passage) error {
	c.out.Passages = append(c.out.Passages, *p)
	return nil
}

func (c collector) End(warnings []string, redacted map[string]int) error {
	c.out.Warnings = warnings
	c.out.Document.Redacted = redacted
	return nil
}

// Reader reads a result's records back, one passage at a time.
type Reader struct {
	dec    *json.Decoder
	zr     *gzip.Reader
	doc    *evident.Document
	end    *end
	n      int
	legacy *Output // a result written as one JSON Output
}

// ErrBadResult is wrapped by Reader errors for a payload that cannot be
// read: damaged, or ending before its end record (a worker or a store
// that failed halfway). Reading it again gives the same error; errors of
// the stream the payload comes from are returned as they are.
var ErrBadResult = errors.New("the result is damaged or cut short")

// NewReader reads the document record of a payload written with the
// given encoding ("" or Encoding).
func NewReader(r io.Reader, encoding string) (*Reader, error) {
	switch encoding {
	case "":
		var out Output
		if err := json.NewDecoder(r).Decode(&out); err != nil {
			return nil, (&Reader{}).fail(err)
		}
		return &Reader{doc: &out.Document, legacy: &out}, nil
	case Encoding:
	default:
		return nil, fmt.Errorf("a result in an encoding this version does not read (%q); upgrade evident", encoding)
	}
	rd := &Reader{}
	zr, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return nil, rd.fail(err)
	}
	rd.zr, rd.dec = zr, json.NewDecoder(zr)
	var rec record
	if err := rd.dec.Decode(&rec); err != nil {
		return nil, rd.fail(err)
	}
	if rec.Document == nil {
		return nil, fmt.Errorf("reading the result: %w (it does not start with its document)", ErrBadResult)
	}
	rd.doc = rec.Document
	return rd, nil
}

func (r *Reader) fail(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var corrupt flate.CorruptInputError
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, gzip.ErrChecksum) ||
		errors.Is(err, gzip.ErrHeader) || errors.As(err, &syntax) || errors.As(err, &typ) || errors.As(err, &corrupt) {
		return fmt.Errorf("reading the result: %w (%w)", ErrBadResult, err)
	}
	return fmt.Errorf("reading the result: %w", err)
}

// Document is the document the result is about.
func (r *Reader) Document() *evident.Document { return r.doc }

// Next returns the next passage, or io.EOF after the last one. A payload
// without its end record, or whose count is wrong, is an error wrapping
// ErrBadResult.
func (r *Reader) Next() (*evident.Passage, error) {
	if r.legacy != nil {
		if r.n == len(r.legacy.Passages) {
			r.end = &end{Passages: r.n, Warnings: r.legacy.Warnings, Redacted: r.legacy.Document.Redacted}
			return nil, io.EOF
		}
		r.n++
		return &r.legacy.Passages[r.n-1], nil
	}
	if r.end != nil {
		return nil, io.EOF
	}
	var rec record
	if err := r.dec.Decode(&rec); err != nil {
		return nil, r.fail(err)
	}
	switch {
	case rec.Passage != nil:
		r.n++
		return rec.Passage, nil
	case rec.End != nil:
		if rec.End.Passages != r.n {
			return nil, fmt.Errorf("reading the result: %d passages of %d: %w", r.n, rec.End.Passages, ErrBadResult)
		}
		r.end = rec.End
		return nil, io.EOF
	}
	return nil, fmt.Errorf("reading the result: %w (a record that is neither a passage nor the end)", ErrBadResult)
}

// Warnings are the document's warnings, known once Next has returned io.EOF.
func (r *Reader) Warnings() []string {
	if r.end == nil {
		return nil
	}
	return r.end.Warnings
}

// Redacted are the counts of personal data masked in the document, by
// type, known once Next has returned io.EOF.
func (r *Reader) Redacted() map[string]int {
	if r.end == nil {
		return nil
	}
	return r.end.Redacted
}
