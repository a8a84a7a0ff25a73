package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	pdflib "github.com/ledongthuc/pdf"
)

// This file turns a page's content stream into positioned glyphs. The
// library's Page.Content does the same, but it re-parses a font's ToUnicode
// map at every font change, ignores word spacing and form XObjects, reads
// the widths of two-byte fonts one byte at a time, and cannot be stopped:
// here fonts are parsed once per document, and every operator counts
// against the context and the limits.

// glyph is one decoded character (or ligature) drawn on a page, in the
// frame of its own writing direction: the baseline runs along +x, up is +y.
type glyph struct {
	x, y  float64 // baseline origin, in points
	w     float64 // advance along the baseline
	size  float64 // font size in points
	s     string
	dir   uint8 // quarter turns of the baseline from left-to-right on the page as shown
	space bool  // a space character: a word break, not drawn text
}

// matrix is a PDF affine transform [a b c d e f] as a 3x2 row matrix.
type matrix [6]float64

var identity = matrix{1, 0, 0, 1, 0, 0}

// mul returns m × n (apply m first, then n).
func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

// gState is the part of the graphics state that places text.
type gState struct {
	ctm                     matrix
	tc, tw, th, tl, tfs, ts float64
	font                    *parsedFont
}

// caps bound the work one page may cause.
type caps struct {
	streamBytes int64 // decompressed bytes of one content stream, form or cmap
	pageGlyphs  int
}

var errPageTooBig = errors.New("a page holds more text than a real page can")

// contentReader interprets the pages of one document. Fonts are kept
// across pages, keyed by their dictionary as written (indirect references
// included), so a font shared by 500 pages is parsed once.
type contentReader struct {
	ctx    context.Context
	limits caps
	fonts  map[string]*parsedFont

	// per page
	glyphs []glyph
	rot    int // page rotation, quarter turns clockwise
	box    [4]float64
	ops    int
	depth  int // form XObject nesting
	// The text and text-line matrices live outside the graphics state (q
	// and Q do not save them) and only mean something between BT and ET.
	tm, tlm matrix
}

// abort carries an error that must end the whole extraction out of the
// library's call stack (a cancelled context, a limit).
type abort struct{ err error }

func (s abort) Error() string { return s.err.Error() }
func (s abort) Unwrap() error { return s.err }

// page returns the glyphs of one page. A malformed content stream keeps the
// glyphs read before the fault and reports the fault as partial.
func (cr *contentReader) page(p pdflib.Value) (gs []glyph, partial error, err error) {
	cr.glyphs = cr.glyphs[:0]
	cr.ops = 0
	cr.depth = 0
	cr.rot = 0
	cr.box = [4]float64{0, 0, 612, 792}
	func() {
		defer func() {
			if r := recover(); r != nil {
				var stop abort
				if e, ok := r.(error); ok && errors.As(e, &stop) {
					err = stop.err
					return
				}
				partial = fmt.Errorf("%v", r)
			}
		}()
		cr.rot = int(((inherited(p, "Rotate").Int64()%360)+360)%360) / 90
		box := inherited(p, "CropBox")
		if box.Len() != 4 {
			box = inherited(p, "MediaBox")
		}
		if box.Len() == 4 {
			for i := range 4 {
				cr.box[i] = box.Index(i).Float64()
			}
		}
		st := gState{ctm: identity, th: 1}
		cr.interpret(p.Key("Contents"), inherited(p, "Resources"), &st)
	}()
	return cr.glyphs, partial, err
}

// inherited looks a page attribute up the page tree (PDF 32000 §7.7.3.4).
func inherited(p pdflib.Value, key string) pdflib.Value {
	for range 32 {
		if v := p.Key(key); !v.IsNull() {
			return v
		}
		p = p.Key("Parent")
		if p.IsNull() {
			break
		}
	}
	return pdflib.Value{}
}

