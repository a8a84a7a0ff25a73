package pdf

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
)

// This file rebuilds reading order from glyph positions: glyphs become
// chunks (runs drawn one after the other on one baseline), a page splits
// into columns where a vertical gutter runs down most of it, and each
// column's chunks become lines read top to bottom.

// chunk is a run of glyphs drawn consecutively on one baseline.
type chunk struct {
	g         []glyph // in drawing order; space means "a space follows"
	x0, x1, y float64 // extent and baseline
	size      float64
}

// layoutLine is one line of text in reading order.
type layoutLine struct {
	text      string
	x0, x1, y float64
	size      float64
	dir       uint8
	region    int // column or band of the page, numbered in reading order
}

// layoutPage orders a page's glyphs into lines. Text in the page's main
// writing direction comes first; rotated labels and margins follow.
func layoutPage(gs []glyph) []layoutLine {
	var count [4]int
	for _, g := range gs {
		count[g.dir]++
	}
	dirs := []uint8{0, 1, 2, 3}
	slices.SortStableFunc(dirs, func(a, b uint8) int { return count[b] - count[a] })
	var lines []layoutLine
	region := 0
	for _, d := range dirs {
		if count[d] == 0 {
			continue
		}
		var own []glyph
		if count[d] == len(gs) {
			own = gs
		} else {
			own = make([]glyph, 0, count[d])
			for _, g := range gs {
				if g.dir == d {
					own = append(own, g)
				}
			}
		}
		for _, reg := range columns(chunks(own), 0) {
			for _, l := range buildLines(reg) {
				l.dir = d
				l.region = region
				lines = append(lines, l)
			}
			region++
		}
	}
	return lines
}

// chunks groups glyphs drawn one after the other on one baseline, without
// a gap wide enough to be a column gutter. Space characters are not kept
// as glyphs: they set the space flag of the glyph before them.
func chunks(gs []glyph) []chunk {
	var out []chunk
	for _, g := range gs {
		var cur *chunk
		if len(out) > 0 {
			cur = &out[len(out)-1]
		}
		if g.space {
			if cur != nil {
				cur.g[len(cur.g)-1].space = true
			}
			continue
		}
		if cur != nil {
			size := max(g.size, cur.size)
			gap := g.x - cur.x1
			if math.Abs(g.y-cur.y) <= 0.3*size && gap >= -0.7*size && gap <= 0.8*size {
				cur.g = append(cur.g, g)
				cur.x0, cur.x1 = min(cur.x0, g.x), max(cur.x1, g.x+g.w)
				cur.size = max(cur.size, g.size)
				continue
			}
		}
		out = append(out, chunk{g: []glyph{g}, x0: g.x, x1: g.x + g.w, y: g.y, size: g.size})
	}
	return out
}

// columns splits chunks into regions in reading order: when a gutter
// divides them, the left column's chunks, then the right's, band by band
// between lines that span the gutter (titles, figures, footnotes).
func columns(cs []chunk, depth int) [][]chunk {
	if depth > 3 || len(cs) < 8 {
		return [][]chunk{cs}
	}
	g0, g1, ok := gutter(cs, depth)
	if !ok {
		return [][]chunk{cs}
	}
	left, right, span := sides(cs, g0, g1)
	var out [][]chunk
	band := func(above, below float64) {
		var l, r []chunk
		for _, c := range left {
			if c.y < above && c.y >= below {
				l = append(l, c)
			}
		}
		for _, c := range right {
			if c.y < above && c.y >= below {
				r = append(r, c)
			}
		}
		for _, part := range [][]chunk{l, r} {
			if len(part) > 0 {
				out = append(out, columns(part, depth+1)...)
			}
		}
	}
	top := math.Inf(1)
	for _, sl := range groupLines(span) {
		y := sl[0].y
		band(top, y)
		out = append(out, sl)
		top = y
	}
	band(top, math.Inf(-1))
	return out
}

