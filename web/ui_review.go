package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/persona"
)

// The review form under each passage: accept its tags, or correct them
// with a checkbox per category. It posts to /passages/{id}/tags, which
// makes the same API call the command line makes and comes back.

// reviewTo is what the review forms of a page share.
type reviewTo struct {
	Categories []string // the rules', in their order
	Back       string   // the page to come back to after the post
}

// reviewForm is the review form of one passage.
type reviewForm struct {
	PassageID string
	Back      string
	Options   []categoryOption
	TaggedBy  string // the person whose tags the passage carries
	TaggedAt  time.Time
}

type categoryOption struct {
	Category string
	Checked  bool
}

// reviewControl is what the review forms of a page share: the rules'
// categories (as the attach control read them) and the way back.
func reviewControl(r *http.Request, categories []string) reviewTo {
	return reviewTo{Categories: categories, Back: r.URL.RequestURI()}
}

// reviewFor builds a passage's review form: a checkbox per category of the
// rules, checked for the passage's categories, and one for each category
// the passage has that the rules no longer do. Coming back, the browser
// lands on the passage.
func reviewFor(to reviewTo, id string, categories []string, taggedBy string, taggedAt time.Time) reviewForm {
	f := reviewForm{PassageID: id, TaggedBy: taggedBy, TaggedAt: taggedAt}
	if b, err := url.Parse(to.Back); err == nil {
		b.Fragment = "p-" + id
		f.Back = b.String()
	}
	for _, c := range to.Categories {
		f.Options = append(f.Options, categoryOption{Category: c, Checked: slices.Contains(categories, c)})
	}
	for _, c := range categories {
		if !slices.Contains(to.Categories, c) {
			f.Options = append(f.Options, categoryOption{Category: c, Checked: true})
		}
	}
	return f
}

// badge is a category of a passage, with who set it when a person did
// where no rule fired.
type badge struct {
	Category string
	By       string // "tagged by dana on 2025-06-01"
}

func badges(categories []string, matches []evident.Match) []badge {
	out := make([]badge, 0, len(categories))
	for _, c := range categories {
		b := badge{Category: c}
		for _, m := range matches {
			if m.Category == c && m.ByPerson() {
				b.By = m.Text
			}
		}
		out = append(out, b)
	}
	return out
}

// speakerForm takes the speaker form of the in-context page: the fields
// that differ from what the page showed (role0, title0, company0,
// interviewer0) are what the person says; the rest stands.
func (u *ui) speakerForm(w http.ResponseWriter, r *http.Request) {
	var edit persona.Correction
	for f, dst := range map[string]**string{"role": &edit.Role, "title": &edit.Title, "company": &edit.Company} {
		if v, ok := r.PostForm[f]; ok && strings.TrimSpace(v[0]) != strings.TrimSpace(r.PostForm.Get(f+"0")) {
			said := strings.TrimSpace(v[0])
			*dst = &said
		}
	}
	if v := r.PostForm.Get("interviewer"); (v == "yes" || v == "no") && v != r.PostForm.Get("interviewer0") {
		interviews := v == "yes"
		edit.Interviewer = &interviews
	}
	fallback := "/"
	if edit.IsZero() {
		http.Redirect(w, r, back(r, fallback), http.StatusSeeOther)
		return
	}
	if _, err := u.svc.SetSpeaker(r.Context(), r.PathValue("doc"), r.PathValue("name"), edit, user(r)); err != nil {
		u.s.failPage(w, failCode(err), "Speaker", err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, fallback), "speaker-saved"), http.StatusSeeOther)
}

// reviewNotices name the notice shown after each kind of review.
var reviewNotices = map[string]string{"accept": "tags-accepted", "correct": "tags-corrected", "clear": "tags-cleared"}

// tagForm takes the review form as a browser posts it: "action" is accept,
// correct (with the checked "category" fields: none checked means none
// applies) or clear.
func (u *ui) tagForm(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var edit api.TagEdit
	switch r.PostForm.Get("action") {
	case "accept":
		edit.Accept = true
	case "clear":
		edit.Clear = true
	case "correct":
		set := r.PostForm["category"]
		if set == nil {
			set = []string{}
		}
		edit.Set = &set
	default:
		u.s.failPage(w, http.StatusBadRequest, "Tags", errors.New("the form says neither accept, correct nor clear"))
		return
	}
	res, err := u.svc.Tag(r.Context(), id, edit, user(r))
	if err != nil {
		u.s.failPage(w, failCode(err), "Tags", err)
		return
	}
	http.Redirect(w, r, withNotice(back(r, "/passages/"+url.PathEscape(id)+"#focus"), reviewNotices[string(res.Review.Action)]), http.StatusSeeOther)
}