// checkStream refuses a stream that decompresses to more than the limit,
// before the library's lexer holds it in memory. Streams too short to
// expand past the limit with one filter are not decoded twice.
func (cr *contentReader) checkStream(s pdflib.Value) {
	if s.Kind() == pdflib.Array {
		var total int64
		for i := range min(s.Len(), 4096) {
			total += cr.streamSize(s.Index(i), cr.limits.streamBytes-total)
		}
		return
	}
	cr.streamSize(s, cr.limits.streamBytes)
}

func (cr *contentReader) streamSize(s pdflib.Value, limit int64) int64 {
	if s.Kind() != pdflib.Stream {
		return 0
	}
	n := s.Key("Length").Int64()
	if f := s.Key("Filter"); f.Kind() != pdflib.Array || f.Len() <= 1 {
		// Deflate expands at most about 1032:1.
		if n*1032 <= limit {
			return n * 1032
		}
	}
	rc := s.Reader()
	got, _ := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
	rc.Close()
	if got > limit {
		panic(abort{fmt.Errorf("%w: one of its content streams expands to more than %d MB", errPageTooBig, cr.limits.streamBytes>>20)})
	}
	return got
}

// interpret runs one content stream (a page's or a form's).
func (cr *contentReader) interpret(strm, res pdflib.Value, st *gState) {
	if strm.IsNull() {
		return
	}
	cr.checkStream(strm)
	var stack []gState
	var args []pdflib.Value
	local := map[string]*parsedFont{}
	inText := false
	pdflib.Interpret(strm, func(stk *pdflib.Stack, op string) {
		cr.ops++
		if cr.ops&1023 == 0 {
			if err := cr.ctx.Err(); err != nil {
				panic(abort{err})
			}
		}
		args = args[:0]
		for n := stk.Len(); n > 0; n-- {
			args = append(args, pdflib.Value{})
		}
		for i := len(args) - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		num := func(i int) float64 { return args[i].Float64() }
		switch op {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, *st)
			}
		case "Q":
			if n := len(stack); n > 0 {
				*st = stack[n-1]
				stack = stack[:n-1]
			}
		case "cm":
			if len(args) == 6 {
				st.ctm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}.mul(st.ctm)
			}
		case "BT":
			inText = true
			cr.tm, cr.tlm = identity, identity
		case "ET":
			inText = false
		case "Tc":
			if len(args) == 1 {
				st.tc = num(0)
			}
		case "Tw":
			if len(args) == 1 {
				st.tw = num(0)
			}
		case "Tz":
			if len(args) == 1 {
				st.th = num(0) / 100
			}
		case "TL":
			if len(args) == 1 {
				st.tl = num(0)
			}
		case "Ts":
			if len(args) == 1 {
				st.ts = num(0)
			}
		case "Tf":
			if len(args) == 2 {
				name := args[0].Name()
				f, ok := local[name]
				if !ok {
					f = cr.font(res.Key("Font").Key(name))
					local[name] = f
				}
				st.font = f
				st.tfs = num(1)
			}
		case "Td", "TD":
			if len(args) == 2 {
				if op == "TD" {
					st.tl = -num(1)
				}
				cr.tlm = matrix{1, 0, 0, 1, num(0), num(1)}.mul(cr.tlm)
				cr.tm = cr.tlm
			}
		case "Tm":
			if len(args) == 6 {
				cr.tlm = matrix{num(0), num(1), num(2), num(3), num(4), num(5)}
				cr.tm = cr.tlm
			}
		case "T*":
			cr.tlm = matrix{1, 0, 0, 1, 0, -st.tl}.mul(cr.tlm)
			cr.tm = cr.tlm
		case "Tj":
			if len(args) == 1 {
				cr.show(st, args[0].RawString())
			}
		case "'", "\"":
			if op == "\"" && len(args) == 3 {
				st.tw, st.tc = num(0), num(1)
				args = args[2:]
			}
			cr.tlm = matrix{1, 0, 0, 1, 0, -st.tl}.mul(cr.tlm)
			cr.tm = cr.tlm
			if len(args) == 1 {
				cr.show(st, args[0].RawString())
			}
		case "TJ":
			if len(args) == 1 {
				a := args[0]
				for i := range a.Len() {
					x := a.Index(i)
					if x.Kind() == pdflib.String {
						cr.show(st, x.RawString())
					} else {
						cr.tm = matrix{1, 0, 0, 1, -x.Float64() / 1000 * st.tfs * st.th, 0}.mul(cr.tm)
					}
				}
			}
		case "Do":
			if len(args) == 1 && !inText {
				cr.form(res.Key("XObject").Key(args[0].Name()), res, st)
			}
		}
	})
}