// gutter looks for a vertical strip, in the middle of the text, that
// no chunk crosses (a few spanning lines aside), with a column of full,
// left-aligned lines on either side. Tables have strips like that too, but
// their cells are short, so they are left alone.
func gutter(cs []chunk, depth int) (g0, g1 float64, ok bool) {
	if depth > 3 {
		return 0, 0, false
	}
	minX, maxX := math.Inf(1), math.Inf(-1)
	sizes := make([]float64, 0, len(cs))
	type event struct {
		x float64
		d int
	}
	ev := make([]event, 0, 2*len(cs))
	for _, c := range cs {
		minX, maxX = min(minX, c.x0), max(maxX, c.x1)
		sizes = append(sizes, c.size)
		ev = append(ev, event{c.x0, 1}, event{c.x1, -1})
	}
	body := median(sizes)
	width := maxX - minX
	if width < 24*body {
		return 0, 0, false
	}
	slices.SortFunc(ev, func(a, b event) int { return cmp.Compare(a.x, b.x) })
	// Coverage of each stretch between chunk edges, in the middle 60%.
	type span struct {
		a, b float64
		d    int
	}
	lo, hi := minX+0.2*width, maxX-0.2*width
	var spans []span
	cover := 0
	for i, e := range ev {
		cover += e.d
		if i+1 < len(ev) {
			if a, b := max(e.x, lo), min(ev[i+1].x, hi); b > a {
				spans = append(spans, span{a, b, cover})
			}
		}
	}
	// The widest run of stretches that few chunks cross. Chunks ending
	// inside it (a ragged edge) stay in their column; only those crossing
	// all of it span the gutter.
	allowed := max(3, len(cs)/10)
	best0, best1 := 0.0, 0.0
	for i := 0; i < len(spans); {
		if spans[i].d > allowed {
			i++
			continue
		}
		j := i
		for j+1 < len(spans) && spans[j+1].d <= allowed && spans[j+1].a <= spans[j].b+0.01 {
			j++
		}
		if w := spans[j].b - spans[i].a; w > best1-best0 {
			best0, best1 = spans[i].a, spans[j].b
		}
		i = j + 1
	}
	if best1-best0 < 0.5*body {
		return 0, 0, false
	}
	left, right, _ := sides(cs, best0, best1)
	if !isColumn(left, body, depth) || !isColumn(right, body, depth) {
		return 0, 0, false
	}
	// The columns must stand side by side, not one above the other.
	lTop, lBot := yRange(left)
	rTop, rBot := yRange(right)
	overlap := min(lTop, rTop) - max(lBot, rBot)
	if overlap < 0.4*min(lTop-lBot, rTop-rBot) {
		return 0, 0, false
	}
	return best0, best1, true
}

// sides splits chunks at a gutter: those crossing it span both columns.
func sides(cs []chunk, g0, g1 float64) (left, right, span []chunk) {
	mid := (g0 + g1) / 2
	for _, c := range cs {
		switch {
		case c.x0 < g0 && c.x1 > g1:
			span = append(span, c)
		case (c.x0+c.x1)/2 < mid:
			left = append(left, c)
		default:
			right = append(right, c)
		}
	}
	return left, right, span
}

// isColumn reports whether chunks read as a column of running text:
// enough lines, most of them starting at one margin and running most of
// the column's width, with several words each. Medians, not extremes, set
// the margin and width, so a stray label does not spoil the column.
func isColumn(cs []chunk, body float64, depth int) bool {
	lines := groupLines(cs)
	if len(lines) < 4 {
		return false
	}
	x0s := make([]float64, len(lines))
	x1s := make([]float64, len(lines))
	words := 0.0
	for i, l := range lines {
		x0s[i], x1s[i] = l[0].x0, l[0].x1
		for _, c := range l {
			x0s[i], x1s[i] = min(x0s[i], c.x0), max(x1s[i], c.x1)
			words += 1 + (c.x1-c.x0)/(5*c.size)
		}
	}
	margin := median(x0s)
	sorted := slices.Clone(x1s)
	slices.Sort(sorted)
	right := sorted[len(sorted)*9/10]
	if right-margin < 10*body {
		return false
	}
	full, aligned := 0, 0
	type edge struct {
		x float64
		d int
	}
	var gaps []edge
	for i, l := range lines {
		if x1s[i]-x0s[i] >= 0.6*(right-margin) {
			full++
		}
		if math.Abs(x0s[i]-margin) <= 2.5*l[0].size {
			aligned++
		}
		for j := 1; j < len(l); j++ {
			if l[j].x0-l[j-1].x1 > l[j].size {
				gaps = append(gaps, edge{l[j-1].x1, 1}, edge{l[j].x0, -1})
			}
		}
	}
	n := len(lines)
	if 2*full < n || 2*aligned < n || words < 3*float64(n) {
		return false
	}
	// Wide gaps inside lines that line up from line to line are the
	// boundaries of table cells (or of further columns); in justified
	// text they fall anywhere.
	slices.SortFunc(gaps, func(a, b edge) int { return cmp.Compare(a.x, b.x) })
	aligned, most := 0, 0
	for _, e := range gaps {
		aligned += e.d
		most = max(most, aligned)
	}
	if 3*most < n || most < 3 {
		return true
	}
	// Lines of cells are a table unless the cells are columns in turn.
	_, _, ok := gutter(cs, depth+1)
	return ok
}

func yRange(cs []chunk) (top, bottom float64) {
	top, bottom = math.Inf(-1), math.Inf(1)
	for _, c := range cs {
		top, bottom = max(top, c.y+0.75*c.size), min(bottom, c.y-0.25*c.size)
	}
	return top, bottom
}

