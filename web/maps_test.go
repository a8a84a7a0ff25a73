package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/search"
)

// apiCall makes one request of the map API and returns the status and
// the body.
func apiCall(t *testing.T, base, method, path, user string, body any) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set(UserHeader, user)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return v
}

func TestMapAPI(t *testing.T) {
	ts, c, _ := newServer(t)
	ctx := context.Background()
	interview, err := os.ReadFile("../examples/interview-cfo-northwind.txt")
	if err != nil {
		t.Fatal(err)
	}
	if d := upload(t, c, "interview-cfo-northwind.txt", string(interview)); d.State != evident.Indexed {
		t.Fatalf("%s: %s", d.State, d.Error)
	}
	hits := func(q string) []search.Hit {
		t.Helper()
		resp, err := c.Search(ctx, search.Request{Query: q, Limit: 20})
		if err != nil || len(resp.Hits) == 0 {
			t.Fatalf("search %q: %v, %d hits", q, err, len(resp.Hits))
		}
		return resp.Hits
	}
	pain, hear := hits("role:cfo category:pains")[0], hits("role:cfo category:hear")[0]
	// One passage may be the best of both: take a PAINS that is not it.
	for _, h := range hits("role:cfo category:pains") {
		if h.ID != hear.ID {
			pain = h
			break
		}
	}
	base := ts.URL

	// Create: 201 and the map, every category present in the rules' order.
	code, _, body := apiCall(t, base, "POST", "/api/maps", "alice", map[string]string{"name": "CFO map", "role": "finance directors", "goal": "Adopt rolling forecasts"})
	if code != http.StatusCreated {
		t.Fatalf("create: %d %s", code, body)
	}
	m := decode[maps.Map](t, body)
	var cats []string
	for _, c := range m.Cells {
		cats = append(cats, c.Category)
	}
	if m.Role != "cfo" || strings.Join(cats, " ") != "SEE HEAR SAY DO PAINS GAINS" || m.Cells[0].Quotes == nil {
		t.Errorf("created map: role %q, cells %v", m.Role, cats)
	}
	name := "/api/maps/" + url.PathEscape("CFO map")

	// Attach: 201 and the quote in the agreed shape.
	code, _, body = apiCall(t, base, "POST", name+"/quotes", "alice", map[string]string{"category": "pains", "passage_id": pain.ID, "note": "lead with this"})
	if code != http.StatusCreated {
		t.Fatalf("attach: %d %s", code, body)
	}
	var raw map[string]any
	json.Unmarshal(body, &raw)
	for _, k := range []string{"id", "passage_id", "text", "citation", "speaker", "role", "locator", "source", "note", "position", "added_by", "added_at", "rule", "status"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("quote lacks %q: %s", k, body)
		}
	}
	for _, k := range []string{"title", "file", "sha256", "kind", "url"} {
		if _, ok := raw["source"].(map[string]any)[k]; !ok {
			t.Errorf("quote source lacks %q: %s", k, body)
		}
	}
	q := decode[maps.Quote](t, body)
	if q.ID != "q1" || q.AddedBy != "alice" || q.Status != maps.Current || q.Text != pain.Text || q.Rule == "" || q.Position != 0 {
		t.Errorf("attached: %+v", q)
	}
	code, _, body = apiCall(t, base, "POST", name+"/quotes", "", map[string]string{"category": "HEAR", "passage_id": hear.ID})
	if q2 := decode[maps.Quote](t, body); code != http.StatusCreated || q2.AddedBy != "web" {
		t.Errorf("attach without a user: %d %+v", code, q2)
	}

	// Mistakes: the right status and one sentence naming what is wrong.
	for _, c := range []struct {
		method, path string
		body         any
		code         int
		want         string
	}{
		{"POST", name + "/quotes", map[string]string{"category": "FEELS", "passage_id": pain.ID}, 400, `category "FEELS" is not in the rules`},
		{"POST", name + "/quotes", map[string]string{"category": "SEE", "passage_id": "nope-3"}, 404, `no passage has the id "nope-3"`},
		{"POST", name + "/quotes", map[string]string{"category": "PAINS", "passage_id": pain.ID}, 409, "already in PAINS"},
		{"POST", "/api/maps", `{"name": `, 400, "not the JSON expected"},
		{"POST", "/api/maps", map[string]string{"name": "cfo MAP"}, 409, "already exists"},
		{"GET", "/api/maps/nobody", nil, 404, `no map is called "nobody"`},
		{"PATCH", name + "/quotes/q1", map[string]any{}, 400, "nothing to change"},
		{"DELETE", name + "/quotes/q99", nil, 404, "has no quote q99"},
		{"GET", name + "/suggest?per_cell=lots", nil, 400, `per_cell="lots"`},
		{"GET", name + "/export?format=pdf", nil, 400, `export format "pdf" is not one of md, json, csv, html, qdpx`},
		{"GET", name + "/export", nil, 400, "give a format"},
		{"GET", name + "/export?format=qdpx&line_endings=cr", nil, 400, `line endings "cr" are not lf or crlf`},
		{"GET", name + "/export?format=qdpx&offsets=bytes", nil, 400, `offsets "bytes" are not codepoints or utf16`},
		{"POST", "/api/maps/import", `{"name": "x"}`, 400, `no "cells"`},
	} {
		code, _, body := apiCall(t, base, c.method, c.path, "", c.body)
		e := decode[api.Error](t, body)
		if code != c.code || !strings.Contains(e.Message, c.want) {
			t.Errorf("%s %s: %d %q, want %d saying %q", c.method, c.path, code, e.Message, c.code, c.want)
		}
	}

	// Note, move, then undo the move.
	code, _, body = apiCall(t, base, "PATCH", name+"/quotes/q1", "bob", map[string]any{"note": "strongest"})
	if q := decode[maps.Quote](t, body); code != 200 || q.Note != "strongest" {
		t.Errorf("note: %d %s", code, body)
	}
	code, _, body = apiCall(t, base, "PATCH", name+"/quotes/q2", "bob", map[string]any{"category": "PAINS", "position": 0})
	if q := decode[maps.Quote](t, body); code != 200 || q.Category != "PAINS" || q.Position != 0 {
		t.Errorf("move: %d %s", code, body)
	}
	code, _, body = apiCall(t, base, "POST", name+"/undo", "carol", nil)
	u := decode[maps.Undone](t, body)
	if code != 200 || u.Undone.Op != "move" || len(u.Cell("HEAR").Quotes) != 1 || u.Cell("PAINS").Quotes[0].ID != "q1" {
		t.Errorf("undo: %d %s", code, body)
	}
	code, _, body = apiCall(t, base, "GET", name+"/history", "", nil)
	h := decode[api.MapHistory](t, body)
	var ops []string
	for _, c := range h.Changes {
		ops = append(ops, c.Op+"/"+c.By)
	}
	if code != 200 || strings.Join(ops, " ") != "create/alice attach/alice attach/web note/bob move/bob undo/carol" {
		t.Errorf("history: %d %v", code, ops)
	}

	// Detach: 204 and no body.
	code, _, body = apiCall(t, base, "DELETE", name+"/quotes/q2", "bob", nil)
	if code != http.StatusNoContent || len(body) != 0 {
		t.Errorf("detach: %d %q", code, body)
	}

	// Suggest: the persona's passages per cell, none already in the cell.
	code, _, body = apiCall(t, base, "GET", name+"/suggest?per_cell=2", "", nil)
	sug := decode[maps.Suggestions](t, body)
	if code != 200 || len(sug.Cells["HEAR"]) == 0 || len(sug.Cells["PAINS"]) > 2 {
		t.Fatalf("suggest: %d %s", code, body)
	}
	for cat, hs := range sug.Cells {
		for _, h := range hs {
			if !slices.Contains(h.Categories, cat) || h.Role != "cfo" || (cat == "PAINS" && h.ID == pain.ID) {
				t.Errorf("suggested for %s: %+v", cat, h)
			}
		}
	}

	// Exports: the file with its type and name.
	for _, f := range []struct{ format, ctype, head string }{
		{"md", "text/markdown", "# Empathy map: CFO map"}, {"json", "application/json", "{"},
		{"csv", "text/csv", "cell,text,"}, {"html", "text/html", "<!DOCTYPE html>"}, {"qdpx", "application/zip", "PK"},
	} {
		code, hdr, body := apiCall(t, base, "GET", name+"/export?format="+f.format, "", nil)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), f.ctype) || !strings.HasPrefix(string(body), f.head) ||
			hdr.Get("Content-Disposition") != `attachment; filename="CFO-map.`+f.format+`"` {
			t.Errorf("export %s: %d %v %.40q", f.format, code, hdr, body)
		}
	}

	// Import the JSON export under another name: an equal map.
	_, _, exported := apiCall(t, base, "GET", name+"/export?format=json", "", nil)
	code, _, body = apiCall(t, base, "POST", "/api/maps/import?name=copy", "dave", string(exported))
	if imported := decode[maps.Map](t, body); code != http.StatusCreated || imported.Name != "copy" || imported.QuoteCount() != 1 {
		t.Errorf("import: %d %s", code, body)
	}
	code, _, body = apiCall(t, base, "GET", "/api/maps", "", nil)
	if list := decode[api.MapList](t, body); code != 200 || len(list.Maps) != 2 || list.Maps[0].Name != "CFO map" || list.Maps[0].Quotes != 1 {
		t.Errorf("list: %d %s", code, body)
	}

	// The client the command line uses: same methods, same errors.
	cm, err := c.CreateMap(ctx, maps.Info{Name: "via client"}, "erin")
	if err != nil || len(cm.Cells) != 6 {
		t.Fatalf("client create: %v", err)
	}
	if _, err := c.CreateMap(ctx, maps.Info{Name: "via client"}, "erin"); !errors.Is(err, maps.ErrConflict) {
		t.Errorf("client create twice: %v", err)
	}
	cq, err := c.AttachQuote(ctx, "via client", maps.Attachment{Category: "HEAR", PassageID: hear.ID}, "erin")
	if err != nil || cq.AddedBy != "erin" {
		t.Fatalf("client attach: %+v %v", cq, err)
	}
	if dq, err := c.DetachQuote(ctx, "via client", hear.ID, "erin"); err != nil || dq.ID != cq.ID || dq.Text != hear.Text {
		t.Errorf("client detach by passage id: %+v %v", dq, err)
	}
	if un, err := c.UndoMap(ctx, "via client", "erin"); err != nil || un.Undone.Op != "detach" || un.QuoteCount() != 1 {
		t.Errorf("client undo: %+v %v", un, err)
	}
	if exp, err := c.ExportMap(ctx, "via client", "csv", maps.ExportOptions{}); err != nil || exp.Filename != "via-client.csv" || !bytes.Contains(exp.Data, []byte(hear.ID)) {
		t.Errorf("client export: %+v %v", exp, err)
	}
	// A project for MAXQDA: its sources have CRLF line endings.
	exp, err := c.ExportMap(ctx, "via client", "qdpx", maps.ExportOptions{LineEndings: "crlf", Offsets: "utf16"})
	if err != nil {
		t.Fatalf("client export for MAXQDA: %v", err)
	}
	zr, err := zip.NewReader(bytes.NewReader(exp.Data), int64(len(exp.Data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "sources/") {
			continue
		}
		rc, _ := f.Open()
		text, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Count(text, []byte("\n")) != bytes.Count(text, []byte("\r\n")) {
			t.Errorf("%s: line endings are not CRLF: %q", f.Name, text)
		}
	}
	if _, err := c.GetMap(ctx, "nobody"); !errors.Is(err, maps.ErrNotFound) {
		t.Errorf("client get of a missing map: %v", err)
	}
	if err := c.DeleteMap(ctx, "via client", "erin"); err != nil {
		t.Fatal(err)
	}

	// Delete: 204, then the map is gone.
	if code, _, _ := apiCall(t, base, "DELETE", name, "", nil); code != http.StatusNoContent {
		t.Errorf("delete: %d", code)
	}
	if code, _, _ := apiCall(t, base, "GET", name, "", nil); code != http.StatusNotFound {
		t.Errorf("get after delete: %d", code)
	}

	// A page on another site cannot change a map.
	req, _ := http.NewRequest("POST", base+"/api/maps", strings.NewReader(`{"name":"evil"}`))
	req.Header.Set("Origin", "http://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin create: %d", resp.StatusCode)
	}
}