// form draws a form XObject: its content, in its own coordinate system.
func (cr *contentReader) form(x, res pdflib.Value, st *gState) {
	if x.Kind() != pdflib.Stream || x.Key("Subtype").Name() != "Form" || cr.depth >= 8 {
		return
	}
	saved := *st
	savedTm, savedTlm := cr.tm, cr.tlm
	cr.depth++
	defer func() {
		cr.depth--
		*st = saved
		cr.tm, cr.tlm = savedTm, savedTlm
	}()
	if m := x.Key("Matrix"); m.Len() == 6 {
		var f matrix
		for i := range 6 {
			f[i] = m.Index(i).Float64()
		}
		st.ctm = f.mul(st.ctm)
	}
	if r := x.Key("Resources"); !r.IsNull() {
		res = r
	}
	cr.interpret(x, res, st)
}

// show draws a string of character codes with the current font.
func (cr *contentReader) show(st *gState, raw string) {
	f := st.font
	if f == nil {
		f = cr.font(pdflib.Value{})
	}
	m := cr.tm.mul(st.ctm)
	for len(raw) > 0 {
		code, n := f.next(raw)
		raw = raw[n:]
		adv := f.width(code, n) * st.tfs
		if s := f.decode(code, n); s != "" {
			cr.emit(st, f, m, adv, s)
		}
		tx := (adv + st.tc) * st.th
		if n == 1 && code == ' ' {
			tx += st.tw * st.th
		}
		cr.tm[4] += tx * cr.tm[0]
		cr.tm[5] += tx * cr.tm[1]
		m[4] += tx * m[0]
		m[5] += tx * m[1]
	}
}

// emit records one glyph whose text-space-to-page matrix is m.
func (cr *contentReader) emit(st *gState, f *parsedFont, m matrix, adv float64, s string) {
	size := math.Abs(st.tfs) * math.Hypot(m[2], m[3]) * f.vscale
	if size < 0.5 || size > 2000 || math.IsNaN(size) {
		return // invisible or degenerate
	}
	if len(cr.glyphs) >= cr.limits.pageGlyphs {
		panic(abort{fmt.Errorf("%w (more than %d characters)", errPageTooBig, cr.limits.pageGlyphs)})
	}
	x, y := st.ts*m[2]+m[4], st.ts*m[3]+m[5]
	x, y = cr.upright(x, y)
	dx, dy := cr.turn(m[0], m[1])
	var dir uint8
	switch {
	case math.Abs(dx) >= math.Abs(dy) && dx >= 0:
		dir = 0
	case math.Abs(dx) >= math.Abs(dy):
		dir = 2
	case dy > 0:
		dir = 1
	default:
		dir = 3
	}
	x, y = turnDir(dir, x, y)
	w := math.Abs(adv * st.th * math.Hypot(m[0], m[1]))
	if !finite(x) || !finite(y) || !finite(w) {
		return // placed by a degenerate matrix
	}
	space := strings.TrimSpace(s) == ""
	cr.glyphs = append(cr.glyphs, glyph{x: x, y: y, w: w, size: size, s: s, dir: dir, space: space})
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) && math.Abs(f) < 1e7 }

