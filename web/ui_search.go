package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/search"
)

// chip is one part of how a query was understood, with the query that
// leaves that part out.
type chip struct {
	Kind   string // role, category, kind, document, speaker, phrase, interviewer
	Label  string
	Said   string // the words that were read that way
	Remove string // URL of the search without this part
}

// facetValue is one filter link.
type facetValue struct {
	Value  string
	Count  int
	Active bool
	URL    string
}

type facet struct {
	Name   string // heading
	Values []facetValue
}

// attachTo is what the "attach to map" control offers.
type attachTo struct {
	Maps       []mapSummary
	Categories []string
	Back       string              // the page to come back to after a plain form post
	Problem    string              // why the control cannot be shown
	Last       string              // the map attached to last: selected first
	On         map[string][]string // passage id → where it is on the maps: "cfo · PAINS"
}

type searchPage struct {
	chrome
	Results   *search.Response
	Chips     []chip
	Words     string
	Facets    []facet
	Attach    attachTo
	Review    reviewTo
	Prev      string
	Next      string
	From, To  int
	Documents int // indexed documents, for the empty page
	Examples  []string
}

const pageSize = 20

func (u *ui) search(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	data := searchPage{chrome: chrome{Title: "Search", Nav: "search", Query: q, Notice: notice(r)}}
	if q == "" {
		docs, err := u.s.Engine.Documents(r.Context())
		if err != nil {
			u.s.failPage(w, http.StatusInternalServerError, "Search", err)
			return
		}
		for _, d := range docs {
			if d.State == evident.Indexed {
				data.Documents++
			}
		}
		data.Examples = []string{"what do CFOs hear", "IT director pains about security", "what do finance directors want", "role:cfo category:pains budget", "kind:survey obstacles"}
		u.s.render(w, "search", http.StatusOK, data)
		return
	}
	data.Title = q
	req, err := searchRequest(r)
	if err != nil {
		u.s.failPage(w, http.StatusBadRequest, "Search", err)
		return
	}
	if req.Limit == 0 {
		req.Limit = pageSize
	}
	req.Query = q
	req.NoFacets = false // the page shows them as filters
	resp, err := u.s.Engine.Search(r.Context(), req)
	if err != nil {
		u.s.failPage(w, http.StatusInternalServerError, "Search", err)
		return
	}
	data.Results = resp
	data.Chips = chips(q, resp.Query)
	data.Words = resp.Query.Words
	data.Facets = facets(q, resp, data.Chips)
	data.Attach = u.attachControl(r)
	data.Review = u.reviewControl(r)
	if n := len(resp.Hits); n > 0 {
		data.From, data.To = req.Offset+1, req.Offset+n
	}
	if req.Offset > 0 {
		data.Prev = pageURL(r, max(0, req.Offset-req.Limit))
	}
	if uint64(req.Offset+len(resp.Hits)) < resp.Total {
		data.Next = pageURL(r, req.Offset+req.Limit)
	}
	u.s.render(w, "search", http.StatusOK, data)
}

func pageURL(r *http.Request, offset int) string {
	v := r.URL.Query()
	if offset == 0 {
		v.Del("offset")
	} else {
		v.Set("offset", strconv.Itoa(offset))
	}
	return "/?" + v.Encode()
}

// attachControl loads the maps a result can be attached to.
func (u *ui) attachControl(r *http.Request) attachTo {
	a := attachTo{Back: r.URL.RequestURI(), Categories: u.s.Engine.Categories()}
	var list struct {
		Maps []mapSummary `json:"maps"`
	}
	if err := u.call(r.Context(), "GET", "/api/maps", nil, &list); err != nil {
		a.Problem = err.Error()
		if errors.Is(err, errNoMaps) {
			a.Problem = "Maps are not available in this server."
		}
		return a
	}
	a.Maps = list.Maps
	u.onMaps(r, &a) // ui_insight.go
	return a
}

// chips lists what the parser read in the query, each with a link to the
// same query without it.
func chips(q string, p search.Parsed) []chip {
	var out []chip
	for _, u := range p.Understood {
		said, meaning, ok := strings.Cut(u, " → ")
		if !ok {
			continue
		}
		kind, value, _ := strings.Cut(meaning, " ")
		out = append(out, chip{Kind: kind, Label: kind + ": " + value, Said: said, Remove: searchURL(removeWords(q, said))})
	}
	for _, t := range queryTokens(q) {
		field, value, ok := strings.Cut(t.text, ":")
		if t.quoted {
			out = append(out, chip{Kind: "phrase", Label: "“" + t.text + "”", Said: q[t.start:t.end], Remove: searchURL(cut(q, t))})
			continue
		}
		if !ok || value == "" {
			continue
		}
		var kind string
		switch strings.ToLower(field) {
		case "kind", "type":
			kind = "kind"
			value = strings.ToLower(value)
		case "doc", "file", "document":
			kind = "document"
		case "speaker", "by":
			kind = "speaker"
		case "interviewer", "host":
			kind = "interviewer"
			value = "included"
			if !p.Interviewer {
				continue
			}
		case "role", "persona", "category", "cat", "cell":
			continue // chips of their own, above
		default:
			// Any other field is an attribute, when the search read it so.
			key := evident.AttrKey(field)
			for _, c := range p.Corrections { // a key read as another: "compnay: → company:"
				if from, to, ok := strings.Cut(c, ": → "); ok && from == key {
					key = strings.TrimSuffix(to, ":")
				}
			}
			if !slices.ContainsFunc(p.Attrs, func(a search.Attr) bool { return a.Key == key && a.Value == value }) {
				continue
			}
			kind, value = "attribute", key+"="+value
		}
		out = append(out, chip{Kind: kind, Label: kind + ": " + value, Said: q[t.start:t.end], Remove: searchURL(cut(q, t))})
	}
	return out
}

