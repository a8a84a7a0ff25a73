package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/qda"
)

// ImportOptions say where an imported REFI-QDA project goes.
type ImportOptions struct {
	// File is the project's file name, for the documents' origins.
	File string
	// Map is the map that codings of cells go on; empty names it after the
	// project. It is created when it does not exist.
	Map string
	// Cells maps code names (any case) to cells: "pricing" → PAINS. Codes
	// named like a cell (SEE, HEAR...) need no entry.
	Cells map[string]string
	By    string // who imports, for the map's history; a coding's own user wins
}

// ImportReport says what an import did and what it left out.
type ImportReport struct {
	Project   string        `json:"project"`
	Origin    string        `json:"origin,omitempty"` // the program that wrote it
	Documents []ImportedDoc `json:"documents"`
	Map       string        `json:"map,omitempty"`
	Quotes    int           `json:"quotes"`            // quotes attached to the map
	Coded     int           `json:"coded"`             // passages given codes
	Codes     []string      `json:"codes,omitempty"`   // the codes given, each once
	Skipped   []string      `json:"skipped,omitempty"` // what was not imported, one sentence each
}

// ImportedDoc is one text source of the project, now a document.
type ImportedDoc struct {
	Source     string        `json:"source"` // its name in the project
	File       string        `json:"file"`
	SHA256     string        `json:"sha256"`
	State      evident.State `json:"state"`
	Error      string        `json:"error,omitempty"`
	Passages   int           `json:"passages"`
	Selections int           `json:"selections"` // coded selections in it
}

// ParseCells reads --cells: "pricing=PAINS,word of mouth=HEAR".
func ParseCells(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		code, cell, ok := strings.Cut(part, "=")
		code, cell = strings.TrimSpace(code), strings.TrimSpace(cell)
		if !ok || code == "" || cell == "" {
			return nil, fmt.Errorf("--cells: %q is not CODE=CELL", part)
		}
		out[strings.ToLower(code)] = strings.ToUpper(cell)
	}
	return out, nil
}