// upright maps a point of the page's user space to the page as shown,
// after its /Rotate.
func (cr *contentReader) upright(x, y float64) (float64, float64) {
	b := cr.box
	switch cr.rot {
	case 1:
		return y - b[1], b[2] - x
	case 2:
		return b[2] - x, b[3] - y
	case 3:
		return b[3] - y, x - b[0]
	}
	return x - b[0], y - b[1]
}

// turn maps a direction vector the way upright maps points.
func (cr *contentReader) turn(dx, dy float64) (float64, float64) {
	switch cr.rot {
	case 1:
		return dy, -dx
	case 2:
		return -dx, -dy
	case 3:
		return -dy, dx
	}
	return dx, dy
}

// turnDir rotates a point into the frame of writing direction dir, where
// that direction's baseline runs left to right.
func turnDir(dir uint8, x, y float64) (float64, float64) {
	switch dir {
	case 1:
		return y, -x
	case 2:
		return -x, -y
	case 3:
		return -y, x
	}
	return x, y
}

// parsedFont is what text extraction needs of a font: how to split a string
// into codes, each code's width and its Unicode text.
type parsedFont struct {
	twoByte bool
	first   int
	widths  []float64       // simple fonts, from FirstChar, in text space per unit of size
	cid     map[int]float64 // composite fonts
	missing float64         // width of a code the font does not list
	std     *[95]uint16     // standard-14 metrics for fonts that omit widths
	vscale  float64         // font size multiplier (Type3 font matrices)
	scale   float64         // glyph space to text space
	toUni   map[int]string
	names   map[int]string // glyph names of a simple font without ToUnicode
	encV    pdflib.Value   // for the library's fallback decoding, built on first use
	enc     pdflib.TextEncoding
	decoded map[int]string
	// cmap is the predefined CMap of a CJK composite font (its codes are
	// text in a known encoding, of one to four bytes); nil otherwise.
	cmap *codeMap
}

func (f *parsedFont) next(raw string) (code, n int) {
	if f.cmap != nil {
		n = f.cmap.codeLen(raw)
		return codeValue(raw[:n]), n
	}
	if f.twoByte && len(raw) >= 2 {
		return int(raw[0])<<8 | int(raw[1]), 2
	}
	return int(raw[0]), 1
}

func (f *parsedFont) width(code, n int) float64 {
	if f.cmap != nil {
		// Widths are listed by CID, which only the CMap's tables give:
		// CJK glyphs are as wide as the font's default, ASCII half that.
		if n == 1 {
			return f.missing / 2
		}
		return f.missing
	}
	if f.cid != nil || f.twoByte {
		if w, ok := f.cid[code]; ok {
			return w
		}
		return f.missing
	}
	if i := code - f.first; i >= 0 && i < len(f.widths) && f.widths[i] > 0 {
		return f.widths[i] * f.scale
	}
	if f.std != nil && code >= 32 && code <= 126 {
		return float64(f.std[code-32]) / 1000
	}
	return f.missing
}

func (f *parsedFont) decode(code, n int) string {
	key := code | n<<32 // one byte's code 0x41 is not two bytes' 0x0041
	if s, ok := f.decoded[key]; ok {
		return s
	}
	s, ok := f.toUni[code]
	if n, named := f.names[code]; !ok && named {
		s = glyphText(n)
		ok = s != ""
	}
	switch {
	case ok:
	case f.cmap != nil:
		b := make([]byte, n)
		for i := range n {
			b[n-1-i] = byte(code >> (8 * i))
		}
		s, ok = f.cmap.decode(string(b)), true
	case f.twoByte && f.toUni == nil:
		// A composite font with neither a ToUnicode map nor a predefined
		// CMap (Identity-H, say): its codes are glyph numbers, which say
		// nothing of the characters. Reading them as bytes would make
		// mojibake that passes for words; the replacement character
		// instead lets the document say how much of it cannot be read.
		if len(f.decoded) < 1<<16 {
			f.decoded[key] = "\uFFFD"
		}
		return "\uFFFD"
	}
	if !ok {
		if f.enc == nil {
			if f.encV.IsNull() {
				f.enc = latin1{}
			} else {
				lf := pdflib.Font{V: f.encV}
				f.enc = lf.Encoder()
			}
		}
		b := []byte{byte(code)}
		if f.twoByte {
			b = []byte{byte(code >> 8), byte(code)}
		}
		s = f.enc.Decode(string(b))
	}
	s = cleanGlyph(s)
	if len(f.decoded) < 1<<16 {
		f.decoded[key] = s
	}
	return s
}

