package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The canvas's themes, needs, assumptions and WHO header (issue 16):
// shapes of the map API's JSON as the page reads them, what the canvas
// adds to its cells, and the forms a browser without JavaScript posts.

type themeView struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Quotes []string `json:"quotes"`
}

type assumptionView struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Text     string `json:"text"`
	Verdict  string `json:"verdict"`
	Evidence []struct {
		Quote  string `json:"quote"`
		Stance string `json:"stance"`
	} `json:"evidence"`
}

type needView struct {
	ID       string   `json:"id"`
	Text     string   `json:"text"`
	Evidence []string `json:"evidence"`
	Count    int      `json:"evidence_count"`
	Roles    []string `json:"roles"`
}

// header are the map's WHO fields, which mapView embeds.
type header struct {
	Title     string     `json:"title"`
	Situation string     `json:"situation"`
	Priority  string     `json:"priority"`
	Needs     []needView `json:"needs"`
}

// cellInsight is what a cell of the canvas shows besides its quotes.
type cellInsight struct {
	MapName, Self string
	Themes        []themeView
	Assumptions   []assumptionView
	Proposal      []themeView // the proposed themes, when asked for (?themes=CELL)
	ProposalNote  string
	Proposed      bool
}

// quoteTheme is a quote's theme on the canvas and the themes it may
// move to.
type quoteTheme struct {
	ThemeID, ThemeName string
	CellThemes         []themeView
	QuoteID            string
	MapName, Self      string
}

// needsPanel is the canvas's needs, with drafts when asked for.
type needsPanel struct {
	MapName, Self string
	Needs         []needView
	Suggestions   []struct {
		Text     string   `json:"text"`
		Category string   `json:"category"`
		Name     string   `json:"theme_name"`
		Evidence []string `json:"evidence"`
	}
	Suggested bool
	Quote     map[string]string // quote id → its text, for the evidence's titles
}

func (s *Server) routeInsightPages(u *ui, mux *http.ServeMux) {
	mux.HandleFunc("POST /maps/{name}/edit", u.form(u.mapEdit))
	mux.HandleFunc("POST /maps/{name}/insight/{kind}", u.form(u.insightForm))
}

// addInsight fills the canvas's themes, assumptions and needs from the
// map, and the proposal or drafts the page's address asks for.
func (u *ui) addInsight(r *http.Request, data *canvasPage, m *mapView) {
	name := m.Name
	byCell := map[string]mapCell{}
	for _, c := range m.Cells {
		byCell[c.Category] = c
	}
	quoteText := map[string]string{}
	asked := r.URL.Query().Get("themes")
	for _, cv := range data.Cells {
		c := byCell[cv.Category]
		cv.Insight = cellInsight{MapName: name, Self: data.Self, Themes: c.Themes, Assumptions: c.Assumptions}
		themeOf := map[string]themeView{}
		for _, t := range c.Themes {
			for _, id := range t.Quotes {
				themeOf[id] = t
			}
		}
		for i := range cv.Quotes {
			q := &cv.Quotes[i]
			t := themeOf[string(q.ID)]
			q.Theme = quoteTheme{ThemeID: t.ID, ThemeName: t.Name, CellThemes: c.Themes, QuoteID: string(q.ID), MapName: name, Self: data.Self}
			quoteText[string(q.ID)] = q.Text
		}
		if asked != "" && strings.EqualFold(asked, cv.Category) {
			var p struct {
				Cells []struct {
					Themes []themeView `json:"themes"`
				} `json:"cells"`
			}
			cv.Insight.Proposed = true
			if err := u.call(r.Context(), "GET", mapPath(name)+"/themes?cell="+url.QueryEscape(cv.Category), nil, &p); err != nil {
				cv.Insight.ProposalNote = "No proposal: " + err.Error()
			} else if len(p.Cells) == 1 {
				cv.Insight.Proposal = p.Cells[0].Themes
			}
			if len(cv.Insight.Proposal) == 0 && cv.Insight.ProposalNote == "" {
				cv.Insight.ProposalNote = "No themes to propose: the quotes share too few words, or there are fewer than four."
			}
		}
	}
	data.Needs = needsPanel{MapName: name, Self: data.Self, Needs: m.Needs, Quote: quoteText}
	if r.URL.Query().Get("needs") == "suggest" {
		data.Needs.Suggested = true
		u.call(r.Context(), "GET", mapPath(name)+"/needs/suggest", nil, &data.Needs)
	}
}

