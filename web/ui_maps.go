package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/evident/evident/api"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/search"
)

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
	maps.Quote
	Up, Down int // the positions a move up or down asks for; -1 when there is none
	Theme    quoteTheme
}

type canvasPage struct {
	chrome
	Map        *maps.Map
	Cells      []*cellView
	Categories []string
	Exports    []maps.Format
	History    []maps.Change
	Dismissed  []string
	Suggest    string // why there are no suggestions, when there are none
	Self       string // this page's URL, for forms to return to
	Needs      needsPanel
}

// areas places the standard cells on the classic canvas; other
// categories go in rows below it.
var areas = map[string]string{"SEE": "see", "HEAR": "hear", "SAY": "say", "DO": "do", "PAINS": "pains", "GAINS": "gains"}

func (u *ui) mapCanvas(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	m, err := u.svc.GetMap(r.Context(), name)
	if err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	data := canvasPage{
		chrome:    chrome{Title: m.Name, Nav: "maps", Notice: notice(r)},
		Map:       m,
		Exports:   maps.Formats,
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
		slices.SortStableFunc(c.Quotes, func(a, b maps.Quote) int { return a.Position - b.Position })
		for i, q := range c.Quotes {
			onMap[q.PassageID] = true
			qv := quoteView{Quote: q, Up: -1, Down: -1}
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
	hidden := map[string]bool{}
	for _, id := range data.Dismissed {
		hidden[id] = true
	}
	sug, err := u.svc.SuggestQuotes(r.Context(), name, perCell+len(hidden))
	if err != nil {
		data.Suggest = "No suggestions: " + err.Error()
		sug = &maps.Suggestions{}
	}
	for _, cv := range data.Cells {
		cv.SuggestNote = sug.Notes[cv.Category]
		for _, h := range sug.Cells[cv.Category] {
			if len(cv.Suggestions) < perCell && !hidden[h.ID] && !onMap[h.ID] {
				cv.Suggestions = append(cv.Suggestions, h)
			}
		}
	}
	// The history is a convenience of the page: without it the canvas
	// still works, so a failure to read it leaves it out.
	if hist, err := u.svc.MapHistory(r.Context(), name); err == nil {
		slices.Reverse(hist)
		data.History = hist[:min(len(hist), 12)]
	}
	u.addInsight(r, &data, m)
	u.s.render(w, "map", http.StatusOK, data)
}

type mapListPage struct {
	chrome
	Maps []maps.Summary
	Form mapForm
	// Imported is what the import form brought in, ImportError why it
	// brought nothing.
	Imported    *api.ImportReport
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
	list, err := u.svc.ListMaps(r.Context())
	if err != nil {
		u.s.failPage(w, failCode(err), "Maps", err)
		return
	}
	data.Maps = list
	u.s.render(w, "maps", code, data)
}

// The handlers below take the canvas's forms as a browser without
// JavaScript posts them, make the same Service call the script's API
// request makes, and send the browser back where it came from.

func (u *ui) mapCreate(w http.ResponseWriter, r *http.Request) {
	form := mapForm{
		Name:        strings.TrimSpace(r.FormValue("name")),
		Role:        strings.TrimSpace(r.FormValue("role")),
		Goal:        strings.TrimSpace(r.FormValue("goal")),
		Description: strings.TrimSpace(r.FormValue("description")),
	}
	m, err := u.svc.CreateMap(r.Context(), maps.Info{Name: form.Name, Role: form.Role, Goal: form.Goal, Description: form.Description}, user(r))
	if err != nil {
		u.renderMapList(w, r, failCode(err), form, err.Error())
		return
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
	a := maps.Attachment{Category: r.FormValue("category"), PassageID: r.FormValue("passage_id"), Note: r.FormValue("note")}
	if _, err := u.svc.AttachQuote(r.Context(), name, a, user(r)); err != nil {
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
	var up maps.QuoteUpdate
	if _, ok := r.PostForm["note"]; ok {
		note := r.PostForm.Get("note")
		up.Note = &note
	}
	if v := r.PostForm.Get("category"); v != "" {
		up.Category = &v
	}
	if v := r.PostForm.Get("position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			u.s.failPage(w, http.StatusBadRequest, "Map "+name, errors.New("position must be a whole number"))
			return
		}
		up.Position = &n
	}
	if _, err := u.svc.UpdateQuote(r.Context(), name, id, up, user(r)); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "saved"), http.StatusSeeOther)
}

func (u *ui) quoteDetach(w http.ResponseWriter, r *http.Request) {
	name, id := r.PathValue("name"), r.PathValue("id")
	if _, err := u.svc.DetachQuote(r.Context(), name, id, user(r)); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "detached"), http.StatusSeeOther)
}

func (u *ui) mapUndo(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if _, err := u.svc.UndoMap(r.Context(), name, user(r)); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "undone"), http.StatusSeeOther)
}

func (u *ui) mapDelete(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := u.svc.DeleteMap(r.Context(), name, user(r)); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice("/maps", "deleted"), http.StatusSeeOther)
}