// qtoken is a word of the query as typed, with its place in the text.
type qtoken struct {
	text       string // without quotes, as the search parser sees it
	start, end int    // byte range in the query, quotes included
	quoted     bool   // a "quoted phrase"
}

// queryTokens splits a query the way the search parser does: on spaces,
// keeping "quoted phrases" and field:"quoted values" whole.
func queryTokens(q string) []qtoken {
	var out []qtoken
	var cur strings.Builder
	start, quoted, inQuote := -1, false, false
	flush := func(end int) {
		if cur.Len() > 0 {
			out = append(out, qtoken{text: cur.String(), start: start, end: end, quoted: quoted})
		}
		cur.Reset()
		start, quoted = -1, false
	}
	for i, r := range q {
		size := len(string(r))
		switch {
		case r == '"' || r == '“' || r == '”':
			if start < 0 {
				start = i
			}
			if inQuote {
				inQuote = false
				if strings.Contains(cur.String(), ":") {
					quoted = false
				}
				flush(i + size)
				continue
			}
			inQuote = true
			if cur.Len() == 0 {
				quoted = true
			}
		case (r == ' ' || r == '\t' || r == '\n' || r == '\r') && !inQuote:
			flush(i)
		default:
			if start < 0 {
				start = i
			}
			cur.WriteRune(r)
		}
	}
	flush(len(q))
	return out
}

// cut removes one token from the query.
func cut(q string, t qtoken) string {
	return strings.Join(strings.Fields(q[:t.start]+" "+q[t.end:]), " ")
}

// removeWords removes the first run of tokens that reads as said (a role
// name such as "IT director", a category word, or role:cfo). Punctuation
// around a word does not count.
func removeWords(q, said string) string {
	toks := queryTokens(q)
	norm := func(s string) string { return strings.ToLower(strings.Trim(s, ".,;!?")) }
	for _, t := range toks {
		if strings.EqualFold(t.text, said) {
			return cut(q, t)
		}
	}
	want := strings.Fields(said)
	for i := 0; i+len(want) <= len(toks); i++ {
		match := true
		for j, w := range want {
			if norm(toks[i+j].text) != norm(w) {
				match = false
				break
			}
		}
		if match {
			first, last := toks[i], toks[i+len(want)-1]
			return cut(q, qtoken{start: first.start, end: last.end})
		}
	}
	return q
}

// facets turns the result's facet counts into filter links: each adds a
// field to the query, or, when already in force, takes it away the way
// its chip does.
func facets(q string, resp *search.Response, understood []chip) []facet {
	specs := []struct{ key, name, field, chip string }{
		{"categories", "Category", "category", "category"},
		{"roles", "Role", "role", "role"},
		{"kinds", "Kind of source", "kind", "kind"},
		{"docs", "Document", "doc", "document"},
		{"attributes", "Attribute", "", "attribute"},
	}
	var out []facet
	for _, sp := range specs {
		counts := resp.Facets[sp.key]
		f := facet{Name: sp.name}
		for _, v := range search.SortedKeys(counts) {
			if v == "" {
				continue
			}
			field, value, label := sp.field, v, sp.chip+": "+v
			if sp.key == "attributes" {
				// "company: Northwind" filters as company:Northwind.
				k, val, ok := strings.Cut(v, ": ")
				if !ok {
					continue
				}
				field, value, label = k, val, "attribute: "+k+"="+val
			}
			fv := facetValue{Value: v, Count: counts[v], URL: searchURL(strings.TrimSpace(q + " " + fieldTerm(field, value)))}
			for _, c := range understood {
				if c.Kind == sp.chip && strings.EqualFold(c.Label, label) {
					fv.Active, fv.URL = true, c.Remove
					break
				}
			}
			f.Values = append(f.Values, fv)
		}
		if len(f.Values) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func fieldTerm(field, value string) string {
	if strings.ContainsAny(value, " \t\"“”") {
		value = `"` + strings.NewReplacer(`"`, "", "“", "", "”", "").Replace(value) + `"`
	}
	return field + ":" + value
}