// latin1 decodes the codes of text drawn before any font was chosen.
type latin1 struct{}

func (latin1) Decode(raw string) string {
	r := make([]rune, len(raw))
	for i := range len(raw) {
		r[i] = rune(raw[i])
	}
	return string(r)
}

// cleanGlyph drops what a font maps to nothing readable: control codes,
// the replacement character, private-use code points (symbol fonts),
// keeping the private-use bullets Word writes.
func cleanGlyph(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Co, r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\uF0B7' || r == '\uF0A7' || r == '\uF0FC':
			b.WriteRune('•')
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Co, r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// font returns the font of a resource dictionary entry, parsing it once
// per document.
func (cr *contentReader) font(v pdflib.Value) *parsedFont {
	key := ""
	if v.Kind() == pdflib.Dict {
		key = v.String()
	}
	if f, ok := cr.fonts[key]; ok {
		return f
	}
	f := &parsedFont{missing: 0.5, vscale: 1, scale: 0.001, decoded: map[int]string{}}
	cr.fonts[key] = f
	if key == "" {
		return f
	}
	f.encV = v
	switch v.Key("Subtype").Name() {
	case "Type0":
		f.twoByte = true
		if enc := v.Key("Encoding"); enc.Kind() == pdflib.Name {
			f.cmap = predefinedCMap(enc.Name())
		}
		d := v.Key("DescendantFonts").Index(0)
		f.missing = 1
		if dw := d.Key("DW"); dw.Kind() == pdflib.Integer || dw.Kind() == pdflib.Real {
			f.missing = dw.Float64() / 1000
		}
		f.cid = cidWidths(d.Key("W"))
	case "Type3":
		if fm := v.Key("FontMatrix"); fm.Len() == 6 {
			if a := math.Abs(fm.Index(0).Float64()); a > 0 && a < 1 {
				f.scale = a
			}
			if d := math.Abs(fm.Index(3).Float64()); d > 0 && d < 1 {
				f.vscale = d * 1000
			}
		}
		fallthrough
	default:
		f.first = int(v.Key("FirstChar").Int64())
		ws := v.Key("Widths")
		for i := range min(ws.Len(), 1<<16) {
			f.widths = append(f.widths, ws.Index(i).Float64())
		}
		if mw := v.Key("FontDescriptor").Key("MissingWidth").Float64(); mw > 0 {
			f.missing = mw * f.scale
		}
		if len(f.widths) == 0 {
			f.std = standardWidths(v.Key("BaseFont").Name())
		}
		f.names = glyphNames(v)
	}
	if tu := v.Key("ToUnicode"); tu.Kind() == pdflib.Stream {
		f.toUni = cr.toUnicode(tu, v)
	}
	return f
}

// cidWidths reads a composite font's W array: "c [w1 w2 ...]" and
// "cfirst clast w" entries, in glyph space.
func cidWidths(w pdflib.Value) map[int]float64 {
	m := map[int]float64{}
	for i := 0; i+1 < w.Len() && len(m) < 1<<17; {
		first := int(w.Index(i).Int64())
		next := w.Index(i + 1)
		if next.Kind() == pdflib.Array {
			for j := range min(next.Len(), 1<<16) {
				m[first+j] = next.Index(j).Float64() / 1000
			}
			i += 2
			continue
		}
		if i+2 >= w.Len() {
			break
		}
		last := int(next.Int64())
		wv := w.Index(i+2).Float64() / 1000
		for c := first; c <= last && c-first < 1<<16; c++ {
			m[c] = wv
		}
		i += 3
	}
	return m
}

// toUnicode reads a ToUnicode CMap (bfchar and bfrange entries). The
// library has a reader too, but applies it only to some encodings.
func (cr *contentReader) toUnicode(s, fontDict pdflib.Value) (m map[int]string) {
	cr.streamSize(s, cr.limits.streamBytes)
	m = map[int]string{}
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.As(e, new(abort)) {
				panic(r)
			}
			// Keep the entries read before the fault.
		}
	}()
	var vals []pdflib.Value
	pdflib.Interpret(s, func(stk *pdflib.Stack, op string) {
		vals = vals[:0]
		for n := stk.Len(); n > 0; n-- {
			vals = append(vals, pdflib.Value{})
		}
		for i := len(vals) - 1; i >= 0; i-- {
			vals[i] = stk.Pop()
		}
		if len(m) >= 1<<17 {
			return
		}
		switch op {
		case "findresource":
			// "/CIDInit /ProcSet findresource begin" needs a dictionary
			// to begin; the font's own serves (its keys are no operators).
			stk.Push(fontDict)
		case "endbfchar":
			for i := 0; i+1 < len(vals) && len(m) < 1<<17; i += 2 {
				m[codeValue(vals[i].RawString())] = decodeUTF16(vals[i+1].RawString())
			}
		case "endbfrange":
			for i := 0; i+2 < len(vals); i += 3 {
				lo, hi := codeValue(vals[i].RawString()), codeValue(vals[i+1].RawString())
				if hi < lo || hi-lo > 1<<16 {
					continue
				}
				dst := vals[i+2]
				if dst.Kind() == pdflib.Array {
					for c := lo; c <= hi && c-lo < dst.Len() && len(m) < 1<<17; c++ {
						m[c] = decodeUTF16(dst.Index(c - lo).RawString())
					}
					continue
				}
				units := utf16Units(dst.RawString())
				if len(units) == 0 {
					continue
				}
				for c := lo; c <= hi && len(m) < 1<<17; c++ {
					u := append([]uint16(nil), units...)
					u[len(u)-1] += uint16(c - lo)
					m[c] = string(utf16.Decode(u))
				}
			}
		}
	})
	return m
}

