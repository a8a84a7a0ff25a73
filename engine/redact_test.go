package engine

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const piiInterview = `---
title: Pricing call
redact: [Ravi Kumar]
---
Interviewer: Thanks, Ravi. Where can we send the notes?

Ravi Kumar (CFO, Halden): Send them to ravi.kumar@halden-freight.de or call me on +44 20 7946 0958. My NI number is AB 12 34 56 C, if the form needs it.

Interviewer: And the invoice?

Ravi Kumar (CFO, Halden): Pay it from DE89 3704 0044 0532 0130 00; we spent $1,200.50 on 2024-01-22 at 10:30, 12% more than in 2023. Our VPN gateway is 192.168.10.20.
`

// Personal data is masked before it is stored or indexed: search cannot
// find it, show says how much was masked, and dates, prices and times
// survive.
func TestPersonalDataIsMasked(t *testing.T) {
	e := start(t, Options{})
	e.drop("pricing-call.txt", piiInterview)
	got := e.waitIndexed(wait, "pricing-call.txt")
	d := got["pricing-call.txt"]
	want := map[string]int{"email": 1, "phone": 1, "id": 2, "ip": 1, "name": 3}
	if !reflect.DeepEqual(d.Redacted, want) {
		t.Errorf("redacted %v, want %v", d.Redacted, want)
	}
	shown, err := e.Show(context.Background(), "pricing-call.txt")
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, p := range shown.Passages {
		all.WriteString(p.Speaker + ": " + p.Text + "\n")
	}
	text := all.String()
	for _, leak := range []string{"ravi.kumar@", "7946", "AB 12", "0532", "192.168", "Ravi"} {
		if strings.Contains(text, leak) {
			t.Errorf("%q was stored:\n%s", leak, text)
		}
	}
	for _, keep := range []string{"[email]", "[phone]", "[id]", "[ip]", "[name]", "$1,200.50", "2024-01-22", "10:30", "12%", "2023"} {
		if !strings.Contains(text, keep) {
			t.Errorf("%q is missing:\n%s", keep, text)
		}
	}
	for _, q := range []string{"halden-freight", "7946", "Ravi"} {
		if hits := e.search(q).Hits; len(hits) != 0 {
			t.Errorf("search %q found %d passages", q, len(hits))
		}
	}
	for _, sp := range shown.Document.Speakers {
		if strings.Contains(sp.Name+sp.FullName, "Ravi") {
			t.Errorf("speaker %+v keeps the name", sp)
		}
	}
}

// <data>/redact.yaml turns masking off, or chooses detectors and the
// placeholder.
func TestRedactConfig(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, "redact.yaml"), []byte("enabled: true\ndetectors: [email]\nplaceholder: '<{TYPE}>'\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := start(t, Options{Data: data})
	e.drop("notes.txt", "Write to jo@example.com or call 202-555-0143 about the renewal.\n")
	d := e.waitIndexed(wait, "notes.txt")["notes.txt"]
	shown, err := e.Show(context.Background(), "notes.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := shown.Passages[0].Text; got != "Write to <EMAIL> or call 202-555-0143 about the renewal." {
		t.Errorf("text %q", got)
	}
	if !reflect.DeepEqual(d.Redacted, map[string]int{"email": 1}) {
		t.Errorf("redacted %v", d.Redacted)
	}
	if err := os.WriteFile(filepath.Join(data, "redact.yaml"), []byte("enabled: [yes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), Options{Data: t.TempDir(), Redact: filepath.Join(data, "redact.yaml")}); err == nil || !strings.Contains(err.Error(), "redact.yaml") {
		t.Errorf("a broken redact.yaml: %v, want an error naming it", err)
	}
}
