package maps

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
)

// JSONFormat names Evident's map files; JSONVersion is the version this
// program writes and the newest it reads. Version 2 added the header's
// title, situation and priority, themes, needs and assumptions; a
// program that reads version 1 only would drop them, so it refuses the
// file instead.
const (
	JSONFormat  = "evident-map"
	JSONVersion = 2
)

// document is a map as a JSON file: the map, marked as one.
type document struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	*Map
}

// JSON writes the whole map, every snapshot included, in the form that
// ParseJSON reads back (`evident map import`). Statuses are as of the
// export and are computed again after an import.
func JSON(w io.Writer, m *Map) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // a file people read; no page runs it
	return enc.Encode(document{Format: JSONFormat, Version: JSONVersion, Map: m})
}

// ParseJSON reads a map written by JSON.
func ParseJSON(data []byte) (*Map, error) {
	var doc struct {
		Format  string          `json:"format"`
		Version int             `json:"version"`
		Cells   json.RawMessage `json:"cells"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, jsonError(data, err)
	}
	switch {
	case doc.Format != "" && doc.Format != JSONFormat:
		return nil, fail(ErrInvalid, "the file is a %q, not an Evident map (%q)", doc.Format, JSONFormat)
	case doc.Version > JSONVersion:
		return nil, fail(ErrInvalid, "the file is an Evident map of version %d; this program reads up to version %d", doc.Version, JSONVersion)
	case len(doc.Cells) == 0 || bytes.Equal(doc.Cells, []byte("null")):
		return nil, fail(ErrInvalid, `the file is not an Evident map export: it has no "cells"`)
	}
	var m Map
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, jsonError(data, err)
	}
	return &m, nil
}

// jsonError says where in the file JSON went wrong, by line.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fail(ErrInvalid, "the file is not valid JSON: line %d: %v", lineAt(data, syn.Offset), err)
	case errors.As(err, &typ):
		field := typ.Field[strings.LastIndex(typ.Field, ".")+1:] // "Info.name" names the embedded struct too
		if field == "" {
			return fail(ErrInvalid, "the file should be a JSON object, not a JSON %s", typ.Value)
		}
		return fail(ErrInvalid, "the file's %q on line %d should be a %s, not a JSON %s", field, lineAt(data, typ.Offset), typ.Type, typ.Value)
	}
	return fail(ErrInvalid, "the file is not a valid map: %v", err)
}

func lineAt(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
