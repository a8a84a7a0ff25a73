package pdf

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestGuardCancelled: a deadline that passes during reading stops at the
// next read.
func TestGuardCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := &guard{ctx: ctx, data: []byte("%PDF-1.4\n"), budget: 1 << 30}
	defer func() {
		r := recover()
		if e, ok := r.(error); !ok || !errors.Is(e, context.Canceled) {
			t.Errorf("guarded read under a cancelled context: %v", r)
		}
	}()
	g.ReadAt(make([]byte, 10), 0)
}

func TestJoinLines(t *testing.T) {
	compounds := map[string]bool{"well-known": true}
	tests := []struct {
		lines []string
		want  string
	}{
		{[]string{"the experi-", "ence of"}, "the experience of"},
		{[]string{"a well-", "known vendor"}, "a well-known vendor"},
		{[]string{"Jean-", "Pierre said"}, "Jean-Pierre said"},
		{[]string{"COVID-", "19 budgets"}, "COVID-19 budgets"},
		{[]string{"reconcil\u00ad", "iation"}, "reconciliation"},
		{[]string{"pages 10-", "12"}, "pages 10-\n12"},
		{[]string{"a list -", "item"}, "a list -\nitem"},
		{[]string{"ends here.", "Next line"}, "ends here.\nNext line"},
		{[]string{"the state-of-", "the-art tool"}, "the state-ofthe-art tool"},
	}
	for _, tt := range tests {
		if got := joinLines(tt.lines, compounds); got != tt.want {
			t.Errorf("joinLines(%q) = %q, want %q", tt.lines, got, tt.want)
		}
	}
}

func TestMetadata(t *testing.T) {
	titles := map[string]string{
		"Microsoft Word - Backup4all_network_backup_solution.doc": "Backup4all_network_backup_solution",
		"CNCF 2022 Survey Reference Model.xlsx":                   "CNCF 2022 Survey Reference Model",
		"10811.exe":                                               "",
		"  Evidence\u00a0beats memory ":                           "Evidence beats memory",
		"Comité de démolition":                                    "Comité de démolition",
		"":                                                        "",
	}
	for in, want := range titles {
		if got := cleanTitle(in); got != want {
			t.Errorf("cleanTitle(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunning(t *testing.T) {
	page := func(lines ...string) []layoutLine {
		var out []layoutLine
		for i, l := range lines {
			out = append(out, layoutLine{text: l, y: float64(800 - 20*i), size: 10})
		}
		return out
	}
	pages := [][]layoutLine{
		page("Quarterly review", "Intro text one.", "More text here.", "Body three.", "- 1 -"),
		page("Quarterly review", "Other text.", "Second page body.", "And more.", "- 2 -"),
		page("Quarterly review", "Third page text.", "Body again.", "Last line.", "- 3 -"),
		page("A title page with nothing else"),
	}
	dropRunning(pages)
	var kept []string
	for _, p := range pages {
		for _, l := range p {
			kept = append(kept, l.text)
		}
	}
	got := strings.Join(kept, "|")
	want := "Intro text one.|More text here.|Body three.|Other text.|Second page body.|And more.|Third page text.|Body again.|Last line.|A title page with nothing else"
	if got != want {
		t.Errorf("kept %q\nwant %q", got, want)
	}
}

func TestLineNumbers(t *testing.T) {
	var lines []layoutLine
	for i := 1; i <= 12; i++ {
		text := fmt.Sprintf("%d MR. SMITH: line %d of the argument", i, i)
		if i == 6 {
			text = "6"
		}
		lines = append(lines, layoutLine{text: text})
	}
	got := stripLineNumbers(lines)
	if len(got) != 11 || got[0].text != "MR. SMITH: line 1 of the argument" {
		t.Errorf("stripped: %+v", got)
	}
	// Numbers that do not count up are content.
	table := []layoutLine{{text: "2019 revenue grew"}, {text: "2020 revenue fell"}, {text: "3 people"}}
	if got := stripLineNumbers(table); len(got) != 3 || got[0].text != "2019 revenue grew" {
		t.Errorf("stripped a table: %+v", got)
	}
}
