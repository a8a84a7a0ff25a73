package store

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/evident/evident"
)

// A passage's rule matches are most of its row: a passage has seven on
// average, and as JSON objects their keys took more room than their
// values. They are kept as JSON arrays instead, one per match:
//
//	[category, rule, text, weight]          when the match counted
//	[category, rule, text, weight, reason]  when it did not
//
// Rows written before hold arrays of objects ([{"category": …}]); both
// read back as the same matches.

// encodeMatches returns the column value of a passage's matches.
func encodeMatches(ms []evident.Match) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		row := []any{m.Category, m.Rule, m.Text, m.Weight}
		if m.Reason != "" {
			row = append(row, m.Reason)
		}
		// Marshal escapes as json.Marshal of the objects did; a float64
		// is written in its shortest form, which reads back the same.
		enc, _ := json.Marshal(row)
		b.Write(enc)
	}
	b.WriteByte(']')
	return b.String()
}

// decodeMatches reads a matches column in either form. An empty list is
// an empty slice, as json.Unmarshal of "[]" gives.
func decodeMatches(s string) ([]evident.Match, error) {
	if !compactMatches(s) {
		var ms []evident.Match
		err := json.Unmarshal([]byte(s), &ms)
		return ms, err
	}
	// One Unmarshal into values is as quick as the objects' was; strings
	// and numbers come back as the struct fields would hold them.
	var rows [][]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		return nil, err
	}
	ms := make([]evident.Match, len(rows))
	for i, row := range rows {
		if len(row) != 4 && len(row) != 5 {
			return nil, fmt.Errorf("match %d has %d fields, want 4 or 5", i, len(row))
		}
		var ok [5]bool
		m := &ms[i]
		m.Category, ok[0] = row[0].(string)
		m.Rule, ok[1] = row[1].(string)
		m.Text, ok[2] = row[2].(string)
		m.Weight, ok[3] = row[3].(float64)
		ok[4] = true
		if len(row) == 5 {
			m.Reason, ok[4] = row[4].(string)
		}
		if ok != [5]bool{true, true, true, true, true} {
			return nil, fmt.Errorf("match %d: %v is not [category, rule, text, weight, reason]", i, row)
		}
	}
	return ms, nil
}

// compactMatches reports whether a matches column is in the array form:
// its first match opens with '[' rather than '{'.
func compactMatches(s string) bool {
	first := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\r':
		case '[':
			if first {
				return true
			}
			first = true
		default:
			return false
		}
	}
	return false
}
