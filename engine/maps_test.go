package engine

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/api"
	"github.com/evident/evident/maps"
)

const mapInterview = `---
title: Interview with the CFO of Northwind
kind: interview
speakers:
  Priya Raman: {role: cfo}
  Interviewer: {interviewer: true}
---
Interviewer: What does month-end look like?

Priya Raman: Every month-end I spend most of my first week chasing spreadsheets, and reconciling them takes forever.

Interviewer: Who do you hear from?

Priya Raman: My CEO keeps telling me we need to cut costs before the funding round.

Priya Raman: What I want is one place where spend by team is visible every day.
`

const mapSurvey = `Timestamp,What is your role?,What slows you down?
2026-09-03 09:05,IT director,"Security reviews of every new finance tool take months, which is frustrating."
2026-09-03 10:00,IT director,We struggle to get vendors to answer our security questionnaire.
`

// A persona's map is built from suggestions on real NATS, SQLite and
// Bleve; it survives a source re-ingested with other text and a source
// deleted, and leaves in every format.
func TestMapFromSuggestionsSurvivesItsSources(t *testing.T) {
	e := start(t, Options{})
	ctx := context.Background()
	e.drop("interview.txt", mapInterview)
	e.drop("survey.csv", mapSurvey)
	docs := e.waitIndexed(wait, "interview.txt", "survey.csv")

	m, err := e.CreateMap(ctx, maps.Info{Name: "CFO", Role: "chief financial officers", Goal: "Adopt rolling forecasts"}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if m.Role != "cfo" {
		t.Errorf("persona %q, want the taxonomy's cfo", m.Role)
	}
	sug, err := e.SuggestQuotes(ctx, "CFO", 2)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sug.Order, " ") != "SEE HEAR SAY DO PAINS GAINS" {
		t.Errorf("suggestion order %v", sug.Order)
	}
	for _, cat := range []string{"HEAR", "DO", "PAINS", "GAINS"} {
		hits := sug.Cells[cat]
		if len(hits) == 0 {
			t.Fatalf("no %s suggestion for the CFO: %+v", cat, sug)
		}
		for _, h := range hits {
			if h.Role != "cfo" || !slices.Contains(h.Categories, cat) || h.Interviewer {
				t.Errorf("suggested for %s: %+v", cat, h)
			}
		}
		if sug.Notes[cat] != "" {
			t.Errorf("%s: a note on the persona's own passages: %q", cat, sug.Notes[cat])
		}
	}
	// Accept the top suggestion of each cell.
	for _, cat := range []string{"HEAR", "DO", "PAINS", "GAINS"} {
		if _, err := e.AttachQuote(ctx, "CFO", maps.Attachment{Category: cat, PassageID: sug.Cells[cat][0].ID}, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	again, err := e.SuggestQuotes(ctx, "CFO", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, cat := range []string{"HEAR", "DO", "PAINS", "GAINS"} {
		for _, h := range again.Cells[cat] {
			if h.ID == sug.Cells[cat][0].ID {
				t.Errorf("%s: the attached passage is suggested again", cat)
			}
		}
	}

	// A persona without passages in a cell gets other roles', labelled.
	if _, err := e.CreateMap(ctx, maps.Info{Name: "CISO", Role: "ciso"}, "bob"); err != nil {
		t.Fatal(err)
	}
	other, err := e.SuggestQuotes(ctx, "CISO", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(other.Cells["PAINS"]) == 0 || !strings.Contains(other.Notes["PAINS"], "come from other roles") {
		t.Errorf("fallback for a persona with no passages: %+v", other)
	}

	before, err := e.GetMap(ctx, "CFO")
	if err != nil {
		t.Fatal(err)
	}
	// The interview is saved again with other words; the survey is deleted.
	e.drop("interview.txt", strings.Replace(mapInterview, "takes forever", "is slow", 1))
	e.waitDocs(wait, func(ds []evident.Document) (bool, string) {
		for _, d := range ds {
			if d.Origin == docs["interview.txt"].Origin && d.SHA256 != docs["interview.txt"].SHA256 && d.State == evident.Indexed {
				return true, ""
			}
		}
		return false, "the interview was not indexed again"
	})
	if _, err := e.Store().Delete(ctx, docs["survey.csv"].SHA256); err != nil {
		t.Fatal(err)
	}
	after, err := e.GetMap(ctx, "CFO")
	if err != nil {
		t.Fatal(err)
	}
	if after.QuoteCount() != before.QuoteCount() {
		t.Fatalf("the map lost quotes: %d, then %d", before.QuoteCount(), after.QuoteCount())
	}
	for i, q := range after.Quotes() {
		b := before.Quotes()[i]
		if q.Text != b.Text || q.Citation != b.Citation || q.PassageID != b.PassageID {
			t.Errorf("%s changed with its source: %q → %q", q.ID, b.Text, q.Text)
		}
		want := maps.Changed // every passage id of the interview is new
		if q.Source.SHA256 == docs["survey.csv"].SHA256 {
			want = maps.Gone
		}
		if q.Status != want {
			t.Errorf("%s (%s) is %s, want %s", q.ID, q.Source.File, q.Status, want)
		}
	}

	// Every format; the QDPX's sources hold the quotes.
	for _, f := range []string{"md", "json", "csv", "html", "qdpx"} {
		exp, err := e.ExportMap(ctx, "CFO", f, maps.ExportOptions{})
		if err != nil || len(exp.Data) == 0 || exp.Filename != "CFO."+f {
			t.Fatalf("export %s: %v", f, err)
		}
		if f != "qdpx" {
			continue
		}
		zr, err := zip.NewReader(bytes.NewReader(exp.Data), int64(len(exp.Data)))
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, zf := range zr.File {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			all.Write(b)
		}
		for _, q := range after.Quotes() {
			if !strings.Contains(all.String(), q.Text) {
				t.Errorf("the QDPX lacks %s's text", q.ID)
			}
		}
	}
	// Undo, history, delete, through the engine.
	u, err := e.UndoMap(ctx, "CFO", "carol")
	if err != nil || u.Undone.Op != "attach" || u.QuoteCount() != before.QuoteCount()-1 {
		t.Errorf("undo: %+v %v", u, err)
	}
	if h, err := e.MapHistory(ctx, "CFO"); err != nil || len(h) != 6 { // create, four attaches, the undo
		t.Errorf("history: %d changes, %v", len(h), err)
	}
	if err := e.DeleteMap(ctx, "CISO", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.GetMap(ctx, "CISO"); api.KindOf(err) != api.NotFound {
		t.Errorf("deleted map: %v", err)
	}
}

// The cells follow the rules file: a team's seventh category is a cell.
func TestMapCellsFollowTheRules(t *testing.T) {
	rules, err := os.ReadFile("../configs/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rules = append(rules, []byte(`
  - name: THINK
    question: What do they think?
    words: [think]
    rules:
      - id: think.opinion
        phrases: ["i think"]
`)...)
	path := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	e := start(t, Options{Rules: path})
	ctx := context.Background()
	e.drop("opinion.txt", "I think rolling forecasts are overrated for small teams.\n")
	doc := e.waitIndexed(wait, "opinion.txt")["opinion.txt"]
	m, err := e.CreateMap(ctx, maps.Info{Name: "team"}, "")
	if err != nil {
		t.Fatal(err)
	}
	last := m.Cells[len(m.Cells)-1]
	if len(m.Cells) != 7 || last.Category != "THINK" || last.Question != "What do they think?" {
		t.Fatalf("cells: %+v", m.Cells)
	}
	q, err := e.AttachQuote(ctx, "team", maps.Attachment{Category: "think", PassageID: evident.PassageID(doc.SHA256, 0)}, "")
	if err != nil || q.Rule != `think.opinion ("I think")` {
		t.Errorf("attach to THINK: %+v %v", q, err)
	}
}
