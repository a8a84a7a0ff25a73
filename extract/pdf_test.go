package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// pdfGoldenText renders an extraction result for a golden file: the
// metadata, then each block under its locator.
func pdfGoldenText(doc *Doc, err error) string {
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "format: %s\n", doc.Format)
	for _, kv := range [][2]string{{"title", doc.Title}, {"author", doc.Author}, {"date", doc.Date}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], kv[1])
		}
	}
	for _, w := range doc.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	for _, bl := range doc.Blocks {
		fmt.Fprintf(&b, "\n[%s]", bl.Loc)
		if bl.Section != "" {
			fmt.Fprintf(&b, " (%s)", bl.Section)
		}
		if bl.Context != "" {
			fmt.Fprintf(&b, " (context: %s)", bl.Context)
		}
		fmt.Fprintf(&b, "\n%s\n", bl.Text)
	}
	return b.String()
}

func TestPDFGolden(t *testing.T) {
	tests := []struct {
		golden, file, password string
	}{
		{"simple", "simple.pdf", ""},
		{"multipage", "multipage.pdf", ""},
		{"hyphenation", "hyphenation.pdf", ""},
		{"twocolumn", "twocolumn.pdf", ""},
		{"rotated", "rotated.pdf", ""},
		{"notext", "notext.pdf", ""},
		{"truncated", "truncated.pdf", ""},
		{"encrypted-rc4", "encrypted-rc4.pdf", ""},
		{"encrypted-rc4-password", "encrypted-rc4.pdf", "s3cret"},
		{"encrypted-rc4-wrong-password", "encrypted-rc4.pdf", "secret"},
		{"encrypted-aes128-password", "encrypted-aes128.pdf", "s3cret"},
		{"encrypted-aes256", "encrypted-aes256.pdf", "s3cret"},
		{"form", "form.pdf", ""},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "pdf", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			in := Input{Name: tt.file, Data: data}
			in.Meta.Password = tt.password
			checkGolden(t, filepath.Join("testdata", "pdf", tt.golden+".golden"), pdfGoldenText(PDF{}.Extract(context.Background(), in)))
		})
	}
}

