package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestODTGolden(t *testing.T) {
	path := filepath.Join("testdata", "odt", "notes.odt")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Default().Extract(context.Background(), Input{Name: "session-3.odt", Data: data})
	checkGolden(t, strings.TrimSuffix(path, ".odt")+".golden.json", goldenOf(doc, err))
	if err != nil {
		return
	}
	all := ""
	for _, b := range doc.Blocks {
		all += b.Text + "\n"
	}
	// What must not leak into the text: tracked deletions, comments,
	// footnotes and an image's alt text.
	for _, gone := range []string{"was deleted", "Check the wording", "general ledger", "Chart of errors"} {
		if strings.Contains(all, gone) {
			t.Errorf("text holds %q:\n%s", gone, all)
		}
	}
	for _, kept := range []string{"firm.\nSession run remotely, screen shared.", "• Task 2: export the aged debt report", "then I'd ask my manager."} {
		if !strings.Contains(all, kept) {
			t.Errorf("text lacks %q:\n%s", kept, all)
		}
	}
}

// odf builds an OpenDocument package whose first entry is the given
// mimetype, stored, as the specification requires.
func odf(t *testing.T, mimetype string, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "mimetype", Method: zip.Store, CRC32: crc32.ChecksumIEEE([]byte(mimetype)),
		CompressedSize64: uint64(len(mimetype)), UncompressedSize64: uint64(len(mimetype))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(mimetype))
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestODTDetectAndRefuse(t *testing.T) {
	content := `<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text><text:p>Moderator: Where do you start?</text:p></office:text></office:body></office:document-content>`
	tests := []struct {
		name    string
		file    string
		data    []byte
		format  string // "" when refused
		wantErr string
	}{
		{"text document under another name", "notes.zip", odf(t, "application/vnd.oasis.opendocument.text", map[string]string{"content.xml": content}), "odt", ""},
		{"spreadsheet", "survey.ods", odf(t, "application/vnd.oasis.opendocument.spreadsheet", nil), "", "OpenDocument spreadsheet"},
		{"presentation", "deck.odp", odf(t, "application/vnd.oasis.opendocument.presentation", nil), "", "OpenDocument presentation"},
		{"no content part", "notes.odt", odf(t, "application/vnd.oasis.opendocument.text", nil), "", "content.xml is missing"},
		{"bad XML", "notes.odt", odf(t, "application/vnd.oasis.opendocument.text", map[string]string{"content.xml": "<office:document-content><text:p>"}), "", "content.xml is not valid XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Default().Extract(context.Background(), Input{Name: tt.file, Data: tt.data})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if doc.Format != tt.format {
				t.Errorf("format %q, want %q", doc.Format, tt.format)
			}
		})
	}
}

// FuzzODT feeds arbitrary bytes both as a whole file and as the
// content.xml of a well-formed package: mutating a zip mostly breaks its
// checksums, so the second form is what reaches the XML walker.
func FuzzODT(f *testing.F) {
	for _, b := range addSeedFiles(f, "testdata/odt/*.odt") {
		if content := zipPart(f, b, "content.xml"); content != nil {
			f.Add(content)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{data, odf(t, "application/vnd.oasis.opendocument.text", map[string]string{"content.xml": string(data)})} {
			doc, err := ODT{}.Extract(context.Background(), Input{Name: "f.odt", Data: in})
			if err != nil {
				continue
			}
			if err := doc.Validate(); err != nil {
				t.Error(err)
			}
		}
	})
}
