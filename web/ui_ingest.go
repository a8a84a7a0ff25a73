package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/engine"
)

type ingestPage struct {
	chrome
	Disk      engine.Disk
	Documents []evident.Document // newest first
	Counts    map[string]int
	Busy      bool // some document is still queued or processing
	Results   []uploaded
}

type uploaded struct {
	File    string
	Outcome string
	Error   string
}

func (u *ui) ingestPage(w http.ResponseWriter, r *http.Request) {
	u.renderIngest(w, r, http.StatusOK, nil)
}

func (u *ui) renderIngest(w http.ResponseWriter, r *http.Request, code int, results []uploaded) {
	st, err := u.s.Engine.Status(r.Context())
	if err != nil {
		u.s.failPage(w, http.StatusInternalServerError, "Ingestion", err)
		return
	}
	docs := st.Documents
	slices.Reverse(docs)
	data := ingestPage{chrome: chrome{Title: "Ingestion", Nav: "ingest", Notice: notice(r)}, Disk: st.Disk, Documents: docs,
		Counts: map[string]int{}, Results: results}
	for _, d := range docs {
		data.Counts[string(d.State)]++
		if d.State == evident.Queued || d.State == evident.Processing {
			data.Busy = true
		}
	}
	u.s.render(w, "ingest", code, data)
}

// ingestForm takes the upload form as a browser without JavaScript sends
// it: any number of "file" parts and an optional "folder_role", the role
// of whoever speaks in these files. Each file goes into the same queue as
// the inbox.
func (u *ui) ingestForm(w http.ResponseWriter, r *http.Request) {
	u.s.longBody(w, r)
	if u.s.MaxUpload > 0 {
		r.Body = http.MaxBytesReader(w, r.Body, 20*(u.s.MaxUpload+1<<20))
	}
	mr, err := r.MultipartReader()
	if err != nil {
		u.s.failPage(w, http.StatusBadRequest, "Ingestion", errors.New("the upload did not arrive as a form with files; choose files and press Upload"))
		return
	}
	type saved struct{ tmp, name string }
	var files []saved
	defer func() {
		for _, f := range files {
			os.Remove(f.tmp)
		}
	}()
	var role string
	var results []uploaded
	metas := map[string][]byte{} // sidecars by the name of their document
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			u.s.failPage(w, http.StatusBadRequest, "Ingestion", fmt.Errorf("the upload broke off: %w", err))
			return
		}
		switch part.FormName() {
		case "file":
			name := filepath.Base(filepath.Clean("/" + part.FileName()))
			if name == "/" || name == "." {
				continue // the form was sent with no file chosen
			}
			if doc, ok := strings.CutSuffix(name, evident.SidecarSuffix); ok {
				b, err := io.ReadAll(io.LimitReader(part, 1<<20))
				if err != nil {
					results = append(results, uploaded{File: name, Error: err.Error()})
				}
				metas[doc] = b
				continue
			}
			var src io.Reader = part
			if u.s.MaxUpload > 0 {
				src = io.LimitReader(part, u.s.MaxUpload+1)
			}
			tmp, err := u.s.save(src)
			if err != nil {
				results = append(results, uploaded{File: name, Error: err.Error()})
				continue
			}
			if st, err := os.Stat(tmp); err == nil && u.s.MaxUpload > 0 && st.Size() > u.s.MaxUpload {
				os.Remove(tmp)
				results = append(results, uploaded{File: name, Error: fmt.Sprintf("larger than the %d MiB this server accepts", u.s.MaxUpload>>20)})
				continue
			}
			files = append(files, saved{tmp, name})
		case "folder_role":
			b, _ := io.ReadAll(io.LimitReader(part, 256))
			role = strings.TrimSpace(string(b))
		}
	}
	if len(files) == 0 && len(results) == 0 && len(metas) == 0 {
		u.renderIngest(w, r, http.StatusBadRequest, []uploaded{{Error: "No file was chosen."}})
		return
	}
	for doc := range metas {
		if !slices.ContainsFunc(files, func(f saved) bool { return f.name == doc }) {
			results = append(results, uploaded{File: doc + evident.SidecarSuffix,
				Error: "a sidecar goes with its document; upload " + doc + " together with it"})
		}
	}
	for _, f := range files {
		src := engine.Source{Path: f.tmp, Name: f.name, Origin: "upload:" + f.name, FolderRole: role}
		if b, ok := metas[f.name]; ok {
			m, err := evident.ParseMeta(b)
			if err != nil {
				results = append(results, uploaded{File: f.name, Error: fmt.Sprintf("its sidecar %s%s: %v", f.name, evident.SidecarSuffix, err)})
				continue
			}
			src.Meta = m
		}
		sub, err := u.s.Engine.Submit(r.Context(), src)
		if err != nil {
			results = append(results, uploaded{File: f.name, Error: err.Error()})
			continue
		}
		results = append(results, uploaded{File: f.name, Outcome: sub.Outcome.String()})
	}
	u.renderIngest(w, r, http.StatusOK, results)
}