// ImportQDA reads a REFI-QDA project (.qdpx) and brings it in: each text
// source becomes a document ingested through the queue like any text
// file, so that its speaker turns are recognised; codings whose code, or
// a parent code, names a cell become quotes on the map in that cell, with
// their notes; other codes become the codes of the passages that hold the
// coded text (search: code:NAME); cases become the speakers' roles where
// a variable gives one. It waits until the documents are indexed, so
// the engine must be running. What it does not import is in the report.
func (e *Engine) ImportQDA(ctx context.Context, data []byte, opts ImportOptions) (*ImportReport, error) {
	p, err := qda.ReadFile(data, qda.Options{})
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", maps.ErrInvalid, cmp.Or(opts.File, "the project"), err)
	}
	cats := e.Categories()
	for code, cell := range opts.Cells {
		if !slices.Contains(cats, cell) {
			return nil, fmt.Errorf("%w: --cells %s=%s: %s is not a cell; the cells are %s", maps.ErrInvalid, code, cell, cell, strings.Join(cats, ", "))
		}
	}
	rep := &ImportReport{Project: p.Name, Origin: p.Origin, Skipped: slices.Clone(p.Skipped)}
	evidentMade := strings.HasPrefix(p.Origin, "Evident")
	cellOf := func(c *qda.Code) string {
		for x := c; x != nil; x = x.Parent {
			if cell, ok := opts.Cells[strings.ToLower(x.Name)]; ok {
				return cell
			}
			if i := slices.Index(cats, strings.ToUpper(x.Name)); i >= 0 {
				return cats[i]
			}
		}
		return ""
	}

	// Each text source becomes a .txt document through the queue.
	dir, err := os.MkdirTemp("", "evident-import-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	type pending struct {
		src  *qda.Source
		text string // what was submitted
		doc  *evident.Document
	}
	var subs []*pending
	var shas []string
	names := map[string]bool{}
	for _, s := range p.Sources {
		file := importName(s.Name, names)
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(s.Text), 0o600); err != nil {
			return nil, err
		}
		meta := sourceMeta(p, s, evidentMade, &rep.Skipped)
		origin := "qdpx:" + cmp.Or(opts.File, p.Name, "project") + "/" + file
		sub, err := e.Submit(ctx, Source{Path: path, Origin: origin, Name: file, Meta: meta})
		if err != nil {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("text source %q: %v", s.Name, err))
			continue
		}
		subs = append(subs, &pending{src: s, text: s.Text, doc: sub.Document})
		shas = append(shas, sub.Document.SHA256)
	}
	ended, err := e.Await(ctx, shas, nil)
	if err != nil {
		return nil, fmt.Errorf("waiting for the project's documents: %w", err)
	}
	bySHA := map[string]evident.Document{}
	for _, d := range ended {
		bySHA[d.SHA256] = d
	}

	// Selections find their passages.
	type coded struct {
		sel     *qda.Selection
		passage evident.Passage
		doc     *evident.Document
		order   int
	}
	var all []coded
	for _, pd := range subs {
		d := bySHA[pd.doc.SHA256]
		rd := ImportedDoc{Source: pd.src.Name, File: d.File, SHA256: d.SHA256, State: d.State, Error: d.Error, Passages: d.Passages, Selections: len(pd.src.Selections)}
		rep.Documents = append(rep.Documents, rd)
		if d.State != evident.Indexed {
			if len(pd.src.Selections) > 0 {
				rep.Skipped = append(rep.Skipped, fmt.Sprintf("text source %q: %d selections, because the document failed: %s", pd.src.Name, len(pd.src.Selections), d.Error))
			}
			continue
		}
		ps, err := e.store.Passages(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		ranges := passageRanges(pd.text, ps)
		for _, sel := range pd.src.SortedSelections() {
			if len(sel.Codes) == 0 {
				rep.Skipped = append(rep.Skipped, fmt.Sprintf("text source %q: selection %q has no code", pd.src.Name, short40(sel.Text)))
				continue
			}
			i := bestPassage(ranges, sel.Start, sel.End)
			if i < 0 {
				rep.Skipped = append(rep.Skipped, fmt.Sprintf("text source %q: no passage holds the selection %q", pd.src.Name, short40(sel.Text)))
				continue
			}
			all = append(all, coded{sel: sel, passage: ps[i], doc: &d, order: len(all)})
		}
	}

	// Codes of cells become quotes, in the order they were coded; the
	// others become the passages' codes.
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i].sel.Created, all[j].sel.Created
		if !a.Equal(b) && !a.IsZero() && !b.IsZero() {
			return a.Before(b)
		}
		return all[i].order < all[j].order
	})
	mapName := opts.Map
	if mapName == "" {
		mapName = mapNameOf(p.Name)
	}
	mapReady := false
	codesOf := map[string][]string{} // passage id → codes
	var passageOrder []string
	seenCode := map[string]bool{}
	for _, c := range all {
		inCell := map[string]bool{} // the cells this selection is already in
		for _, code := range c.sel.Codes {
			cell := cellOf(code)
			if cell == "" || !isCellCode(code, cell, opts.Cells) {
				// "pricing", or "pricing" under PAINS: a code of the passage.
				if codesOf[c.passage.ID] == nil {
					passageOrder = append(passageOrder, c.passage.ID)
				}
				if !slices.Contains(codesOf[c.passage.ID], code.Name) {
					codesOf[c.passage.ID] = append(codesOf[c.passage.ID], code.Name)
				}
				if !seenCode[code.Name] {
					seenCode[code.Name] = true
					rep.Codes = append(rep.Codes, code.Name)
				}
			}
			if cell == "" || inCell[cell] {
				continue
			}
			inCell[cell] = true
			if !mapReady {
				if err := e.ensureMap(ctx, mapName, p, evidentMade, opts.By); err != nil {
					return nil, err
				}
				mapReady, rep.Map = true, mapName
			}
			by := cmp.Or(c.sel.User, opts.By)
			_, err := e.AttachQuote(ctx, mapName, maps.Attachment{Category: cell, PassageID: c.passage.ID, Note: selectionNote(c.sel, evidentMade)}, by)
			switch {
			case errors.Is(err, maps.ErrConflict):
				rep.Skipped = append(rep.Skipped, fmt.Sprintf("selection %q: its passage is already in %s on map %q", short40(c.sel.Text), cell, mapName))
			case err != nil:
				return nil, fmt.Errorf("attaching %q to %s: %w", short40(c.sel.Text), cell, err)
			default:
				rep.Quotes++
			}
		}
	}
	if len(passageOrder) > 0 {
		if err := e.addCodes(ctx, passageOrder, codesOf); err != nil {
			return nil, err
		}
		rep.Coded = len(passageOrder)
	}
	for _, set := range p.Sets {
		rep.Skipped = append(rep.Skipped, fmt.Sprintf("set %q (%d codes, %d sources): sets are not kept, their members are", set.Name, len(set.Codes), len(set.Sources)))
	}
	return rep, nil
}