// TestPDFBehaviour pins down, on the fixtures, what the goldens show in
// passing: each requirement as its own assertion.
func TestPDFBehaviour(t *testing.T) {
	read := func(t *testing.T, file, password string) (*Doc, string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("testdata", "pdf", file))
		if err != nil {
			t.Fatal(err)
		}
		in := Input{Name: file, Data: data}
		in.Meta.Password = password
		doc, err := PDF{}.Extract(context.Background(), in)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		var all []string
		for _, b := range doc.Blocks {
			all = append(all, b.Text)
		}
		return doc, strings.Join(all, "\n\n")
	}
	contains := func(t *testing.T, text string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("text lacks %q:\n%s", w, text)
			}
		}
	}
	lacks := func(t *testing.T, text string, bad ...string) {
		t.Helper()
		for _, w := range bad {
			if strings.Contains(text, w) {
				t.Errorf("text holds %q:\n%s", w, text)
			}
		}
	}

	t.Run("metadata and spacing", func(t *testing.T) {
		doc, text := read(t, "simple.pdf", "")
		if doc.Title != "finance-interviews" || doc.Author != "Research Team" || doc.Date != "2024-03-05" {
			t.Errorf("title, author, date = %q, %q, %q", doc.Title, doc.Author, doc.Date)
		}
		contains(t, text,
			"Our interviewees asked for one source of truth.",  // kerning offsets as spaces
			"Budget owners want approvals in days, not weeks.", // words placed one by one
			"• Fewer manual reconciliations at month end")
		if strings.Count(text, "Nobody trusts") != 1 || strings.Contains(text, "NNo") {
			t.Errorf("fake bold not collapsed:\n%s", text)
		}
		if doc.Blocks[0].Section != SectionHeading || doc.Blocks[1].Loc.Page != 1 || doc.Blocks[1].Loc.Paragraph != 1 {
			t.Errorf("first blocks: %+v", doc.Blocks[:2])
		}
	})
	t.Run("running header, footer and page numbers dropped", func(t *testing.T) {
		doc, text := read(t, "multipage.pdf", "")
		lacks(t, text, "Acme Buyer Study", "Page 1", "Page 2 of 3", "Confidential")
		contains(t, text, "Gartner and Forrester were named most often.", "Finance teams want one number")
		pages := map[int]bool{}
		for _, b := range doc.Blocks {
			pages[b.Loc.Page] = true
		}
		if len(pages) != 3 {
			t.Errorf("blocks on pages %v, want 1 to 3 (page 2 is compressed, page 3 a form XObject)", pages)
		}
	})
	t.Run("hyphenation, ligatures and odd spaces", func(t *testing.T) {
		_, text := read(t, "hyphenation.pdf", "")
		contains(t, text, "the experience of closing", "A well-known vendor", "Jean-Pierre,", "reconciliation nightmare",
			"COVID-19 budgets", "The finance team flags differences in office work and baffling gaps.",
			"Workflow costs fell by 20 % this year.", "Payment terms stayed at 30 days.")
		lacks(t, text, "\u00a0", "\u2009", "\u00ad", "ﬁ", "ﬂ")
	})
	t.Run("two columns read left then right", func(t *testing.T) {
		doc, text := read(t, "twocolumn.pdf", "")
		contains(t, text, "consistent: the real pains are about trust\nin the numbers, not about features")
		i := strings.Index(text, "Marketing teams build")
		j := strings.Index(text, "Procurement shows up late")
		k := strings.Index(text, "Source: interviews")
		if !(i >= 0 && i < j && j < k) {
			t.Errorf("reading order wrong (%d, %d, %d):\n%s", i, j, k, text)
		}
		if doc.Blocks[0].Text != "Evidence beats memory in empathy maps" {
			t.Errorf("first block %q, want the spanning title", doc.Blocks[0].Text)
		}
	})
	t.Run("rotated page", func(t *testing.T) {
		_, text := read(t, "rotated.pdf", "")
		contains(t, text, "Landscape pages are stored rotated.\nReaders turn them; so must the extractor.", "Draft for internal review")
		if strings.Index(text, "Draft") < strings.Index(text, "Landscape") {
			t.Errorf("the edge label comes before the page's text:\n%s", text)
		}
	})
	t.Run("password", func(t *testing.T) {
		_, text := read(t, "encrypted-rc4.pdf", "s3cret")
		contains(t, text, "Most CFOs we spoke to")
		_, text = read(t, "encrypted-aes128.pdf", "s3cret")
		contains(t, text, "Most CFOs we spoke to")
	})
}

