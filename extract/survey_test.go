package extract

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestSurveyGolden reads every survey fixture through the registry, as a
// worker would, and pins the passages down.
func TestSurveyGolden(t *testing.T) {
	tests := []struct {
		file       string
		headerRows int
		layout     string
	}{
		{"forms.csv", 1, layoutOne},              // Google Forms: a timestamp first
		{"one-header.csv", 1, layoutOne},         // quoted newlines, empty and "N/A" answers, a blank row, a multi-select
		{"two-header.csv", 2, layoutSub},         // SurveyMonkey: merged questions, sub-answers, "Comments:"
		{"three-header.csv", 3, layoutQualtrics}, // Qualtrics: ids, texts, ImportId JSON
		{"european-cp1252.csv", 1, layoutOne},    // semicolons, Windows-1252, a French role column
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "survey", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Default().Extract(context.Background(), Input{Name: tt.file, Data: data})
			checkGolden(t, strings.TrimSuffix(path, ".csv")+".golden.json", goldenOf(doc, err))
			if err != nil {
				return
			}
			rows := csvRows(t, data)
			sv, err := surveyBlocks(context.Background(), rows)
			if err != nil {
				t.Fatal(err)
			}
			if sv.HeaderRows != tt.headerRows || sv.Layout != tt.layout {
				t.Errorf("header: %d rows (%s), want %d (%s)", sv.HeaderRows, sv.Layout, tt.headerRows, tt.layout)
			}
			for _, b := range doc.Blocks {
				if b.Role == "" || b.Loc.Row < 1 || b.Loc.Column == "" || b.Context == "" {
					t.Errorf("block without role, row, column or question: %+v", b)
				}
			}
		})
	}
}

func csvRows(t *testing.T, data []byte) [][]string {
	t.Helper()
	s, _, err := DecodeText(data)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(s))
	r.Comma = delimiter(strings.NewReader(s))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	all, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, rec := range all {
		if !blankRow(rec) {
			rows = append(rows, rec)
		}
	}
	return rows
}

func TestHeaderRows(t *testing.T) {
	tests := []struct {
		name   string
		rows   [][]string
		want   int
		layout string
	}{
		{"one row", [][]string{
			{"Timestamp", "Role", "Comments"},
			{"2026-01-02", "CFO", "We close late every month."},
		}, 1, layoutOne},
		{"short identifiers as headers are still one row", [][]string{
			{"Case", "Age", "Q1", "Q2", "freetext"},
			{"ID4", "24", "yes", "no", "I wanted to do more studies but lost interest."},
			{"ID5", "31", "no", "no", "Work and family left no time."},
		}, 1, layoutOne},
		{"an unnamed column does not make the first respondent a header", [][]string{
			{"Role", "", "Comments"},
			{"CFO", "x", "We close late every month."},
			{"CTO", "y", "Security reviews take months."},
		}, 1, layoutOne},
		{"SurveyMonkey markers", [][]string{
			{"Respondent ID", "What is your role?", "Why?", ""},
			{"", "Response", "Open-Ended Response", "Comments:"},
			{"1", "CFO", "Because the close is slow.", ""},
		}, 2, layoutSub},
		{"merged question over options", [][]string{
			{"Which tools do you use?", "", "", "What slows you down?"},
			{"Excel", "Sheets", "Airtable", "Free text"},
			{"Excel", "", "Airtable", "Waiting for numbers from the units."},
			{"", "Sheets", "", "Approvals that stall."},
		}, 2, layoutSub},
		{"options that do not come back as answers are data", [][]string{
			{"Which tools do you use?", "", "What slows you down?"},
			{"Excel", "Notes about it", "Waiting for numbers."},
			{"Sheets", "Other notes", "Approvals that stall."},
		}, 1, layoutOne},
		{"Qualtrics", [][]string{
			{"ResponseId", "Q1", "Q2"},
			{"Response ID", "What is your role?", "What slows you down?"},
			{`{"ImportId":"_recordId"}`, `{"ImportId":"QID1"}`, `{"ImportId":"QID2_TEXT"}`},
			{"R_1", "CFO", "Waiting for numbers."},
		}, 3, layoutQualtrics},
		{"legacy Qualtrics", [][]string{
			{"V1", "V2", "Q1", "Q2"},
			{"ResponseID", "ResponseSet", "What is your role?", "What slows you down?"},
			{"R_1", "Default Response Set", "CFO", "Waiting for numbers."},
		}, 2, layoutIDText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, layout := headerRows(tt.rows)
			if n != tt.want || layout != tt.layout {
				t.Errorf("headerRows = %d (%s), want %d (%s)", n, layout, tt.want, tt.layout)
			}
		})
	}
}

