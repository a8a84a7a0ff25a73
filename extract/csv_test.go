package extract

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Block // Text, Loc.Row, Loc.Column, Role and the listed Attrs are compared
		wantErr string
	}{
		{
			name: "one header row, role column, choice columns become attributes",
			in: "Timestamp,What is your role?,Company size,What slows you down?\n" +
				"2026-09-02 10:14,CFO,200-500,Data arrives late from the business units every month.\n" +
				"2026-09-02 11:40,IT director,500+,Security reviews of new tools take months to finish.\n",
			want: []Block{
				{Text: "Data arrives late from the business units every month.", Role: "CFO",
					Attrs: map[string]string{"Company size": "200-500", "What is your role?": "CFO"}},
				{Text: "Security reviews of new tools take months to finish.", Role: "IT director",
					Attrs: map[string]string{"Company size": "500+"}},
			},
		},
		{
			name: "semicolons, quoted newlines and empty answers",
			in: "Job title;Comments\r\n" +
				"Controller;\"We close late.\r\nEvery single month, it is the same story.\"\r\n" +
				"Analyst;\r\n" +
				"CFO;I would love one dashboard for all spend across teams.\r\n",
			want: []Block{
				{Text: "We close late.\nEvery single month, it is the same story.", Role: "Controller"},
				{Text: "I would love one dashboard for all spend across teams.", Role: "CFO"},
			},
		},
		{
			name: "UTF-8 BOM and tabs",
			in:   "\ufeffRole\tWhat would make your job easier?\nCFO\tA single source of truth for spend that updates daily.\n",
			want: []Block{{Text: "A single source of truth for spend that updates daily.", Role: "CFO"}},
		},
		{
			name:    "header only",
			in:      "Role,Comments\n",
			wantErr: "no answers",
		},
		{
			name:    "numbers and choices only",
			in:      "id,score,segment\n1,9,SMB\n2,7,Enterprise\n",
			wantErr: "no free-text answers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := CSV{}.Extract(context.Background(), Input{Name: "s.csv", Data: []byte(tt.in)})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !doc.Structured || doc.Kind != "survey" {
				t.Errorf("doc: structured %v, kind %q", doc.Structured, doc.Kind)
			}
			if len(doc.Blocks) != len(tt.want) {
				t.Fatalf("%d blocks, want %d: %+v", len(doc.Blocks), len(tt.want), doc.Blocks)
			}
			for i, w := range tt.want {
				g := doc.Blocks[i]
				if g.Text != w.Text || g.Role != w.Role {
					t.Errorf("block %d = %q (role %q), want %q (role %q)", i, g.Text, g.Role, w.Text, w.Role)
				}
				if g.Loc.Row == 0 || g.Loc.Column == "" || g.Context == "" {
					t.Errorf("block %d: locator %+v, context %q", i, g.Loc, g.Context)
				}
				for k, v := range w.Attrs {
					if g.Attrs[k] != v {
						t.Errorf("block %d: attr %q = %q, want %q", i, k, g.Attrs[k], v)
					}
				}
			}
		})
	}
}

// Rows are respondents counted from the first answer row, blank rows
// skipped, so a person can find row 2 in a spreadsheet under the header.
func TestCSVRowLocator(t *testing.T) {
	in := "Role,Comments\nCFO,The forecast is always late and nobody trusts it.\n,\nCTO,We rebuilt the reporting pipeline twice this year.\n"
	doc, err := CSV{}.Extract(context.Background(), Input{Name: "s.csv", Data: []byte(in)})
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{doc.Blocks[0].Loc.Row, doc.Blocks[1].Loc.Row}; got[0] != 1 || got[1] != 2 {
		t.Errorf("rows %v, want [1 2]", got)
	}
}

func FuzzCSV(f *testing.F) {
	addSeedFiles(f, "testdata/survey/*.csv")
	f.Add([]byte("Role,Comments\nCFO,\"We close the books late every month, always.\"\n"))
	f.Add([]byte("a;b\n\"unterminated;x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := CSV{}.Extract(context.Background(), Input{Name: "f.csv", Data: data})
		if err != nil {
			return
		}
		if len(doc.Blocks) == 0 {
			t.Fatal("no error and no blocks")
		}
		for _, b := range doc.Blocks {
			if !utf8.ValidString(b.Text) || strings.TrimSpace(b.Text) == "" || b.Loc.Row < 1 {
				t.Fatalf("bad block %+v", b)
			}
		}
	})
}
