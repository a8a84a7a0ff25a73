package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/engine"
	"github.com/evident/evident/search"
)

// The shapes below are the map API's JSON (see web/maps.go), as far as
// the pages read them.

type mapSummary struct {
	Name        string `json:"name"`
	Role        string `json:"role"`
	Goal        string `json:"goal"`
	Description string `json:"description"`
	Quotes      int    `json:"quotes"`
	Updated     string `json:"updated"`
}

type mapView struct {
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Goal        string    `json:"goal"`
	Description string    `json:"description"`
	Created     string    `json:"created"`
	Updated     string    `json:"updated"`
	Cells       []mapCell `json:"cells"`
	header                // title, situation, priority, needs: ui_insight.go
}

type mapCell struct {
	Category    string           `json:"category"`
	Question    string           `json:"question"`
	Quotes      []mapQuote       `json:"quotes"`
	Themes      []themeView      `json:"themes"`
	Assumptions []assumptionView `json:"assumptions"`
}

type mapQuote struct {
	ID        flexString      `json:"id"`
	PassageID string          `json:"passage_id"`
	Text      string          `json:"text"`
	Citation  string          `json:"citation"`
	Speaker   string          `json:"speaker"`
	FullName  string          `json:"full_name"`
	Title     string          `json:"title"`
	Context   string          `json:"context"`
	Role      string          `json:"role"`
	Locator   evident.Locator `json:"locator"`
	Source    search.Source   `json:"source"`
	Note      string          `json:"note"`
	Position  int             `json:"position"`
	AddedBy   string          `json:"added_by"`
	AddedAt   string          `json:"added_at"`
	Rule      flexString      `json:"rule"`
	Status    string          `json:"status"`
	Retagged  bool            `json:"retagged"`
	TagsNow   []string        `json:"tags_now"`
}

type mapChange struct {
	Seq     int    `json:"seq"`
	Op      string `json:"op"`
	At      string `json:"at"`
	By      string `json:"by"`
	Summary string `json:"summary"`
}

// flexString reads a JSON string, number or object as text: ids and
// rules are shown, never computed with.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = flexString(s)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*f = ""
		return nil
	}
	*f = flexString(b)
	return nil
}

// cellView is one cell of the canvas as drawn.
type cellView struct {
	Category    string
	Question    string
	Area        string // the CSS grid area: see, hear, say, do, pains, gains, or extra
	Quotes      []quoteView
	Suggestions []search.Hit
	SuggestNote string // why the suggestions are broader than the persona, or absent
	Insight     cellInsight
}

type quoteView struct {
	mapQuote
	Up, Down int // the positions a move up or down asks for; -1 when there is none
	Theme    quoteTheme
}

type canvasPage struct {
	chrome
	Map        *mapView
	Cells      []*cellView
	Categories []string
	Exports    []string
	History    []mapChange
	Dismissed  []string
	Suggest    string // why there are no suggestions, when there are none
	Self       string // this page's URL, for forms to return to
	Needs      needsPanel
}

var exportFormats = []string{"md", "json", "csv", "html", "qdpx"}

// areas places the standard cells on the classic canvas; other
// categories go in rows below it.
var areas = map[string]string{"SEE": "see", "HEAR": "hear", "SAY": "say", "DO": "do", "PAINS": "pains", "GAINS": "gains"}

func mapPath(name string) string { return "/api/maps/" + url.PathEscape(name) }

func (u *ui) mapCanvas(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var m mapView
	if err := u.call(r.Context(), "GET", mapPath(name), nil, &m); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	data := canvasPage{
		chrome:    chrome{Title: m.Name, Nav: "maps", Notice: notice(r)},
		Map:       &m,
		Exports:   exportFormats,
		Dismissed: r.URL.Query()["dismiss"],
		Self:      r.URL.RequestURI(),
	}
	onMap := map[string]bool{}
	for _, c := range m.Cells {
		data.Categories = append(data.Categories, c.Category)
		cv := &cellView{Category: c.Category, Question: c.Question, Area: areas[c.Category]}
		if cv.Question == "" {
			cv.Question = cellPrompt(c.Category)
		}
		if cv.Area == "" {
			cv.Area = "extra"
		}
		slices.SortStableFunc(c.Quotes, func(a, b mapQuote) int { return a.Position - b.Position })
		for i, q := range c.Quotes {
			onMap[q.PassageID] = true
			qv := quoteView{mapQuote: q, Up: -1, Down: -1}
			if i > 0 {
				qv.Up = c.Quotes[i-1].Position
			}
			if i < len(c.Quotes)-1 {
				qv.Down = c.Quotes[i+1].Position
			}
			cv.Quotes = append(cv.Quotes, qv)
		}
		data.Cells = append(data.Cells, cv)
	}
	// Suggestions: a few per cell, leaving out what is on the map or was
	// dismissed on this page.
	const perCell = 3
	var sug struct {
		Cells map[string][]search.Hit `json:"cells"`
		Notes map[string]string       `json:"notes"`
	}
	hidden := map[string]bool{}
	for _, id := range data.Dismissed {
		hidden[id] = true
	}
	err := u.call(r.Context(), "GET", mapPath(name)+"/suggest?per_cell="+strconv.Itoa(perCell+len(hidden)), nil, &sug)
	if err != nil {
		data.Suggest = "No suggestions: " + err.Error()
	}
	for _, cv := range data.Cells {
		cv.SuggestNote = sug.Notes[cv.Category]
		for _, h := range sug.Cells[cv.Category] {
			if len(cv.Suggestions) < perCell && !hidden[h.ID] && !onMap[h.ID] {
				cv.Suggestions = append(cv.Suggestions, h)
			}
		}
	}
	var hist struct {
		Changes []mapChange `json:"changes"`
	}
	if err := u.call(r.Context(), "GET", mapPath(name)+"/history", nil, &hist); err == nil {
		slices.Reverse(hist.Changes)
		data.History = hist.Changes[:min(len(hist.Changes), 12)]
	}
	u.addInsight(r, &data, &m)
	u.s.render(w, "map", http.StatusOK, data)
}

