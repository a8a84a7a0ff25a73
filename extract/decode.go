package extract

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/saintfish/chardet"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// ErrBinary is wrapped by DecodeText's error for content that is not text.
var ErrBinary = errors.New("binary data, not text")

// DecodeText turns bytes of unknown encoding into clean UTF-8 with LF line
// ends: a BOM decides first (UTF-8, UTF-16), then valid UTF-8, then UTF-16
// without a BOM, then a detector, falling back to Windows-1252. Content that
// is mostly control bytes is refused as binary. The warnings say what was
// repaired.
func DecodeText(data []byte) (string, []string, error) {
	s, warnings, err := decode(data, nil)
	if err != nil {
		return "", nil, err
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\x00", "")
	s = strings.TrimLeft(s, "\uFEFF") // files saved twice carry two BOMs
	return s, warnings, nil
}

// decodePage turns a web page's bytes into UTF-8 the way a browser would:
// a BOM decides first, then the charset the page declares, then UTF-8
// when the bytes are valid UTF-8, then Windows-1252, the web's historical
// default. A page that declares a legacy charset but is valid UTF-8 with
// non-ASCII text was re-encoded when saved (tools do this and keep the old
// meta tag): it is read as UTF-8.
func decodePage(data []byte, declared func([]byte) string) (string, []string) {
	s, warnings, _ := decode(data, declared) // a page is never refused as binary
	return strings.TrimPrefix(s, "\uFEFF"), warnings
}

// decode is the one charset decoder behind DecodeText and decodePage. A
// BOM decides first. Then a web page, whose declared charset declared
// reads ("" for none), follows browsers (pageCharset); other bytes are
// read as UTF-16 without a BOM, as UTF-8 when valid, or as what a detector
// names (decodeLegacy), and refused when mostly control bytes. Either way
// invalid sequences are replaced and mojibake is repaired, with a warning
// for each.
func decode(data []byte, declared func([]byte) string) (string, []string, error) {
	var warnings []string
	var s string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		s = string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		s = decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		s = decodeUTF16(data[2:], true)
	case declared != nil:
		var how string
		s, how = pageCharset(data, declared(data))
		if how != "" {
			warnings = append(warnings, how)
		}
	// UTF-16 of ASCII text is also valid UTF-8 (NULs and letters), so it
	// must be spotted first.
	case looksUTF16(data, false):
		s = decodeUTF16(data, false)
	case looksUTF16(data, true):
		s = decodeUTF16(data, true)
	case utf8.Valid(data):
		s = string(data)
	default:
		if err := binaryCheck(data); err != nil {
			return "", nil, err
		}
		var how string
		s, how = decodeLegacy(data)
		warnings = append(warnings, how)
	}
	if !utf8.ValidString(s) {
		bad := countInvalid(s)
		s = strings.ToValidUTF8(s, "\uFFFD")
		warnings = append(warnings, fmt.Sprintf("%d invalid UTF-8 sequences replaced with U+FFFD", bad))
	}
	// binaryCheck looks at the first 64 KiB only: copy no more. A page
	// is markup, whatever bytes it holds.
	if declared == nil {
		if err := binaryCheck([]byte(s[:min(len(s), 64<<10)])); err != nil {
			return "", nil, err
		}
	}
	if fixed, ok := fixMojibake(s); ok {
		s = fixed
		warnings = append(warnings, "repaired mojibake (UTF-8 text that had been read as Windows-1252)")
	}
	return s, warnings, nil
}

// pageCharset decodes a page without a BOM by the charset it declares,
// as browsers do, and says why when it reads the page otherwise.
func pageCharset(data []byte, declared string) (string, string) {
	_, declared = charset.Lookup(declared) // "" when none or unknown
	if strings.HasPrefix(declared, "utf-16") {
		declared = "utf-8" // a meta tag readable as ASCII is not UTF-16
	}
	label, how := declared, ""
	validUTF8 := utf8.Valid(data)
	switch {
	case declared == "utf-8" && !validUTF8 && validShare(data) < 0.5:
		label, how = "windows-1252", "the page declares UTF-8 but is not; read as windows-1252"
	case declared != "" && declared != "utf-8" && validUTF8 && hasHighBit(data):
		label, how = "utf-8", fmt.Sprintf("the page declares the %s character set but is UTF-8; read as UTF-8", declared)
	case declared != "":
	case validUTF8:
		label = "utf-8"
	default:
		label, how = "windows-1252", "the page declares no character set and is not UTF-8; read as windows-1252"
	}
	if enc, name := charset.Lookup(label); enc != nil && name != "utf-8" {
		s, _ := enc.NewDecoder().String(string(data))
		return s, how
	}
	return string(data), how
}

