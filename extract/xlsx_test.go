package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"github.com/evident/evident"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestXLSXGolden(t *testing.T) {
	tests := []struct {
		file string
		name string // the name it is submitted under: the content decides
	}{
		{"survey.xlsx", "responses.xlsx"},   // two header rows, merged question, role and date columns, a summary sheet
		{"two-waves.xlsx", "waves.bin"},     // a sheet per wave: the sheet name leads the column
		{"password.xlsx", "protected.xlsx"}, // saved with a password
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "xlsx", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Default().Extract(context.Background(), Input{Name: tt.name, Data: data})
			checkGolden(t, strings.TrimSuffix(path, ".xlsx")+".golden.json", goldenOf(doc, err))
		})
	}
}

// The survey fixture's facts, spelled out: the golden file holds them too,
// but these are the ones the format exists for.
func TestXLSXSurvey(t *testing.T) {
	data, err := os.ReadFile("testdata/xlsx/survey.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := XLSX{}.Extract(context.Background(), Input{Name: "survey.xlsx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Structured || doc.Kind != "survey" || doc.Title != "Close survey, September" {
		t.Errorf("doc: structured %v, kind %q, title %q", doc.Structured, doc.Kind, doc.Title)
	}
	var controller *Block
	for i, b := range doc.Blocks {
		if b.Text == "N/A" || b.Text == "-" {
			t.Errorf("placeholder answer kept: %+v", b)
		}
		if strings.Contains(b.Loc.Column, "›") {
			t.Errorf("sheet name in the column of a one-sheet survey: %q", b.Loc.Column)
		}
		if b.Role == "Controller" {
			controller = &doc.Blocks[i]
		}
	}
	if controller == nil {
		t.Fatal("no answer from the controller")
	}
	want := Block{
		Text:    "Reconciling intercompany balances by hand.\nIt takes two people three days.",
		Context: "What slows your close down the most?",
	}
	if controller.Text != want.Text || controller.Context != want.Context || controller.Loc.Row != 2 {
		t.Errorf("controller's answer = %q under %q at row %d", controller.Text, controller.Context, controller.Loc.Row)
	}
	for k, v := range map[string]string{
		"Which tools do you use for the close?": "Excel, NetSuite", // options of the merged question, joined
		"Submitted":                             "9/2/26 11:40",    // as Excel displays the date
		"Respondent ID":                         "11467002",
	} {
		if controller.Attrs[k] != v {
			t.Errorf("attribute %q = %q, want %q", k, controller.Attrs[k], v)
		}
	}
}

func TestXLSXErrors(t *testing.T) {
	good, err := os.ReadFile("testdata/xlsx/survey.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)/2], "the Excel file is damaged or incomplete"},
		{"no workbook part", rezip(t, good, nil, "xl/workbook.xml"), "xl/workbook.xml is missing"},
		{"legacy or protected", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + strings.Repeat("\x00", 600)), "password-protected or in the old binary Office format"},
		{"not a zip", []byte("Role,Comments\nCFO,We close late every single month.\n"), "cannot be opened as a zip package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := XLSX{}.Extract(context.Background(), Input{Name: "s.xlsx", Data: tt.data})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// rezip copies a zip package entry by entry, giving the entries named in
// parts new content in place and leaving out those named in drop.
func rezip(t testing.TB, data []byte, parts map[string][]byte, drop ...string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if slices.Contains(drop, f.Name) {
			continue
		}
		body, ok := parts[f.Name]
		if !ok {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzXLSX feeds arbitrary bytes both as a whole file and as the first
// worksheet of the survey fixture: mutating a zip mostly breaks its
// checksums, so the second form is what reaches excelize's sheet reader
// and the survey logic.
func FuzzXLSX(f *testing.F) {
	addSeedFiles(f, "testdata/xlsx/*.xlsx")
	base, err := os.ReadFile("testdata/xlsx/survey.xlsx")
	if err != nil {
		f.Fatal(err)
	}
	if sheet := zipPart(f, base, "xl/worksheets/sheet1.xml"); sheet != nil {
		f.Add(sheet)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, rezip(t, base, map[string][]byte{"xl/worksheets/sheet1.xml": data})} {
			doc, err := XLSX{}.Extract(context.Background(), Input{Name: "f.xlsx", Data: in})
			if err != nil {
				if err.Error() == "" || !utf8.ValidString(err.Error()) {
					t.Fatalf("unhelpful error %q", err)
				}
				continue
			}
			if err := doc.Validate(); err != nil {
				t.Error(err)
			}
			for _, b := range doc.Blocks {
				if b.Loc.Row < 1 || b.Loc.Column == "" || b.Context == "" {
					t.Fatalf("block without row, column or question: %+v", b)
				}
			}
		}
	})
}

func zipPart(t testing.TB, data []byte, name string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	return nil
}

// A workbook saved with a password opens with the password its sidecar
// gives, and says what is wrong when it has none or the wrong one.
func TestXLSXPassword(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "xlsx", "password.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		password string
		want     string // "" means it opens
	}{
		{"secret", ""},
		{"", "give its password as `password:` in a sidecar"},
		{"wrong", "the password in the sidecar does not open"},
	}
	for _, tt := range tests {
		doc, err := Default().Extract(context.Background(), Input{Name: "protected.xlsx", Data: data, Meta: evident.Meta{Password: tt.password}})
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("password %q: %v", tt.password, err)
		case tt.want == "" && (doc.Format != "xlsx" || len(doc.Blocks) == 0):
			t.Errorf("password %q: format %q with %d blocks", tt.password, doc.Format, len(doc.Blocks))
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("password %q: error %v, want one saying %q", tt.password, err, tt.want)
		}
	}
}