type mapListPage struct {
	chrome
	Maps []mapSummary
	Form mapForm
	// Imported is what the import form brought in, ImportError why it
	// brought nothing.
	Imported    *engine.ImportReport
	ImportError string
}

type mapForm struct {
	Name, Role, Goal, Description string
}

func (u *ui) mapList(w http.ResponseWriter, r *http.Request) {
	u.renderMapList(w, r, http.StatusOK, mapForm{}, "")
}

func (u *ui) renderMapList(w http.ResponseWriter, r *http.Request, code int, form mapForm, problem string) {
	data := mapListPage{chrome: chrome{Title: "Maps", Nav: "maps", Notice: notice(r), Error: problem}, Form: form}
	var list struct {
		Maps []mapSummary `json:"maps"`
	}
	if err := u.call(r.Context(), "GET", "/api/maps", nil, &list); err != nil {
		u.s.failPage(w, failCode(err), "Maps", err)
		return
	}
	data.Maps = list.Maps
	u.s.render(w, "maps", code, data)
}

// The handlers below take the canvas's forms as a browser without
// JavaScript posts them, make the same API call the script would, and
// send the browser back where it came from.

func (u *ui) mapCreate(w http.ResponseWriter, r *http.Request) {
	form := mapForm{
		Name:        strings.TrimSpace(r.FormValue("name")),
		Role:        strings.TrimSpace(r.FormValue("role")),
		Goal:        strings.TrimSpace(r.FormValue("goal")),
		Description: strings.TrimSpace(r.FormValue("description")),
	}
	body := map[string]string{"name": form.Name, "role": form.Role, "goal": form.Goal, "description": form.Description}
	var m mapView
	if err := u.call(r.Context(), "POST", "/api/maps", body, &m); err != nil {
		if errors.Is(err, errNoMaps) {
			u.s.failPage(w, failCode(err), "Maps", err)
			return
		}
		u.renderMapList(w, r, failCode(err), form, err.Error())
		return
	}
	if m.Name == "" {
		m.Name = form.Name
	}
	http.Redirect(w, r, withNotice("/maps/"+url.PathEscape(m.Name), "created"), http.StatusSeeOther)
}

func (u *ui) attach(w http.ResponseWriter, r *http.Request) {
	name := r.FormValue("map")
	if name == "" {
		name = r.FormValue("_map") // a suggestion's accept button names its map
	}
	if name == "" {
		u.s.failPage(w, http.StatusBadRequest, "Attach", errors.New("choose a map to attach the quote to (create one under Maps first)"))
		return
	}
	body := map[string]string{"category": r.FormValue("category"), "passage_id": r.FormValue("passage_id"), "note": r.FormValue("note")}
	if err := u.call(r.Context(), "POST", mapPath(name)+"/quotes", body, nil); err != nil {
		u.s.failPage(w, failCode(err), "Attach", err)
		return
	}
	rememberMap(w, name)
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "attached"), http.StatusSeeOther)
}

// quoteEdit changes a quote's note, position or cell: whichever of those
// fields the form carries.
func (u *ui) quoteEdit(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("name"), r.PathValue("id")
	r.ParseForm()
	body := map[string]any{}
	if _, ok := r.PostForm["note"]; ok {
		body["note"] = r.PostForm.Get("note")
	}
	if v := r.PostForm.Get("category"); v != "" {
		body["category"] = v
	}
	if v := r.PostForm.Get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			u.s.failPage(w, http.StatusBadRequest, "Map "+name, errors.New("position must be a whole number"))
			return
		}
		body["position"] = n
	}
	if err := u.call(r.Context(), "PATCH", mapPath(name)+"/quotes/"+url.PathEscape(id), body, nil); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "saved"), http.StatusSeeOther)
}

func (u *ui) quoteDetach(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("name"), r.PathValue("id")
	if err := u.call(r.Context(), "DELETE", mapPath(name)+"/quotes/"+url.PathEscape(id), nil, nil); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "detached"), http.StatusSeeOther)
}

func (u *ui) mapUndo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := u.call(r.Context(), "POST", mapPath(name)+"/undo", nil, nil); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "undone"), http.StatusSeeOther)
}

func (u *ui) mapDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := u.call(r.Context(), "DELETE", mapPath(name), nil, nil); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice("/maps", "deleted"), http.StatusSeeOther)
}