// isCellCode reports whether a code is itself a cell (SEE, or a code
// --cells names) rather than a code under one.
func isCellCode(c *qda.Code, cell string, cells map[string]string) bool {
	if strings.EqualFold(c.Name, cell) {
		return true
	}
	_, ok := cells[strings.ToLower(c.Name)]
	return ok
}

// addCodes gives passages their codes in the store and the index.
func (e *Engine) addCodes(ctx context.Context, ids []string, codes map[string][]string) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	for _, id := range ids {
		if _, err := e.store.AddCodes(ctx, id, codes[id]); err != nil {
			return err
		}
	}
	hits, err := e.store.PassagesByID(ctx, ids)
	if err != nil {
		return err
	}
	docs := map[string]*evident.Document{}
	for _, h := range hits {
		docs[h.Document.SHA256] = h.Document
	}
	for _, d := range docs {
		if err := e.rewriteDocument(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// ensureMap creates the import's map unless it exists. A project that
// Evident exported says the persona, goal, the rest of the header and the
// description of its map.
func (e *Engine) ensureMap(ctx context.Context, name string, p *qda.Project, evidentMade bool, by string) error {
	if _, err := e.GetMap(ctx, name); err == nil {
		return nil
	} else if !errors.Is(err, maps.ErrNotFound) {
		return err
	}
	info := maps.Info{Name: name}
	if evidentMade {
		var rest []string
		for _, line := range strings.Split(p.Description, "\n") {
			switch {
			case strings.HasPrefix(line, "Persona: ") && info.Role == "":
				info.Role = strings.TrimPrefix(line, "Persona: ")
			case strings.HasPrefix(line, "Goal: ") && info.Goal == "":
				info.Goal = strings.TrimPrefix(line, "Goal: ")
			case strings.HasPrefix(line, "Title: ") && info.Title == "":
				info.Title = strings.TrimPrefix(line, "Title: ")
			case strings.HasPrefix(line, "Situation: ") && info.Situation == "":
				info.Situation = strings.TrimPrefix(line, "Situation: ")
			case strings.HasPrefix(line, "Priority: ") && info.Priority == "":
				info.Priority = strings.TrimPrefix(line, "Priority: ")
			default:
				rest = append(rest, line)
			}
		}
		info.Description = strings.TrimSpace(strings.Join(rest, "\n"))
	} else {
		info.Description = strings.TrimSpace("Imported from a REFI-QDA project written by " + cmp.Or(p.Origin, "an unknown program") + ".")
	}
	_, err := e.CreateMap(ctx, info, by)
	return err
}

// selectionNote is a quote's note: what Evident's export wrote after
// "Note: ", or the selection's description and notes.
func selectionNote(s *qda.Selection, evidentMade bool) string {
	if evidentMade {
		d := s.Description
		if !strings.HasPrefix(d, "Note: ") {
			return ""
		}
		d = strings.TrimPrefix(d, "Note: ")
		if i := strings.Index(d, "\nCitation: "); i >= 0 {
			d = d[:i]
		}
		return d
	}
	var parts []string
	for _, t := range append([]string{s.Description}, s.Notes...) {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(parts, t) {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, "\n\n")
}

// sourceMeta is what the project says about a source's document: the
// cases in it with a role become its speakers, and Evident's own export
// gives title, kind, URL, author and date in the description.
func sourceMeta(p *qda.Project, s *qda.Source, evidentMade bool, skipped *[]string) evident.Meta {
	var m evident.Meta
	setField := func(key, value string) bool {
		value = strings.TrimSpace(value)
		switch strings.ToLower(key) {
		case "title":
			m.Title = value
		case "kind", "type":
			if k := evident.Kind(strings.ToLower(value)); slices.Contains([]evident.Kind{evident.Interview, evident.Survey, evident.Podcast, evident.Article, evident.Report, evident.Notes}, k) {
				m.Kind = k
			}
		case "url":
			m.URL = value
		case "author":
			m.Author = value
		case "date":
			m.Date = value
		case "role", "persona":
			m.Role = value
		default:
			return false
		}
		return true
	}
	if evidentMade {
		for _, line := range strings.Split(s.Description, "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok {
				setField(k, v)
			}
		}
	}
	var other []string
	for k, v := range s.Variables {
		if !setField(k, v) {
			other = append(other, k)
		}
	}
	if len(other) > 0 {
		sort.Strings(other)
		*skipped = append(*skipped, fmt.Sprintf("text source %q: variables %s (documents keep title, kind, url, author, date and role)", s.Name, strings.Join(other, ", ")))
	}
	selections := map[string]bool{}
	for _, sel := range s.Selections {
		selections[strings.ToLower(sel.GUID)] = true
	}
	for _, c := range p.Cases {
		in := slices.Contains(c.Sources, strings.ToLower(s.GUID))
		for _, g := range c.Selections {
			in = in || selections[g]
		}
		if !in {
			continue
		}
		label := c.Name
		var sm evident.SpeakerMeta
		for k, v := range c.Variables {
			switch strings.ToLower(k) {
			case "label", "alias":
				label = v
			case "role":
				sm.Role = v
			case "title", "job title", "job_title", "position":
				sm.Title = v
			case "company", "organisation", "organization":
				sm.Company = v
			case "interviewer", "host":
				b, _ := strconv.ParseBool(v)
				sm.Interviewer = b || strings.EqualFold(v, "yes")
			default:
				// Other variables are the speaker's attributes.
				if sm.Attrs == nil {
					sm.Attrs = map[string]string{}
				}
				sm.Attrs[k] = v
			}
		}
		empty := sm.Role == "" && sm.Title == "" && sm.Company == "" && !sm.Interviewer && len(sm.Attrs) == 0
		// A case is a speaker when the text gives it turns.
		if label == "" || !strings.Contains(s.Text, label+":") || empty {
			continue
		}
		if m.Speakers == nil {
			m.Speakers = map[string]evident.SpeakerMeta{}
		}
		m.Speakers[label] = sm
	}
	return m
}

// importName is a source's document's file name: its name made safe, as
// a .txt so that it is read as the text it is, each once.
func importName(name string, seen map[string]bool) string {
	base := maps.SafeFileName(name)
	if ext := strings.ToLower(filepath.Ext(base)); ext == ".txt" {
		base = strings.TrimSuffix(base, filepath.Ext(base))
	}
	file := base + ".txt"
	for n := 2; seen[strings.ToLower(file)]; n++ {
		file = fmt.Sprintf("%s (%d).txt", base, n)
	}
	seen[strings.ToLower(file)] = true
	return file
}

// mapNameOf makes a map name of a project's name.
func mapNameOf(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '-'
		}
		return r
	}, strings.TrimSpace(name))
	name = strings.TrimLeft(name, "-. ")
	if name == "" {
		return "imported"
	}
	if len([]rune(name)) > 100 {
		name = string([]rune(name)[:100])
	}
	return strings.TrimSpace(name)
}

