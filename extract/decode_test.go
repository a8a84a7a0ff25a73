package extract

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	var b []byte
	put := func(u uint16) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return b
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestDecodeText(t *testing.T) {
	const interview = "Interviewer: What does a “good” quarter look like?\r\nDana: Grüße aus Köln — we close on time.\r\n"
	const interviewLF = "Interviewer: What does a “good” quarter look like?\nDana: Grüße aus Köln — we close on time.\n"
	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00"), make([]byte, 200)...)

	tests := []struct {
		name     string
		in       []byte
		want     string
		wantWarn string // a substring of some warning; "" means no warnings at all
		wantErr  error
	}{
		{name: "plain ASCII", in: []byte("We use spreadsheets.\n"), want: "We use spreadsheets.\n"},
		{name: "empty", in: nil, want: ""},
		{name: "UTF-8 BOM stripped", in: []byte("\xEF\xBB\xBFHello, world"), want: "Hello, world"},
		{name: "UTF-8 BOM only", in: []byte("\xEF\xBB\xBF"), want: ""},
		{name: "UTF-8 BOM twice", in: []byte("\xEF\xBB\xBF\xEF\xBB\xBF\xEF\xBB\xBFHello"), want: "Hello"},
		{name: "UTF-16 LE with BOM", in: utf16Bytes(interview, false, true), want: interviewLF},
		{name: "UTF-16 BE with BOM", in: utf16Bytes(interview, true, true), want: interviewLF},
		// Notepad's "Unicode" without a BOM: every other byte is zero, which
		// is also valid UTF-8, so it must be spotted before the UTF-8 check.
		{name: "UTF-16 LE without BOM", in: utf16Bytes(interview, false, false), want: interviewLF},
		{name: "UTF-16 BE without BOM", in: utf16Bytes(interview, true, false), want: interviewLF},
		{name: "UTF-16 LE without BOM, ASCII only", in: utf16Bytes("Jane: we use spreadsheets.\r\nBob: why?", false, false), want: "Jane: we use spreadsheets.\nBob: why?"},
		{name: "UTF-16 BE without BOM, ASCII only", in: utf16Bytes("Jane: we use spreadsheets.", true, false), want: "Jane: we use spreadsheets."},
		{name: "UTF-16 LE without BOM, odd length", in: append(utf16Bytes("Dana: we close on time.", false, false), 'x'), want: "Dana: we close on time."},
		{
			name:     "Windows-1252 quotes and accents",
			in:       []byte("The CFO said \x93we can\x92t wait\x94 and the caf\xe9 agreed. R\xe9sum\xe9 attached.\r\n"),
			want:     "The CFO said “we can’t wait” and the café agreed. Résumé attached.\n",
			wantWarn: "decoded as",
		},
		{name: "CRLF to LF", in: []byte("one\r\ntwo\r\n\r\nthree"), want: "one\ntwo\n\nthree"},
		{name: "lone CR to LF", in: []byte("one\rtwo\r\rthree"), want: "one\ntwo\n\nthree"},
		{name: "mixed line ends", in: []byte("one\r\ntwo\rthree\nfour"), want: "one\ntwo\nthree\nfour"},
		{
			name:     "mostly valid UTF-8 with a bad byte",
			in:       []byte("We don’t know. It’s fine\xff and the café is open."),
			want:     "We don’t know. It’s fine\uFFFD and the café is open.",
			wantWarn: "1 invalid UTF-8 sequences replaced",
		},
		{
			name:     "mojibake repaired",
			in:       []byte("We donâ€™t trust the numbers â€” not yet."),
			want:     "We don’t trust the numbers — not yet.",
			wantWarn: "repaired mojibake",
		},
		// A real "Ã" in correct text must survive: re-encoding it is not UTF-8.
		{name: "genuine Ã kept", in: []byte("SÃO PAULO office"), want: "SÃO PAULO office"},
		{name: "NUL bytes", in: make([]byte, 300), wantErr: ErrBinary},
		{name: "ELF header", in: elf, wantErr: ErrBinary},
		{name: "random bytes", in: randomBytes(4096, 1), wantErr: ErrBinary},
		{name: "random bytes, other seed", in: randomBytes(512, 7), wantErr: ErrBinary},
		{name: "UTF-8 text with many controls", in: []byte(strings.Repeat("ab\x01\x02\x03", 50)), wantErr: ErrBinary},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings, err := DecodeText(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("DecodeText error = %v, want one wrapping %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("DecodeText: %v", err)
			}
			if got != tt.want {
				t.Errorf("DecodeText = %q, want %q", got, tt.want)
			}
			if tt.wantWarn == "" && len(warnings) > 0 {
				t.Errorf("warnings = %q, want none", warnings)
			}
			if tt.wantWarn != "" && !strings.Contains(strings.Join(warnings, "\n"), tt.wantWarn) {
				t.Errorf("warnings = %q, want one containing %q", warnings, tt.wantWarn)
			}
			checkDecoded(t, got)
		})
	}
}

