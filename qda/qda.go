// Package qda reads REFI-QDA projects (QDA-XML 1.0, the .qdpx exchange
// format of QualCoder, ATLAS.ti, MAXQDA, NVivo and Evident's own map
// export): the code book with its nested codes, text sources with their
// coded selections and notes, cases with their variables, and sets. What
// a text-only reader cannot take (pictures, audio, video, regions of a
// PDF page) is listed in Skipped, never dropped silently.
package qda

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits on what a project may hold: a .qdpx comes from elsewhere.
const (
	MaxProject = 64 << 20  // project.qde, uncompressed
	MaxSource  = 64 << 20  // one source's text, uncompressed
	MaxTotal   = 512 << 20 // everything read from the archive
)

// ErrNotProject marks files that are not a REFI-QDA project at all.
var ErrNotProject = errors.New("not a REFI-QDA project")

// Project is what Evident takes from a REFI-QDA project.
type Project struct {
	Name        string
	Origin      string // the program that wrote it: "ATLAS.ti 9", "QualCoder 3.5", "Evident"
	Description string
	Codes       []*Code // the code book's top-level codes, in order
	Sources     []*Source
	Cases       []*Case
	Sets        []*Set
	// Skipped says, one sentence each, what the project holds that is not
	// imported.
	Skipped []string

	codes map[string]*Code
}

// Code is one code of the code book.
type Code struct {
	GUID, Name  string
	Description string
	Notes       []string
	Parent      *Code
	Children    []*Code
}

// Path lists the code's name and its parents' names, the top-level one
// first.
func (c *Code) Path() []string {
	var out []string
	for x := c; x != nil; x = x.Parent {
		out = append([]string{x.Name}, out...)
	}
	return out
}

// Code returns the code with a GUID, or nil.
func (p *Project) Code(guid string) *Code { return p.codes[strings.ToLower(guid)] }

// Source is a text source: a document's plain text and what was coded in it.
type Source struct {
	GUID, Name  string
	Description string
	Text        string // with "\n" line endings
	Notes       []string
	Variables   map[string]string // variable name → value
	Selections  []*Selection
}

// Selection is a stretch of a source's text with its codes and notes.
type Selection struct {
	GUID, Name  string
	Start, End  int // byte offsets into Source.Text
	Text        string
	Description string
	Notes       []string // the texts of its notes and its codings' notes
	Codes       []*Code
	User        string // who coded it, by name, when the project says
	Created     time.Time
}

// Case is a unit of analysis, usually a person, with its variables.
type Case struct {
	GUID, Name  string
	Description string
	Variables   map[string]string
	Sources     []string // GUIDs of sources the case is
	Selections  []string // GUIDs of selections the case said
}

// Set groups codes or sources.
type Set struct {
	Name    string
	Codes   []string // code names
	Sources []string // source names
}

// Units says what selection positions count.
type Units int

const (
	// Auto reads the project's origin: NVivo and ATLAS.ti count UTF-16
	// code units, the others Unicode code points.
	Auto Units = iota
	CodePoints
	UTF16
)

// Options tune reading.
type Options struct {
	Units Units
}

// ReadFile reads a .qdpx archive (a zip holding project.qde and its
// sources) or a bare project.qde.
func ReadFile(data []byte, opts Options) (*Project, error) {
	if bytes.HasPrefix(data, []byte("PK")) {
		return readZip(data, opts)
	}
	return parse(data, nil, opts)
}

