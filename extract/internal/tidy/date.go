package tidy

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/araddon/dateparse"
)

// Date reduces a date as documents write it to YYYY-MM-DD, or to YYYY-MM
// or YYYY when that is all it states; "" when it cannot be read. It reads
// PDF dates (D:20080501120000Z), ISO 8601 and W3C timestamps in the zone
// they were written in, day-month-year with digits when the order is
// plain (a day above 12), and what dateparse reads (5 March 2024, say).
// Years outside 1900–2200 are taken for junk.
func Date(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 100 || !strings.ContainsAny(s, "0123456789") {
		return ""
	}
	if rest, ok := strings.CutPrefix(s, "D:"); ok {
		return compactDate(rest)
	}
	if compact.MatchString(s) {
		return compactDate(s)
	}
	if len(s) >= 10 {
		if t, err := time.Parse(time.DateOnly, s[:10]); err == nil {
			return inRange(t)
		}
	}
	if m := numericDate.FindStringSubmatch(s); m != nil {
		// 03/04/2024 is March or April depending on the country: only a
		// day above 12 tells which order is meant.
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		if len(m[3]) == 2 {
			y += 2000
		}
		day, month := a, b
		switch {
		case a > 12 && b <= 12:
		case b > 12 && a <= 12:
			day, month = b, a
		default:
			return ""
		}
		t := time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		if t.Day() != day || t.Month() != time.Month(month) {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	if t, ok := parseAny(s); ok {
		return inRange(t)
	}
	return ""
}

var (
	compact     = regexp.MustCompile(`^\d{8}`)
	numericDate = regexp.MustCompile(`^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b`)
)

func inRange(t time.Time) string {
	if t.Year() < 1900 || t.Year() > 2200 {
		return ""
	}
	return t.Format(time.DateOnly)
}

// compactDate reads YYYY[MM[DD]]…, as PDF writes dates, keeping only the
// parts it states.
func compactDate(s string) string {
	n := 0
	for n < len(s) && n < 8 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n < 4 {
		return ""
	}
	year, _ := strconv.Atoi(s[:4])
	if year < 1900 || year > 2200 {
		return ""
	}
	out := s[:4]
	if n >= 6 {
		if m, _ := strconv.Atoi(s[4:6]); m >= 1 && m <= 12 {
			out += "-" + s[4:6]
			if n >= 8 {
				if d, _ := strconv.Atoi(s[6:8]); d >= 1 && d <= 31 {
					out += "-" + s[6:8]
				}
			}
		}
	}
	return out
}

// parseAny wraps dateparse, which has panicked on odd input in the past.
func parseAny(s string) (t time.Time, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	t, err := dateparse.ParseAny(s)
	return t, err == nil
}
