package web

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evident/evident/api"
)

func qualCoderProject(t *testing.T) []byte {
	t.Helper()
	root := filepath.Join("..", "qda", "testdata", "qualcoder")
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
	if err != nil || zw.Close() != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The maps page's form imports a project and says what came in and what
// did not; the API and the client answer the report.
func TestImportForm(t *testing.T) {
	ts, c, _ := newServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("map", "from qualcoder")
	mw.WriteField("cells", "trust=GAINS")
	w, _ := mw.CreateFormFile("file", "planning.qdpx")
	w.Write(qualCoderProject(t))
	mw.Close()
	req, _ := http.NewRequest("POST", ts.URL+"/maps/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", ts.URL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, page)
	}
	for _, want := range []string{"Imported <strong>Planning interviews</strong> (written by QualCoder 3.5)", "3 quotes on <a href=\"/maps/from%20qualcoder\">", "focus group.m4a", "Not imported"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("the page does not say %q:\n%s", want, page)
		}
	}
	ctx := context.Background()
	m, err := c.GetMap(ctx, "from qualcoder")
	if err != nil || len(m.Cell("GAINS").Quotes) != 1 {
		t.Errorf("the map: %+v %v", m, err)
	}
	// Through the client: imported again, nothing new on the map.
	rep, err := c.ImportQDA(ctx, qualCoderProject(t), api.ImportOptions{Map: "from qualcoder", Cells: map[string]string{"trust": "GAINS"}})
	if err != nil || rep.Quotes != 0 || len(rep.Documents) != 1 {
		t.Errorf("client import: %+v %v", rep, err)
	}
	code, _, _ := post(t, ts, "/api/import", nil, map[string]string{"Origin": ts.URL})
	if code != http.StatusBadRequest {
		t.Errorf("an empty import: %d", code)
	}
}