func readZip(data []byte, opts Options) (*Project, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: the file is not a zip archive: %v", ErrNotProject, err)
	}
	files := map[string]*zip.File{}
	var qde *zip.File
	for _, f := range zr.File {
		name := strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(f.Name, `\`, "/")), "/")
		files[strings.ToLower(name)] = f
		if strings.EqualFold(path.Ext(name), ".qde") && (qde == nil || !strings.Contains(name, "/")) {
			qde = f
		}
	}
	if qde == nil {
		return nil, fmt.Errorf("%w: the archive holds no project.qde", ErrNotProject)
	}
	budget := int64(MaxTotal)
	read := func(f *zip.File, limit int64) ([]byte, error) {
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, min(limit, budget)+1))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		if int64(len(b)) > min(limit, budget) {
			return nil, fmt.Errorf("%s: larger than %d MiB uncompressed", f.Name, min(limit, budget)>>20)
		}
		budget -= int64(len(b))
		return b, nil
	}
	qdeData, err := read(qde, MaxProject)
	if err != nil {
		return nil, err
	}
	open := func(p string) ([]byte, error) {
		f := files[strings.ToLower(p)]
		if f == nil {
			f = files["sources/"+strings.ToLower(p)]
		}
		if f == nil {
			return nil, fmt.Errorf("no file %s in the archive", p)
		}
		return read(f, MaxSource)
	}
	return parse(qdeData, open, opts)
}

// The elements of project.qde that are read.
type (
	xProject struct {
		XMLName     xml.Name `xml:"Project"`
		Name        string   `xml:"name,attr"`
		Origin      string   `xml:"origin,attr"`
		Users       []xUser  `xml:"Users>User"`
		Codes       []xCode  `xml:"CodeBook>Codes>Code"`
		Variables   []xVar   `xml:"Variables>Variable"`
		Cases       []xCase  `xml:"Cases>Case"`
		Sources     xSources `xml:"Sources"`
		Notes       []xText  `xml:"Notes>Note"`
		Links       []xAny   `xml:"Links>Link"`
		Sets        []xSet   `xml:"Sets>Set"`
		Graphs      []xAny   `xml:"Graphs>Graph"`
		Description string   `xml:"Description"`
		NoteRefs    []xRef   `xml:"NoteRef"`
	}
	xUser struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
	}
	xCode struct {
		GUID        string  `xml:"guid,attr"`
		Name        string  `xml:"name,attr"`
		Description string  `xml:"Description"`
		NoteRefs    []xRef  `xml:"NoteRef"`
		Codes       []xCode `xml:"Code"`
	}
	xVar struct {
		GUID string `xml:"guid,attr"`
		Name string `xml:"name,attr"`
	}
	xValue struct {
		Var      xRef   `xml:"VariableRef"`
		Text     string `xml:"TextValue"`
		Bool     string `xml:"BooleanValue"`
		Int      string `xml:"IntegerValue"`
		Float    string `xml:"FloatValue"`
		Date     string `xml:"DateValue"`
		DateTime string `xml:"DateTimeValue"`
	}
	xCase struct {
		GUID        string   `xml:"guid,attr"`
		Name        string   `xml:"name,attr"`
		Description string   `xml:"Description"`
		Values      []xValue `xml:"VariableValue"`
		Sources     []xRef   `xml:"SourceRef"`
		Selections  []xRef   `xml:"SelectionRef"`
	}
	xRef struct {
		Target string `xml:"targetGUID,attr"`
	}
	xSources struct {
		Text    []xText  `xml:"TextSource"`
		Picture []xMedia `xml:"PictureSource"`
		PDF     []xPDF   `xml:"PDFSource"`
		Audio   []xMedia `xml:"AudioSource"`
		Video   []xMedia `xml:"VideoSource"`
	}
	xText struct {
		GUID          string       `xml:"guid,attr"`
		Name          string       `xml:"name,attr"`
		PlainTextPath string       `xml:"plainTextPath,attr"`
		RichTextPath  string       `xml:"richTextPath,attr"`
		Description   string       `xml:"Description"`
		Content       *string      `xml:"PlainTextContent"`
		Selections    []xSelection `xml:"PlainTextSelection"`
		Codings       []xCoding    `xml:"Coding"`
		NoteRefs      []xRef       `xml:"NoteRef"`
		Values        []xValue     `xml:"VariableValue"`
	}
	xSelection struct {
		GUID         string    `xml:"guid,attr"`
		Name         string    `xml:"name,attr"`
		Start        string    `xml:"startPosition,attr"`
		End          string    `xml:"endPosition,attr"`
		CreatingUser string    `xml:"creatingUser,attr"`
		Created      string    `xml:"creationDateTime,attr"`
		Description  string    `xml:"Description"`
		Codings      []xCoding `xml:"Coding"`
		NoteRefs     []xRef    `xml:"NoteRef"`
	}
	xCoding struct {
		CreatingUser string `xml:"creatingUser,attr"`
		Created      string `xml:"creationDateTime,attr"`
		CodeRef      xRef   `xml:"CodeRef"`
		NoteRefs     []xRef `xml:"NoteRef"`
	}
	xMedia struct {
		Name       string `xml:"name,attr"`
		Selections []xAny `xml:",any"`
	}
	xPDF struct {
		Name           string `xml:"name,attr"`
		Selections     []xAny `xml:"PDFSelection"`
		Representation *xText `xml:"Representation"`
	}
	xSet struct {
		Name    string `xml:"name,attr"`
		Codes   []xRef `xml:"MemberCode"`
		Sources []xRef `xml:"MemberSource"`
	}
	xAny struct {
		XMLName xml.Name
	}
)

func parse(data []byte, open func(string) ([]byte, error), opts Options) (*Project, error) {
	var x xProject
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") || strings.EqualFold(label, "us-ascii") {
			return r, nil
		}
		return nil, fmt.Errorf("encoding %q is not UTF-8", label)
	}
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: project.qde: %v", ErrNotProject, err)
	}
	if x.XMLName.Local != "Project" {
		return nil, fmt.Errorf("%w: project.qde's root is <%s>, not <Project>", ErrNotProject, x.XMLName.Local)
	}
	p := &Project{Name: strings.TrimSpace(x.Name), Origin: strings.TrimSpace(x.Origin), Description: x.Description, codes: map[string]*Code{}}
	units := opts.Units
	if units == Auto {
		units = CodePoints
		if o := strings.ToLower(p.Origin); strings.Contains(o, "nvivo") || strings.Contains(o, "atlas") {
			units = UTF16
		}
	}
	users := map[string]string{}
	for _, u := range x.Users {
		users[strings.ToLower(u.GUID)] = u.Name
	}
	notes := map[string]string{}
	for _, n := range x.Notes {
		text := ""
		if n.Content != nil {
			text = *n.Content
		} else if n.PlainTextPath != "" && open != nil {
			if b, err := open(internalPath(n.PlainTextPath)); err == nil {
				text = string(b)
			}
		}
		if text = strings.TrimSpace(normalizeNewlines(text)); text == "" {
			text = strings.TrimSpace(n.Name)
		}
		notes[strings.ToLower(n.GUID)] = text
	}
	noteTexts := func(refs []xRef) []string {
		var out []string
		for _, r := range refs {
			if t := notes[strings.ToLower(r.Target)]; t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	var addCodes func(parent *Code, xs []xCode, depth int) []*Code
	addCodes = func(parent *Code, xs []xCode, depth int) []*Code {
		var out []*Code
		for _, xc := range xs {
			c := &Code{GUID: xc.GUID, Name: strings.TrimSpace(xc.Name), Description: xc.Description, Notes: noteTexts(xc.NoteRefs), Parent: parent}
			if c.Name == "" {
				c.Name = "(unnamed code)"
			}
			p.codes[strings.ToLower(c.GUID)] = c
			if depth < 64 {
				c.Children = addCodes(c, xc.Codes, depth+1)
			}
			out = append(out, c)
		}
		return out
	}
	p.Codes = addCodes(nil, x.Codes, 0)
	vars := map[string]string{}
	for _, v := range x.Variables {
		vars[strings.ToLower(v.GUID)] = strings.TrimSpace(v.Name)
	}
	values := func(xs []xValue) map[string]string {
		out := map[string]string{}
		for _, v := range xs {
			name := vars[strings.ToLower(v.Var.Target)]
			if name == "" {
				continue
			}
			val := strings.TrimSpace(firstOf(v.Text, v.Bool, v.Int, v.Float, v.Date, v.DateTime))
			if val != "" {
				out[name] = val
			}
		}
		return out
	}
	source := func(xt xText, kind string) (*Source, error) {
		s := &Source{GUID: xt.GUID, Name: strings.TrimSpace(xt.Name), Description: xt.Description, Notes: noteTexts(xt.NoteRefs), Variables: values(xt.Values)}
		var raw string
		switch {
		case xt.Content != nil:
			raw = *xt.Content
		case xt.PlainTextPath != "" && open != nil:
			b, err := open(internalPath(xt.PlainTextPath))
			if err != nil {
				return nil, err
			}
			raw = string(b)
		case xt.PlainTextPath != "":
			return nil, fmt.Errorf("its text is in %s, outside a bare project.qde", xt.PlainTextPath)
		default:
			return nil, errors.New("it has no plain text")
		}
		raw = strings.TrimPrefix(raw, "\uFEFF")
		if !utf8.ValidString(raw) {
			raw = strings.ToValidUTF8(raw, "\uFFFD")
		}
		pos := newPositions(raw, units)
		s.Text = normalizeNewlines(raw)
		for _, xs := range xt.Selections {
			start, end, ok := pos.span(xs.Start, xs.End)
			if !ok {
				p.Skipped = append(p.Skipped, fmt.Sprintf("%s %q: selection %q at %s..%s lies outside its text", kind, s.Name, xs.Name, xs.Start, xs.End))
				continue
			}
			sel := &Selection{GUID: xs.GUID, Name: xs.Name, Start: start, End: end, Text: s.Text[start:end],
				Description: strings.TrimSpace(normalizeNewlines(xs.Description)), Notes: noteTexts(xs.NoteRefs),
				User: users[strings.ToLower(xs.CreatingUser)], Created: parseTime(xs.Created)}
			for _, c := range xs.Codings {
				code := p.Code(c.CodeRef.Target)
				if code == nil {
					p.Skipped = append(p.Skipped, fmt.Sprintf("%s %q: a coding of selection %q names no code of the code book", kind, s.Name, xs.Name))
					continue
				}
				sel.Codes = append(sel.Codes, code)
				sel.Notes = append(sel.Notes, noteTexts(c.NoteRefs)...)
				if sel.User == "" {
					sel.User = users[strings.ToLower(c.CreatingUser)]
				}
				if sel.Created.IsZero() {
					sel.Created = parseTime(c.Created)
				}
			}
			s.Selections = append(s.Selections, sel)
		}
		if n := len(xt.Codings); n > 0 {
			p.Skipped = append(p.Skipped, fmt.Sprintf("%s %q: %d codings of the whole document (Evident codes passages, not documents)", kind, s.Name, n))
		}
		return s, nil
	}
	for _, xt := range x.Sources.Text {
		s, err := source(xt, "text source")
		if err != nil {
			p.Skipped = append(p.Skipped, fmt.Sprintf("text source %q: %v", xt.Name, err))
			continue
		}
		p.Sources = append(p.Sources, s)
	}
	for _, xp := range x.Sources.PDF {
		if n := len(xp.Selections); n > 0 {
			p.Skipped = append(p.Skipped, fmt.Sprintf("PDF source %q: %d selections by region of a page", xp.Name, n))
		}
		if xp.Representation == nil {
			p.Skipped = append(p.Skipped, fmt.Sprintf("PDF source %q: no text representation in the project (add the PDF itself to the inbox)", xp.Name))
			continue
		}
		rep := *xp.Representation
		if strings.TrimSpace(rep.Name) == "" {
			rep.Name = xp.Name
		}
		s, err := source(rep, "PDF source")
		if err != nil {
			p.Skipped = append(p.Skipped, fmt.Sprintf("PDF source %q: %v", xp.Name, err))
			continue
		}
		p.Sources = append(p.Sources, s)
	}
	for _, m := range []struct {
		kind string
		xs   []xMedia
	}{{"picture", x.Sources.Picture}, {"audio", x.Sources.Audio}, {"video", x.Sources.Video}} {
		for _, xm := range m.xs {
			n := 0
			for _, s := range xm.Selections {
				if strings.HasSuffix(s.XMLName.Local, "Selection") {
					n++
				}
			}
			p.Skipped = append(p.Skipped, fmt.Sprintf("%s source %q with %d selections (Evident reads text only)", m.kind, xm.Name, n))
		}
	}
	for _, xc := range x.Cases {
		c := &Case{GUID: xc.GUID, Name: strings.TrimSpace(xc.Name), Description: xc.Description, Variables: values(xc.Values)}
		for _, r := range xc.Sources {
			c.Sources = append(c.Sources, strings.ToLower(r.Target))
		}
		for _, r := range xc.Selections {
			c.Selections = append(c.Selections, strings.ToLower(r.Target))
		}
		p.Cases = append(p.Cases, c)
	}
	byGUID := map[string]string{}
	for _, s := range p.Sources {
		byGUID[strings.ToLower(s.GUID)] = s.Name
	}
	for _, xs := range x.Sets {
		set := &Set{Name: xs.Name}
		for _, r := range xs.Codes {
			if c := p.Code(r.Target); c != nil {
				set.Codes = append(set.Codes, c.Name)
			}
		}
		for _, r := range xs.Sources {
			if n, ok := byGUID[strings.ToLower(r.Target)]; ok {
				set.Sources = append(set.Sources, n)
			}
		}
		p.Sets = append(p.Sets, set)
	}
	if len(x.Links) > 0 {
		p.Skipped = append(p.Skipped, fmt.Sprintf("%d links between objects", len(x.Links)))
	}
	if len(x.Graphs) > 0 {
		p.Skipped = append(p.Skipped, fmt.Sprintf("%d graphs", len(x.Graphs)))
	}
	if len(x.NoteRefs) > 0 {
		p.Skipped = append(p.Skipped, fmt.Sprintf("%d notes about the project as a whole", len(x.NoteRefs)))
	}
	return p, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// internalPath turns "internal://abc.txt" into the archive's
// sources/abc.txt; "relative://" and absolute paths name files outside
// the archive, which are looked for inside it by their base name.
func internalPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "internal://"); ok {
		return "sources/" + rest
	}
	p = strings.TrimPrefix(p, "relative://")
	p = strings.TrimPrefix(p, "absolute://")
	return "sources/" + path.Base(strings.ReplaceAll(p, `\`, "/"))
}

func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// positions maps selection positions of a raw text (CRLF counting as
// two, in code points or UTF-16 units) to byte offsets of its text with
// "\n" line endings.
type positions struct {
	bytes []int // position → byte offset in the normalised text; one more than the positions
}

func newPositions(raw string, units Units) positions {
	var p positions
	off := 0 // in the normalised text
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRuneInString(raw[i:])
		n := 1
		if units == UTF16 {
			n = utf16.RuneLen(r)
			if n < 1 {
				n = 1
			}
		}
		for range n {
			p.bytes = append(p.bytes, off)
		}
		switch {
		case r == '\r' && i+1 < len(raw) && raw[i+1] == '\n':
			// "\r\n" is two positions and one byte of the normalised text:
			// the "\r" stands where the "\n" does.
		case r == utf8.RuneError && size == 1:
			off += len("\uFFFD")
		case r == '\r':
			off++ // a lone "\r" becomes "\n"
		default:
			off += size
		}
		i += size
	}
	p.bytes = append(p.bytes, off)
	return p
}

// span converts positions as written (decimal) to byte offsets.
func (p positions) span(start, end string) (int, int, bool) {
	s, ok1 := atoi(start)
	e, ok2 := atoi(end)
	if !ok1 || !ok2 || s < 0 || e < s || e >= len(p.bytes) {
		return 0, 0, false
	}
	return p.bytes[s], p.bytes[e], true
}

func atoi(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 12 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// SortedSelections returns a source's selections in text order.
func (s *Source) SortedSelections() []*Selection {
	out := append([]*Selection(nil), s.Selections...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}
