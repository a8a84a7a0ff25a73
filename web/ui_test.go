package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/evident/evident/maps"
	"github.com/evident/evident/search"
)

// get fetches a page and returns its status, headers and body.
func get(t *testing.T, ts *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// post sends a form as a browser does from one of the server's pages
// (same Origin), without following the redirect that answers it.
func post(t *testing.T, ts *httptest.Server, path string, form url.Values, header map[string]string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// apiJSON calls the JSON API and decodes its answer.
func apiJSON(t *testing.T, ts *httptest.Server, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, ts.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

func uploadExample(t *testing.T, c *Client, name string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "examples", name))
	if err != nil {
		t.Fatal(err)
	}
	upload(t, c, name, string(b))
}

// firstHit is the id of the first passage a query finds.
func firstHit(t *testing.T, c *Client, q string) string {
	t.Helper()
	var resp struct {
		Hits []struct{ ID string } `json:"hits"`
	}
	if err := c.call(context.Background(), http.MethodGet, "/api/search?q="+url.QueryEscape(q), "", nil, &resp); err != nil || len(resp.Hits) == 0 {
		t.Fatalf("search %q: %v, %d hits", q, err, len(resp.Hits))
	}
	return resp.Hits[0].ID
}

// /api/search counts facets only when asked: facets=1.
func TestAPISearchFacetsWhenAsked(t *testing.T) {
	_, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	firstHit(t, c, "budget")
	for _, tt := range []struct {
		query string
		want  bool
	}{{"", false}, {"&facets=0", false}, {"&facets=1", true}, {"&facets=true", true}} {
		var resp search.Response
		if err := c.call(context.Background(), http.MethodGet, "/api/search?q=budget"+tt.query, "", nil, &resp); err != nil {
			t.Fatal(err)
		}
		if got := len(resp.Facets["categories"]) > 0; got != tt.want || len(resp.Hits) == 0 {
			t.Errorf("%q: facets %v, %d hits; want facets %v", tt.query, resp.Facets, len(resp.Hits), tt.want)
		}
	}
	// The client asks when the request wants them.
	resp, err := c.Search(context.Background(), search.Request{Query: "budget"})
	if err != nil || len(resp.Facets["categories"]) == 0 {
		t.Errorf("client search: facets %v, %v", resp.Facets, err)
	}
}

// Every page answers with HTML under a policy that allows no inline
// script or style, and says what went wrong in a sentence.
func TestPages(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	id := firstHit(t, c, "what do CFOs hear")
	uploadExample(t, c, "podcast-ledger-lines.txt")
	guest := firstHit(t, c, "auditors manual adjustment")
	if code := apiJSON(t, ts, "POST", "/api/maps", map[string]string{"name": "cfo map", "role": "cfo"}, nil); code != http.StatusCreated {
		t.Fatalf("creating a map: %d", code)
	}
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/", http.StatusOK, "Find the evidence"},
		{"/?q=" + url.QueryEscape("what do CFOs hear"), http.StatusOK, "My CEO keeps telling me"},
		{"/?q=" + url.QueryEscape("what do CFOs hear") + "&limit=lots", http.StatusBadRequest, "not a whole number"},
		{"/?q=nothingmatchesthis", http.StatusOK, "No passages match"},
		{"/passages/" + id, http.StatusOK, `id="focus"`},
		{"/passages/" + id + "?around=1", http.StatusOK, "Show more around the passage"},
		{"/passages/nope-1", http.StatusNotFound, "no passage has the id"},
		// A role read from an introduction shows as the guess it is, and
		// the speakers say who they are and why a host is one.
		{"/?q=" + url.QueryEscape("auditors manual adjustment"), http.StatusOK, `class="role guess" title="a guess, from an introduction in the text">cfo?<`},
		{"/passages/" + guest, http.StatusOK, "RK</strong> (Ravi Kumar)"},
		{"/passages/" + guest, http.StatusOK, "detected: called the host in the text"},
		{"/passages/" + id + "?around=x", http.StatusBadRequest, "whole number"},
		{"/matrix", http.StatusOK, "cfo"},
		{"/ingest", http.StatusOK, "interview-cfo-northwind.txt"},
		{"/maps", http.StatusOK, "cfo map"},
		{"/maps/" + url.PathEscape("cfo map"), http.StatusOK, `id="cell-HEAR"`},
		// The delete dialog promises nothing that cannot be kept.
		{"/maps/" + url.PathEscape("cfo map"), http.StatusOK, "This cannot be undone; export it first"},
		{"/maps/nothing", http.StatusNotFound, "nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			code, h, body := get(t, ts, tt.path)
			if code != tt.code {
				t.Fatalf("status %d, want %d: %s", code, tt.code, body)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("the page lacks %q", tt.want)
			}
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			csp := h.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, " style=") || strings.Contains(body, "<style") {
				t.Errorf("the page carries an inline script or style")
			}
		})
	}
	// The scripts and the stylesheet are files, cached by their hash.
	for name, u := range assets() {
		code, h, _ := get(t, ts, u)
		if code != http.StatusOK || !strings.Contains(h.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: status %d, Cache-Control %q", name, code, h.Get("Cache-Control"))
		}
	}
	if code, _, _ := get(t, ts, "/static/nothing.js"); code != http.StatusNotFound {
		t.Errorf("a missing static file: status %d", code)
	}
}

