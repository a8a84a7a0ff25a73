package tmpt

import (
	"context"
	"testing"
	"time"

	"github.com/evident/evident/maps"
	"github.com/evident/evident/store"
)

func TestTiming(t *testing.T) {
	for i := 0; i < 5; i++ {
		dir := t.TempDir()
		t0 := time.Now()
		s, err := store.Open(dir + "/evident.db")
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		if _, err := maps.Open(context.Background(), s.DB(), maps.Config{Sources: s}); err != nil {
			t.Fatal(err)
		}
		t2 := time.Now()
		t.Logf("store %v maps %v", t1.Sub(t0), t2.Sub(t1))
		s.Close()
	}
}