// checkDecoded holds what every DecodeText result promises.
func checkDecoded(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Errorf("output is not valid UTF-8: %q", s)
	}
	if strings.ContainsAny(s, "\r\x00") {
		t.Errorf("output keeps CR or NUL: %q", s)
	}
	if strings.HasPrefix(s, "\uFEFF") {
		t.Errorf("output keeps a BOM: %q", s)
	}
}

func FuzzDecodeText(f *testing.F) {
	addSeedFiles(f, "testdata/text/*")
	f.Add([]byte("donâ€™t \r\n\x93q\x94"))
	f.Add(utf16Bytes("Dana: hi\r\n", false, false))
	f.Add([]byte{0xFE, 0xFF, 0xD8, 0x00}) // BOM then a lone high surrogate
	f.Fuzz(func(t *testing.T, data []byte) {
		s, warnings, err := DecodeText(data)
		if err != nil {
			if !errors.Is(err, ErrBinary) {
				t.Fatalf("error %v does not wrap ErrBinary", err)
			}
			return
		}
		checkDecoded(t, s)
		for _, w := range warnings {
			if !utf8.ValidString(w) {
				t.Errorf("warning is not valid UTF-8: %q", w)
			}
		}
		// Decoding is idempotent: what comes out is clean UTF-8 and reads
		// back the same, unless the second pass finds (double) mojibake.
		again, w2, err := DecodeText([]byte(s))
		if err != nil {
			// The binary threshold is measured before line ends are
			// normalised, so text right at it may tip over; far below it,
			// a refusal is a bug.
			if errors.Is(err, ErrBinary) && controlShare(s) > 0.015 {
				return
			}
			t.Fatalf("decoded text refused on a second pass: %v", err)
		}
		if again != s && !strings.Contains(strings.Join(w2, "\n"), "mojibake") {
			t.Errorf("second decode changed the text: %q -> %q (warnings %q)", s, again, w2)
		}
	})
}

func controlShare(s string) float64 {
	n := min(len(s), 64<<10)
	ctrl := 0
	for _, c := range []byte(s[:n]) {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\f' {
			ctrl++
		}
	}
	return float64(ctrl) / float64(max(n, 1))
}

// The charset detector breaks ties between encodings in whatever order its
// goroutines finish; the same bytes must still give the same text, or a
// re-ingested file would change its quotes.
func TestDecodeTextDeterministic(t *testing.T) {
	for _, in := range [][]byte{
		[]byte("0\x83\xd4\xef"),
		[]byte("\xc0\xe1\xe2 \xe3\xe4"),
		[]byte("caf\xe9 cr\xe8me br\xfbl\xe9e"),
		randomBytes(64, 11),
	} {
		first, _, err1 := DecodeText(in)
		for range 200 {
			got, _, err := DecodeText(in)
			if got != first || (err == nil) != (err1 == nil) {
				t.Fatalf("DecodeText(%q) gave %q (%v), then %q (%v)", in, first, err1, got, err)
			}
		}
	}
}
