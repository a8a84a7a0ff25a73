package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
)

// The pages are rendered with html/template, which escapes every value by
// its context: web articles carry scripts and markup, and a passage must
// show as text, never run. Scripts and styles are files under /static/ so
// that the Content-Security-Policy can forbid inline ones.

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// contentPolicy allows nothing but this server's own scripts, styles,
// images and API calls. No inline scripts or styles: a passage that slips
// markup past the escaping still cannot run.
const contentPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// assets maps a static file's name to its URL with a content hash, so that
// browsers may cache it for good and still see a new version at once. It
// is worked out when first asked for: commands that serve no page (every
// one but serve) never hash the files.
var assets = sync.OnceValue(hashAssets)

func hashAssets() map[string]string {
	out := map[string]string{}
	fs.WalkDir(staticFiles, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFiles.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[strings.TrimPrefix(p, "static/")] = "/" + p + "?v=" + hex.EncodeToString(sum[:6])
		return nil
	})
	return out
}

var funcs = template.FuncMap{
	"highlight": highlight,
	"asset": func(name string) (string, error) {
		if u, ok := assets()[name]; ok {
			return u, nil
		}
		return "", fmt.Errorf("no static file %q", name)
	},
	"catClass":  catClass,
	"pathEsc":   func(v any) string { return url.PathEscape(fmt.Sprint(v)) },
	"attachFor": attachFor,
	"reviewFor": reviewFor,
	"badges":    badges,
	"day":       func(t time.Time) string { return t.Local().Format("2 Jan 2006") },
	// webLink keeps only http and https addresses as links: a document
	// may name any URL, javascript: ones included.
	"webLink": func(u string) bool {
		l := strings.ToLower(strings.TrimSpace(u))
		return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
	},
	"searchURL": searchURL,
	"fieldTerm": fieldTerm,
	"cellSearch": func(role, category string) string {
		q := fieldTerm("category", category)
		if role != "" {
			q = fieldTerm("role", role) + " " + q
		}
		return searchURL(q)
	},
	"when": when,
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
}

// pageTemplates holds one template set per page: the shared layout and
// partials plus the page's own file. They are parsed when the first page
// is rendered, not when the program starts (TestTemplatesParse parses
// them in the tests).
var pageTemplates = sync.OnceValue(parsePages)

func parsePages() map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/parts.html", "templates/parts-insight.html"))
	names, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "parts" || name == "parts-insight" {
			continue
		}
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, n))
	}
	return out
}

// chrome is what every page shows around its content.
type chrome struct {
	Title  string
	Nav    string // the current section: search, maps, matrix, ingest
	Query  string // the search box's text
	Notice string // a one-line confirmation after an action
	Error  string // a one-line failure
}

// render executes a page into a buffer first, so that a template error is
// a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, name string, code int, data any) {
	t, ok := pageTemplates()[name]
	var buf bytes.Buffer
	var err error
	if !ok {
		err = fmt.Errorf("no page template %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", data)
	}
	if err != nil {
		if s.Log != nil {
			s.Log.Error("rendering a page", "page", name, "err", err)
		}
		http.Error(w, "This page could not be drawn; the server log says why.", http.StatusInternalServerError)
		return
	}
	pageHeaders(w)
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", contentPolicy)
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
}

// failPage shows an error as a page, in the words of the error.
func (s *Server) failPage(w http.ResponseWriter, code int, title string, err error) {
	s.render(w, "error", code, struct{ chrome }{chrome{Title: title, Error: err.Error()}})
}

// static serves the embedded files. The URLs carry a content hash, so
// they may be cached for a long time.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}

type segment struct {
	Text string
	Mark bool
}

// highlight cuts text into plain and marked segments at the byte ranges
// the index reported, ignoring ranges that do not fit the text.
func highlight(text string, spans [][2]int) []segment {
	var out []segment
	at := 0
	for _, s := range spans {
		if s[0] < at || s[1] > len(text) || s[0] >= s[1] {
			continue
		}
		if s[0] > at {
			out = append(out, segment{Text: text[at:s[0]]})
		}
		out = append(out, segment{Text: text[s[0]:s[1]], Mark: true})
		at = s[1]
	}
	if at < len(text) {
		out = append(out, segment{Text: text[at:]})
	}
	return out
}

// catClass names the CSS class of a category badge; categories come from
// a rules file, so anything but letters and digits is dropped.
func catClass(category string) string {
	var b strings.Builder
	b.WriteString("cat-")
	for _, r := range strings.ToLower(category) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// attachForm is the attach control for one passage.
type attachForm struct {
	attachTo
	PassageID string
	Suggested string   // the cell selected at first: the passage's first category
	OnMaps    []string // where the passage is on maps already
}

func attachFor(a attachTo, passageID string, categories []string) attachForm {
	f := attachForm{attachTo: a, PassageID: passageID, OnMaps: a.On[passageID]}
	if len(categories) > 0 {
		f.Suggested = categories[0]
	}
	return f
}

// cellPrompts are the canvas's questions for the six standard cells; a
// category a team adds shows its name alone.
var cellPrompts = map[string]string{
	"SEE":   "What do they see? Their market, peers, what happens around them.",
	"HEAR":  "What do they hear? From their boss, board, team, analysts, vendors.",
	"SAY":   "What do they say? Their stated views, what they tell others.",
	"DO":    "What do they do? Routines, tools, decisions, where time goes.",
	"PAINS": "Pains: fears, frustrations, obstacles.",
	"GAINS": "Gains: wants, needs, measures of success.",
}

func cellPrompt(category string) string { return cellPrompts[category] }

func searchURL(q string) string { return "/?q=" + url.QueryEscape(q) }

// when shows an RFC 3339 time as a short local date and time; anything
// else is shown as it is.
func when(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
			return x
		}
	default:
		return fmt.Sprint(v)
	}
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2 Jan 2006 15:04")
}
