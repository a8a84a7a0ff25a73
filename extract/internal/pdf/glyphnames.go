package pdf

import (
	"io"
	"regexp"
	"strconv"
	"strings"

	pdflib "github.com/ledongthuc/pdf"
	"golang.org/x/text/unicode/norm"
)

// Simple fonts without a ToUnicode map name their glyphs instead: in the
// /Differences of their encoding, or in the encoding built into an
// embedded Type 1 program (how TeX writes its fonts, ligatures included).
// The library knows the first only for some encodings and not the second.

// glyphNames returns the glyph names a simple font assigns to codes.
func glyphNames(font pdflib.Value) map[int]string {
	names := map[int]string{}
	enc := font.Key("Encoding")
	switch {
	case enc.Kind() == pdflib.Name && enc.Name() == "StandardEncoding",
		enc.IsNull() && font.Key("Subtype").Name() == "Type1" && font.Key("FontDescriptor").Key("FontFile").IsNull():
		for c, n := range standardDiffs {
			names[c] = n
		}
	case enc.IsNull() || enc.Kind() == pdflib.Dict && enc.Key("BaseEncoding").IsNull():
		if ff := font.Key("FontDescriptor").Key("FontFile"); ff.Kind() == pdflib.Stream {
			type1Encoding(ff, names)
		}
	}
	if enc.Kind() == pdflib.Dict {
		d := enc.Key("Differences")
		code := 0
		for i := range min(d.Len(), 1024) {
			switch x := d.Index(i); x.Kind() {
			case pdflib.Integer:
				code = int(x.Int64())
			case pdflib.Name:
				if code >= 0 && code < 256 {
					names[code] = x.Name()
				}
				code++
			}
		}
	}
	return names
}

var type1Dup = regexp.MustCompile(`dup\s+(\d{1,3})\s*/([^\s/\[\]()<>{}%]+)\s+put`)

// type1Encoding reads "dup 12 /fi put" entries from the clear-text part
// of a Type 1 font program.
func type1Encoding(ff pdflib.Value, names map[int]string) {
	n := ff.Key("Length1").Int64()
	if n <= 0 || n > 256<<10 {
		n = 256 << 10
	}
	rc := ff.Reader()
	defer rc.Close()
	clear, _ := io.ReadAll(io.LimitReader(rc, n))
	i := strings.Index(string(clear), "/Encoding")
	if i < 0 {
		return
	}
	for _, m := range type1Dup.FindAllSubmatch(clear[i:], 256) {
		if c, err := strconv.Atoi(string(m[1])); err == nil && c < 256 {
			if _, set := names[c]; !set {
				names[c] = string(m[2])
			}
		}
	}
}

// glyphText maps a glyph name to its text following the Adobe Glyph
// List conventions: uniXXXX and uXXXX names, ligatures written with "_",
// variants after ".", and a table of the names fonts commonly use.
func glyphText(name string) string {
	if i := strings.IndexByte(name, '.'); i > 0 {
		name = name[:i]
	}
	if strings.Contains(name, "_") {
		var b strings.Builder
		for _, part := range strings.Split(name, "_") {
			b.WriteString(glyphText(part))
		}
		return b.String()
	}
	if s, ok := glyphTable[name]; ok {
		return s
	}
	if len(name) == 1 && (name[0] >= 'a' && name[0] <= 'z' || name[0] >= 'A' && name[0] <= 'Z') {
		return name
	}
	if rest, ok := strings.CutPrefix(name, "uni"); ok && len(rest) >= 4 && len(rest)%4 == 0 {
		var units []uint16
		for i := 0; i < len(rest); i += 4 {
			v, err := strconv.ParseUint(rest[i:i+4], 16, 16)
			if err != nil {
				return ""
			}
			units = append(units, uint16(v))
		}
		return cleanGlyph(string(decodeUnits(units)))
	}
	if rest, ok := strings.CutPrefix(name, "u"); ok && len(rest) >= 4 && len(rest) <= 6 {
		if v, err := strconv.ParseUint(rest, 16, 32); err == nil {
			return cleanGlyph(string(rune(v)))
		}
	}
	// Accented letters: a base letter and an accent name ("eacute").
	for accent, mark := range accents {
		if base, ok := strings.CutSuffix(name, accent); ok && len(base) == 1 {
			return norm.NFC.String(base + mark)
		}
	}
	return ""
}

