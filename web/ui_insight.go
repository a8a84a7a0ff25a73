package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/evident/evident/maps"
)

// The canvas's themes, needs, assumptions and WHO header (issue 16): what
// the canvas adds to its cells, and the forms a browser without
// JavaScript posts.

// cellInsight is what a cell of the canvas shows besides its quotes.
type cellInsight struct {
	MapName, Self string
	Themes        []maps.Theme
	Assumptions   []maps.Assumption
	Proposal      []maps.Theme // the proposed themes, when asked for (?themes=CELL)
	ProposalNote  string
	Proposed      bool
}

// quoteTheme is a quote's theme on the canvas and the themes it may
// move to.
type quoteTheme struct {
	ThemeID, ThemeName string
	CellThemes         []maps.Theme
	QuoteID            string
	MapName, Self      string
}

// needsPanel is the canvas's needs, with drafts when asked for.
type needsPanel struct {
	MapName, Self string
	Needs         []maps.Need
	Suggestions   []maps.NeedSuggestion
	Suggested     bool
	Quote         map[string]string // quote id → its text, for the evidence's titles
}

func (s *Server) routeInsightPages(u *ui, mux *http.ServeMux) {
	mux.HandleFunc("POST /maps/{name}/edit", u.form(u.mapEdit))
	mux.HandleFunc("POST /maps/{name}/insight/{kind}", u.form(u.insightForm))
}

// addInsight fills the canvas's themes, assumptions and needs from the
// map, and the proposal or drafts the page's address asks for.
func (u *ui) addInsight(r *http.Request, data *canvasPage, m *maps.Map) {
	name := m.Name
	byCell := map[string]maps.Cell{}
	for _, c := range m.Cells {
		byCell[c.Category] = c
	}
	quoteText := map[string]string{}
	asked := r.URL.Query().Get("themes")
	for _, cv := range data.Cells {
		c := byCell[cv.Category]
		cv.Insight = cellInsight{MapName: name, Self: data.Self, Themes: c.Themes, Assumptions: c.Assumptions}
		themeOf := map[string]maps.Theme{}
		for _, t := range c.Themes {
			for _, id := range t.Quotes {
				themeOf[id] = t
			}
		}
		for i := range cv.Quotes {
			q := &cv.Quotes[i]
			t := themeOf[q.ID]
			q.Theme = quoteTheme{ThemeID: t.ID, ThemeName: t.Name, CellThemes: c.Themes, QuoteID: q.ID, MapName: name, Self: data.Self}
			quoteText[q.ID] = q.Text
		}
		if asked != "" && strings.EqualFold(asked, cv.Category) {
			cv.Insight.Proposed = true
			if p, err := u.svc.ProposeThemes(r.Context(), name, cv.Category); err != nil {
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
		// Drafts are an offer: without them the panel still works.
		data.Needs.Suggestions, _ = u.svc.SuggestNeeds(r.Context(), name)
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
	f := func(k string) string { return r.FormValue(k) }
	var err error
	switch by := user(r); kind {
	case "themes":
		_, err = u.svc.ChangeThemes(r.Context(), name, maps.ThemeChange{Op: f("op"), Cell: f("cell"), Theme: f("theme"),
			Name: f("name"), Themes: list(f("themes")), Quotes: list(f("quotes"))}, by)
	case "needs":
		_, err = u.svc.ChangeNeeds(r.Context(), name, maps.NeedChange{Op: f("op"), Need: f("need"), Text: f("text"),
			Evidence: list(f("evidence"))}, by)
	case "assumptions":
		_, err = u.svc.ChangeAssumptions(r.Context(), name, maps.AssumptionChange{Op: f("op"), Assumption: f("assumption"),
			Cell: f("cell"), Text: f("text"), Quotes: list(f("quotes"))}, by)
	}
	if err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "saved"), http.StatusSeeOther)
}

// mapEdit changes the map's header: whichever fields the form carries.
func (u *ui) mapEdit(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	r.ParseForm()
	var e maps.Edit
	for f, dst := range map[string]**string{"role": &e.Role, "goal": &e.Goal, "title": &e.Title,
		"situation": &e.Situation, "priority": &e.Priority, "description": &e.Description} {
		if _, ok := r.PostForm[f]; ok {
			v := r.PostForm.Get(f)
			*dst = &v
		}
	}
	if _, err := u.svc.EditMap(r.Context(), name, e, user(r)); err != nil {
		u.s.failPage(w, failCode(err), "Map "+name, err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/maps/"+url.PathEscape(name)), "saved"), http.StatusSeeOther)
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
		m, err := u.svc.GetMap(r.Context(), s.Name)
		if err != nil {
			continue // the control still works; it only says less
		}
		for _, c := range m.Cells {
			for _, q := range c.Quotes {
				a.On[q.PassageID] = append(a.On[q.PassageID], m.Name+" · "+c.Category)
			}
		}
	}
}
