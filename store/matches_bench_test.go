package store

import (
	"encoding/json"
	"testing"

	"github.com/evident/evident"
)

// Reading a passage's matches, compact against the objects of before: a
// search reads them for every hit it ranks.
func BenchmarkDecodeMatches(b *testing.B) {
	ms := []evident.Match{
		{Category: "DO", Rule: "do.first-person-action", Text: "Our team plan", Weight: 1.13},
		{Category: "DO", Rule: "do.first-person-action", Text: "My team often measure", Weight: 1.13},
		{Category: "DO", Rule: "do.cue.we-act", Text: "Our team plan", Weight: 1},
		{Category: "DO", Rule: "do.cue.my", Text: "My", Weight: 0.45},
		{Category: "DO", Rule: "do.cue.we-adverb", Text: "My team often", Weight: 0.36},
		{Category: "DO", Rule: "do.routine", Text: "often", Weight: 0.29},
		{Category: "PAINS", Rule: "pains.obstacle", Text: "bottleneck", Weight: 1.46, Reason: "negated"},
	}
	objects, _ := json.Marshal(ms)
	for _, c := range []struct{ name, col string }{{"compact", encodeMatches(ms)}, {"objects", string(objects)}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.col)))
			for b.Loop() {
				if _, err := decodeMatches(c.col); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
