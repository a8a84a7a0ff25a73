// Package hostile writes the files that push Evident's memory and limits:
// a million-row survey, a five-megabyte line, a zip bomb, markup nested
// thousands deep. They are generated at run time (go run
// ./internal/hostile/gen DIR, or Write from a test) rather than committed,
// and the same seed always gives the same bytes.
package hostile

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

// File is one generated file.
type File struct {
	Name string
	What string // what it is, for the benchmark table
	// Set is false for the files too large to belong to the hostile set
	// that is measured together (the million-row CSV alone).
	Set   bool
	write func(w io.Writer, r *rand.Rand) error
}

// Files lists every hostile file.
func Files() []File {
	return []File{
		{Name: "survey-1m.csv", What: "CSV survey, 1,000,000 rows", write: csvRows(1_000_000)},
		{Name: "survey-200k.xlsx", What: "Excel survey, 200,000 rows", Set: true, write: xlsxRows(200_000)},
		{Name: "survey-200k.csv", What: "CSV survey, 200,000 rows", Set: true, write: csvRows(200_000)},
		{Name: "one-line.txt", What: "text, 5 MB on one line (sentences)", Set: true, write: oneLine(5<<20, true)},
		{Name: "one-word.txt", What: "text, 5 MB on one line, no spaces", Set: true, write: oneWord(5 << 20)},
		{Name: "lines-200k.txt", What: "text, 200,000 lines in one paragraph", Set: true, write: lines(200_000, false)},
		{Name: "paragraphs-200k.txt", What: "text, 200,000 one-line paragraphs", Set: true, write: lines(200_000, true)},
		{Name: "nul-bytes.txt", What: "text with NUL bytes between the words, 2 MB", Set: true, write: nulBytes(2 << 20)},
		{Name: "blank-lines.txt", What: "text, 2,000,000 blank lines around one sentence", Set: true, write: blankLines(2_000_000)},
		{Name: "zip-bomb.docx", What: "Word file whose document.xml unpacks to 60 MB of one paragraph", Set: true, write: zipBomb(60 << 20)},
		{Name: "paragraphs-100k.docx", What: "Word file, 100,000 paragraphs", Set: true, write: docxParagraphs(100_000)},
		{Name: "deep.html", What: "web page, <div> nested 100,000 deep", Set: true, write: deepHTML(100_000)},
		{Name: "one-paragraph.html", What: "web page, one 5 MB paragraph", Set: true, write: bigParagraphHTML(5 << 20)},
		{Name: "cues-100k.vtt", What: "captions, 100,000 cues", Set: true, write: cues(100_000)},
		{Name: "big-cell.csv", What: "CSV survey, one 5 MB answer", Set: true, write: bigCell(5 << 20)},
		{Name: "wide.csv", What: "CSV survey, 2,000 columns × 100 rows", Set: true, write: wide(2000, 100)},
		{Name: "speakers-50k.txt", What: "transcript, 50,000 turns of 2,000 speakers", Set: true, write: speakers(50_000, 2000)},
		{Name: "table-line.md", What: "Markdown, a 3 MB table row", Set: true, write: tableLine(3 << 20)},
		{Name: "private-use.txt", What: "text of private-use characters (a PDF font without a map)", Set: true, write: privateUse(200_000)},
		{Name: "random.txt", What: "random bytes named .txt, 1 MB", Set: true, write: random(1 << 20)},
	}
}

// Write writes f into dir and returns its path.
func (f File) Write(dir string) (string, error) {
	path := filepath.Join(dir, f.Name)
	out, err := os.Create(path)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(out, 1<<20)
	r := rand.New(rand.NewSource(int64(len(f.Name))))
	err = f.write(w, r)
	if err == nil {
		err = w.Flush()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("hostile %s: %w", f.Name, err)
	}
	return path, nil
}

// Find returns the file of that name.
func Find(name string) (File, bool) {
	for _, f := range Files() {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

var words = strings.Fields(`the we our it is a to and of in that for with on this budget
	team finance forecast report month close spreadsheet tool manager customer data
	slow manual always never really time week board numbers process approval
	system dashboard trust audit people need want hear see say do think struggle
	takes forever every quarter because when they told me my boss keeps asking`)

var roles = []string{"CFO", "Controller", "IT director", "Finance manager", "Analyst", "Head of procurement"}

func sentence(r *rand.Rand, b *strings.Builder) {
	n := 6 + r.Intn(12)
	for i := range n {
		w := words[r.Intn(len(words))]
		if i == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	b.WriteString(". ")
}

func answer(r *rand.Rand) string {
	var b strings.Builder
	sentence(r, &b)
	if r.Intn(4) == 0 {
		sentence(r, &b)
	}
	return strings.TrimSpace(b.String())
}

func csvRows(n int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		fmt.Fprintln(w, `Respondent,Job title,What slows your month-end close down?,Rating`)
		for i := range n {
			fmt.Fprintf(w, "%d,%s,\"%s\",%d\n", i+1, roles[r.Intn(len(roles))], answer(r), 1+r.Intn(5))
		}
		return nil
	}
}

func xlsxRows(n int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		f := excelize.NewFile()
		defer f.Close()
		sw, err := f.NewStreamWriter("Sheet1")
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"Respondent", "Job title", "What slows your month-end close down?", "Rating"}); err != nil {
			return err
		}
		for i := range n {
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, []any{i + 1, roles[r.Intn(len(roles))], answer(r), 1 + r.Intn(5)}); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
		return f.Write(w)
	}
}

func oneLine(size int, sentences bool) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		var b strings.Builder
		for b.Len() < size {
			sentence(r, &b)
		}
		_, err := io.WriteString(w, b.String()+"\n")
		return err
	}
}