func codeValue(s string) int {
	c := 0
	for i := range min(len(s), 4) {
		c = c<<8 | int(s[i])
	}
	return c
}

func utf16Units(s string) []uint16 {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	return u
}

func decodeUTF16(s string) string {
	if len(s) == 1 {
		return string(rune(s[0])) // a one-byte destination: malformed, but its meaning is plain
	}
	return string(decodeUnits(utf16Units(s)))
}

func decodeUnits(u []uint16) []rune { return utf16.Decode(u) }

// standardWidths returns the metrics of the standard font a name most
// resembles: old PDFs use the 14 standard fonts without listing widths.
func standardWidths(base string) *[95]uint16 {
	b := strings.ToLower(base)
	switch {
	case strings.Contains(b, "courier") || strings.Contains(b, "mono"):
		return &courier
	case strings.Contains(b, "times") || strings.Contains(b, "roman") || strings.Contains(b, "georgia") ||
		strings.Contains(b, "serif") && !strings.Contains(b, "sans"):
		return &times
	}
	return &helvetica
}

// Widths of ASCII 32-126 in the Adobe metrics of Helvetica, Times-Roman
// and Courier, in thousandths of the font size.
var (
	helvetica = [95]uint16{
		278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
		556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
		1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
		667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
		333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
		556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
	}
	times = [95]uint16{
		250, 333, 408, 500, 500, 833, 778, 180, 333, 333, 500, 564, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444,
		921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722,
		556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500,
		333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500,
		500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541,
	}
	courier = [95]uint16{
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
		600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600, 600,
	}
)
