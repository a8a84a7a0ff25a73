package redact

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The detectors' patterns find candidates; each candidate is then checked
// (its edges, its digits, its checksum) before it counts.
var (
	emailRE = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}`)
	// "jane [at] example [dot] com", "jane at example dot com".
	emailSpelledRE = regexp.MustCompile(`(?i)[A-Za-z0-9._%+\-]+\s*(?:\[at\]|\(at\)|\{at\}|\sat\s)\s*[A-Za-z0-9\-]+(?:\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s)\s*[A-Za-z0-9\-]+)+`)

	cardRE = regexp.MustCompile(`\d(?:[ \-]?\d){11,18}`)

	ssnRE        = regexp.MustCompile(`\d{3}([- ])\d{2}([- ])\d{4}`)
	ssnKeywordRE = regexp.MustCompile(`(?i)\b(?:ssn|ss#|social security(?: number| no\.?| #)?)\s*(?:is|:|#|was)?\s*(\d{9})\b`)

	ninoRE = regexp.MustCompile(`[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]`)

	ibanStartRE = regexp.MustCompile(`[A-Z]{2}\d{2}`)

	ipv4RE = regexp.MustCompile(`\d{1,3}(?:\.\d{1,3}){3}`)
	ipv6RE = regexp.MustCompile(`[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\d{1,3}(?:\.\d{1,3}){3})?`)

	phoneRE = []*regexp.Regexp{
		// International: +44 20 7946 0958, +1-202-555-0143, +49 (0)30 1234567.
		regexp.MustCompile(`\+[1-9]\d{0,2}(?:[ .\-]?(?:\(\d{1,5}\)|\d{1,5})){2,6}`),
		// North American: (202) 555-0143, 202-555-0143, 202.555.0143, 1 202 555 0143.
		regexp.MustCompile(`(?:1[ .\-])?(?:\([2-9]\d{2}\)[ \x{a0}]?|[2-9]\d{2}[ .\-–\x{a0}])[2-9]\d{2}[ .\-–\x{a0}]\d{4}`),
		// National numbers with a trunk 0: 020 7946 0958, 07700 900123,
		// 0161-496-0000, 030/12345678, 01 23 45 67 89.
		regexp.MustCompile(`0\d{2,4}[ \-/]\d{3,8}(?:[ \-]\d{3,4})?`),
		regexp.MustCompile(`0[1-9](?:[ .]\d{2}){4}`),
		regexp.MustCompile(`0\d{9,10}`),
	}
	// "my phone is 555 0143": a number said to be a phone number.
	phoneKeywordRE = regexp.MustCompile(`(?i)\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|whatsapp|call (?:me|us)|text (?:me|us)|reach (?:me|us))\b(?:[ \t]*(?:number|no\.?|#|is|on|at|:))*[ \t]*(\+?\(?\d[\d ().\-]{5,18}\d)`)

	dateLikeRE = []*regexp.Regexp{
		regexp.MustCompile(`^\d{4}[\-/.]\d{1,2}[\-/.]\d{1,2}$`),
		regexp.MustCompile(`^\d{1,2}[\-/.]\d{1,2}[\-/.]\d{2,4}$`),
		regexp.MustCompile(`^(?:19|20)\d{2} ?[\-/] ?(?:19|20)?\d{2}$`),
	}
)

func findEmails(text string) [][2]int {
	var out [][2]int
	if strings.IndexByte(text, '@') < 0 {
		goto spelled
	}
	for _, m := range emailRE.FindAllStringIndex(text, -1) {
		s, e := m[0], m[1]
		for s < e && (text[s] == '.' || text[s] == '-') {
			s++
		}
		if text[s] == '@' {
			continue
		}
		out = append(out, [2]int{s, e})
	}
spelled:
	if lower := strings.ToLower(text); !strings.Contains(lower, "[at]") && !strings.Contains(lower, "(at)") &&
		!strings.Contains(lower, "{at}") && !(strings.Contains(lower, " at ") && strings.Contains(lower, " dot ")) {
		return out
	}
	for _, m := range emailSpelledRE.FindAllStringIndex(text, -1) {
		cand := strings.ToLower(text[m[0]:m[1]])
		spelled := strings.Contains(cand, "[at]") || strings.Contains(cand, "(at)") || strings.Contains(cand, "{at}")
		if !spelled {
			// "x at y dot com" in plain words only with a domain ending.
			i := strings.LastIndex(cand, " dot ")
			if i < 0 || !topLevel[strings.TrimSpace(cand[i+5:])] {
				continue
			}
		}
		out = append(out, [2]int{m[0], m[1]})
	}
	return out
}

var topLevel = map[string]bool{"com": true, "org": true, "net": true, "io": true, "edu": true, "gov": true,
	"co": true, "uk": true, "de": true, "fr": true, "nl": true, "eu": true, "info": true, "biz": true}

// digitCount counts the ASCII digits of a text: each number detector
// needs a few before its patterns are worth running.
func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

