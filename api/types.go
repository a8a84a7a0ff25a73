package api

import (
	"fmt"
	"time"

	"github.com/evident/evident"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/store"
)

// The request and response types of the Service. Their JSON is the HTTP
// API's, which the command line and outside scripts read: field names
// stay as they are even where the Go names now differ.

// Shown is one document with all its passages: `evident show`, GET
// /api/documents/{ref}.
type Shown struct {
	Document *evident.Document `json:"document"`
	Passages []evident.Passage `json:"passages"`
}

// Status is every document and its state, and the state of the data
// folder's disk: `evident status --json`, GET /api/status.
type Status struct {
	Documents []evident.Document `json:"documents"`
	Disk      Disk               `json:"disk"`
}

// Disk is the state of the data folder's disk, for status and the
// Ingestion page.
type Disk struct {
	Free uint64 `json:"free_bytes"`
	// Full is true while writes fail for want of space (or fewer than
	// queue.MinFree bytes are free): documents wait, and go on by
	// themselves when space returns.
	Full bool `json:"full"`
	// Problem says what refused to write, while Full.
	Problem string    `json:"problem,omitempty"`
	Since   time.Time `json:"since,omitzero"` // when the disk was first seen full
}

// String is the sentence status prints while the disk is full, "" when not.
func (d Disk) String() string {
	if !d.Full {
		return ""
	}
	s := fmt.Sprintf("The data folder's disk is full (%s free", HumanSize(int64(d.Free)))
	if !d.Since.IsZero() {
		s += fmt.Sprintf(", since %s", d.Since.Local().Format(time.TimeOnly))
	}
	s += "): documents wait for disk space and go on by themselves when space returns."
	if d.Problem != "" {
		s += " Last refusal: " + d.Problem
	}
	return s
}

// HumanSize writes a number of bytes for people: 1.5 MiB.
func HumanSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// Matrix is the evidence matrix: passages per role and category, like a
// QDA matrix coding query, so a team sees where a map has no evidence.
type Matrix struct {
	Categories []string                       `json:"categories"` // in the rules' order
	Roles      []string                       `json:"roles"`      // most evidence first; "" (no role) last
	Cells      map[string]*store.RoleCoverage `json:"cells"`      // role → its evidence
}

// InContext is one passage inside its document, with the passages around
// it, so that a person can judge a quote before using it.
type InContext struct {
	Document *evident.Document `json:"document"`
	Before   []evident.Passage `json:"before"`
	Passage  evident.Passage   `json:"passage"`
	After    []evident.Passage `json:"after"`
}

// Categories are the categories of the rules in force, in their order:
// GET /api/categories.
type Categories struct {
	Categories []string `json:"categories"`
}

// Submission is a file handed in to be ingested.
type Submission struct {
	Path       string       // where to read the bytes
	Name       string       // file name shown to people; Path's base name when empty
	Origin     string       // identity of the source: inbox-relative path, absolute path, upload:name; Path made absolute when empty
	Meta       evident.Meta // what the user said (sidecar or upload form); read from Path's sidecar when zero
	FolderRole string       // the role of the inbox folder it was found in
	// Keep keeps the file's bytes in the queue's store once its document
	// is indexed (they leave it otherwise): see engine.Options.KeepFiles.
	Keep bool
}

// Submitted says what became of a submission: POST /api/ingest.
type Submitted struct {
	Document *evident.Document `json:"document"`
	Outcome  store.Outcome     `json:"outcome"` // new, changed, duplicate, refreshed…, by name
}

// RetryRequest is the body of POST /api/retry: documents to run again (as
// `evident show` names them), and whether to run every failed one.
type RetryRequest struct {
	Documents []string `json:"documents,omitempty"`
	Failed    bool     `json:"failed,omitempty"`
}

// Retried says what Retry did.
type Retried struct {
	Queued  []evident.Document `json:"queued"`            // queued again, as they now stand
	Skipped []Skipped          `json:"skipped,omitempty"` // left as they were, and why
}

// Skipped is a document Retry left as it was.
type Skipped struct {
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	Reason string `json:"reason"`
	// Queued is true when the document is left alone because its job is
	// already waiting: it ends like the others.
	Queued bool `json:"queued,omitempty"`
}

// Reindexed says how many passages a reindex wrote: POST /api/reindex.
type Reindexed struct {
	Passages int `json:"passages"`
}

// Reclassified says what Reclassify changed.
type Reclassified struct {
	Passages int `json:"passages"` // passages classified again
	Changed  int `json:"changed"`  // passages whose categories changed
}

// TagEdit is what a person asks of a passage's tags. Exactly one of:
// Accept the tags it has; Clear the person's tags, so that the rules'
// stand again; Set exactly these categories (none, when empty but not
// nil); or Add and Remove categories relative to the tags it has.
type TagEdit struct {
	Accept bool      `json:"accept,omitempty"`
	Clear  bool      `json:"clear,omitempty"`
	Set    *[]string `json:"set,omitempty"`
	Add    []string  `json:"add,omitempty"`
	Remove []string  `json:"remove,omitempty"`
}

// Reviewed is what a review did: its entry in the log, and the passage as
// it now stands.
type Reviewed struct {
	Review  store.Review    `json:"review"`
	Passage evident.Passage `json:"passage"`
}

// ReviewLog is the body of GET /api/reviews.
type ReviewLog struct {
	Reviews []store.Review `json:"reviews"`
}

// MapList is the body of GET /api/maps.
type MapList struct {
	Maps []maps.Summary `json:"maps"`
}

// MapHistory is the body of GET /api/maps/{name}/history.
type MapHistory struct {
	Changes []maps.Change `json:"changes"`
}

// NeedSuggestions is the body of GET /api/maps/{name}/needs/suggest.
type NeedSuggestions struct {
	Suggestions []maps.NeedSuggestion `json:"suggestions"`
}

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
