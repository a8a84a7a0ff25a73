package persona

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/passage"
	"github.com/evident/evident/roles"
)

// BenchmarkResolve detects speakers, hosts and roles in real transcripts
// and notes, as a worker does after splitting them: the transcripts and
// notes here, and the shared corpus's transcripts and interviews when
// present. Extraction and splitting are done once, outside the timer.
//
//	go test ./persona -run '^$' -bench Resolve -benchtime 20x
func BenchmarkResolve(b *testing.B) {
	var docs [][]evident.Passage
	var metas []evident.Meta
	n := 0
	for _, glob := range []string{"testdata/*.md", "testdata/*.txt", "../eval/notes/*",
		"../../shared/corpus/transcripts/*", "../../shared/corpus/interviews/*"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: filepath.Base(f), Data: raw})
			if err != nil {
				continue
			}
			ps := passage.Build(doc, passage.Options{})
			docs, metas = append(docs, ps), append(metas, doc.Meta)
			n += len(ps)
		}
	}
	tax := roles.Default()
	b.ResetTimer()
	for b.Loop() {
		for i, ps := range docs {
			Resolve(Input{Meta: metas[i], Passages: slices.Clone(ps), Roles: tax})
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "passages/s")
	b.ReportMetric(float64(len(docs)), "docs")
}
