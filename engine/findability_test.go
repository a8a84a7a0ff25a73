package engine

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/search"
)

// TestFindability ingests the README's examples and testdata/findability
// (a sidecar and front matter with keys Evident does not know, and
// speakers' attributes), and checks that search answers map builders:
// attribute filters, the first ten spanning people, forgiving questions,
// topic synonyms, passages about a role, the nearest query when nothing
// matches, and attributes in map exports.
func TestFindability(t *testing.T) {
	e := start(t, Options{Workers: 2})
	var docs []string
	for _, pattern := range []string{"../examples/*", "testdata/findability/*"} {
		files, err := filepath.Glob(pattern)
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: %v %v", pattern, files, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			e.drop(filepath.Base(f), string(b))
			if !strings.HasSuffix(f, evident.SidecarSuffix) {
				docs = append(docs, filepath.Base(f))
			}
		}
	}
	e.waitIndexed(wait, docs...)
	ctx := context.Background()
	search := func(q string) *search.Response {
		t.Helper()
		resp, err := e.Search(ctx, search.Request{Query: q, Limit: 10})
		if err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
		return resp
	}

	// Keys Evident does not know are kept, never refused.
	s, err := e.Show(ctx, "northwind-ops-call.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"company": "Northwind", "industry": "logistics", "segment": "mid-market",
		"note": "second call, after the demo", "evidence": "call recording, notes"}
	if !mapsEqual(s.Document.Attrs, want) {
		t.Errorf("document attributes %v, want %v", s.Document.Attrs, want)
	}
	var dana evident.Person
	for _, p := range s.Document.Speakers {
		if p.Name == "Dana Lee" {
			dana = p
		}
	}
	if dana.Role != "coo" || !mapsEqual(dana.Attrs, map[string]string{"region": "EMEA", "tenure": "6 years"}) {
		t.Errorf("Dana Lee: %+v", dana)
	}

	// company:Northwind: the interview whose speaker is of Northwind
	// Logistics (front matter) and the call whose sidecar says Northwind.
	resp := search("company:Northwind")
	files := hitFiles(resp)
	if !slices.Contains(files, "interview-cfo-northwind.txt") || !slices.Contains(files, "northwind-ops-call.txt") || resp.Fallback != "" {
		t.Errorf("company:Northwind found %v (fallback %q)", files, resp.Fallback)
	}
	for _, h := range resp.Hits {
		if !strings.Contains(h.Attrs["company"], "Northwind") {
			t.Errorf("company:Northwind found %q of %s, attributes %v", h.Text, h.Source.File, h.Attrs)
		}
	}
	if resp.Facets["attributes"]["company: Northwind"] == 0 || resp.Facets["attributes"]["industry: logistics"] == 0 {
		t.Errorf("attribute facets %v", resp.Facets["attributes"])
	}
	for q, file := range map[string]string{
		`segment:"mid-market"`:               "northwind-ops-call.txt",
		"industry:fintech what do CFOs hear": "contoso-finance.md",
		`company:"Northwind Logistics"`:      "interview-cfo-northwind.txt",
		"company-size:200-500":               "survey-finance-tools.csv", // a survey's column
		"compnay:Contoso":                    "contoso-finance.md",       // a misspelt key, read as the one it is near
		"region:emea":                        "northwind-ops-call.txt",   // a speaker's attribute, any case
	} {
		resp := search(q)
		if got := hitFiles(resp); len(got) != 1 || got[0] != file || resp.Fallback != "" {
			t.Errorf("%s found %v (fallback %q, corrections %v), want %s only", q, got, resp.Fallback, resp.Query.Corrections, file)
		}
	}
	for _, h := range search("region:EMEA").Hits {
		if h.Attrs["region"] != "EMEA" || h.Attrs["industry"] != "logistics" || h.Speaker != "Dana Lee" {
			t.Errorf("region:EMEA hit %q: %s, %v", h.Text, h.Speaker, h.Attrs)
		}
	}

	// What do CFOs hear: the possessive is forgiven; the first ten span
	// people, however many HEAR passages Lena Park has.
	plain, possessive := e.search("what do CFOs hear"), e.search("what do CFO's hear")
	if len(plain.Hits) == 0 || possessive.Fallback != "" || !slices.Equal(hitIDs(plain.Hits), hitIDs(possessive.Hits)) {
		t.Errorf("what do CFO's hear: %v (fallback %q), want %v", hitIDs(possessive.Hits), possessive.Fallback, hitIDs(plain.Hits))
	}
	// In the first ten, a speaker's third passage (or a document's
	// fourth) comes only after every passage that keeps within those
	// limits: the rest follow, nothing is dropped.
	top := search("what do CFOs hear")
	spoken, inDoc := map[string]int{}, map[string]int{}
	over := ""
	for i, h := range top.Hits {
		who := h.Source.File + "/" + h.Speaker
		if h.Speaker != "" {
			spoken[who]++
		}
		inDoc[h.Source.File]++
		if h.Speaker != "" && spoken[who] > 2 || inDoc[h.Source.File] > 3 {
			if over == "" {
				over = who
			}
			continue
		}
		if over != "" {
			t.Errorf("hit %d (%s) comes after %s's passage over the limit", i+1, who, over)
		}
	}
	if spoken["contoso-finance.md/Lena Park"] != 4 || over != "contoso-finance.md/Lena Park" {
		t.Errorf("first ten by speaker %v; the first over the limit %q", spoken, over)
	}
	if len(top.Hits) != int(plain.Total) || int(plain.Total) != len(plain.Hits) {
		t.Errorf("first page %d hits, all %d of %d", len(top.Hits), len(plain.Hits), plain.Total)
	}

	// About whom: the call's "My CFO keeps asking…" and the article's
	// "Controllers we spoke to say…" answer for CFOs, marked, after every
	// passage a CFO said.
	var about []string
	lowestSaid := -1.0
	for _, h := range plain.Hits {
		if h.About == "" {
			if h.Role != "cfo" {
				t.Errorf("%q said by %q, about nobody", h.Text, h.Role)
			}
			if lowestSaid < 0 || h.Score < lowestSaid {
				lowestSaid = h.Score
			}
			continue
		}
		about = append(about, h.Source.File)
		if h.About != "cfo" || h.Role == "cfo" || h.Parts == nil || h.Parts.Role != 0.5 {
			t.Errorf("about hit %q: about %q, role %q, parts %+v", h.Text, h.About, h.Role, h.Parts)
		}
	}
	for _, h := range plain.Hits {
		if h.About != "" && h.Score >= lowestSaid {
			t.Errorf("about-cfo %q scores %.3f, not below every CFO's own (%.3f)", h.Text, h.Score, lowestSaid)
		}
	}
	if !slices.Contains(about, "northwind-ops-call.txt") || !slices.Contains(about, "article-rolling-forecasts.md") {
		t.Errorf("passages about CFOs from %v", about)
	}

	// A map's suggestions are the persona's own words, not passages about it.
	if _, err := e.CreateMap(ctx, maps.Info{Name: "cfo", Role: "cfo"}, "test"); err != nil {
		t.Fatal(err)
	}
	sug, err := e.SuggestQuotes(ctx, "cfo", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(sug.Cells["HEAR"]) == 0 {
		t.Errorf("no HEAR suggestions for the CFO map")
	}
	for _, h := range sug.Cells["HEAR"] {
		if h.About != "" || h.Role != "cfo" {
			t.Errorf("suggested %q of %s, about %q", h.Text, h.Role, h.About)
		}
	}

	// Pains about pricing: the topic's words, "so expensive", "justify the cost".
	resp = search("pains about pricing")
	var texts []string
	for _, h := range resp.Hits {
		texts = append(texts, h.Text)
		if !slices.Contains(h.Categories, "PAINS") {
			t.Errorf("pains about pricing: %q is not PAINS", h.Text)
		}
	}
	all := strings.Join(texts, "\n")
	if resp.Fallback != "" || !strings.Contains(all, "so expensive") || !strings.Contains(all, "justify the cost") {
		t.Errorf("pains about pricing (fallback %q, also %v):\n%s", resp.Fallback, resp.Query.Also, all)
	}

	// Nothing matches: the nearest query runs, and says what it dropped.
	resp = search("company:Contoso what do CFOs hear about trucks")
	if resp.Total == 0 || resp.Relaxed == "" || !slices.Contains(resp.Dropped, "the word trucks") || !strings.Contains(resp.Fallback, "trucks") {
		t.Errorf("relaxed: %q dropped %v (%q), %d hits", resp.Relaxed, resp.Dropped, resp.Fallback, resp.Total)
	}
	for _, h := range resp.Hits {
		if h.Attrs["company"] != "Contoso" {
			t.Errorf("relaxed query found %q of %s", h.Text, h.Source.File)
		}
	}
	resp = search("zzqqxxv")
	if resp.Total != 0 || !strings.Contains(resp.Fallback, "No passages match") || !strings.Contains(resp.Fallback, "searchable") {
		t.Errorf("nothing at all: %d hits, %q", resp.Total, resp.Fallback)
	}

	// Map exports carry the attributes: CSV columns, QDPX variables.
	var expensive string
	for _, h := range search(`"so expensive"`).Hits {
		expensive = h.ID
	}
	if _, err := e.CreateMap(ctx, maps.Info{Name: "ops", Role: "coo"}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AttachQuote(ctx, "ops", maps.Attachment{Category: "PAINS", PassageID: expensive}, "test"); err != nil {
		t.Fatal(err)
	}
	exp, err := e.ExportMap(ctx, "ops", "csv", maps.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(exp.Data)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv: %v %v", rows, err)
	}
	cell := map[string]string{}
	for i, h := range rows[0] {
		cell[h] = rows[1][i]
	}
	if cell["company"] != "Northwind" || cell["industry"] != "logistics" || cell["region"] != "EMEA" || cell["note"] != "" {
		t.Errorf("csv row %v", cell)
	}
	if _, ok := cell["note"]; !ok {
		t.Errorf("csv header lacks the document's note attribute: %v", rows[0])
	}
	exp, err = e.ExportMap(ctx, "ops", "qdpx", maps.ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	qde := qdpxProject(t, exp.Data)
	for _, want := range []string{`name="region"`, "<TextValue>EMEA</TextValue>", `name="industry"`, "<TextValue>logistics</TextValue>", `name="segment"`} {
		if !strings.Contains(qde, want) {
			t.Errorf("project.qde lacks %s", want)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// hitFiles lists the files of a response's hits, each once, sorted.
func hitFiles(r *search.Response) []string {
	var out []string
	for _, h := range r.Hits {
		if !slices.Contains(out, h.Source.File) {
			out = append(out, h.Source.File)
		}
	}
	slices.Sort(out)
	return out
}

func hitIDs(hits []search.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// qdpxProject returns project.qde of a QDPX export.
func qdpxProject(t *testing.T, data []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range z.File {
		if f.Name == "project.qde" {
			r, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	t.Fatal("no project.qde in the export")
	return ""
}
