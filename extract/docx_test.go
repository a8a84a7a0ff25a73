// The Word tests run in package extract_test because they follow a
// document on into the passage step, which imports extract.
package extract_test

import (
	"archive/zip"
	"bytes"
	"context"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/extract"
	"github.com/evident/evident/extract/extracttest"
	"github.com/evident/evident/passage"
)

// wordGolden records a Word file's extraction and, after it, the passages:
// the speaker turns are what a Word transcript is read for.
type wordGolden struct {
	extract.DocGolden
	Passages []evident.Passage `json:"passages,omitempty"`
}

func TestDOCXGolden(t *testing.T) {
	tests := []struct{ file, name string }{
		{"interview.docx", "interview.docx"},              // labels in bold runs and plain text, tracked changes, fields, text box, table
		{"table-transcript.docx", "discovery-call-7.bin"}, // a transcript laid out as a table; main part named document2.xml
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "docx", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: tt.name, Data: data})
			g := wordGolden{DocGolden: extract.GoldenOf(doc, err)}
			if err == nil {
				g.Passages = passage.Build(doc, passage.Options{})
			}
			extract.CheckGolden(t, strings.TrimSuffix(path, ".docx")+".golden.json", g)
		})
	}
}

// A Word interview transcript reaches the passage step as plain paragraphs
// and comes out as speaker turns: labels in bold runs or plain text, a turn
// running over two paragraphs, and the heading as context.
func TestDOCXSpeakerTurns(t *testing.T) {
	data, err := os.ReadFile("testdata/docx/interview.docx")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: "interview.docx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Structured {
		t.Fatal("Word blocks are marked structured: the passage step would not look for speakers")
	}
	turns := map[string][]evident.Passage{}
	for _, p := range passage.Build(doc, passage.Options{}) {
		turns[p.Speaker] = append(turns[p.Speaker], p)
		if strings.Contains(p.Text, "hate") || strings.Contains(p.Text, "auditors") || strings.Contains(p.Text, "PAGEREF") {
			t.Errorf("deleted text or a field instruction in a passage: %q", p.Text)
		}
	}
	jane, sam := turns["Jane Doe"], turns["Sam Lee"]
	if len(jane) < 3 || len(sam) != 2 {
		t.Fatalf("turns: Jane Doe %d, Sam Lee %d, want at least 3 and 2: %+v", len(jane), len(sam), turns)
	}
	want := []string{
		"Eleven days, give or take. Most of it is waiting for the business units to send their numbers.",
		"We chase them by email, and the spreadsheet breaks every time someone adds a column.",
	}
	for i, w := range want {
		if jane[i].Text != w {
			t.Errorf("Jane's turn %d = %q, want %q", i, jane[i].Text, w)
		}
		if jane[i].Context != "Transcript" || jane[i].Locator.Paragraph == 0 {
			t.Errorf("Jane's turn %d: context %q, locator %+v", i, jane[i].Context, jane[i].Locator)
		}
	}
	if jane[0].Attrs["label"] != "CFO, Acme" {
		t.Errorf("Jane's label detail = %q, want %q", jane[0].Attrs["label"], "CFO, Acme")
	}
}