// numberEdge reports whether a number found at text[s:e] stands alone: no
// letter or digit runs on into it, and it is not part of a longer number
// written with separators ("2024-01-22", "1.2.3.4.5").
func numberEdge(text string, s, e int) bool {
	if s > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:s])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return false
		}
		if strings.ContainsRune(".,-/:+", r) && s-size > 0 {
			p, _ := utf8.DecodeLastRuneInString(text[:s-size])
			if unicode.IsDigit(p) {
				return false
			}
		}
	}
	if e < len(text) {
		r, size := utf8.DecodeRuneInString(text[e:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' {
			return false
		}
		if strings.ContainsRune(".,-/:", r) && e+size < len(text) {
			n, _ := utf8.DecodeRuneInString(text[e+size:])
			if unicode.IsDigit(n) {
				return false
			}
		}
	}
	return true
}

func digitsOf(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// luhn reports whether a string of digits passes the Luhn check.
func luhn(digits string) bool {
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// cardIssuer reports whether digits start like a payment card of their
// length: Visa, Mastercard, American Express, Discover, JCB, Diners Club,
// UnionPay, Maestro.
func cardIssuer(d string) bool {
	n := len(d)
	p2 := atoi(d[:2])
	p4 := atoi(d[:4])
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p2 == 36 || p2 == 38 || p2 == 39 || (p2 == 30 && d[2] <= '5'):
		return n >= 14 && n <= 19
	case p4 >= 3528 && p4 <= 3589:
		return n >= 16 && n <= 19
	case p2 == 62 || p2 == 65 || p4 == 6011 || (atoi(d[:3]) >= 644 && atoi(d[:3]) <= 649):
		return n >= 16 && n <= 19
	case p2 == 50 || (p2 >= 56 && p2 <= 69):
		return n >= 12 && n <= 19 // Maestro
	}
	return false
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func findCards(text string) [][2]int {
	if digitCount(text) < 12 {
		return nil
	}
	var out [][2]int
	for _, m := range cardRE.FindAllStringIndex(text, -1) {
		s, e := m[0], m[1]
		cand := text[s:e]
		// One kind of separator throughout: "4111 1111 1111 1111", not
		// "2019-2020 1234".
		if strings.Contains(cand, " ") && strings.Contains(cand, "-") {
			continue
		}
		d := digitsOf(cand)
		if !numberEdge(text, s, e) || !cardIssuer(d) || !luhn(d) {
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return out
}

// ssnValid applies the Social Security Administration's shape rules: no
// area 000, 666 or 900–999, no group 00, no serial 0000.
func ssnValid(d string) bool {
	area, group, serial := atoi(d[:3]), atoi(d[3:5]), atoi(d[5:])
	return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

func findSSNs(text string) [][2]int {
	if digitCount(text) < 9 {
		return nil
	}
	var out [][2]int
	for _, m := range ssnRE.FindAllStringSubmatchIndex(text, -1) {
		s, e := m[0], m[1]
		if text[m[2]:m[3]] != text[m[4]:m[5]] {
			continue // "123-45 6789" mixes separators
		}
		if !numberEdge(text, s, e) || !ssnValid(digitsOf(text[s:e])) {
			continue
		}
		out = append(out, [2]int{s, e})
	}
	if lower := strings.ToLower(text); !strings.Contains(lower, "ssn") && !strings.Contains(lower, "ss#") && !strings.Contains(lower, "social security") {
		return out
	}
	for _, m := range ssnKeywordRE.FindAllStringSubmatchIndex(text, -1) {
		s, e := m[2], m[3]
		if ssnValid(text[s:e]) {
			out = append(out, [2]int{s, e})
		}
	}
	return out
}

func findNINOs(text string) [][2]int {
	if digitCount(text) < 6 {
		return nil
	}
	var out [][2]int
	for _, m := range ninoRE.FindAllStringIndex(text, -1) {
		s, e := m[0], m[1]
		switch text[s : s+2] {
		case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
			continue
		}
		if !wordEdge(text, s, e) {
			continue
		}
		// Spaces in a National Insurance number come in its pairs.
		c := text[s:e]
		if sp := strings.Count(c, " "); sp != 0 && sp != 4 {
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return out
}

// ibanLength is the length of each country's IBAN (ISO 13616 registry).
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
	"BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
	"ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
	"HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
	"LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
	"MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
	"RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
	"TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// ibanValid checks an IBAN without spaces by ISO 7064 mod 97-10.
func ibanValid(s string) bool {
	if len(s) < 15 || ibanLength[s[:2]] != len(s) {
		return false
	}
	rot := s[4:] + s[:4]
	rem := 0
	for i := 0; i < len(rot); i++ {
		c := rot[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}

func findIBANs(text string) [][2]int {
	if digitCount(text) < 4 {
		return nil
	}
	var out [][2]int
	for _, m := range ibanStartRE.FindAllStringIndex(text, -1) {
		s := m[0]
		n, ok := ibanLength[text[s:s+2]]
		if !ok || s > 0 && isWordRune(rune(text[s-1])) {
			continue
		}
		// Take exactly the country's length, in groups of four or none.
		var b strings.Builder
		e := s
		for e < len(text) && b.Len() < n {
			c := text[e]
			switch {
			case c >= '0' && c <= '9' || c >= 'A' && c <= 'Z':
				b.WriteByte(c)
				e++
			case c == ' ' && b.Len()%4 == 0 && b.Len() > 0 && e+1 < len(text) && text[e+1] != ' ':
				e++
			default:
				e = len(text) + 1
			}
		}
		if e > len(text) || b.Len() != n || !ibanValid(b.String()) || !wordEdge(text, s, e) {
			continue
		}
		out = append(out, [2]int{s, e})
	}
	return out
}

func findIPs(text string) [][2]int {
	var out [][2]int
	if strings.Count(text, ":") >= 2 {
		for _, m := range ipv6RE.FindAllStringIndex(text, -1) {
			s, e := m[0], m[1]
			// "::ffff:192.0.2.128": the last group took the first octet of
			// an embedded IPv4 address.
			if e < len(text) && text[e] == '.' {
				last := s + strings.LastIndexByte(text[s:e], ':') + 1
				if v4 := ipv4RE.FindStringIndex(text[last:]); v4 != nil && v4[0] == 0 {
					e = last + v4[1]
				}
			}
			cand := text[s:e]
			if groups := strings.FieldsFunc(cand, func(r rune) bool { return r == ':' }); len(groups) < 2 {
				continue
			}
			if s > 0 && (isWordRune(rune(text[s-1])) || text[s-1] == ':') {
				continue
			}
			if e < len(text) && (isWordRune(rune(text[e])) || text[e] == ':') {
				continue
			}
			a, err := netip.ParseAddr(cand)
			if err != nil || !a.Is6() {
				continue
			}
			out = append(out, [2]int{s, e})
		}
	}
	if strings.Count(text, ".") >= 3 {
		for _, m := range ipv4RE.FindAllStringIndex(text, -1) {
			s, e := m[0], m[1]
			if !numberEdge(text, s, e) || versionBefore(text, s) || overlaps(out, s, e) {
				continue
			}
			a, err := netip.ParseAddr(text[s:e])
			if err != nil || !a.Is4() {
				continue
			}
			// "1.2.3.4" reads as a version or a section; addresses people
			// write have an octet of two digits or more.
			if len(text[s:e]) == 7 {
				continue
			}
			out = append(out, [2]int{s, e})
		}
	}
	return out
}

// overlaps reports whether [s, e) overlaps a span of spans.
func overlaps(spans [][2]int, s, e int) bool {
	for _, o := range spans {
		if s < o[1] && o[0] < e {
			return true
		}
	}
	return false
}

// versionBefore reports whether a number at s follows "v" or "version".
func versionBefore(text string, s int) bool {
	before := strings.ToLower(strings.TrimRight(text[max(0, s-9):s], " "))
	return strings.HasSuffix(before, "v") || strings.HasSuffix(before, "version") || strings.HasSuffix(before, "release")
}

func dateLike(s string) bool {
	for _, re := range dateLikeRE {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func findPhones(text string) [][2]int {
	var out [][2]int
	taken := func(s, e int) bool {
		for _, o := range out {
			if s < o[1] && o[0] < e {
				return true
			}
		}
		return false
	}
	accept := func(s, e, minDigits int) {
		// Trailing separators belong to the sentence.
		for e > s && strings.ContainsRune(" .-()", rune(text[e-1])) {
			if text[e-1] == ')' && strings.Count(text[s:e], "(") == strings.Count(text[s:e], ")") {
				break
			}
			e--
		}
		cand := text[s:e]
		d := digitsOf(strings.ReplaceAll(cand, "(0)", ""))
		if len(d) < minDigits || len(d) > 15 || dateLike(strings.TrimSpace(cand)) || taken(s, e) {
			return
		}
		if !numberEdge(text, s, e) {
			return
		}
		out = append(out, [2]int{s, e})
	}
	if digitCount(text) < 7 {
		return nil
	}
	for i, re := range phoneRE {
		minDigits := 10
		if i == 0 {
			minDigits = 8
		}
		for _, m := range re.FindAllStringIndex(text, -1) {
			accept(m[0], m[1], minDigits)
		}
	}
	lower := strings.ToLower(text)
	if !strings.Contains(lower, "phone") && !strings.Contains(lower, "tel") && !strings.Contains(lower, "mobile") &&
		!strings.Contains(lower, "cell") && !strings.Contains(lower, "fax") && !strings.Contains(lower, "whatsapp") &&
		!strings.Contains(lower, "call ") && !strings.Contains(lower, "text ") && !strings.Contains(lower, "reach ") {
		return out
	}
	for _, m := range phoneKeywordRE.FindAllStringSubmatchIndex(text, -1) {
		accept(m[2], m[3], 7)
	}
	return out
}