// groupLines clusters chunks into lines, top to bottom, each sorted left
// to right. Two chunks share a line when their letter boxes (descender to
// ascender) mostly overlap, which keeps superscripts on their line.
func groupLines(cs []chunk) [][]chunk {
	sorted := slices.Clone(cs)
	slices.SortStableFunc(sorted, func(a, b chunk) int {
		if c := cmp.Compare(b.y, a.y); c != 0 {
			return c
		}
		return cmp.Compare(a.x0, b.x0)
	})
	var lines [][]chunk
	var mainY, mainSize []float64 // the dominant baseline and size of each line
	for _, c := range sorted {
		joined := false
		for k := len(lines) - 1; k >= 0 && k >= len(lines)-3; k-- {
			if verticalOverlap(c.y, c.size, mainY[k], mainSize[k]) >= 0.5 {
				lines[k] = append(lines[k], c)
				if c.size > mainSize[k]*1.05 {
					mainY[k], mainSize[k] = c.y, c.size
				}
				joined = true
				break
			}
		}
		if !joined {
			lines = append(lines, []chunk{c})
			mainY = append(mainY, c.y)
			mainSize = append(mainSize, c.size)
		}
	}
	for _, l := range lines {
		slices.SortStableFunc(l, func(a, b chunk) int { return cmp.Compare(a.x0, b.x0) })
	}
	return lines
}

func verticalOverlap(y1, s1, y2, s2 float64) float64 {
	lo := max(y1-0.25*s1, y2-0.25*s2)
	hi := min(y1+0.75*s1, y2+0.75*s2)
	return max(0, hi-lo) / min(s1, s2)
}

// buildLines turns a region's chunks into lines of text.
func buildLines(cs []chunk) []layoutLine {
	var out []layoutLine
	for _, l := range groupLines(cs) {
		if pl, ok := lineText(l); ok {
			out = append(out, pl)
		}
	}
	return out
}

// lineText writes a line's glyphs left to right, with a space wherever the
// PDF drew one or left a gap wider than letters are spaced in that line.
// Right-to-left lines (Arabic, Hebrew) are written in reading order.
func lineText(l []chunk) (layoutLine, bool) {
	var gs []glyph
	for i, c := range l {
		// The same run drawn twice, a hair apart, is fake bold.
		if i > 0 && dupChunk(l[i-1], c) {
			continue
		}
		gs = append(gs, c.g...)
	}
	// The typical gap between neighbours sets the spacing of letters, so
	// letter-spaced headings do not turn into one word per letter.
	gaps := make([]float64, 0, len(gs))
	for i := 1; i < len(gs); i++ {
		gaps = append(gaps, max(0, (gs[i].x-(gs[i-1].x+gs[i-1].w))/gs[i].size))
	}
	letter := median(gaps)
	// Words as drawn, left to right, each a run of glyph texts.
	var words [][]string
	pl := layoutLine{x0: math.Inf(1), x1: math.Inf(-1)}
	var prev *glyph
	for i := range gs {
		g := &gs[i]
		gap := 0.0
		if prev != nil {
			if g.s == prev.s && math.Abs(g.x-prev.x) < 0.2*g.size && math.Abs(g.y-prev.y) < 0.2*g.size {
				continue // a glyph drawn twice
			}
			gap = (g.x - (prev.x + prev.w)) / g.size
		}
		if prev == nil || prev.space || gap > letter+0.15 || gap < -2 {
			words = append(words, nil)
		}
		words[len(words)-1] = append(words[len(words)-1], g.s)
		pl.x0, pl.x1 = min(pl.x0, g.x), max(pl.x1, g.x+g.w)
		pl.size = max(pl.size, g.size)
		prev = g
	}
	if prev == nil {
		return pl, false
	}
	// The baseline of the line's largest text: superscripts do not move it.
	for _, c := range l {
		if c.size >= pl.size*0.95 {
			pl.y = c.y
			break
		}
	}
	// Right-to-left scripts are drawn in visual order: read the words from
	// the right, and the glyphs of right-to-left words too.
	rtl := rightToLeft(words)
	if rtl {
		slices.Reverse(words)
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		if rtl && rightToLeft([][]string{w}) {
			w = slices.Clone(w)
			slices.Reverse(w)
		}
		for _, s := range w {
			b.WriteString(s)
		}
	}
	pl.text = strings.TrimSpace(b.String())
	return pl, pl.text != ""
}

func dupChunk(a, b chunk) bool {
	if len(a.g) != len(b.g) || math.Abs(a.x0-b.x0) > 0.2*a.size || math.Abs(a.y-b.y) > 0.2*a.size {
		return false
	}
	for i := range a.g {
		if a.g[i].s != b.g[i].s {
			return false
		}
	}
	return true
}

// rightToLeft reports whether most letters of the words are of a
// right-to-left script.
func rightToLeft(words [][]string) bool {
	rtl, ltr := 0, 0
	for _, w := range words {
		for _, s := range w {
			for _, r := range s {
				switch {
				case r < 0x0590: // before Hebrew: no right-to-left script
					if r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z') || r >= 0x80 && unicode.IsLetter(r) {
						ltr++
					}
				case unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana):
					rtl++
				case unicode.IsLetter(r):
					ltr++
				}
			}
		}
	}
	return rtl > ltr
}

// median returns the lower median, so that of two line spacings the
// usual one wins over a paragraph break.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}