func hasHighBit(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeReader is DecodeText for text read as a stream, perhaps more than
// once: it returns a function that gives a reader of the decoded text from
// its start each time it is called. Clean UTF-8, the common case, is read
// where it lies rather than copied into a string.
func decodeReader(data []byte) (func() io.Reader, []string, error) {
	if cleanUTF8(data) {
		return func() io.Reader { return bytes.NewReader(data) }, nil, nil
	}
	s, warnings, err := DecodeText(data)
	if err != nil {
		return nil, nil, err
	}
	return func() io.Reader { return strings.NewReader(s) }, warnings, nil
}

// cleanUTF8 reports whether DecodeText would give back the bytes as they
// are, but for CRLF line ends (which readers of lines and CSV take as
// they come).
func cleanUTF8(data []byte) bool {
	return !bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) &&
		!bytes.HasPrefix(data, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(data, []byte{0xFE, 0xFF}) &&
		!looksUTF16(data, false) && !looksUTF16(data, true) &&
		utf8.Valid(data) && binaryCheck(data) == nil &&
		bytes.IndexByte(data, 0) < 0 &&
		bytes.Count(data, []byte("\r")) == bytes.Count(data, []byte("\r\n")) &&
		!bytes.Contains(data, []byte("â€")) && !bytes.Contains(data, []byte("Ã"))
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		if bigEndian {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		} else {
			u = append(u, uint16(b[i+1])<<8|uint16(b[i]))
		}
	}
	return string(utf16.Decode(u))
}

// looksUTF16 spots BOM-less UTF-16 of Latin text: every other byte zero.
// An odd length (a file still being written) drops the last byte.
func looksUTF16(b []byte, bigEndian bool) bool {
	if len(b) < 4 {
		return false
	}
	n := min(len(b), 1024)
	zeros := 0
	for i := 0; i+1 < n; i += 2 {
		hi := b[i+1]
		if bigEndian {
			hi = b[i]
		}
		if hi == 0 {
			zeros++
		}
	}
	return zeros*10 >= (n/2)*9
}

// binaryCheck refuses content where control bytes are common: real text
// has tabs and line breaks, not NULs and escapes.
func binaryCheck(b []byte) error {
	n := min(len(b), 64<<10)
	if n == 0 {
		return nil
	}
	ctrl := 0
	for _, c := range b[:n] {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' {
			ctrl++
		}
	}
	if ctrl*100 > n*2 {
		return fmt.Errorf("%w (%d%% control bytes)", ErrBinary, ctrl*100/n)
	}
	return nil
}

// decodeLegacy decodes text that is not UTF-8. Text that is mostly valid
// UTF-8 with a few bad bytes is kept as UTF-8 (the bad bytes are replaced
// later); otherwise a detector names the encoding, and Windows-1252 is the
// fallback because it is what most such files are.
func decodeLegacy(b []byte) (string, string) {
	if validShare(b) >= 0.5 {
		return string(b), "the file is UTF-8 with invalid bytes"
	}
	if charset, ok := detectCharset(b[:min(len(b), 64<<10)]); ok {
		if enc, err := htmlindex.Get(charset); err == nil && !isUTF(charset) {
			if s, err := enc.NewDecoder().String(string(b)); err == nil {
				return s, "decoded as " + charset
			}
		}
	}
	s, _ := decodeWith(charmap.Windows1252, b)
	return s, "decoded as windows-1252"
}

// detectCharset names the likeliest charset. The detector runs its
// recognisers concurrently and returns ties in arrival order, so a tie is
// broken by name here: the same bytes must always decode the same way.
func detectCharset(b []byte) (string, bool) {
	all, err := chardet.NewTextDetector().DetectAll(b)
	if err != nil || len(all) == 0 || all[0].Confidence < 60 {
		return "", false
	}
	best := all[0]
	for _, r := range all[1:] {
		if r.Confidence != best.Confidence {
			break
		}
		if r.Charset < best.Charset {
			best = r
		}
	}
	return best.Charset, true
}

func isUTF(name string) bool { return strings.HasPrefix(strings.ToUpper(name), "UTF") }

func decodeWith(enc encoding.Encoding, b []byte) (string, error) {
	return enc.NewDecoder().String(string(b))
}

// validShare is the share of non-ASCII sequences that are valid UTF-8.
func validShare(b []byte) float64 {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	if valid+invalid == 0 {
		return 1
	}
	return float64(valid) / float64(valid+invalid)
}

func countInvalid(s string) int {
	n := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			n++
		}
		i += size
	}
	return n
}

// fixMojibake repairs the commonest damage: UTF-8 that was once read as
// Windows-1252 and saved again ("â€™" for "’"). It only rewrites when the
// round trip gives valid UTF-8 with fewer suspicious sequences.
func fixMojibake(s string) (string, bool) {
	if !strings.Contains(s, "â€") && !strings.Contains(s, "Ã") {
		return s, false
	}
	enc, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil || !utf8.ValidString(enc) {
		return s, false
	}
	if suspicious(enc) >= suspicious(s) {
		return s, false
	}
	return enc, true
}

func suspicious(s string) int {
	return strings.Count(s, "â€") + strings.Count(s, "Ã") + strings.Count(s, "Â")
}
