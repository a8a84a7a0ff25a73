package maps

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
)

// Format is a file format a map can be exported to.
type Format struct {
	Name        string   // md, json, csv, html, qdpx
	Aliases     []string // other names a person may type: markdown, htm...
	Ext         string
	ContentType string
	Binary      bool // not for a terminal
	// write renders a map. texts holds the full text of quoted documents
	// and opts how they are written, for the REFI-QDA project; the other
	// formats need only the map.
	write func(w io.Writer, m *Map, texts []SourceText, opts QDPXOptions) error
}

// Formats is the one list of export formats, in the order they are
// offered: the command line, the API and the canvas page read it.
var Formats = []Format{
	{Name: "md", Aliases: []string{"markdown"}, Ext: "md", ContentType: "text/markdown; charset=utf-8",
		write: func(w io.Writer, m *Map, _ []SourceText, _ QDPXOptions) error { return Markdown(w, m) }},
	{Name: "json", Ext: "json", ContentType: "application/json; charset=utf-8",
		write: func(w io.Writer, m *Map, _ []SourceText, _ QDPXOptions) error { return JSON(w, m) }},
	{Name: "csv", Ext: "csv", ContentType: "text/csv; charset=utf-8",
		write: func(w io.Writer, m *Map, _ []SourceText, _ QDPXOptions) error { return CSV(w, m) }},
	{Name: "html", Aliases: []string{"htm"}, Ext: "html", ContentType: "text/html; charset=utf-8",
		write: func(w io.Writer, m *Map, _ []SourceText, _ QDPXOptions) error { return HTML(w, m) }},
	{Name: "qdpx", Aliases: []string{"refi-qda", "refi"}, Ext: "qdpx", ContentType: "application/zip", Binary: true,
		write: QDPX},
}

// FormatNames lists the export formats, for help texts and errors.
var FormatNames = strings.Join(formatNames(), ", ")

func formatNames() []string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return names
}

// FormatOf returns the export format of a name as a person types it.
func FormatOf(name string) (Format, error) {
	n := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "."))
	for _, f := range Formats {
		if n == f.Name || slices.Contains(f.Aliases, n) {
			return f, nil
		}
	}
	return Format{}, fail(ErrInvalid, "export format %q is not one of %s", name, FormatNames)
}

// Write renders a map in a format. texts holds the full text of quoted
// documents for the REFI-QDA project (see SourceTexts), and opts how its
// texts and positions are written; the other formats need only the map.
func Write(w io.Writer, m *Map, f Format, texts []SourceText, opts QDPXOptions) error {
	if f.write == nil {
		g, err := FormatOf(f.Name)
		if err != nil {
			return err
		}
		f = g
	}
	return f.write(w, m, texts, opts)
}

// Export is a rendered map, ready to save or send.
type Export struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"-"`
}

// ExportOptions tune an export. LineEndings ("lf", "crlf") and Offsets
// ("codepoints", "utf16") apply to the REFI-QDA project; see QDPXOptions.
type ExportOptions struct {
	LineEndings string `json:"line_endings,omitempty"`
	Offsets     string `json:"offsets,omitempty"`
}

// Export renders a map in the named format.
func (s *Store) Export(ctx context.Context, name, format string, o ExportOptions) (*Export, error) {
	f, err := FormatOf(format)
	if err != nil {
		return nil, err
	}
	opts, err := ParseQDPXOptions(o.LineEndings, o.Offsets)
	if err != nil {
		return nil, err
	}
	m, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	var texts []SourceText
	if f.Name == "qdpx" {
		if texts, err = s.SourceTexts(ctx, m); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if err := Write(&b, m, f, texts, opts); err != nil {
		return nil, fmt.Errorf("exporting map %q as %s: %w", m.Name, f.Name, err)
	}
	return &Export{Filename: FileName(m.Name, f.Ext), ContentType: f.ContentType, Data: b.Bytes()}, nil
}

// FileName makes a portable file name from a map name: letters, digits,
// dashes, dots and underscores; anything else becomes a dash.
func FileName(name, ext string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		ok := r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-')
		if !ok {
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = true
			continue
		}
		b.WriteRune(r)
		dash = false
	}
	base := strings.Trim(b.String(), "-.")
	if base == "" {
		base = "map"
	}
	return base + "." + ext
}
