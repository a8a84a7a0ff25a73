package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// collect gathers a document's blocks the way a worker reads them.
func collect(t *testing.T, doc *Doc) []Block {
	t.Helper()
	var out []Block
	if err := doc.Each(context.Background(), func(b Block) error {
		out = append(out, b)
		return nil
	}); err != nil {
		t.Fatalf("Each: %v", err)
	}
	return out
}

// TestSurveyStream reads surveys longer than the sample that plans them:
// they come as a stream, read row by row, which must give the blocks the
// whole table gives, with the same rows and columns.
func TestSurveyStream(t *testing.T) {
	long := func(title string, header string) []byte {
		var b strings.Builder
		b.WriteString(title + header)
		for i := range 60 {
			fmt.Fprintf(&b, "%d,%s,\"We rebuild report %d by hand; the numbers never match what the ledger says.\",%d\n", i+1, []string{"CFO", "Controller"}[i%2], i, i%5)
			if i%7 == 0 {
				b.WriteString(",,,\n") // blank rows do not count
			}
		}
		return []byte(b.String())
	}
	type input struct {
		name   string
		data   []byte
		sample int
	}
	inputs := []input{
		{"one-header.csv", long("", "Respondent,Job title,What slows your close down?,Rating\n"), 10},
		{"title-row.csv", long("Close survey exported 2 September\n", "Respondent,Job title,What slows your close down?,Rating\n"), 10},
		{"two-header.csv", long("", "Respondent,Job title,What slows your close down?,Rating\n,,Open-Ended Response,Response\n"), 10},
	}
	// The fixtures long enough to stream with a sample of four rows.
	for _, name := range []string{"one-header.csv", "two-header.csv", "three-header.csv"} {
		data, err := os.ReadFile(filepath.Join("testdata", "survey", name))
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{"fixture " + name, data, 4})
	}
	inputs = append(inputs, input{"long.xlsx", workbook(t, 300), 25})
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			ctx := context.Background()
			var held, streamed Extractor = CSV{}, CSV{sample: in.sample}
			if strings.HasSuffix(in.name, ".xlsx") {
				held, streamed = XLSX{}, XLSX{sample: in.sample}
			}
			want, err := held.Extract(ctx, Input{Name: in.name, Data: in.data})
			if err != nil {
				t.Fatal(err)
			}
			if want.Stream != nil {
				t.Fatal("a short survey came as a stream")
			}
			got, err := streamed.Extract(ctx, Input{Name: in.name, Data: in.data})
			if err != nil {
				t.Fatal(err)
			}
			if got.Stream == nil || len(got.Blocks) != 0 {
				t.Fatalf("a survey longer than its sample of %d rows came whole (%d blocks)", in.sample, len(got.Blocks))
			}
			blocks := collect(t, got)
			if !reflect.DeepEqual(blocks, want.Blocks) {
				t.Errorf("streamed %d blocks, held %d; first difference:", len(blocks), len(want.Blocks))
				for i := range min(len(blocks), len(want.Blocks)) {
					if !reflect.DeepEqual(blocks[i], want.Blocks[i]) {
						t.Errorf("got  %+v\nwant %+v", blocks[i], want.Blocks[i])
						break
					}
				}
			}
			// A stream can be read again, and stops when told to.
			if again := collect(t, got); len(again) != len(blocks) {
				t.Errorf("read again: %d blocks, want %d", len(again), len(blocks))
			}
			stop := errors.New("stop")
			if err := got.Stream(ctx, func(Block) error { return stop }); !errors.Is(err, stop) {
				t.Errorf("stopping a stream: %v, want the error yield gave", err)
			}
		})
	}
}

// workbook makes an Excel survey of n rows on one sheet, and a short one
// on a second, so that the sheet name leads the column.
func workbook(t *testing.T, n int) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Job title", "What slows your close down?", "Score"})
	for i := range n {
		f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+2), &[]any{"CFO", fmt.Sprintf("Approvals for item %d wait a week in somebody's inbox.", i), i % 10})
	}
	f.NewSheet("Wave 2")
	f.SetSheetRow("Wave 2", "A1", &[]any{"Role", "Comments"})
	f.SetSheetRow("Wave 2", "A2", &[]any{"Controller", "The close still takes eleven days every single month."})
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