func TestDropTitleRows(t *testing.T) {
	rows := [][]string{
		{"Close survey, exported 2 September"},
		{"Role", "What slows you down?", "Company size"},
		{"CFO", "Waiting for numbers from the units.", "200-500"},
	}
	sv, err := surveyBlocks(context.Background(), rows)
	if err != nil {
		t.Fatal(err)
	}
	if b := sv.Blocks[0]; b.Context != "What slows you down?" || b.Role != "CFO" || b.Loc.Row != 1 {
		t.Errorf("block %+v: the title row was read as the header", b)
	}
	// One question whose options fill the row below is a header, not a title.
	single := [][]string{
		{"Which tools do you use?", "", ""},
		{"Excel", "Sheets", "Other (please specify)"},
		{"Excel", "", "A home-grown tool in Access that nobody dares to touch"},
	}
	if got := dropTitleRows(single); len(got) != 3 {
		t.Errorf("dropped the question row of a one-question survey")
	}
}

func TestSurveyColumns(t *testing.T) {
	header := [][]string{
		{"ID", "Which tools do you use for the month-end close and the quarterly reporting that follows it?", "", "", "Why?"},
		{"", "Excel", "Other (please specify)", "Response", "Comments:"},
	}
	cols := surveyColumns(header, layoutSub)
	want := []struct{ label, short, key string }{
		{"ID", "ID", "ID"},
		{"Which tools do you use for the month-end close and the quarterly reporting that follows it? — Excel",
			"Which tools do you use for the month-end close and the… — Excel",
			"Which tools do you use for the month-end close and the quarterly reporting that…"},
		{"Which tools do you use for the month-end close and the quarterly reporting that follows it? — Other (please specify)",
			"Which tools do you use for the month-end close and the… — Other (please specify)",
			"Which tools do you use for the month-end close and the quarterly reporting that…"},
		{"Which tools do you use for the month-end close and the quarterly reporting that follows it?",
			"Which tools do you use for the month-end close and the quarterly reporting that…",
			"Which tools do you use for the month-end close and the quarterly reporting that…"},
		{"Why? — Comments", "Why? — Comments", "Why?"},
	}
	for i, w := range want {
		c := cols[i]
		if c.label != w.label || c.short != w.short || c.key != w.key {
			t.Errorf("column %d:\n label %q\n short %q\n key   %q\nwant\n label %q\n short %q\n key   %q", i, c.label, c.short, c.key, w.label, w.short, w.key)
		}
	}
	if got := surveyColumns([][]string{{"Role", "", "Comments"}}, layoutOne)[1].label; got != "column B" {
		t.Errorf("unnamed column label %q, want %q", got, "column B")
	}
}

func TestFreeText(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   bool
	}{
		{"sentences", []string{"We close the books late every month.", "Security reviews take months to finish."}, true},
		{"one long answer", []string{"I wanted to do more studies but after starting work I lost interest."}, true},
		{"comments most people skipped", []string{"No", "N/A", "None", "No", "-", "n/a", "Nobody trusts the numbers until the auditors have seen them."}, true},
		{"short choices", []string{"CFO", "Controller", "IT director"}, false},
		{"numbers", []string{"1", "22", "3.5"}, false},
		{"timestamps", []string{"2026-09-02 10:14:03", "2026-09-02 11:40:51"}, false},
		{"emails", []string{"ana@example.com", "ben@example.com"}, false},
		{"names of people", []string{"Tom Griffiths\nJessica Hamrick", "James Church", "Steve Spicklemire\nTim Duman"}, false},
		{"course titles", []string{"COGSCI 131 (Computational Models of Cognition)", "Introduction To Scientific Computing", "Data Analysis & Visualization"}, false},
		{"multiple choices joined by commas", []string{
			"Manually graded coding exercises, Manually graded written answers (prose)",
			"Ungraded coding exercises",
			"Autograded coding exercises, Manually graded coding exercises",
			"Manually graded coding exercises, Ungraded coding exercises",
			"Ungraded coding exercises, Manually graded written answers (prose)",
		}, false},
		{"a repeated long option", []string{
			"Advanced undergraduate (juniors and seniors)", "Graduate students in their first year",
			"Advanced undergraduate (juniors and seniors)", "Advanced undergraduate (juniors and seniors)",
			"Graduate students in their first year",
		}, false},
		{"only placeholders", []string{"N/A", "No", "-"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := freeText(tt.values); got != tt.want {
				t.Errorf("freeText = %v, want %v", got, tt.want)
			}
		})
	}
}

// A ticked box holds its option's label: that column is a choice, however
// long the label.
func TestTickedOptionColumn(t *testing.T) {
	rows := [][]string{
		{"What is the impact? Select all that apply.", "", "Anything else?"},
		{"Have to keep more cash on hand just in case", "Other (please specify)", "Open-Ended Response"},
		{"Have to keep more cash on hand just in case", "", "Our forecast is always a week late."},
		{"", "It's a multi-year contract, so we don't have a monthly stress", ""},
	}
	sv, err := surveyBlocks(context.Background(), rows)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(sv.Free, " | ")
	want := "What is the impact? Select all that apply. — Other (please specify) | Anything else?"
	if got != want {
		t.Errorf("free-text columns %q, want %q", got, want)
	}
	if a := sv.Blocks[0].Attrs["What is the impact? Select all that apply."]; a != "Have to keep more cash on hand just in case" {
		t.Errorf("ticked option attribute = %q", a)
	}
}

