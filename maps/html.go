package maps

import (
	_ "embed"
	"html/template"
	"io"
	"strings"
)

//go:embed templates/map.html
var canvasHTML string

// canvasAreas places the six default cells on the classic canvas: HEAR on
// one side of the persona's head, SEE on the other, SAY and DO below,
// PAINS and GAINS at the foot. Other categories follow the canvas.
func canvasArea(category string) string {
	switch category {
	case "SEE", "HEAR", "SAY", "DO", "PAINS", "GAINS":
		return strings.ToLower(category)
	}
	return ""
}

type htmlCell struct {
	Cell
	Area string
}

// HTML writes the map as one self-contained, printable page that draws
// the canvas. Every text from a source or a person is escaped by
// html/template; the page loads nothing from anywhere.
func HTML(w io.Writer, m *Map) error {
	t, err := template.New("map").Funcs(template.FuncMap{"day": day}).Parse(canvasHTML)
	if err != nil {
		return err
	}
	data := struct {
		Map           *Map
		Canvas, Extra []htmlCell
		Quotes        int
	}{Map: m, Quotes: m.QuoteCount()}
	for _, c := range m.Cells {
		if area := canvasArea(c.Category); area != "" {
			data.Canvas = append(data.Canvas, htmlCell{Cell: c, Area: area})
		} else {
			data.Extra = append(data.Extra, htmlCell{Cell: c})
		}
	}
	return t.Execute(w, data)
}