func TestPDFErrors(t *testing.T) {
	fixture := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", "pdf", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	simple := fixture("simple.pdf")
	forged := bytes.Replace(simple, []byte("xref\n0 "), []byte("xref\n900000000 "), 1)
	forgedStream := []byte("%PDF-1.5\n1 0 obj\n<< /Type /XRef /Size 5 /W [1 2 99999999] >>\nstream\nendstream\nendobj\nstartxref\n9\n%%EOF\n")
	loopingPrev := bytes.Replace(simple, []byte("trailer\n<<"), []byte("trailer\n<< /Prev "+strings.TrimSpace(string(simple[bytes.LastIndex(simple, []byte("startxref"))+9:len(simple)-6]))), 1)
	tests := []struct {
		name     string
		file     string
		data     []byte
		pdf      PDF
		password string
		wantIs   error
		want     string
	}{
		{name: "empty", data: nil, wantIs: ErrDamagedPDF, want: "the PDF is damaged or truncated: the file is empty (0 bytes)"},
		{name: "garbage", data: []byte("%PDF-1.4\n\x00\x01garbage"), wantIs: ErrDamagedPDF, want: "cut short"},
		{name: "truncated", data: simple[:len(simple)/2], wantIs: ErrDamagedPDF, want: "the PDF is damaged or truncated"},
		{name: "no header", data: []byte("hello %%EOF"), wantIs: ErrDamagedPDF, want: "PDF header"},
		{name: "broken xref", data: append([]byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\nstartxref\n5\n"), "%%EOF\n"...), wantIs: ErrDamagedPDF},
		{name: "forged object count", data: forged, wantIs: ErrDamagedPDF, want: "impossibly large"},
		{name: "forged xref field width", data: forgedStream, wantIs: ErrDamagedPDF, want: "impossibly large"},
		{name: "xref chain loops", data: loopingPrev, wantIs: ErrDamagedPDF},
		{name: "no text layer", data: fixture("notext.pdf"), wantIs: ErrNoTextLayer, want: "no text layer (scanned?); OCR is not supported"},
		{name: "encrypted", file: "board-pack.pdf", data: fixture("encrypted-rc4.pdf"), wantIs: ErrEncrypted,
			want: "encrypted PDF: give its password as `password:` in a sidecar file (board-pack.pdf.meta.yaml)"},
		{name: "wrong password", file: "board-pack.pdf", data: fixture("encrypted-rc4.pdf"), password: "nope", wantIs: ErrEncrypted,
			want: "encrypted PDF: the password given in its sidecar file (board-pack.pdf.meta.yaml) is wrong"},
		{name: "AES-256", data: fixture("encrypted-aes256.pdf"), password: "s3cret", wantIs: ErrEncrypted, want: "AES-256"},
		{name: "too many pages", data: fixture("multipage.pdf"), pdf: PDF{MaxPages: 2}, want: "the PDF has 3 pages, more than the 2 Evident reads"},
		{name: "too much text", data: fixture("multipage.pdf"), pdf: PDF{MaxText: 100}, want: "more than 0 MB of text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Name: cmpOrString(tt.file, "report.pdf"), Data: tt.data}
			in.Meta.Password = tt.password
			start := time.Now()
			doc, err := tt.pdf.Extract(context.Background(), in)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			if err == nil {
				t.Fatalf("Extract = %d blocks, want an error", len(doc.Blocks))
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %q does not wrap %q", err, tt.wantIs)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
		})
	}
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func TestPDFCancelled(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "pdf", "multipage.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (PDF{}).Extract(ctx, Input{Name: "a.pdf", Data: data}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestPDFSniff(t *testing.T) {
	tests := map[string]bool{
		"%PDF-1.7\n":                           true,
		"junk\r\n%PDF-1.4\n":                   true,
		strings.Repeat("x", 1100) + "%PDF-1.4": false,
		"notes about %PDF- files":              false,
		"plain text":                           false,
	}
	for in, want := range tests {
		if got := sniffPDF([]byte(in)); got != want {
			t.Errorf("sniffPDF(%.30q) = %v, want %v", in, got, want)
		}
	}
	f, err := Default().Detect("scan.txt", []byte("%PDF-1.7\n"))
	if err != nil || f.Name != "pdf" {
		t.Errorf("Detect of a PDF named .txt = %q, %v; want pdf", f.Name, err)
	}
}

// TestPDFCJK reads text drawn in the standard CJK fonts through their
// predefined CMaps (UCS-2, UTF-16, GBK, Big5, Shift-JIS, UHC), which
// pdftotext reads and a byte-wise reading turns into Latin mojibake; and
// it checks that a composite font with no map to characters gives
// replacement characters, never words that are not there.
func TestPDFCJK(t *testing.T) {
	want := []string{
		"我们每个月都要手工重做预测报表。",
		"财务总监说审批要等一个星期。",
		"董事會一直問為什麼預算這麼慢。",
		"我們每週都手動重建報表。",
		"経理部は毎月Excelで締めています。",
		"재무팀은 매달 보고서를 다시 만듭니다.",
	}
	data, err := os.ReadFile(filepath.Join("testdata", "pdf", "cjk.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := PDF{}.Extract(context.Background(), Input{Name: "cjk.pdf", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, b := range doc.Blocks {
		text.WriteString(b.Text + "\n")
	}
	flat := strings.Join(strings.Fields(text.String()), "")
	for _, w := range want {
		if !strings.Contains(flat, strings.Join(strings.Fields(w), "")) {
			t.Errorf("missing %q in:\n%s", w, text.String())
		}
	}
	// pdftotext, when installed, reads the same.
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", filepath.Join("testdata", "pdf", "cjk.pdf"), "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		if theirs := strings.Join(strings.Fields(string(out)), ""); theirs != flat {
			t.Errorf("pdftotext reads %q, we read %q", theirs, flat)
		}
	}

	data, err = os.ReadFile(filepath.Join("testdata", "pdf", "nomap.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err = PDF{}.Extract(context.Background(), Input{Name: "nomap.pdf", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	text.Reset()
	for _, b := range doc.Blocks {
		text.WriteString(b.Text + "\n")
	}
	if got := strings.TrimSpace(text.String()); got != "The finance team rebuilds the forecast by hand every month." {
		t.Errorf("glyphs without a map read as characters: %q", got)
	}
	if w := strings.Join(doc.Warnings, "\n"); !strings.Contains(w, "(360 of 410) are drawn in fonts that do not say which characters they are") {
		t.Errorf("warnings %q, want one counting the glyphs without a map", w)
	}
}

// TestPDFForms reads the values of a filled-in form and the comments on its
// pages (form.pdf, written by ReportLab: see form.py beside it), each with
// its page, the field's name or "comment" as context; unticked boxes and
// empty fields are not answers. Where qpdf and pdftotext are installed, it
// checks the fields against qpdf's reading of the form and the text
// against pdftotext's.
func TestPDFForms(t *testing.T) {
	path := filepath.Join("testdata", "pdf", "form.pdf")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := PDF{}.Extract(context.Background(), Input{Name: "form.pdf", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	type extra struct {
		page          int
		context, text string
	}
	var got []extra
	for _, b := range doc.Blocks {
		if b.Context != "" {
			got = append(got, extra{b.Loc.Page, b.Context, b.Text})
		}
	}
	want := []extra{
		{1, "role", "Financial controller"},
		{1, "pains", "We rebuild the forecast by hand every month.\nApprovals wait a week for the CFO."},
		{1, "uses_spreadsheets", "Yes"},
		{1, "company_size", "mid-market"},
		{1, "comment by Jo Tanaka", "Follow up: ask for the forecast template they use."},
		{2, "main_tool", "Excel"},
		{2, "comment", "Reviewer: the controller wants a single source of truth."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields and comments:\n got %+v\nwant %+v", got, want)
	}

	if _, err := exec.LookPath("qpdf"); err == nil {
		out, err := exec.Command("qpdf", "--json", "--json-key=acroform", path).Output()
		if err != nil {
			t.Fatal(err)
		}
		var form struct {
			AcroForm struct {
				Fields []struct {
					FullName string `json:"fullname"`
					Value    any    `json:"value"`
					Page     int    `json:"pageposfrom1"`
				} `json:"fields"`
			} `json:"acroform"`
		}
		if err := json.Unmarshal(out, &form); err != nil {
			t.Fatal(err)
		}
		for _, f := range form.AcroForm.Fields {
			v, _ := f.Value.(string)
			v = strings.ReplaceAll(strings.TrimPrefix(strings.TrimPrefix(v, "u:"), "/"), "\r", "\n")
			ours := ""
			for _, e := range got {
				if e.context == f.FullName && e.page == f.Page {
					ours = e.text
				}
			}
			if v == "Off" {
				v = ""
			}
			if ours != v {
				t.Errorf("field %s on page %d: qpdf reads %q, we read %q", f.FullName, f.Page, v, ours)
			}
		}
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", path, "-").Output()
		if err != nil {
			t.Fatal(err)
		}
		var ours strings.Builder
		for _, b := range doc.Blocks {
			ours.WriteString(b.Text + "\n")
		}
		have := strings.Fields(ours.String())
		// pdftotext joins the lines of the multi-line field, which its
		// appearance breaks at a CR.
		for _, w := range strings.Fields(strings.ReplaceAll(string(out), "month.Approvals", "month. Approvals")) {
			if !slices.Contains(have, w) {
				t.Errorf("pdftotext reads %q, we do not", w)
			}
		}
	}
}
