package evident

import "maps"

// Source is a document as cited: what a search hit and a map's quote say
// of where their words come from.
type Source struct {
	Title  string `json:"title"`
	File   string `json:"file"`
	Path   string `json:"path,omitempty"` // where it came from (the document's origin)
	SHA256 string `json:"sha256"`
	Kind   string `json:"kind"`
	URL    string `json:"url"`
	Author string `json:"author,omitempty"`
	Date   string `json:"date,omitempty"`
	// Attrs are the document's attributes (the user's metadata beyond
	// the keys Evident knows): variables of the source in a QDPX export.
	Attrs map[string]string `json:"attributes,omitempty"`
}

// SourceOf is the citation's view of a document.
func SourceOf(d *Document) Source {
	return Source{Title: d.Title, File: d.File, Path: d.Origin, SHA256: d.SHA256, Kind: string(d.Kind),
		URL: d.URL, Author: d.Author, Date: d.Date, Attrs: maps.Clone(d.Attrs)}
}