func oneWord(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, size)
		for i := range b {
			b[i] = letters[r.Intn(len(letters))]
		}
		_, err := w.Write(b)
		return err
	}
}

func lines(n int, blank bool) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		for range n {
			var b strings.Builder
			sentence(r, &b)
			io.WriteString(w, strings.TrimSpace(b.String())+"\n")
			if blank {
				io.WriteString(w, "\n")
			}
		}
		return nil
	}
}

func nulBytes(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		for n := 0; n < size; {
			k, _ := io.WriteString(w, words[r.Intn(len(words))]+"\x00")
			n += k
			if r.Intn(12) == 0 {
				io.WriteString(w, "\n\n")
			}
		}
		return nil
	}
}

func blankLines(n int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		half := strings.Repeat("\n", n/2)
		io.WriteString(w, half)
		io.WriteString(w, "My boss keeps asking why the close takes forever.\n")
		_, err := io.WriteString(w, half)
		return err
	}
}

const docxTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
const docxRels = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
const docxHead = `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`
const docxTail = `</w:body></w:document>`

func docx(w io.Writer, body func(io.Writer) error) error {
	z := zip.NewWriter(w)
	for _, p := range []struct{ name, data string }{{"[Content_Types].xml", docxTypes}, {"_rels/.rels", docxRels}} {
		f, err := z.Create(p.name)
		if err != nil {
			return err
		}
		io.WriteString(f, p.data)
	}
	f, err := z.Create("word/document.xml")
	if err != nil {
		return err
	}
	io.WriteString(f, docxHead)
	if err := body(f); err != nil {
		return err
	}
	io.WriteString(f, docxTail)
	return z.Close()
}

func zipBomb(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		return docx(w, func(f io.Writer) error {
			io.WriteString(f, "<w:p><w:r><w:t>")
			chunk := strings.Repeat("budget ", 1<<14)
			for n := 0; n < size; n += len(chunk) {
				io.WriteString(f, chunk)
			}
			_, err := io.WriteString(f, "</w:t></w:r></w:p>")
			return err
		})
	}
}

func docxParagraphs(n int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		return docx(w, func(f io.Writer) error {
			for range n {
				fmt.Fprintf(f, "<w:p><w:r><w:t>%s</w:t></w:r></w:p>", answer(r))
			}
			return nil
		})
	}
}

func deepHTML(depth int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		io.WriteString(w, "<!doctype html><html><head><title>Deep</title></head><body>")
		for range depth {
			io.WriteString(w, "<div>")
		}
		fmt.Fprintf(w, "<p>%s</p>", answer(r))
		for range depth {
			io.WriteString(w, "</div>")
		}
		_, err := io.WriteString(w, "</body></html>")
		return err
	}
}

func bigParagraphHTML(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		io.WriteString(w, "<!doctype html><html><head><title>Long</title></head><body><article><h1>Long</h1><p>")
		var b strings.Builder
		for b.Len() < size {
			sentence(r, &b)
		}
		io.WriteString(w, b.String())
		_, err := io.WriteString(w, "</p></article></body></html>")
		return err
	}
}

func cues(n int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		io.WriteString(w, "WEBVTT\n\n")
		for i := range n {
			s := i * 3
			fmt.Fprintf(w, "%02d:%02d:%02d.000 --> %02d:%02d:%02d.500\n<v Speaker %d>%s\n\n",
				s/3600, s/60%60, s%60, s/3600, s/60%60, s%60, 1+r.Intn(3), answer(r))
		}
		return nil
	}
}

func bigCell(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		fmt.Fprintln(w, `Respondent,Job title,What slows your month-end close down?`)
		for i := range 20 {
			fmt.Fprintf(w, "%d,%s,\"%s\"\n", i+1, roles[r.Intn(len(roles))], answer(r))
		}
		var b strings.Builder
		for b.Len() < size {
			sentence(r, &b)
		}
		_, err := fmt.Fprintf(w, "21,CFO,\"%s\"\n", b.String())
		return err
	}
}

func wide(cols, rows int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		for c := range cols {
			if c > 0 {
				io.WriteString(w, ",")
			}
			fmt.Fprintf(w, "Question %d: what do you think about it?", c+1)
		}
		io.WriteString(w, "\n")
		for range rows {
			for c := range cols {
				if c > 0 {
					io.WriteString(w, ",")
				}
				io.WriteString(w, answer(r))
			}
			io.WriteString(w, "\n")
		}
		return nil
	}
}

func speakers(turns, people int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		for range turns {
			fmt.Fprintf(w, "Speaker %d: %s\n\n", 1+r.Intn(people), answer(r))
		}
		return nil
	}
}

func tableLine(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		io.WriteString(w, "# Table\n\n| a | b |\n|---|---|\n|")
		for n := 0; n < size; {
			s := answer(r) + " | "
			io.WriteString(w, s)
			n += len(s)
		}
		_, err := io.WriteString(w, "\n")
		return err
	}
}

func privateUse(n int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		var b bytes.Buffer
		for i := range n {
			b.WriteRune(rune(0xE000 + r.Intn(0x1000)))
			if i%7 == 6 {
				b.WriteByte(' ')
			}
			if i%700 == 699 {
				b.WriteString("\n\n")
			}
		}
		_, err := w.Write(b.Bytes())
		return err
	}
}

func random(size int) func(io.Writer, *rand.Rand) error {
	return func(w io.Writer, r *rand.Rand) error {
		b := make([]byte, size)
		r.Read(b)
		_, err := w.Write(b)
		return err
	}
}