// passageRanges finds each passage's text in the submitted text, in
// order: byte ranges, [-1, -1] for a passage not found (one whose text was
// masked or rejoined). A passage's text is searched whole, else by its
// first line, else by its start up to a masked span.
func passageRanges(text string, ps []evident.Passage) [][2]int {
	out := make([][2]int, len(ps))
	cursor := 0
	for i, p := range ps {
		out[i] = [2]int{-1, -1}
		probe := p.Text
		for _, cut := range []func(string) string{
			func(s string) string { return s },
			func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l },
			func(s string) string {
				if j := strings.IndexByte(s, '['); j > 0 {
					return s[:j]
				}
				return ""
			},
		} {
			needle := strings.TrimSpace(cut(probe))
			if len(needle) < 4 && needle != strings.TrimSpace(p.Text) {
				continue
			}
			if j := strings.Index(text[cursor:], needle); j >= 0 {
				start := cursor + j
				end := start + len(needle)
				if needle != p.Text {
					end = start + len(p.Text) // about as long
					end = min(end, len(text))
				}
				out[i] = [2]int{start, end}
				cursor = start + len(needle)
				break
			}
		}
	}
	return out
}

// bestPassage is the passage whose range overlaps a selection most, or
// -1 when none does.
func bestPassage(ranges [][2]int, start, end int) int {
	best, bestLen := -1, 0
	if end == start {
		end = start + 1
	}
	for i, r := range ranges {
		if r[0] < 0 {
			continue
		}
		if n := min(r[1], end) - max(r[0], start); n > bestLen {
			best, bestLen = i, n
		}
	}
	return best
}

func short40(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}