func TestSurveyErrors(t *testing.T) {
	tests := []struct {
		name string
		rows [][]string
		want string
	}{
		{"header only", [][]string{{"Role", "Comments"}}, "no answers"},
		{"Qualtrics header only", [][]string{{"Q1"}, {"What?"}, {`{"ImportId":"QID1"}`}}, "no answers"},
		{"no free text", [][]string{{"id", "score"}, {"1", "9"}, {"2", "7"}}, "no free-text answers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := surveyBlocks(context.Background(), tt.rows)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestSurveyCorpus reads the real survey exports in the shared corpus and
// logs, per file, what was detected. It is skipped when the corpus is absent.
func TestSurveyCorpus(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/surveys/*.csv")
	if len(files) == 0 {
		t.Skip("no corpus at ../../shared/corpus/surveys")
	}
	want := map[string]int{ // header rows, where known
		"cncf__FinOps_Microsurvey.csv":                     2,
		"cncf__Maintainers_Survey_2023_H2.csv":             2,
		"jupyter__2016-05-education-survey__responses.csv": 1,
		"qualcoder__survey456.csv":                         1,
	}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Default().Extract(context.Background(), Input{Name: name, Data: data})
			if err != nil {
				t.Fatalf("extract: %v", err)
			}
			sv, err := surveyBlocks(context.Background(), csvRows(t, data))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d header rows (%s), %d free-text columns, %d passages, role column %q", name, sv.HeaderRows, sv.Layout, len(sv.Free), len(doc.Blocks), sv.Role)
			for _, q := range sv.Free {
				t.Logf("  free text: %s", q)
			}
			if n, ok := want[name]; ok && sv.HeaderRows != n {
				t.Errorf("%d header rows, want %d", sv.HeaderRows, n)
			}
			if len(doc.Blocks) == 0 {
				t.Error("no passages")
			}
		})
	}
}

// FuzzSurvey drives header detection and the table logic with arbitrary
// tables: rows split at newlines, cells at commas.
func FuzzSurvey(f *testing.F) {
	addSeedFiles(f, "testdata/survey/*.csv")
	f.Add([]byte("Q1,Q2\nWhat?,Why?\n{\"ImportId\":\"QID1\"},{\"ImportId\":\"QID2\"}\nCFO,Because the close is late every month.\n"))
	f.Add([]byte("Which?,,,Why?\nA,B,Other (please specify),Response\nA,,,The close takes eleven days every month.\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var rows [][]string
		for _, line := range strings.Split(string(data), "\n") {
			if rec := strings.Split(line, ","); !blankRow(rec) {
				rows = append(rows, rec)
			}
		}
		n, _ := headerRows(rows)
		if n < 1 || n > 3 || (len(rows) > 0 && n > len(rows)) {
			t.Fatalf("%d header rows for %d rows", n, len(rows))
		}
		sv, err := surveyBlocks(context.Background(), rows)
		if err != nil {
			return
		}
		if len(sv.Blocks) == 0 || len(sv.Free) == 0 {
			t.Fatal("no error and no blocks")
		}
		for _, b := range sv.Blocks {
			if !utf8.ValidString(b.Text) || strings.TrimSpace(b.Text) == "" || b.Loc.Row < 1 || b.Loc.Row > len(rows)-sv.HeaderRows || b.Loc.Column == "" || b.Context == "" {
				t.Fatalf("bad block %+v", b)
			}
		}
	})
}

// TestSurveyOtherRole takes a respondent's role from the write-in column
// when they chose "Other (please specify)".
func TestSurveyOtherRole(t *testing.T) {
	tests := []struct {
		name  string
		rows  [][]string
		roles []string // per answer row
	}{
		{"the column beside the role", [][]string{
			{"What is your role?", "Other (please specify)", "What slows you down?"},
			{"CFO", "", "Waiting for numbers from the units."},
			{"Other (please specify)", "CEO", "Approvals that stall for weeks."},
			{"Other", "", "Nothing in particular slows us down."},
		}, []string{"CFO", "CEO", ""}},
		{"SurveyMonkey: the same question's other sub-answer", [][]string{
			{"Respondent ID", "What is your role?", "", "What slows you down?"},
			{"", "Response", "Other (please specify)", "Open-Ended Response"},
			{"1", "IT director", "", "Security reviews take months to finish."},
			{"2", "Other (please specify)", "Head of procurement", "Vendors who never answer the phone."},
		}, []string{"IT director", "Head of procurement"}},
		{"no write-in: other is no role", [][]string{
			{"Role", "What slows you down?"},
			{"CFO", "Approvals that stall for weeks."},
			{"Other (please specify)", "Waiting for numbers from the units."},
		}, []string{"CFO", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv, err := surveyBlocks(context.Background(), tt.rows)
			if err != nil {
				t.Fatal(err)
			}
			if len(sv.Blocks) != len(tt.roles) {
				t.Fatalf("%d blocks, want %d: %+v", len(sv.Blocks), len(tt.roles), sv.Blocks)
			}
			for i, b := range sv.Blocks {
				if b.Role != tt.roles[i] {
					t.Errorf("row %d: role %q, want %q", b.Loc.Row, b.Role, tt.roles[i])
				}
			}
		})
	}
}
