package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkAwaitPoll is one poll of a command waiting for 10 submitted
// documents, in a store of 20,000: reading every document (as the wait
// did) against reading the 10 (DocumentsOf).
func BenchmarkAwaitPoll(b *testing.B) {
	s, err := Open(b.TempDir() + "/evident.db")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var shas []string
	for i := range 20_000 {
		sha := fmt.Sprintf("%064x", i+1)
		if _, _, err := s.Register(ctx, Submission{Origin: fmt.Sprintf("inbox/n%d.txt", i), File: fmt.Sprintf("n%d.txt", i), SHA256: sha, Size: 1}); err != nil {
			b.Fatal(err)
		}
		shas = append(shas, sha)
	}
	waiting := shas[len(shas)-10:]
	b.Run("every-document", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.Documents(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("documents-of", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.DocumentsOf(ctx, waiting); err != nil {
				b.Fatal(err)
			}
		}
	})
}
