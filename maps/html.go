package maps

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
)

//go:embed templates/map.html
var canvasHTML string

// canvasAreas places the six default cells on the classic canvas as the
// web page draws it: SEE and HEAR either side of the persona's head, SAY
// and DO below them, PAINS and GAINS at the foot, in the page's colours
// (TestCanvasMatchesThePage). Other categories follow the canvas.
func canvasArea(category string) string {
	switch category {
	case "SEE", "HEAR", "SAY", "DO", "PAINS", "GAINS":
		return strings.ToLower(category)
	}
	return ""
}

type htmlCell struct {
	Cell
	Area   string
	Groups []htmlGroup
}

// htmlGroup is a cell's quotes under a theme, or under none (Rest).
type htmlGroup struct {
	Theme  *Theme
	Rest   bool // the quotes in no theme of a cell that has themes
	Quotes []*Quote
}

// htmlNeed is a need with its evidence quotes.
type htmlNeed struct {
	Need
	Quotes []*Quote
}

// HTML writes the map as one self-contained, printable page that draws
// the canvas. Every text from a source or a person is escaped by
// html/template; the page loads nothing from anywhere.
func HTML(w io.Writer, m *Map) error {
	t, err := template.New("map").Funcs(template.FuncMap{"day": day, "short": short, "webLink": webLink}).Parse(canvasHTML)
	if err != nil {
		return err
	}
	data := struct {
		Map           *Map
		Canvas, Extra []htmlCell
		Quotes        int
		Needs         []htmlNeed
	}{Map: m, Quotes: m.QuoteCount()}
	for _, c := range m.Cells {
		hc := htmlCell{Cell: c, Area: canvasArea(c.Category)}
		for _, g := range groups(c) {
			if len(g.quotes) > 0 || g.theme != nil {
				hc.Groups = append(hc.Groups, htmlGroup{Theme: g.theme, Rest: g.theme == nil && len(c.Themes) > 0, Quotes: g.quotes})
			}
		}
		if hc.Area != "" {
			data.Canvas = append(data.Canvas, hc)
		} else {
			data.Extra = append(data.Extra, hc)
		}
	}
	for _, n := range m.Needs {
		hn := htmlNeed{Need: n}
		for _, id := range n.Evidence {
			if q := m.Quote(id); q != nil {
				hn.Quotes = append(hn.Quotes, q)
			}
		}
		data.Needs = append(data.Needs, hn)
	}
	return t.Execute(w, data)
}

// webLink reports whether an address may be a link: only web addresses
// are, since a document may name any URL, javascript: ones included.
func webLink(u string) bool {
	l := strings.ToLower(strings.TrimSpace(u))
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}