// list reads a form field of ids: "q1, q2 q3".
func list(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// insightForm takes a theme, need or assumption form as a browser
// without JavaScript posts it and makes the API call the script would.
func (u *ui) insightForm(w http.ResponseWriter, r *http.Request) {
	name, kind := r.PathValue("name"), r.PathValue("kind")
	if kind != "themes" && kind != "needs" && kind != "assumptions" {
		u.s.failPage(w, http.StatusNotFound, "Map "+name, errors.New("a map has themes, needs and assumptions, nothing else of that kind"))
		return
	}
	body := map[string]any{}
	for _, f := range []string{"op", "cell", "theme", "name", "need", "text", "assumption"} {
		if v := r.FormValue(f); v != "" {
			body[f] = v
		}
	}
	for _, f := range []string{"themes", "quotes", "evidence"} {
		if v := list(r.FormValue(f)); len(v) > 0 {
			body[f] = v
		}
	}
	if err := u.call(r.Context(), "POST", mapPath(name)+"/"+kind, body, nil); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "saved"), http.StatusSeeOther)
}

// mapEdit changes the map's header: whichever fields the form carries.
func (u *ui) mapEdit(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	r.ParseForm()
	body := map[string]string{}
	for _, f := range []string{"role", "goal", "title", "situation", "priority", "description"} {
		if _, ok := r.PostForm[f]; ok {
			body[f] = r.PostForm.Get(f)
		}
	}
	if err := u.call(r.Context(), "PATCH", mapPath(name), body, nil); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "saved"), http.StatusSeeOther)
}

// Byline says who said a quote, as maps.Snapshot.Byline does.
func (q mapQuote) Byline() string {
	name := q.FullName
	if name == "" {
		name = q.Speaker
	}
	if name == "" && q.Locator.Row > 0 {
		name = "Respondent " + strconv.Itoa(q.Locator.Row)
	}
	switch {
	case name == "" && q.Title != "":
		return q.Title
	case name == "":
		return q.Role
	case q.Title != "":
		return name + ", " + q.Title
	case q.Role != "":
		return name + " (" + q.Role + ")"
	}
	return name
}

// Place is where in its source a quote is: page, time, row, line or
// paragraph.
func (q mapQuote) Place() string {
	l := q.Locator
	l.Column = ""
	return l.String()
}

// lastMapCookie remembers the map a person attached to last, so that the
// attach control offers it first. The script sets it too.
const lastMapCookie = "evident-map"

func rememberMap(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: lastMapCookie, Value: url.QueryEscape(name), Path: "/", MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteStrictMode})
}

// onMaps tells the attach control which map it last attached to and
// where each passage is on the maps already.
func (u *ui) onMaps(r *http.Request, a *attachTo) {
	if c, err := r.Cookie(lastMapCookie); err == nil {
		if name, err := url.QueryUnescape(c.Value); err == nil {
			a.Last = name
		}
	}
	a.On = map[string][]string{}
	for _, s := range a.Maps {
		if s.Quotes == 0 {
			continue
		}
		var m mapView
		if err := u.call(r.Context(), "GET", mapPath(s.Name), nil, &m); err != nil {
			continue // the control still works; it only says less
		}
		for _, c := range m.Cells {
			for _, q := range c.Quotes {
				a.On[q.PassageID] = append(a.On[q.PassageID], m.Name+" · "+c.Category)
			}
		}
	}
}