// A document's URL is a link only when it is a web address.
func TestContextLinksOnlyWebAddresses(t *testing.T) {
	ts, c, _ := newServer(t)
	b, err := os.ReadFile("testdata/hostile.txt")
	if err != nil {
		t.Fatal(err)
	}
	upload(t, c, "hostile.txt", string(b))
	_, _, body := get(t, ts, "/passages/"+firstHit(t, c, "budget visibility"))
	if strings.Contains(body, `href="javascript:`) || strings.Contains(body, "<script>window") || strings.Contains(body, "<img src=x") {
		t.Errorf("markup or a javascript: link from the document reached the page")
	}
	for _, want := range []string{"&lt;script&gt;window.__pwned", "javascript:window.__pwned=&#39;url&#39;"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q (escaped text from the document)", want)
		}
	}
}

// The chips show how a query was read; each links to the query without
// its part, and the facets add or remove a filter.
func TestChips(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	tests := []struct {
		q     string
		chips map[string]string // label → the query without it
	}{
		{"what do CFOs hear", map[string]string{"role: cfo": "what do hear", "category: HEAR": "what do CFOs"}},
		{"role:cfo category:pains budget", map[string]string{"role: cfo": "category:pains budget", "category: PAINS": "role:cfo budget"}},
		{"What do CFOs say?", map[string]string{"role: cfo": "What do say?", "category: SAY": "What do CFOs"}},
		// "worried" is a PAINS word of the rules.
		{`kind:interview "rolling forecasts" worried`, map[string]string{"kind: interview": `"rolling forecasts" worried`,
			"“rolling forecasts”": "kind:interview worried", "category: PAINS": `kind:interview "rolling forecasts"`}},
		{`speaker:"Priya Raman" costs`, map[string]string{"speaker: Priya Raman": "costs"}},
		// Any other field is an attribute; a misspelt key is read as the
		// one it is near.
		{`company:"Northwind Logistics" costs`, map[string]string{"attribute: company=Northwind Logistics": "costs"}},
		{`compnay:Northwind costs`, map[string]string{"attribute: company=Northwind": "costs"}},
		{"budget", map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			resp, err := c.Search(context.Background(), search.Request{Query: tt.q})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, ch := range chips(tt.q, resp.Query) {
				u, _ := url.Parse(ch.Remove)
				got[ch.Label] = u.Query().Get("q")
			}
			if len(got) != len(tt.chips) {
				t.Errorf("chips %v, want %v", got, tt.chips)
			}
			for label, rest := range tt.chips {
				if got[label] != rest {
					t.Errorf("chip %q removes to %q, want %q (all: %v)", label, got[label], rest, got)
				}
			}
		})
	}
	// A facet adds its field; an active one takes the part away again.
	_, _, body := get(t, ts, "/?q="+url.QueryEscape("what do CFOs hear"))
	for _, want := range []string{
		`href="/?q=what&#43;do&#43;CFOs&#43;hear&#43;kind%3Ainterview"`,
		`href="/?q=what&#43;do&#43;hear" class="active"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the facets lack %s", want)
		}
	}
}

// The search page says when a passage is about a role rather than said by
// it, offers attributes as facets, and never answers with a bare "No
// passages match".
func TestSearchPageFindability(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	uploadExample(t, c, "article-rolling-forecasts.md")
	_, _, body := get(t, ts, "/?q="+url.QueryEscape("what do CFO's hear"))
	for _, want := range []string{
		`>about cfo</span>`,                // the article's "Controllers we spoke to say"
		`company: Northwind Logistics</a>`, // a facet of the speaker's attribute
		`href="/?q=what&#43;do&#43;CFO%27s&#43;hear&#43;company%3A%22Northwind&#43;Logistics%22"`,
		`<em>company:</em> Northwind Logistics`, // a hit's attributes
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the page for what do CFO's hear lacks %s", want)
		}
	}
	_, _, body = get(t, ts, "/?q="+url.QueryEscape("what do CFOs hear about trucks"))
	for _, want := range []string{"without the word trucks", `Nearest query: <a href="/?q=what&#43;do&#43;CFOs&#43;hear&#43;about">`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page for a query that finds nothing lacks %s", want)
		}
	}
	_, _, body = get(t, ts, "/?q=zzqqxxv")
	if !strings.Contains(body, "passages are searchable: try other words") || strings.Contains(body, "No passages match.<") {
		t.Errorf("the page for nonsense says:\n%s", body)
	}
}

func TestQueryTokens(t *testing.T) {
	tests := []struct {
		q    string
		want []string // text@start-end, quoted marked with ""
	}{
		{"what do CFOs hear", []string{"what@0-4", "do@5-7", "CFOs@8-12", "hear@13-17"}},
		{`role:cfo "rolling forecast" x`, []string{"role:cfo@0-8", `"rolling forecast"@9-27`, "x@28-29"}},
		{`speaker:"Jane Doe"  budget`, []string{"speaker:Jane Doe@0-18", "budget@20-26"}},
		{`“curly quotes” ok`, []string{`"curly quotes"@0-18`, "ok@19-21"}},
		{`"unclosed phrase`, []string{`"unclosed phrase"@0-16`}},
		{"", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, tok := range queryTokens(tt.q) {
			s := tok.text
			if tok.quoted {
				s = `"` + s + `"`
			}
			got = append(got, s+"@"+strconv.Itoa(tok.start)+"-"+strconv.Itoa(tok.end))
		}
		if strings.Join(got, " | ") != strings.Join(tt.want, " | ") {
			t.Errorf("queryTokens(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

// Forms posted from the server's own pages work without JavaScript; the
// same forms posted from another site are refused.
func TestFormPosts(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	hear := firstHit(t, c, "what do CFOs hear")
	pains := firstHit(t, c, "role:cfo pains worried")
	const name = "cfo & co"
	mapPage := "/maps/" + url.PathEscape(name)

	// Refused: another site, whether it says so by Origin or by Sec-Fetch-Site.
	for _, h := range []map[string]string{{"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}} {
		if code, _, body := post(t, ts, "/maps", url.Values{"name": {name}}, h); code != http.StatusForbidden {
			t.Errorf("a map created from another site (%v): status %d: %s", h, code, body)
		}
	}
	if code := apiJSON(t, ts, "GET", "/api/maps/"+url.PathEscape(name), nil, nil); code != http.StatusNotFound {
		t.Fatalf("a refused post made a map (status %d)", code)
	}

	quotes := func() map[string][]maps.Quote {
		var m maps.Map
		if code := apiJSON(t, ts, "GET", "/api/maps/"+url.PathEscape(name), nil, &m); code != http.StatusOK {
			t.Fatalf("reading the map: %d", code)
		}
		out := map[string][]maps.Quote{}
		for _, c := range m.Cells {
			out[c.Category] = c.Quotes
		}
		return out
	}
	steps := []struct {
		name, path string
		form       url.Values
		code       int
		location   string
		check      func(t *testing.T)
	}{
		{"create", "/maps", url.Values{"name": {name}, "role": {"cfo"}, "goal": {"Pick a tool"}}, http.StatusSeeOther, mapPage + "?done=created", nil},
		{"create again", "/maps", url.Values{"name": {name}}, http.StatusConflict, "", nil},
		{"attach", "/attach", url.Values{"map": {name}, "category": {"HEAR"}, "passage_id": {hear}, "note": {"board"}, "_back": {"/?q=x"}}, http.StatusSeeOther, "/?done=attached&q=x",
			func(t *testing.T) {
				if q := quotes()["HEAR"]; len(q) != 1 || q[0].PassageID != hear || q[0].Note != "board" {
					t.Errorf("HEAR holds %+v", q)
				}
			}},
		{"attach a suggestion", "/attach", url.Values{"_map": {name}, "category": {"HEAR"}, "passage_id": {pains}}, http.StatusSeeOther, mapPage + "?done=attached", nil},
		{"attach to no map", "/attach", url.Values{"category": {"HEAR"}, "passage_id": {hear}}, http.StatusBadRequest, "", nil},
		{"attach an unknown passage", "/attach", url.Values{"map": {name}, "category": {"HEAR"}, "passage_id": {"nope-1"}}, http.StatusNotFound, "", nil},
		{"back elsewhere is ignored", "/maps/" + url.PathEscape(name) + "/quotes/q1", url.Values{"note": {"the board"}, "_back": {"//evil.example/"}}, http.StatusSeeOther, mapPage + "?done=saved",
			func(t *testing.T) {
				if q := quotes()["HEAR"]; len(q) == 0 || q[0].Note != "the board" {
					t.Errorf("note not saved: %+v", q)
				}
			}},
		{"move down", "/maps/" + url.PathEscape(name) + "/quotes/q1", url.Values{"position": {"1"}}, http.StatusSeeOther, mapPage + "?done=saved",
			func(t *testing.T) {
				if q := quotes()["HEAR"]; len(q) != 2 || string(q[1].ID) != "q1" {
					t.Errorf("after the move HEAR holds %+v", q)
				}
			}},
		{"bad position", "/maps/" + url.PathEscape(name) + "/quotes/q1", url.Values{"position": {"first"}}, http.StatusBadRequest, "", nil},
		{"move to PAINS", "/maps/" + url.PathEscape(name) + "/quotes/q2", url.Values{"category": {"PAINS"}}, http.StatusSeeOther, mapPage + "?done=saved",
			func(t *testing.T) {
				if q := quotes(); len(q["PAINS"]) != 1 || len(q["HEAR"]) != 1 {
					t.Errorf("after the move: %+v", q)
				}
			}},
		{"detach", "/maps/" + url.PathEscape(name) + "/quotes/q1/detach", url.Values{}, http.StatusSeeOther, mapPage + "?done=detached",
			func(t *testing.T) {
				if q := quotes()["HEAR"]; len(q) != 0 {
					t.Errorf("HEAR still holds %+v", q)
				}
			}},
		{"undo", "/maps/" + url.PathEscape(name) + "/undo", url.Values{}, http.StatusSeeOther, mapPage + "?done=undone",
			func(t *testing.T) {
				if q := quotes()["HEAR"]; len(q) != 1 {
					t.Errorf("the undo did not bring the quote back: %+v", q)
				}
			}},
		{"delete", "/maps/" + url.PathEscape(name) + "/delete", url.Values{}, http.StatusSeeOther, "/maps?done=deleted", nil},
		{"delete again", "/maps/" + url.PathEscape(name) + "/delete", url.Values{}, http.StatusNotFound, "", nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, loc, body := post(t, ts, s.path, s.form, nil)
			if code != s.code {
				t.Fatalf("status %d, want %d: %s", code, s.code, body)
			}
			if loc != s.location {
				t.Errorf("sent to %q, want %q", loc, s.location)
			}
			if code >= 400 && !strings.Contains(body, `class="error"`) {
				t.Errorf("a failure without its reason on the page: %s", body)
			}
			if s.check != nil {
				s.check(t)
			}
		})
	}
}

// The upload form works without JavaScript: several files at once, a
// sidecar travelling with its document, a lone sidecar refused.
func TestUploadForm(t *testing.T) {
	ts, c, _ := newServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("folder_role", "cfo")
	for _, f := range []struct{ name, text string }{
		{"notes.txt", "We need one number for spend that everyone trusts.\n"},
		{"notes.txt.meta.yaml", "title: Notes from the finance offsite\nkind: notes\n"},
		{"orphan.txt.meta.yaml", "title: Nothing\n"},
		{"more.txt", "Month-end takes forever because the data arrives late.\n"},
	} {
		w, _ := mw.CreateFormFile("file", f.name)
		w.Write([]byte(f.text))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/ingest", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", ts.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, page)
	}
	for _, want := range []string{"notes.txt: new", "more.txt: new", "orphan.txt.meta.yaml: a sidecar goes with its document"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		docs, err := c.Documents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, d := range docs {
			if d.State == "indexed" || d.State == "failed" {
				done++
			}
		}
		if len(docs) != 2 {
			t.Fatalf("%d documents, want 2 (a sidecar is not a document): %+v", len(docs), docs)
		}
		if done == 2 {
			for _, d := range docs {
				if d.File == "notes.txt" && d.Title != "Notes from the finance offsite" {
					t.Errorf("notes.txt has the title %q; its sidecar was not applied", d.Title)
				}
			}
			break
		}
		if ctx.Err() != nil {
			t.Fatal("documents not indexed in time")
		}
		time.Sleep(50 * time.Millisecond)
	}
	shown, err := c.Show(ctx, "more.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(shown.Passages) == 0 || shown.Passages[0].Role != "cfo" {
		t.Errorf("the form's role did not reach the passages: %+v", shown.Passages)
	}
	// No file chosen: a clear sentence, not a crash.
	code, _, msg := post(t, ts, "/ingest", url.Values{}, nil)
	if code != http.StatusBadRequest || !strings.Contains(msg, "did not arrive as a form with files") {
		t.Errorf("an empty post: status %d: %s", code, msg)
	}
}

func TestBack(t *testing.T) {
	tests := []struct{ back, want string }{
		{"/?q=cfo", "/?q=cfo"},
		{"/maps/x#cell-HEAR", "/maps/x#cell-HEAR"},
		{"", "/fallback"},
		{"//evil.example/x", "/fallback"},
		{"https://evil.example/", "/fallback"},
		{"/\\evil.example", "/fallback"},
		{"javascript:alert(1)", "/fallback"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("POST", "/attach", strings.NewReader(url.Values{"_back": {tt.back}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if got := back(r, "/fallback"); got != tt.want {
			t.Errorf("back(%q) = %q, want %q", tt.back, got, tt.want)
		}
	}
}

// A map name or quote id of "." or ".." in a page's address (which a
// URL resolver would read as a folder) names nothing: the page says so
// with 404, redirects nowhere and changes nothing.
func TestFormsOnDotNames(t *testing.T) {
	ts, _, _ := newServer(t)
	if code := apiJSON(t, ts, "POST", "/api/maps", map[string]string{"name": "x"}, nil); code != http.StatusCreated {
		t.Fatalf("creating map x: %d", code)
	}
	for _, tt := range []struct{ name, path string }{
		{"delete .", "/maps/%2E/delete"},
		{"delete ..", "/maps/%2E%2E/delete"},
		{"undo .", "/maps/%2E/undo"},
		{"detach from ..", "/maps/%2E%2E/quotes/q1/detach"},
		{"detach quote .", "/maps/x/quotes/%2E/detach"},
		{"edit quote ..", "/maps/x/quotes/%2E%2E"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, loc, body := post(t, ts, tt.path, url.Values{"note": {"n"}}, nil)
			if code != http.StatusNotFound || loc != "" {
				t.Fatalf("status %d, sent to %q, want 404 and no redirect: %s", code, loc, body)
			}
			if !strings.Contains(body, "no map is called") && !strings.Contains(body, "no quote") || strings.Contains(body, "deleted") {
				t.Errorf("the page does not say that there is no such map or quote: %s", body)
			}
		})
	}
	if code := apiJSON(t, ts, "GET", "/api/maps/x", nil, nil); code != http.StatusOK {
		t.Errorf("map x after the posts: %d", code)
	}
}

// countingReader is an endless form body that counts what was read of it.
type countingReader struct{ n int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	c.n += int64(len(p))
	return len(p), nil
}

// A form posted to a page is read up to a megabyte, no further, and
// refused with a sentence: the handlers must not read a body of any size.
// The server has no engine: a form that got past the limit would reach
// for one and fail the test.
func TestFormBodyLimit(t *testing.T) {
	h := (&Server{}).Handler()
	const huge = 100 << 20
	for _, tt := range []struct {
		name, path, contentType string
		length                  int64 // the Content-Length sent; -1 when unknown
	}{
		{"multipart attach, length unknown", "/attach", "multipart/form-data; boundary=b", -1},
		{"multipart attach, length told", "/attach", "multipart/form-data; boundary=b", huge},
		{"form attach, length unknown", "/attach", "application/x-www-form-urlencoded", -1},
		{"create a map", "/maps", "multipart/form-data; boundary=b", -1},
		{"edit a quote", "/maps/x/quotes/q1", "application/x-www-form-urlencoded", -1},
		{"detach", "/maps/x/quotes/q1/detach", "multipart/form-data; boundary=b", -1},
		{"undo", "/maps/x/undo", "application/x-www-form-urlencoded", -1},
		{"delete", "/maps/x/delete", "multipart/form-data; boundary=b", -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingReader{}
			var rd io.Reader = body
			if strings.HasPrefix(tt.contentType, "multipart/") {
				head := "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n\r\n"
				rd = io.MultiReader(strings.NewReader(head), body)
			} else {
				rd = io.MultiReader(strings.NewReader("note="), body)
			}
			req := httptest.NewRequest("POST", tt.path, io.LimitReader(rd, huge))
			req.ContentLength = tt.length
			req.Header.Set("Content-Type", tt.contentType)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("status %d, want 413", rec.Code)
			}
			if !strings.Contains(rec.Body.String(), "larger than 1024 KiB") {
				t.Errorf("the page does not say why: %s", rec.Body.String())
			}
			if body.n > 2<<20 {
				t.Errorf("read %d MiB of the body", body.n>>20)
			}
		})
	}
}

// The review form under each passage, posted as a browser without
// JavaScript posts it: correct, see the person's tag marked, clear; what
// cannot be done is refused with the reason on the page.
func TestReviewForm(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	id := firstHit(t, c, "role:cfo pains worried") // PAINS by the rules
	searchPage := "/?q=" + url.QueryEscape("role:cfo pains worried")
	contextPage := "/passages/" + url.PathEscape(id)
	action := `action="/passages/` + id + `/tags"`
	checkbox := func(cat string, checked bool) string {
		s := `<input type="checkbox" name="category" value="` + cat + `"`
		if checked {
			s += " checked"
		}
		return s + ">"
	}
	// A fresh passage: a form to accept or correct, no clear button.
	for _, page := range []string{searchPage, contextPage} {
		_, _, body := get(t, ts, page)
		for _, want := range []string{action, checkbox("PAINS", true), checkbox("GAINS", false), `value="accept"`, `value="correct"`} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", page, want)
			}
		}
		if strings.Contains(body, `value="clear"`) || strings.Contains(body, `person"`) || strings.Contains(body, "reviewed by") {
			t.Errorf("%s: a passage no person tagged shows a person's tag or a clear button", page)
		}
	}
	// Another site cannot post it.
	if code, _, _ := post(t, ts, "/passages/"+id+"/tags", url.Values{"action": {"accept"}}, map[string]string{"Origin": "http://evil.example"}); code != http.StatusForbidden {
		t.Errorf("a review from another site: status %d", code)
	}

	day := time.Now().UTC().Format(time.DateOnly)
	steps := []struct {
		name     string
		form     url.Values
		code     int
		location string
		page     []string // on the passage's pages afterwards
		absent   []string
	}{
		{"correct", url.Values{"action": {"correct"}, "category": {"PAINS", "GAINS"}, "_back": {searchPage}}, http.StatusSeeOther,
			"/?done=tags-corrected&q=" + url.QueryEscape("role:cfo pains worried"),
			[]string{checkbox("GAINS", true), `class="cat cat-gains person" title="tagged by web on ` + day + `"`, "tags reviewed by web", `<span class="person-why">tagged by web on ` + day, `value="clear"`},
			nil},
		{"unknown category", url.Values{"action": {"correct"}, "category": {"WORRY"}}, http.StatusBadRequest, "", nil, nil},
		{"no action", url.Values{"category": {"PAINS"}}, http.StatusBadRequest, "", nil, nil},
		{"clear", url.Values{"action": {"clear"}}, http.StatusSeeOther, contextPage + "?done=tags-cleared#focus",
			[]string{checkbox("PAINS", true), checkbox("GAINS", false)}, []string{`person"`, "reviewed by", `value="clear"`}},
		{"none applies", url.Values{"action": {"correct"}}, http.StatusSeeOther, contextPage + "?done=tags-corrected#focus",
			[]string{checkbox("PAINS", false), "tags reviewed by web"}, []string{"<code>pains."}},
		{"accept", url.Values{"action": {"accept"}, "_back": {contextPage + "#p-" + id}}, http.StatusSeeOther, contextPage + "?done=tags-accepted#p-" + id,
			[]string{"tags reviewed by web", `value="clear"`}, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			code, loc, body := post(t, ts, "/passages/"+url.PathEscape(id)+"/tags", s.form, nil)
			if code != s.code {
				t.Fatalf("status %d, want %d: %s", code, s.code, body)
			}
			if loc != s.location {
				t.Errorf("sent to %q, want %q", loc, s.location)
			}
			if code >= 400 && !strings.Contains(body, `class="error"`) {
				t.Errorf("a failure without its reason on the page: %s", body)
			}
			if s.page == nil {
				return
			}
			// The focus passage of the context page is the one reviewed.
			_, _, body = get(t, ts, contextPage)
			focus, _, _ := strings.Cut(body[strings.Index(body, `id="focus"`):], "</ol>")
			focus, _, _ = strings.Cut(focus, `<li class="turn"`)
			for _, want := range s.page {
				if !strings.Contains(focus, want) {
					t.Errorf("the passage in context lacks %s:\n%s", want, focus)
				}
			}
			for _, not := range s.absent {
				if strings.Contains(focus, not) {
					t.Errorf("the passage in context shows %s:\n%s", not, focus)
				}
			}
		})
	}
	// The search page shows the reviewed passage as such, and its form
	// comes back to the passage on the page.
	reviewed := "/?q=" + url.QueryEscape("role:cfo implementation")
	_, _, body := get(t, ts, reviewed)
	if !strings.Contains(body, "tags reviewed by web") || !strings.Contains(body, `name="_back" value="`+strings.ReplaceAll(reviewed, "+", "&#43;")+"#p-"+id+`"`) {
		t.Errorf("the search page after the reviews:\n%s", body)
	}
	// Who reviewed is escaped like everything else.
	req, _ := http.NewRequest("POST", ts.URL+"/api/passages/"+url.PathEscape(id)+"/tags", strings.NewReader(`{"add": ["GAINS"]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(UserHeader, `<b onmouseover=alert(1)>mallory</b>`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("tag through the API: %v %v", resp.Status, err)
	}
	resp.Body.Close()
	_, _, body = get(t, ts, contextPage)
	if strings.Contains(body, "<b onmouseover") || !strings.Contains(body, "&lt;b onmouseover=alert(1)&gt;mallory&lt;/b&gt;") {
		t.Errorf("the reviewer's name is not escaped")
	}
	// Unknown passage.
	if code, _, body := post(t, ts, "/passages/nope-1/tags", url.Values{"action": {"accept"}}, nil); code != http.StatusNotFound || !strings.Contains(body, "nope-1") {
		t.Errorf("an unknown passage: %d %s", code, body)
	}
}

// The page templates are parsed when the first page is rendered; this
// parses them all, so that a broken template fails a test, not a page.
func TestTemplatesParse(t *testing.T) {
	pages := pageTemplates()
	for _, name := range []string{"search", "maps"} {
		if pages[name] == nil {
			t.Errorf("no template for page %q; have %d pages", name, len(pages))
		}
	}
	if assets()["icon.svg"] == "" {
		t.Error("no URL for static/icon.svg")
	}
}
