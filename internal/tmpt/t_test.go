package tmpt

import (
	"encoding/json"
	"testing"

	"github.com/evident/evident/classify"
	"github.com/evident/evident/configs"
)

func BenchmarkYAML(b *testing.B) {
	for b.Loop() {
		classify.Decode(configs.Rules())
	}
}

func BenchmarkJSON(b *testing.B) {
	f, _ := classify.Decode(configs.Rules())
	js, _ := json.Marshal(f)
	b.Logf("%d bytes", len(js))
	for b.Loop() {
		var g classify.File
		if err := json.Unmarshal(js, &g); err != nil {
			b.Fatal(err)
		}
	}
}
func BenchmarkCompile(b *testing.B) {
	f, _ := classify.Decode(configs.Rules())
	for b.Loop() {
		classify.Compile(f)
	}
}
