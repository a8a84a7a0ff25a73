package redact

import (
	"testing"
	"unicode/utf8"
)

// FuzzMask: masking never panics, finds spans in order, apart and on
// character boundaries, and masking masked text changes nothing more.
func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"Call (202) 555-0143 or jane.doe@example.com",
		"IBAN GB82 WEST 1234 5698 7654 32, card 4111 1111 1111 1111",
		"SSN 078-05-1120, NINO AB 12 34 56 C, from 192.168.1.20 and 2001:db8::1",
		"[00:01:23] RK: Ravi Kumar paid $1,200.50 (12%) on 2024-01-22, v1.2.3",
		"r.kumar [at] halden [dot] com; my phone number is 555 0143",
	} {
		f.Add(s, "Ravi Kumar")
	}
	r, _ := New(Config{Enabled: true})
	f.Fuzz(func(t *testing.T, text, name string) {
		names := []string{name}
		spans := r.Find(text, names)
		last := 0
		for _, s := range spans {
			if s.Start < last || s.End <= s.Start || s.End > len(text) {
				t.Fatalf("span %+v out of order or bounds in %q", s, text)
			}
			if utf8.ValidString(text) && (!utf8.ValidString(text[s.Start:s.End]) || !utf8.ValidString(text[:s.Start])) {
				t.Fatalf("span %+v splits a character in %q", s, text)
			}
			last = s.End
		}
		once := r.Document(names).Mask(text)
		if twice := r.Document(names).Mask(once); twice != once {
			t.Fatalf("masking again changed %q to %q", once, twice)
		}
	})
}
