package tidy

import "testing"

// TestDate covers what the three date readers this one replaced handled:
// PDF information dictionaries, Office and OpenDocument properties, and web
// page metadata.
func TestDate(t *testing.T) {
	tests := []struct {
		from, in, want string
	}{
		// PDF: D:YYYYMMDDHHmmSSOHH'mm', keeping only what it states.
		{"pdf", "D:20080501000000Z", "2008-05-01"},
		{"pdf", "D:20240305093000+01'00'", "2024-03-05"},
		{"pdf", "D:2024", "2024"},
		{"pdf", "D:202403", "2024-03"},
		{"pdf", "D:202413", "2024"},
		{"pdf", "20231207", "2023-12-07"},
		{"pdf", "yesterday", ""},
		{"pdf", "D:00000101", ""},
		{"pdf", "D:19991231235959-05'00'xx", "1999-12-31"},
		// Office and OpenDocument properties: W3C timestamps, with or without
		// a zone or fraction.
		{"props", "2024-03-01T10:00:00Z", "2024-03-01"},
		{"props", "2026-03-04T09:30:00.123", "2026-03-04"},
		{"props", "2026-03-02", "2026-03-02"},
		{"props", " 2026-03-02T09:30:00+02:00 ", "2026-03-02"},
		{"props", "1899-12-31T00:00:00Z", ""},
		{"props", "", ""},
		{"props", "2024-13-01T00:00:00Z", ""},
		// Web pages: ISO with a zone kept as written, words, numeric dates
		// whose order a day above 12 makes plain.
		{"html", "2024-03-05T23:30:00-08:00", "2024-03-05"},
		{"html", "March 5, 2024", "2024-03-05"},
		{"html", "5 March 2024", "2024-03-05"},
		{"html", "Tue, 05 Mar 2024 10:00:00 GMT", "2024-03-05"},
		{"html", "21/11/2019", "2019-11-21"},
		{"html", "11/21/2019", "2019-11-21"},
		{"html", "21.11.19", "2019-11-21"},
		{"html", "12/03/2024", ""}, // ambiguous: the page keeps it as written
		{"html", "31/02/2024", ""},
		{"html", "no date here", ""},
		{"html", "3000-01-01", ""},
	}
	for _, tt := range tests {
		if got := Date(tt.in); got != tt.want {
			t.Errorf("%s: Date(%q) = %q, want %q", tt.from, tt.in, got, tt.want)
		}
	}
}

func TestSpaces(t *testing.T) {
	tests := map[string]string{
		"a\u00a0 b\t\tc":         "a b c",
		"soft\u00adhyphen\u200b": "softhyphen",
		"line one  \nline two":   "line one \nline two",
		"bell\x07":               "bell",
	}
	for in, want := range tests {
		if got := Spaces(in); got != want {
			t.Errorf("Spaces(%q) = %q, want %q", in, got, want)
		}
	}
}
