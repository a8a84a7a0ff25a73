package maps

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/evident/evident"
)

// benchMap is a map of 300 quotes (50 per cell) from 30 documents, on
// real SQLite.
func benchMap(b *testing.B) *testbed {
	b.Helper()
	tb := newTestbed(b)
	ctx := context.Background()
	if _, err := tb.maps.Create(ctx, Info{Name: "big", Role: "cfo"}, "bench"); err != nil {
		b.Fatal(err)
	}
	for d := range 30 {
		var paras []string
		for p := range 10 {
			paras = append(paras, fmt.Sprintf("Document %d, passage %d: reconciling the ledgers takes forever and we need one place for spend.", d, p))
		}
		doc := tb.ingest(fmt.Sprintf("inbox/doc-%d.txt", d), paras, nil)
		for p := range 10 {
			cat := defaultCells[(d*10+p)%6].Name
			if _, err := tb.maps.Attach(ctx, "big", Attachment{Category: cat, PassageID: evident.PassageID(doc.SHA256, p)}, "bench"); err != nil {
				b.Fatal(err)
			}
		}
	}
	return tb
}

func BenchmarkMap(b *testing.B) {
	tb := benchMap(b)
	ctx := context.Background()
	b.Run("Open", func(b *testing.B) {
		for b.Loop() {
			if _, err := Open(ctx, tb.st.DB(), tb.maps.cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Get300", func(b *testing.B) {
		for b.Loop() {
			if _, err := tb.maps.Get(ctx, "big"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("NoteAndUndo", func(b *testing.B) {
		note := "n"
		for b.Loop() {
			if _, err := tb.maps.Update(ctx, "big", "q150", QuoteUpdate{Note: &note}, "bench"); err != nil {
				b.Fatal(err)
			}
			if _, err := tb.maps.Undo(ctx, "big", "bench"); err != nil {
				b.Fatal(err)
			}
			note += "n"
		}
	})
	m, err := tb.maps.Get(ctx, "big")
	if err != nil {
		b.Fatal(err)
	}
	texts, err := tb.maps.SourceTexts(ctx, m)
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range []string{"md", "json", "csv", "html", "qdpx"} {
		f, _ := FormatOf(name)
		b.Run("Export300/"+name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Write(&buf, m, f, texts, QDPXOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(buf.Len()))
		})
	}
}
