package web

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/evident/evident/api"
	"github.com/evident/evident/maps"
)

// The client is the Service over HTTP: each call answers what the engine
// answers in process, and fails with the same kind.
func TestClientIsTheService(t *testing.T) {
	e, data := runEngine(t)
	ts := httptest.NewServer((&Server{Engine: e, Uploads: filepath.Join(data, "uploads"), MaxUpload: 1 << 20}).Handler())
	t.Cleanup(ts.Close)
	c := &Client{Base: ts.URL}
	doc := upload(t, c, "notes.txt", "Our CFO keeps telling me the budget is late.\n\nThe board wants the forecast every month.\n")
	ctx := context.Background()
	shown, err := e.Show(ctx, doc.File)
	if err != nil || len(shown.Passages) == 0 {
		t.Fatalf("%s: %v", doc.File, err)
	}
	id := shown.Passages[0].ID
	calls := []struct {
		name string
		call func(api.Service) (any, error)
		kind api.Kind // of the failure, "" for success
	}{
		{"categories", func(s api.Service) (any, error) { return s.Categories(ctx) }, ""},
		{"show", func(s api.Service) (any, error) { return s.Show(ctx, "notes.txt") }, ""},
		{"show nothing", func(s api.Service) (any, error) { return s.Show(ctx, "nothing.txt") }, api.NotFound},
		{"passage in context", func(s api.Service) (any, error) { return s.Passage(ctx, id, 1) }, ""},
		{"no passage", func(s api.Service) (any, error) { return s.Passage(ctx, "nope-1", 1) }, api.NotFound},
		{"matrix", func(s api.Service) (any, error) { return s.Matrix(ctx) }, ""},
		{"documents of hashes", func(s api.Service) (any, error) { return s.Documents(ctx, doc.SHA256, "0000") }, ""},
		{"no map", func(s api.Service) (any, error) { return s.GetMap(ctx, "nobody") }, api.NotFound},
		{"a map without a name", func(s api.Service) (any, error) { return s.CreateMap(ctx, maps.Info{}, "t") }, api.Invalid},
		{"tags of no passage", func(s api.Service) (any, error) { return s.Tag(ctx, "nope-1", api.TagEdit{Accept: true}, "t") }, api.NotFound},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			want, werr := tt.call(e)
			got, gerr := tt.call(c)
			if api.KindOf(werr) != tt.kind || api.KindOf(gerr) != tt.kind {
				t.Fatalf("in process: %v (%q); over HTTP: %v (%q); want kind %q", werr, api.KindOf(werr), gerr, api.KindOf(gerr), tt.kind)
			}
			if werr != nil {
				if werr.Error() != gerr.Error() {
					t.Errorf("in process %q, over HTTP %q", werr, gerr)
				}
				return
			}
			w, _ := json.Marshal(want)
			g, _ := json.Marshal(got)
			if string(w) != string(g) {
				t.Errorf("in process:\n%s\nover HTTP:\n%s", w, g)
			}
		})
	}
}
