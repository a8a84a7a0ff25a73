package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The canvas's header, themes, assumptions and needs work as plain forms
// (the script sends the same fields to the JSON API), show on the page,
// and are taken back by undo.
func TestInsightForms(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	pains := firstHit(t, c, "role:cfo pains worried")
	hear := firstHit(t, c, "what do CFOs hear")
	const name = "cfo"
	page := "/maps/" + name
	for _, f := range []struct {
		path string
		form url.Values
	}{
		{"/maps", url.Values{"name": {name}, "role": {"cfo"}}},
		{"/attach", url.Values{"map": {name}, "category": {"PAINS"}, "passage_id": {pains}}},
		{"/attach", url.Values{"map": {name}, "category": {"HEAR"}, "passage_id": {hear}}},
		{page + "/edit", url.Values{"title": {"Finance director"}, "situation": {"Month-end close"}, "priority": {"Trusted numbers"}, "goal": {"Adopt rolling forecasts"}}},
		{page + "/insight/themes", url.Values{"op": {"add"}, "cell": {"PAINS"}, "name": {"Month-end <pain>"}, "quotes": {"q1"}}},
		{page + "/insight/assumptions", url.Values{"op": {"add"}, "cell": {"HEAR"}, "text": {"CFOs hear about us from auditors"}}},
		{page + "/insight/assumptions", url.Values{"op": {"support"}, "assumption": {"a1"}, "quotes": {"q2"}}},
		{page + "/insight/needs", url.Values{"op": {"add"}, "text": {"Numbers the board trusts"}, "evidence": {"q1, q2"}}},
	} {
		if code, loc, body := post(t, ts, f.path, f.form, nil); code != http.StatusSeeOther {
			t.Fatalf("POST %s %v: %d %s %s", f.path, f.form, code, loc, body)
		}
	}
	var m mapView
	apiJSON(t, ts, "GET", "/api/maps/"+name, nil, &m)
	if m.Title != "Finance director" || m.Situation != "Month-end close" || len(m.Needs) != 1 || m.Needs[0].Count != 2 {
		t.Errorf("map after the forms: %+v", m)
	}
	_, _, body := get(t, ts, page+"?needs=suggest&themes=PAINS")
	for _, want := range []string{
		`<span class="label">Title</span> Finance director`,
		`<span class="theme-chip" title="Theme">Month-end &lt;pain&gt;</span>`,
		`<strong>Month-end &lt;pain&gt;</strong>`,
		`Assumption a1 <span class="badge">supported</span>`,
		`href="/?q=CFOs%20hear%20about%20us%20from%20auditors"`,
		`<strong>Numbers the board trusts</strong>`,
		`from cfo`,
		`Proposed themes`,
		`data-api="POST /api/maps/cfo/themes"`,
		`<cite>Interview with the CFO of Northwind Logistics</cite>`,
		`<summary>citation and rules</summary>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the canvas lacks %s", want)
		}
	}
	// A mistake is a page with its reason; undo takes the need back.
	if code, _, body := post(t, ts, page+"/insight/themes", url.Values{"op": {"move"}, "theme": {"t1"}, "quotes": {"q2"}}, nil); code != http.StatusBadRequest || !strings.Contains(body, "q2 is in HEAR, not PAINS") {
		t.Errorf("moving a HEAR quote to a PAINS theme: %d %s", code, body)
	}
	if code, _, _ := post(t, ts, page+"/insight/other", url.Values{}, nil); code != http.StatusNotFound {
		t.Errorf("an unknown kind: %d", code)
	}
	post(t, ts, page+"/undo", url.Values{}, nil)
	m = mapView{}
	apiJSON(t, ts, "GET", "/api/maps/"+name, nil, &m)
	if len(m.Needs) != 0 {
		t.Errorf("undo left the need: %+v", m.Needs)
	}
}

// The attach control offers the map last attached to first, and a
// result already on a map says where.
func TestAttachRemembersAndSaysWhere(t *testing.T) {
	ts, c, _ := newServer(t)
	uploadExample(t, c, "interview-cfo-northwind.txt")
	pains := firstHit(t, c, "role:cfo pains worried")
	for _, n := range []string{"a first map", "cfo"} {
		post(t, ts, "/maps", url.Values{"name": {n}}, nil)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/attach", strings.NewReader(url.Values{"map": {"cfo"}, "category": {"PAINS"}, "passage_id": {pains}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var remembered *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == lastMapCookie {
			remembered = ck
		}
	}
	if resp.StatusCode != http.StatusSeeOther || remembered == nil || remembered.Value != "cfo" || remembered.SameSite != http.SameSiteStrictMode {
		t.Fatalf("attach: %d, cookie %+v", resp.StatusCode, remembered)
	}
	req, _ = http.NewRequest("GET", ts.URL+"/?q="+url.QueryEscape("role:cfo pains worried"), nil)
	req.AddCookie(remembered)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if !strings.Contains(page, `<option value="cfo" selected>cfo</option>`) || strings.Contains(page, `<option value="a first map" selected>`) {
		t.Error("the attach control does not offer the last map first")
	}
	if !strings.Contains(page, `<p class="on-map small">Already on cfo · PAINS</p>`) {
		t.Error("a result on a map does not say so")
	}
}
