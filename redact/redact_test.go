package redact

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/evident/evident/configs"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/passage"
)

func all(t testing.TB) *Redactor {
	t.Helper()
	r, err := New(Config{Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Real formats each detector must mask, and what it must leave alone.
func TestDetectors(t *testing.T) {
	tests := []struct {
		text  string
		names []string
		want  string
	}{
		// E-mail addresses.
		{"Write to jane.doe@example.com today.", nil, "Write to [email] today."},
		{"<JANE_DOE+crm@mail.example.co.uk>", nil, "<[email]>"},
		{"ping r.kumar [at] halden [dot] com please", nil, "ping [email] please"},
		{"reach jo at northwind dot com", nil, "reach [email]"},
		{"we met at noon dot by dot", nil, "we met at noon dot by dot"},
		{"the @mention and user@localhost stay", nil, "the @mention and user@localhost stay"},
		// Phone numbers.
		{"Call (202) 555-0143.", nil, "Call [phone]."},
		{"Call 202-555-0143 or 202.555.0143", nil, "Call [phone] or [phone]"},
		{"US: 1-800-542-0820, UK: +44 20 7946 0958", nil, "US: [phone], UK: [phone]"},
		{"mobile 07700 900123, office 020 7946 0958", nil, "mobile [phone], office [phone]"},
		{"Berlin +49 (0)30 1234567; Paris 01 23 45 67 89", nil, "Berlin [phone]; Paris [phone]"},
		{"telephone: (816) 329–4059; fax: (816) 329–4090", nil, "telephone: [phone]; fax: [phone]"},
		{"my phone number is 555 0143 9", nil, "my phone number is [phone]"},
		{"call me on 555-0143", nil, "call me on [phone]"},
		// Payment cards: Luhn and issuer.
		{"Visa 4111 1111 1111 1111 exp 12/27", nil, "Visa [card] exp 12/27"},
		{"amex 3782-822463-10005", nil, "amex [card]"},
		{"card 5555555555554444.", nil, "card [card]."},
		{"order 4111 1111 1111 1112 fails Luhn", nil, "order 4111 1111 1111 1112 fails Luhn"},
		{"ticket 1234567812345670 is no issuer's", nil, "ticket 1234567812345670 is no issuer's"},
		// National identity numbers.
		{"SSN 078-05-1120 and 123 45 6789", nil, "SSN [id] and [id]"},
		{"social security number: 123456789", nil, "social security number: [id]"},
		{"not an SSN: 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000", nil, "not an SSN: 666-12-3456, 900-12-3456, 123-00-4567, 123-45-0000"},
		{"NI number QQ 12 34 56 C? No: AB123456C and AB 12 34 56 C", nil, "NI number QQ 12 34 56 C? No: [id] and [id]"},
		{"GB prefix GB123456A and BG 12 34 56 A are never issued", nil, "GB prefix GB123456A and BG 12 34 56 A are never issued"},
		{"IBAN GB82 WEST 1234 5698 7654 32, DE89370400440532013000.", nil, "IBAN [id], [id]."},
		{"GB82 WEST 1234 5698 7654 33 fails mod 97", nil, "GB82 WEST 1234 5698 7654 33 fails mod 97"},
		// IP addresses.
		{"from 192.168.1.20 and 10.0.0.1, then 2001:db8::8a2e:370:7334", nil, "from [ip] and [ip], then [ip]"},
		{"fe80:0:0:0:200:f8ff:fe21:67cf and ::ffff:192.0.2.128", nil, "[ip] and [ip]"},
		{"version 10.2.30.4, v1.20.3.4, section 1.2.3.4", nil, "version 10.2.30.4, v1.20.3.4, section 1.2.3.4"},
		// Names from the user's list.
		{"Ravi Kumar said Ravi's team and KUMAR agreed; ravi stayed.", []string{"Ravi Kumar"}, "[name] said [name]'s team and KUMAR agreed; ravi stayed."},
		{"Dr. jane doe left", []string{"Jane Doe"}, "Dr. [name] left"},
		{"Janet is not Jane", []string{"Jane"}, "Janet is not [name]"},
		// What must survive.
		{"On 2024-01-22 at 10:30, 01/02/2024 and 22.01.2024", nil, "On 2024-01-22 at 10:30, 01/02/2024 and 22.01.2024"},
		{"[00:01:23] BC: it cost $1,200.50 (12%) in 2019-2020", nil, "[00:01:23] BC: it cost $1,200.50 (12%) in 2019-2020"},
		{"[unintelligible 00:39:38.25] v2.6.1 and go1.26.8 and 1.2.3", nil, "[unintelligible 00:39:38.25] v2.6.1 and go1.26.8 and 1.2.3"},
		{"revenue of 1,234,567 and 12 345 678 units; ZIP 90740–5600", nil, "revenue of 1,234,567 and 12 345 678 units; ZIP 90740–5600"},
		{"Federal Register 2020-17221, docket FAA-2020-0721", nil, "Federal Register 2020-17221, docket FAA-2020-0721"},
		{"1-5 scale, 3-4 years, 20-30 year home, 7 to 5", nil, "1-5 scale, 3-4 years, 20-30 year home, 7 to 5"},
	}
	r := all(t)
	for _, tt := range tests {
		d := r.Document(tt.names)
		if got := d.Mask(tt.text); got != tt.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

func TestConfig(t *testing.T) {
	r, err := Parse(configs.Redact())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Enabled() {
		t.Fatal("the built-in configuration must mask")
	}
	text := "mail jo@example.com or 202-555-0143"
	for _, tt := range []struct {
		yaml, want string
	}{
		{"enabled: false\n", text},
		{"enabled: true\ndetectors: [phone]\n", "mail jo@example.com or [phone]"},
		{"enabled: true\nplaceholder: '<{TYPE}>'\n", "mail <EMAIL> or <PHONE>"},
		{"enabled: true\nplaceholder: '[{type}-{n}]'\n", "mail [email-1] or [phone-1]"},
	} {
		r, err := Parse([]byte(tt.yaml))
		if err != nil {
			t.Fatalf("%q: %v", tt.yaml, err)
		}
		if got := r.Document(nil).Mask(text); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.yaml, got, tt.want)
		}
	}
	for _, bad := range []string{"enabled: true\ndetectors: [emial]\n", "enable: true\n", "enabled: true\nplaceholder: 'x{n}'\n"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestNumberedPlaceholders(t *testing.T) {
	r, _ := New(Config{Enabled: true, Placeholder: "[{type} {n}]"})
	d := r.Document([]string{"Ravi Kumar"})
	got := []string{
		d.Mask("jo@example.com wrote to al@example.com"),
		d.Mask("JO@example.com again; Ravi Kumar too"),
	}
	want := []string{"[email 1] wrote to [email 2]", "[email 1] again; [name 1] too"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("got %q, want %q", got[i], want[i])
		}
	}
	if d.Counts.String() != "3 email, 1 name" {
		t.Errorf("counts %v", d.Counts)
	}
}

// survivors are the strings of the corpus that look like numbers people
// write and are no personal data: they must come through unmasked.
var survivors = regexp.MustCompile(`\b(?:\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?` + // times, timestamps
	`|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|\d{1,2}\.\d{1,2}\.\d{4}` + // dates
	`|(?:19|20)\d{2}(?:\s?[-–]\s?(?:19|20)?\d{2})?` + // years, ranges of years
	`|v?\d+\.\d+(?:\.\d+)+` + // versions
	`|\d+(?:[.,]\d+)?\s?%)` + // percentages
	`|[$€£]\s?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|m|bn|million|billion))?`) // prices

// knownPII is the personal data really in the corpus: public contacts in
// a Federal Register notice and articles' bylines. Anything else masked
// in the corpus is a false positive.
var knownPII = map[string]bool{
	"adblocking@iab.com": true, "pippin@pippinlee.com": true, "ANM-Seattle-ACO-AMOC-Requests@faa.gov": true,
	"Techsupport@pilatus-aircraft.com": true, "doug.rudolph@faa.gov": true, "poststelle@bmi.bund400.de": true,
	"+41 (0)41 619 67 74": true, "+41 (0)41 619 67 73": true, "202–493–2251": true, "(202) 493–2251": true,
	"562–797–1717": true, "206–231–3195": true, "(816) 329–4148": true, "(816) 329–4059": true, "(816) 329–4090": true,
}

// TestCorpus masks every passage of the real corpus: only the personal
// data really there is masked, and every date, time, timestamp, year,
// version, price and percentage survives.
func TestCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("no corpus at %s", root)
	}
	r := all(t)
	var files, passages, kept int
	masked := map[string]int{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(path, "_expected") || filepath.Dir(path) == root {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: filepath.Base(path), Data: data})
		if err != nil {
			return nil // the formats Evident refuses
		}
		files++
		for _, p := range passage.Build(doc, passage.Options{}) {
			passages++
			for _, s := range r.Find(p.Text, nil) {
				v := p.Text[s.Start:s.End]
				masked[v]++
				if !knownPII[v] {
					t.Errorf("%s: %s masked %q in %q", filepath.Base(path), s.Detector, v, p.Text)
				}
			}
			out := r.Document(nil).Mask(p.Text)
			for _, v := range survivors.FindAllString(p.Text, -1) {
				kept++
				if !strings.Contains(out, v) {
					t.Errorf("%s: %q did not survive in %q", filepath.Base(path), v, out)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d passages: %d dates, times, years, versions, prices and percentages kept; %d values masked", files, passages, kept, len(masked))
}

type labelled struct {
	Text   string   `json:"text"`
	Names  []string `json:"names"`
	Format string   `json:"format"`
	Spans  []struct {
		Start, End int
		Type       string
	} `json:"spans"`
}

// TestBenchmark measures precision and recall per type on the labelled
// sample (testdata/labelled.jsonl, written by testdata/gen): a masked span
// is right when it overlaps a labelled span of its type.
func TestBenchmark(t *testing.T) {
	f, err := os.Open("testdata/labelled.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := all(t)
	type score struct{ tp, fp, fn int }
	scores := map[string]*score{}
	get := func(typ string) *score {
		if scores[typ] == nil {
			scores[typ] = &score{}
		}
		return scores[typ]
	}
	missed := map[string]int{}
	records, clean, cleanHit := 0, 0, 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l labelled
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		records++
		found := r.Find(l.Text, l.Names)
		if len(l.Spans) == 0 {
			clean++
			if len(found) > 0 {
				cleanHit++
			}
		}
		used := make([]bool, len(found))
		for _, g := range l.Spans {
			hit := false
			for i, s := range found {
				if s.Type == g.Type && s.Start < g.End && g.Start < s.End {
					hit, used[i] = true, true
				}
			}
			if hit {
				get(g.Type).tp++
			} else {
				get(g.Type).fn++
				missed[g.Type+": "+l.Format]++
			}
		}
		for i, s := range found {
			if !used[i] {
				get(s.Type).fp++
				t.Logf("false positive %s %q in %q", s.Type, l.Text[s.Start:s.End], l.Text)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d records, %d without personal data (%d of them masked anything)\n", records, clean, cleanHit)
	fmt.Fprintf(&b, "%-6s %5s %5s %5s %9s %7s\n", "type", "TP", "FP", "FN", "precision", "recall")
	var tot score
	for _, typ := range Types {
		s := get(typ)
		tot.tp, tot.fp, tot.fn = tot.tp+s.tp, tot.fp+s.fp, tot.fn+s.fn
		fmt.Fprintf(&b, "%-6s %5d %5d %5d %9.3f %7.3f\n", typ, s.tp, s.fp, s.fn, ratio(s.tp, s.tp+s.fp), ratio(s.tp, s.tp+s.fn))
	}
	fmt.Fprintf(&b, "%-6s %5d %5d %5d %9.3f %7.3f\n", "all", tot.tp, tot.fp, tot.fn, ratio(tot.tp, tot.tp+tot.fp), ratio(tot.tp, tot.tp+tot.fn))
	var ms []string
	for k, n := range missed {
		ms = append(ms, fmt.Sprintf("%d × %s", n, k))
	}
	sort.Strings(ms)
	fmt.Fprintf(&b, "missed: %s\n", strings.Join(ms, "; "))
	t.Log("\n" + b.String())
	if p, rc := ratio(tot.tp, tot.tp+tot.fp), ratio(tot.tp, tot.tp+tot.fn); p < 0.98 || rc < 0.9 {
		t.Errorf("precision %.3f, recall %.3f: below 0.98 and 0.9", p, rc)
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// BenchmarkMask masks the 415 sentences of the labelled sample.
func BenchmarkMask(b *testing.B) {
	data, err := os.ReadFile("testdata/labelled.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	var texts []string
	var size int64
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var l labelled
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			b.Fatal(err)
		}
		texts = append(texts, l.Text)
		size += int64(len(l.Text))
	}
	r := all(b)
	b.SetBytes(size)
	for b.Loop() {
		d := r.Document([]string{"Ravi Kumar"})
		for _, t := range texts {
			d.Mask(t)
		}
	}
}
