// Package api is what an open data folder offers, as one Go interface:
// the engine implements it in process, web.Client over HTTP, and the
// command line and the web pages are written against it. Its failures are
// Errors of a Kind, which one table maps to HTTP statuses and exit
// statuses.
package api

import (
	"context"

	"github.com/evident/evident"
	"github.com/evident/evident/classify"
	"github.com/evident/evident/maps"
	"github.com/evident/evident/persona"
	"github.com/evident/evident/search"
	"github.com/evident/evident/store"
)

// Service is everything the command line and the pages ask of a data
// folder. by names who makes a change, for the maps' history and the
// review log.
type Service interface {
	Reader
	Pipeline
	Maps
	Reviews
}

// Reader finds and reads evidence.
type Reader interface {
	Search(ctx context.Context, req search.Request) (*search.Response, error)
	// Documents is every document, or with hashes only those (a hash
	// no document has is left out): waiting for a few submitted files
	// reads those, whatever the size of the collection.
	Documents(ctx context.Context, shas ...string) ([]evident.Document, error)
	// Status is every document and the state of the data folder's disk.
	Status(ctx context.Context) (*Status, error)
	Show(ctx context.Context, ref string) (*Shown, error)
	// Passage returns a passage with up to around passages either side.
	Passage(ctx context.Context, id string, around int) (*InContext, error)
	Matrix(ctx context.Context) (*Matrix, error)
	// Categories are the rules' categories, in their order.
	Categories(ctx context.Context) ([]string, error)
}

// Pipeline takes files in and runs documents again.
type Pipeline interface {
	Ingest(ctx context.Context, s Submission) (*Submitted, error)
	Retry(ctx context.Context, refs []string, failed bool) (*Retried, error)
	Reindex(ctx context.Context) (int, error)
	Reclassify(ctx context.Context) (Reclassified, error)
	// ImportQDA brings in a REFI-QDA project: its documents, and its
	// codings as tags and as quotes on a map.
	ImportQDA(ctx context.Context, data []byte, opts ImportOptions) (*ImportReport, error)
}

// Maps are the empathy maps. New map operations go here, with their
// route in web/maps.go and their call in web/client_maps.go.
type Maps interface {
	ListMaps(ctx context.Context) ([]maps.Summary, error)
	CreateMap(ctx context.Context, info maps.Info, by string) (*maps.Map, error)
	GetMap(ctx context.Context, name string) (*maps.Map, error)
	EditMap(ctx context.Context, name string, edit maps.Edit, by string) (*maps.Map, error)
	DeleteMap(ctx context.Context, name, by string) error
	AttachQuote(ctx context.Context, name string, a maps.Attachment, by string) (*maps.Quote, error)
	UpdateQuote(ctx context.Context, name, id string, u maps.QuoteUpdate, by string) (*maps.Quote, error)
	// DetachQuote takes a quote off, by its id or its passage's.
	DetachQuote(ctx context.Context, name, ref, by string) (*maps.Quote, error)
	UndoMap(ctx context.Context, name, by string) (*maps.Undone, error)
	MapHistory(ctx context.Context, name string) ([]maps.Change, error)
	SuggestQuotes(ctx context.Context, name string, perCell int) (*maps.Suggestions, error)
	ExportMap(ctx context.Context, name, format string, o maps.ExportOptions) (*maps.Export, error)
	// ImportMap stores a map from a JSON export, under rename when given.
	ImportMap(ctx context.Context, data []byte, rename, by string) (*maps.Map, error)
	Insights
}

// Insights are a map's themes, needs and assumptions (maps/insight.go).
// A change answers the whole map as it is after it.
type Insights interface {
	// ProposeThemes proposes themes for a cell, or for every cell with
	// quotes when cell is ""; it changes nothing.
	ProposeThemes(ctx context.Context, name, cell string) (*maps.Proposals, error)
	ChangeThemes(ctx context.Context, name string, c maps.ThemeChange, by string) (*maps.Map, error)
	ChangeNeeds(ctx context.Context, name string, c maps.NeedChange, by string) (*maps.Map, error)
	ChangeAssumptions(ctx context.Context, name string, c maps.AssumptionChange, by string) (*maps.Map, error)
	// SuggestNeeds drafts needs from the themes of PAINS and GAINS.
	SuggestNeeds(ctx context.Context, name string) ([]maps.NeedSuggestion, error)
}

// Reviews are people's corrections: of passages' tags and of speakers.
type Reviews interface {
	Tag(ctx context.Context, id string, edit TagEdit, by string) (*Reviewed, error)
	// Reviews is the review log: one passage's entries, or every entry
	// when passageID is empty.
	Reviews(ctx context.Context, passageID string) ([]store.Review, error)
	ReviewGold(ctx context.Context) ([]classify.Gold, error)
	SetSpeaker(ctx context.Context, doc, name string, edit persona.Correction, by string) (*evident.Document, error)
}
