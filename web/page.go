package web

import (
	"html/template"
	"net/http"

	"github.com/evident/evident"
	"github.com/evident/evident/search"
)

// The page is rendered with html/template, which escapes every value: web
// articles carry scripts, and a passage must show as text, never run.
var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{"highlight": highlight}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evident{{if .Query}}: {{.Query}}{{end}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
input[type=search]{width:70%;font-size:1rem;padding:.4rem}
.hit{border-top:1px solid #ddd;padding:.8rem 0}
.cat{display:inline-block;font-size:.75rem;background:#eef;border-radius:3px;padding:0 .4rem;margin-right:.3rem}
.cite{color:#555;font-size:.9rem}
.why{color:#777;font-size:.8rem}
mark{background:#ffe58a}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{text-align:left;padding:.2rem .4rem;border-bottom:1px solid #eee}
.failed{color:#a00}
</style></head><body>
<h1>Evident</h1>
<form action="/" method="get"><input type="search" name="q" value="{{.Query}}" placeholder="what do CFOs hear" autofocus> <button>Search</button></form>
{{with .Results}}
<p>{{.Total}} passages{{with .Query.Understood}} · understood as {{range $i, $u := .}}{{if $i}}, {{end}}{{$u}}{{end}}{{end}}</p>
{{with .Fallback}}<p><strong>{{.}}</strong></p>{{end}}
{{range .Hits}}<div class="hit">
<div>{{range .Categories}}<span class="cat">{{.}}</span>{{end}}</div>
<blockquote>{{range highlight .Text .Highlights}}{{if .Mark}}<mark>{{.Text}}</mark>{{else}}{{.Text}}{{end}}{{end}}</blockquote>
<div class="cite">{{.Citation}}</div>
{{with .Matches}}<div class="why">why: {{range $i, $m := .}}{{if $i}}; {{end}}{{$m.Category}} {{$m.Rule}} “{{$m.Text}}”{{end}}</div>{{end}}
</div>{{end}}
{{end}}
{{if not .Results}}
<h2>Documents</h2>
<table><tr><th>File</th><th>State</th><th>Passages</th></tr>
{{range .Documents}}<tr><td>{{.File}}</td><td{{if eq .State "failed"}} class="failed"{{end}}>{{.State}}{{with .Error}}: {{.}}{{end}}</td><td>{{.Passages}}</td></tr>
{{else}}<tr><td colspan="3">Nothing yet: drop files into the inbox folder.</td></tr>{{end}}
</table>
{{end}}
</body></html>
`))

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

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Query     string
		Results   *search.Response
		Documents []evident.Document
	}{Query: r.URL.Query().Get("q")}
	var err error
	if data.Query != "" {
		req, rerr := searchRequest(r)
		if rerr != nil {
			writeError(w, http.StatusBadRequest, rerr)
			return
		}
		data.Results, err = s.Engine.Search(r.Context(), req)
	} else {
		data.Documents, err = s.Engine.Documents(r.Context())
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	if err := pageTemplate.Execute(w, data); err != nil && s.Log != nil {
		s.Log.Warn("rendering the page", "err", err)
	}
}