// A transcript laid out as a table keeps its speakers and times.
func TestDOCXTableTranscript(t *testing.T) {
	data, err := os.ReadFile("testdata/docx/table-transcript.docx")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := extract.Default().Extract(context.Background(), extract.Input{Name: "call.docx", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range passage.Build(doc, passage.Options{}) {
		if p.Speaker != "" {
			got = append(got, p.Speaker+" "+p.Locator.Time)
		}
	}
	want := "Interviewer 00:00:05|Priya Shah 00:00:12|Interviewer 00:01:40|Priya Shah 00:01:47"
	if strings.Join(got, "|") != want {
		t.Errorf("turns %q, want %q", strings.Join(got, "|"), want)
	}
}

type entry struct {
	name  string
	body  string
	flags uint16
	size  uint64 // declared uncompressed size, when it should lie
}

// pack writes a zip whose entries may claim to be encrypted or larger than
// they are.
func pack(t testing.TB, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		if e.size == 0 && e.flags == 0 {
			w, err := zw.Create(e.name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, e.body)
			continue
		}
		size := e.size
		if size == 0 {
			size = uint64(len(e.body))
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: e.name, Method: zip.Store, Flags: e.flags,
			CRC32: crc32.ChecksumIEEE([]byte(e.body)), CompressedSize64: uint64(len(e.body)), UncompressedSize64: size})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wordXML = `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>%s</w:body></w:document>`

func word(body string) string { return strings.Replace(wordXML, "%s", body, 1) }

func TestDOCXDamage(t *testing.T) {
	types := entry{name: "[Content_Types].xml", body: `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`}
	para := word(`<w:p><w:r><w:t>Jane: We close late.</w:t></w:r></w:p>`)
	good := pack(t, types, entry{name: "word/document.xml", body: para})
	tests := []struct {
		name string
		file string
		data []byte
		want string
	}{
		{"no main part", "a.docx", pack(t, types, entry{name: "word/styles.xml", body: "<w:styles/>"}), "the Word file is damaged: word/document.xml is missing"},
		{"encrypted entry", "a.docx", pack(t, types, entry{name: "word/document.xml", body: para, flags: 0x1}), "encrypted"},
		{"zip bomb", "a.docx", pack(t, types, entry{name: "word/document.xml", body: para, size: 3 << 30}), "too large: word/document.xml unpacks to 3072 MB"},
		{"bad XML", "a.docx", pack(t, types, entry{name: "word/document.xml", body: `<w:document xmlns:w="x"><w:body><w:p>`}), "word/document.xml is not valid XML"},
		{"no text", "a.docx", pack(t, types, entry{name: "word/document.xml", body: word(`<w:p/><w:p><w:r><w:delText>gone</w:delText></w:r></w:p>`)}), "no text found in the Word file"},
		{"truncated", "a.docx", good[:len(good)-30], "the Word file is damaged or incomplete"},
		{"text named .docx", "a.docx", []byte("Jane: We close late.\nSam: Why?\n"), "named .docx but the content is not docx"},
		{"PowerPoint", "deck.pptx", pack(t, types, entry{name: "ppt/presentation.xml", body: "<p/>"}), "a PowerPoint presentation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := extract.Default().Extract(context.Background(), extract.Input{Name: tt.file, Data: tt.data})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := extract.Default().Extract(context.Background(), extract.Input{Name: "a.docx", Data: good}); err != nil {
		t.Errorf("the undamaged package fails: %v", err)
	}
}

// Sniffing sees only the head of a file; the zip's table of contents is at
// its end. Word parts are found from the local headers at the start.
func TestDOCXSniff(t *testing.T) {
	types := entry{name: "[Content_Types].xml", body: strings.Repeat(" ", 3000)}
	data := pack(t, types, entry{name: "_rels/.rels", body: "<Relationships/>"},
		entry{name: "word/document.xml", body: word(`<w:p><w:r><w:t>We close late.</w:t></w:r></w:p>`)})
	f, err := extract.Default().Detect("upload.bin", data)
	if err != nil || f.Name != "docx" {
		t.Errorf("Detect = %q, %v; want docx", f.Name, err)
	}
}

// FuzzDOCX feeds arbitrary bytes both as a whole file and as the main part
// of a well-formed package: mutating a zip mostly breaks its checksums, so
// the second form is what reaches the XML walker.
func FuzzDOCX(f *testing.F) {
	for _, b := range extracttest.Files(f, "testdata/docx/*.docx") {
		f.Add(b)
	}
	f.Add([]byte(word(`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Notes</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>Jane</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>We close late every month.</w:t></w:r></w:p></w:tc></w:tr></w:tbl>`)))
	f.Fuzz(func(t *testing.T, data []byte) {
		wrapped := pack(t, entry{name: "word/document.xml", body: string(data)})
		for _, in := range [][]byte{data, wrapped} {
			doc, err := extract.DOCX{}.Extract(context.Background(), extract.Input{Name: "f.docx", Data: in})
			if err != nil {
				if err.Error() == "" || !utf8.ValidString(err.Error()) {
					t.Fatalf("unhelpful error %q", err)
				}
				continue
			}
			if len(doc.Blocks) == 0 {
				t.Fatal("no error and no blocks")
			}
			for _, b := range doc.Blocks {
				if !utf8.ValidString(b.Text) || strings.TrimSpace(b.Text) == "" || b.Loc.Paragraph < 1 {
					t.Fatalf("bad block %+v", b)
				}
			}
			passage.Build(doc, passage.Options{})
		}
	})
}
