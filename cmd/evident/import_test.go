package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/evident/evident/api"
)

// A map leaves as a .qdpx for MAXQDA (CRLF) and comes back with evident
// import, through a server; a QualCoder project comes in without one.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	data, inbox := filepath.Join(dir, "data"), filepath.Join(dir, "inbox")
	copyExamples(t, inbox)
	mustRun(t, "ingest", inbox, "--data", data)
	hears := searchJSON(t, "--data", data, "role:cfo category:hear")
	if len(hears.Hits) == 0 {
		t.Fatal("no CFO hears in the examples")
	}
	mustRun(t, "--data", data, "map", "create", "cfo", "--role", "cfo")
	mustRun(t, "--data", data, "map", "attach", "cfo", "HEAR", hears.Hits[0].ID, "--note", "board pressure", "--by", "dana")
	project := filepath.Join(dir, "cfo.qdpx")
	mustRun(t, "--data", data, "map", "export", "cfo", "--format", "qdpx", "--line-endings", "crlf", "--offsets", "utf16", "-o", project)
	raw, err := os.ReadFile(project)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "sources/") {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Contains(b, []byte("\r\n")) || bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
				t.Errorf("%s: not CRLF", f.Name)
			}
		}
	}
	if r := runCLI(t, "", "--data", data, "map", "export", "cfo", "--format", "md", "--offsets", "utf16"); r.code == 0 || !strings.Contains(r.stderr, "qdpx only") {
		t.Errorf("--offsets with md: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, "", "--data", data, "map", "import", project); r.code == 0 || !strings.Contains(r.stderr, "evident import "+project) {
		t.Errorf("map import of a .qdpx: %d %q", r.code, r.stderr)
	}

	// Through a server: the same map comes back.
	data2 := filepath.Join(dir, "data2")
	d := start(t, "serve", "--data", data2, "--http", "127.0.0.1:0", "--workers", "1")
	d.expect(t, `serving (http://127\.0\.0\.1:\d+)`)
	out := mustRun(t, "--data", data2, "import", project, "--map", "cfo again")
	if !strings.Contains(out, `imported "cfo" (written by Evident): 1 document, 1 quote on map "cfo again"`) {
		t.Errorf("import: %q", out)
	}
	m := mapJSON(t, "--data", data2, "map", "show", "cfo again", "--json")
	if q := m.Cell("HEAR").Quotes; len(q) != 1 || q[0].Text != hears.Hits[0].Text || q[0].Note != "board pressure" || q[0].AddedBy != "dana" {
		t.Errorf("imported quotes: %+v", q)
	}
	d.stop(t)

	// Without a server, a QualCoder project; its codes are searchable.
	var qc bytes.Buffer
	zw := zip.NewWriter(&qc)
	root := filepath.Join("..", "..", "qda", "testdata", "qualcoder")
	filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		w, _ := zw.Create(filepath.ToSlash(rel))
		b, _ := os.ReadFile(p)
		w.Write(b)
		return nil
	})
	zw.Close()
	qcFile := filepath.Join(dir, "planning.qdpx")
	if err := os.WriteFile(qcFile, qc.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	data3 := filepath.Join(dir, "data3")
	var rep api.ImportReport
	out = mustRun(t, "--data", data3, "import", qcFile, "--json")
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Quotes != 2 || len(rep.Skipped) == 0 {
		t.Fatalf("import --json: %q %v", out, err)
	}
	text := mustRun(t, "--data", data3, "import", qcFile)
	for _, want := range []string{"not imported:", "focus group.m4a", "0 quotes on map \"Planning interviews\""} {
		if !strings.Contains(text, want) {
			t.Errorf("import output lacks %q:\n%s", want, text)
		}
	}
	hits := searchJSON(t, "--data", data3, "code:trust")
	if len(hits.Hits) != 1 {
		t.Errorf("code:trust: %+v", hits.Hits)
	}
	show := mustRun(t, "--data", data3, "show", rep.Documents[0].SHA256[:12])
	if !strings.Contains(show, "codes: slow close, Tools") {
		t.Errorf("show does not list the codes:\n%s", show)
	}
}
