package web

import (
	"net/http"
	"strconv"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
)

type contextPage struct {
	chrome
	*api.InContext
	Around  int
	Wider   string // the same page with more around it
	Attach  attachTo
	Review  reviewTo
	Related string // a search for more from this document
}

// defaultAround is how many passages the page shows on either side.
const defaultAround = 5

// aroundOf reads ?around=: how many passages to show on either side of
// one, defaultAround when absent, at most 5000.
func aroundOf(r *http.Request) (int, error) {
	v := r.URL.Query().Get("around")
	if v == "" {
		return defaultAround, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, api.Errorf(api.Invalid, "around=%q: around= takes a whole number of passages", v)
	}
	return min(n, 5000), nil
}

func (u *ui) inContext(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	around, err := aroundOf(r)
	if err != nil {
		u.s.failPage(w, failCode(err), "In context", err)
		return
	}
	c, err := u.svc.Passage(r.Context(), id, around)
	if err != nil {
		u.s.failPage(w, failCode(err), "In context", err)
		return
	}
	attach := u.attachControl(r)
	data := contextPage{
		chrome:    chrome{Title: title(c.Document) + " in context", Nav: "search", Notice: notice(r)},
		InContext: c,
		Around:    around,
		Attach:    attach,
		Review:    reviewControl(r, attach.Categories),
		Related:   searchURL(fieldTerm("doc", c.Document.File)),
	}
	if len(c.Before) == around || len(c.After) == around {
		data.Wider = "/passages/" + id + "?around=" + strconv.Itoa(around*3+5) + "#focus"
	}
	u.s.render(w, "context", http.StatusOK, data)
}

func title(d *evident.Document) string {
	if d.Title != "" {
		return d.Title
	}
	return d.File
}
