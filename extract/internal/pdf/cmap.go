package pdf

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// codeMap is the predefined CMap a CJK composite font names as its
// /Encoding (UniGB-UCS2-H, GBK-EUC-H, 90ms-RKSJ-H...): the codes in its
// strings are then text in a known encoding, and the font needs no
// ToUnicode map. PDFs written with the standard CJK fonts (STSong-Light,
// MSung-Light, HeiseiMin-W3, HYSMyeongJo-Medium) use them; read as single
// bytes, their text comes out as Latin mojibake.
type codeMap struct {
	// codeLen is the length in bytes of the code raw starts with.
	codeLen func(raw string) int
	// decode turns one code into text.
	decode func(code string) string
}

// predefinedCMap returns the CMap of a composite font's /Encoding
// name, or nil for Identity-H/V and names it does not know.
func predefinedCMap(name string) *codeMap {
	base := strings.TrimSuffix(strings.TrimSuffix(name, "-H"), "-V")
	switch {
	case strings.HasSuffix(base, "-UCS2") || strings.HasSuffix(base, "-UCS2-HW"):
		return &codeMap{codeLen: fixedLen(2), decode: utf16BE}
	case strings.HasSuffix(base, "-UTF16"):
		return &codeMap{codeLen: utf16Len, decode: utf16BE}
	case strings.HasSuffix(base, "-UTF8"):
		return &codeMap{codeLen: utf8Len, decode: func(code string) string { return code }}
	case strings.HasSuffix(base, "-UTF32"):
		return &codeMap{codeLen: fixedLen(4), decode: utf32BE}
	case strings.HasPrefix(base, "GBK") || strings.HasPrefix(base, "GB-") || strings.HasPrefix(base, "GBpc-") || strings.HasPrefix(base, "GBT-"):
		return legacyCMap(simplifiedchinese.GBK, 0x81, 0xFE)
	case strings.HasPrefix(base, "B5") || strings.HasPrefix(base, "ETen") || strings.HasPrefix(base, "HKscs-B5"):
		return legacyCMap(traditionalchinese.Big5, 0x81, 0xFE)
	case strings.HasSuffix(base, "-RKSJ"):
		return &codeMap{
			codeLen: func(raw string) int {
				if c := raw[0]; c >= 0x81 && c <= 0x9F || c >= 0xE0 && c <= 0xFC {
					return min(2, len(raw))
				}
				return 1
			},
			decode: cmapDecoder(japanese.ShiftJIS),
		}
	case base == "EUC":
		return legacyCMap(japanese.EUCJP, 0x8E, 0xFE)
	case strings.HasPrefix(base, "KSC") || strings.HasPrefix(base, "KSCms-UHC"):
		return legacyCMap(korean.EUCKR, 0x81, 0xFE)
	}
	return nil
}

func fixedLen(n int) func(string) int {
	return func(raw string) int { return min(n, len(raw)) }
}

// legacyCMap reads a multi-byte encoding whose codes are one byte below
// lo (ASCII) and two bytes from lo to hi.
func legacyCMap(enc encoding.Encoding, lo, hi byte) *codeMap {
	return &codeMap{
		codeLen: func(raw string) int {
			if c := raw[0]; c >= lo && c <= hi {
				return min(2, len(raw))
			}
			return 1
		},
		decode: cmapDecoder(enc),
	}
}

func cmapDecoder(enc encoding.Encoding) func(string) string {
	return func(code string) string {
		s, err := enc.NewDecoder().String(code)
		if err != nil || !utf8.ValidString(s) {
			return "\uFFFD"
		}
		return s
	}
}

func utf16Len(raw string) int {
	if len(raw) >= 4 && raw[0] >= 0xD8 && raw[0] <= 0xDB {
		return 4
	}
	return min(2, len(raw))
}

func utf8Len(raw string) int {
	_, n := utf8.DecodeRuneInString(raw)
	return max(n, 1)
}

func utf16BE(code string) string {
	if len(code) < 2 {
		return "\uFFFD"
	}
	return string(utf16.Decode(utf16Units(code)))
}

func utf32BE(code string) string {
	if len(code) < 4 {
		return "\uFFFD"
	}
	r := rune(code[0])<<24 | rune(code[1])<<16 | rune(code[2])<<8 | rune(code[3])
	if !utf8.ValidRune(r) {
		return "\uFFFD"
	}
	return string(r)
}