var accents = map[string]string{
	"acute": "\u0301", "grave": "\u0300", "circumflex": "\u0302", "tilde": "\u0303",
	"dieresis": "\u0308", "ring": "\u030A", "cedilla": "\u0327", "caron": "\u030C",
	"macron": "\u0304", "breve": "\u0306", "ogonek": "\u0328", "dotaccent": "\u0307",
	"hungarumlaut": "\u030B", "commaaccent": "\u0326",
}

// StandardEncoding, the default of the standard fonts, differs from
// Latin-1 in its quotes and its upper half.
var standardDiffs = map[int]string{
	0x27: "quoteright", 0x60: "quoteleft", 0xA4: "fraction", 0xA9: "quotesingle", 0xAA: "quotedblleft",
	0xAE: "fi", 0xAF: "fl", 0xB1: "endash", 0xB7: "bullet", 0xBA: "quotedblright",
	0xBC: "ellipsis", 0xD0: "emdash", 0xE1: "AE", 0xF1: "ae", 0xF5: "dotlessi", 0xFA: "oe", 0xFB: "germandbls",
}

var glyphTable = map[string]string{
	"space": " ", "nbspace": " ", "exclam": "!", "quotedbl": "\"", "numbersign": "#", "dollar": "$",
	"percent": "%", "ampersand": "&", "quotesingle": "'", "quoteright": "’", "quoteleft": "‘",
	"parenleft": "(", "parenright": ")", "asterisk": "*", "plus": "+", "comma": ",", "hyphen": "-",
	"sfthyphen": "-", "minus": "−", "period": ".", "slash": "/", "zero": "0", "one": "1", "two": "2",
	"three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9",
	"colon": ":", "semicolon": ";", "less": "<", "equal": "=", "greater": ">", "question": "?",
	"at": "@", "bracketleft": "[", "backslash": "\\", "bracketright": "]", "asciicircum": "^",
	"underscore": "_", "grave": "`", "braceleft": "{", "bar": "|", "braceright": "}", "asciitilde": "~",
	"exclamdown": "¡", "cent": "¢", "sterling": "£", "yen": "¥", "Euro": "€", "section": "§",
	"copyright": "©", "registered": "®", "trademark": "™", "degree": "°", "plusminus": "±",
	"paragraph": "¶", "periodcentered": "·", "bullet": "•", "ordfeminine": "ª", "ordmasculine": "º",
	"guillemotleft": "«", "guillemotright": "»", "guilsinglleft": "‹", "guilsinglright": "›",
	"questiondown": "¿", "multiply": "×", "divide": "÷", "endash": "–", "emdash": "—",
	"quotedblleft": "“", "quotedblright": "”", "quotesinglbase": "‚", "quotedblbase": "„",
	"dagger": "†", "daggerdbl": "‡", "ellipsis": "…", "perthousand": "‰", "fraction": "⁄",
	"fi": "fi", "fl": "fl", "ff": "ff", "ffi": "ffi", "ffl": "ffl", "dotlessi": "ı", "dotlessj": "ȷ",
	"germandbls": "ß", "AE": "Æ", "ae": "æ", "OE": "Œ", "oe": "œ", "Oslash": "Ø", "oslash": "ø",
	"Lslash": "Ł", "lslash": "ł", "Eth": "Ð", "eth": "ð", "Thorn": "Þ", "thorn": "þ", "mu": "µ",
	"onehalf": "½", "onequarter": "¼", "threequarters": "¾", "logicalnot": "¬", "brokenbar": "¦",
	"currency": "¤", "florin": "ƒ", "circumflex": "ˆ", "tilde": "˜", "acute": "´", "dieresis": "¨",
	"cedilla": "¸", "macron": "¯", "arrowright": "→", "arrowleft": "←", "checkmark": "✓",
}
