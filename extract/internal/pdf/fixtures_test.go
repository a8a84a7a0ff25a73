package pdf

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// The PDFs in extract/testdata/pdf, which the extractor tests of package
// extract read, are written by the generator below, so that
// each one holds exactly the layout a test needs. They are committed;
// tests read the files and need no tool. To rewrite them:
//
//	go test ./extract/internal/pdf -run TestWriteFixtures -regen-pdf
//
// The encrypted ones are made from simple.pdf with qpdf when it is
// installed (apt-get install qpdf); otherwise they are left as they are.

var regen = flag.Bool("regen-pdf", false, "rewrite the generated PDF fixtures in testdata/pdf")

func TestWriteFixtures(t *testing.T) {
	if !*regen {
		t.Skip("run with -regen-pdf to rewrite testdata/pdf")
	}
	dir := fixtureDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"simple.pdf":      fixtureSimple(),
		"multipage.pdf":   fixtureMultipage(),
		"hyphenation.pdf": fixtureHyphenation(),
		"twocolumn.pdf":   fixtureTwoColumn(),
		"rotated.pdf":     fixtureRotated(),
		"notext.pdf":      fixtureNoText(),
		"cjk.pdf":         fixtureCJK(),
		"nomap.pdf":       fixtureNoMap(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	multi := fixtureMultipage()
	if err := os.WriteFile(filepath.Join(dir, "truncated.pdf"), multi[:len(multi)*3/5], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("qpdf"); err != nil {
		t.Log("qpdf not installed: encrypted fixtures left as they are")
		return
	}
	simple := filepath.Join(dir, "simple.pdf")
	for out, args := range map[string][]string{
		"encrypted-rc4.pdf":    {"--allow-weak-crypto", "--encrypt", "s3cret", "owner-pw", "128", "--use-aes=n", "--"},
		"encrypted-aes128.pdf": {"--encrypt", "s3cret", "owner-pw", "128", "--use-aes=y", "--"},
		"encrypted-aes256.pdf": {"--encrypt", "s3cret", "owner-pw", "256", "--"},
	} {
		// A fixed ID keeps the output stable from run to run.
		cmd := exec.Command("qpdf", append(append([]string{"--static-id"}, args...), simple, filepath.Join(dir, out))...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("qpdf %v: %v\n%s", args, err, b)
		}
	}
}

// writer assembles a PDF from object bodies, with a correct
// cross-reference table.
type writer struct{ objs []string }

func (w *writer) add(body string) int {
	w.objs = append(w.objs, body)
	return len(w.objs)
}

func (w *writer) set(id int, body string) { w.objs[id-1] = body }

// stream adds a stream object, deflated when asked.
func (w *writer) stream(dict string, data []byte, deflate bool) int {
	if deflate {
		var b bytes.Buffer
		zw := zlib.NewWriter(&b)
		zw.Write(data)
		zw.Close()
		data = b.Bytes()
		dict += " /Filter /FlateDecode"
	}
	return w.add(fmt.Sprintf("<< %s /Length %d >>\nstream\n%s\nendstream", dict, len(data), data))
}

func (w *writer) bytes(root, info int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offs := make([]int, len(w.objs))
	for i, o := range w.objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(w.objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R", len(w.objs)+1, root)
	if info > 0 {
		fmt.Fprintf(&b, " /Info %d 0 R", info)
	}
	fmt.Fprintf(&b, " /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n%d\n%%%%EOF\n", xref)
	return b.Bytes()
}

// document adds the catalog and page tree for page dictionaries (without
// /Parent, which is filled in) and returns the catalog's id.
func (w *writer) document(pages ...string) int {
	tree := w.add("")
	var kids []string
	for _, p := range pages {
		kids = append(kids, fmt.Sprintf("%d 0 R", w.add(strings.Replace(p, "<<", fmt.Sprintf("<< /Type /Page /Parent %d 0 R", tree), 1))))
	}
	w.set(tree, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	return w.add(fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", tree))
}

// helveticaWidths is the /Widths array of a WinAnsi Helvetica font from
// code 32, in the metrics the extractor itself falls back to.
func helveticaWidths() string {
	var b strings.Builder
	b.WriteString("/FirstChar 32 /LastChar 255 /Widths [")
	for c := 32; c <= 255; c++ {
		w := 556
		if c <= 126 {
			w = int(helvetica[c-32])
		}
		fmt.Fprintf(&b, " %d", w)
	}
	b.WriteString(" ]")
	return b.String()
}

// textWidth measures s in Helvetica at size.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for i := range len(s) {
		c := s[i]
		if c >= 32 && c <= 126 {
			w += float64(helvetica[c-32])
		} else {
			w += 556
		}
	}
	return w * size / 1000
}

func literal(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `(`, `\(`, `)`, `\)`)
	return "(" + r.Replace(s) + ")"
}

// textLine draws one line with a Tj.
func textLine(font string, size, x, y float64, s string) string {
	return fmt.Sprintf("BT /%s %g Tf %g %g Td %s Tj ET\n", font, size, x, y, literal(s))
}

// textBlock draws lines top-down from y with the given leading and
// returns the content and the baseline below the last line.
func textBlock(font string, size, x, y, leading float64, lines ...string) (string, float64) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(textLine(font, size, x, y, l))
		y -= leading
	}
	return b.String(), y
}

const fontHelv = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"

func fixtureSimple() []byte {
	w := &writer{}
	f1 := w.add(fontHelv) // no widths: the standard metrics apply
	var c strings.Builder
	c.WriteString(textLine("F1", 18, 72, 740, "What finance leaders told us"))
	p, y := textBlock("F1", 11, 72, 710, 14,
		"Most CFOs we spoke to still close the month in spreadsheets.",
		"They hear from their boards that forecasts must be weekly,",
		"and they say the tools they have cannot keep up.")
	c.WriteString(p)
	y -= 10
	// Words spaced by kerning offsets, as TeX and many drivers write them.
	fmt.Fprintf(&c, "BT /F1 11 Tf 72 %g Td [(Our) -278 (interviewees) -278 (asked) -278 (for) -278 (one) -278 (source) -278 (of) -278 (truth.)] TJ ET\n", y)
	y -= 14
	// Words placed one by one, with no space characters at all.
	x := 72.0
	for _, word := range strings.Fields("Budget owners want approvals in days, not weeks.") {
		c.WriteString(textLine("F1", 11, x, y, word))
		x += textWidth(word, 11) + 3.1
	}
	y -= 14
	// The same line drawn twice, a hair apart: fake bold.
	c.WriteString(textLine("F1", 11, 72, y, "Nobody trusts the numbers until finance signs off."))
	c.WriteString(textLine("F1", 11, 72.3, y, "Nobody trusts the numbers until finance signs off."))
	y -= 24
	p, _ = textBlock("F1", 11, 72, y, 14,
		"\x95 Fewer manual reconciliations at month end",
		"\x95 Faster approvals for budget owners")
	c.WriteString(p)
	content := w.stream("", []byte(c.String()), false)
	info := w.add("<< /Title (Microsoft Word - finance-interviews.docx) /Author (Research Team) /CreationDate (D:20240305093000+01'00') >>")
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", f1, content))
	return w.bytes(root, info)
}

func fixtureMultipage() []byte {
	w := &writer{}
	f1 := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding " + helveticaWidths() + " >>")
	res := fmt.Sprintf("/Resources << /Font << /F1 %d 0 R >> >>", f1)
	bodies := [][]string{
		{
			"Procurement leads compare three vendors before every renewal.",
			"They say price matters less than the risk of a failed rollout.",
			"",
			"One lead told us her CFO asks for a business case in one page.",
			"She keeps a template and reuses it for every purchase.",
		},
		{
			"IT directors worry about security reviews that take months.",
			"They hear from peers that vendors overstate their certifications.",
			"",
			"Several directors read analyst reports before any shortlist.",
			"Gartner and Forrester were named most often.",
		},
		{
			"Finance teams want one number that everybody trusts.",
			"They think dashboards are only as good as the data behind them.",
			"",
			"Our next study will follow buyers through a full purchase.",
		},
	}
	var pages []string
	for i, body := range bodies {
		var c strings.Builder
		c.WriteString(textLine("F1", 9, 72, 760, "Acme Buyer Study 2024 \xb7 Confidential"))
		y := 720.0
		var para []string
		flush := func() {
			p, ny := textBlock("F1", 11, 72, y, 14, para...)
			c.WriteString(p)
			y = ny - 12
			para = nil
		}
		for _, l := range body {
			if l == "" {
				flush()
				continue
			}
			para = append(para, l)
		}
		flush()
		c.WriteString(textLine("F1", 9, 280, 40, fmt.Sprintf("Page %d of %d", i+1, len(bodies))))
		switch i {
		case 1: // compressed
			pages = append(pages, fmt.Sprintf("<< /MediaBox [0 0 612 792] %s /Contents %d 0 R >>", res, w.stream("", []byte(c.String()), true)))
		case 2: // the body in a form XObject, moved into place by its matrix
			form := w.stream(fmt.Sprintf("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Matrix [1 0 0 1 0 -10] %s", res), []byte(c.String()), true)
			page := fmt.Sprintf("q 1 0 0 1 0 10 cm /X1 Do Q\n")
			pages = append(pages, fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /XObject << /X1 %d 0 R >> >> /Contents %d 0 R >>", form, w.stream("", []byte(page), false)))
		default:
			pages = append(pages, fmt.Sprintf("<< /MediaBox [0 0 612 792] %s /Contents %d 0 R >>", res, w.stream("", []byte(c.String()), false)))
		}
	}
	info := w.add("<< /Title (Acme Buyer Study 2024) /CreationDate (D:2024) >>")
	return w.bytes(w.document(pages...), info)
}

func fixtureHyphenation() []byte {
	w := &writer{}
	f1 := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding " + helveticaWidths() + " >>")
	// Ligatures named in the encoding's Differences.
	f2 := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman /Encoding << /Type /Encoding /Differences [1 /fi /fl /ff /ffi /ffl] >> >>")
	// A composite font whose ToUnicode map gives a ligature glyph and a
	// thin space.
	cmap := `/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0020> <007E> <0020>
endbfrange
2 beginbfchar
<0100> <FB02>
<0101> <2009>
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end
`
	tu := w.stream("", []byte(cmap), true)
	f3 := w.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /ArialMT /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ArialMT /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 556 /W [32 [278] 37 [667] 100 [556]] >>] /ToUnicode %d 0 R >>", tu))
	var c strings.Builder
	p, y := textBlock("F1", 11, 72, 740, 14,
		"Our customers describe the experi-",
		"ence of closing the books as painful. A well-",
		"known vendor promised fixes; the well-known",
		"promise was broken. Jean-",
		"Pierre, a controller, called it a reconcil\xad",
		"iation nightmare that lasts until COVID-",
		"19 budgets are approved.")
	c.WriteString(p)
	y -= 12
	c.WriteString(textLine("F2", 11, 72, y, "The \x01nance team \x02ags di\x03erences in o\x04ce work and ba\x05ing gaps."))
	y -= 26
	hex := func(s string) string {
		var b strings.Builder
		b.WriteByte('<')
		for _, r := range s {
			code := int(r)
			switch r {
			case 'ﬂ':
				code = 0x100
			case '\u2009':
				code = 0x101
			}
			fmt.Fprintf(&b, "%04X", code)
		}
		return b.String() + ">"
	}
	fmt.Fprintf(&c, "BT /F3 11 Tf 72 %g Td %s Tj ET\n", y, hex("Workﬂow costs fell by 20\u2009% this year."))
	y -= 14
	c.WriteString(textLine("F1", 11, 72, y, "Payment\xa0terms stayed at 30\xa0days."))
	content := w.stream("", []byte(c.String()), false)
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R /F3 %d 0 R >> >> /Contents %d 0 R >>", f1, f2, f3, content))
	return w.bytes(root, 0)
}

// cjkFont is a composite font of the standard CJK fonts, which PDFs use
// without embedding them: its predefined CMap (encoding) says what its
// codes mean, and it has no ToUnicode map.
func cjkFont(w *writer, base, encoding, registry, ordering string) int {
	return w.add(fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /%s /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /%s /CIDSystemInfo << /Registry (%s) /Ordering (%s) /Supplement 2 >> /DW 1000 /FontDescriptor << /Type /FontDescriptor /FontName /%s /Flags 6 /FontBBox [0 -200 1000 900] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >> >>] >>",
		base, encoding, base, registry, ordering, base))
}

// cjkText is s in a predefined CMap's encoding, as a PDF hex string.
func cjkText(s string, enc func(string) []byte) string {
	return fmt.Sprintf("<%X>", enc(s))
}

func fixtureCJK() []byte {
	w := &writer{}
	ucs2 := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	with := func(e encoding.Encoding) func(string) []byte {
		return func(s string) []byte {
			b, err := e.NewEncoder().Bytes([]byte(s))
			if err != nil {
				panic(err)
			}
			return b
		}
	}
	fonts := []struct {
		font int
		text string
		enc  func(string) []byte
	}{
		{cjkFont(w, "STSong-Light", "UniGB-UCS2-H", "Adobe", "GB1"), "我们每个月都要手工重做预测报表。", ucs2},
		{cjkFont(w, "STSong-Light", "GBK-EUC-H", "Adobe", "GB1"), "财务总监说审批要等一个星期。", with(simplifiedchinese.GBK)},
		{cjkFont(w, "MSung-Light", "UniCNS-UTF16-H", "Adobe", "CNS1"), "董事會一直問為什麼預算這麼慢。", ucs2},
		{cjkFont(w, "MSung-Light", "ETen-B5-H", "Adobe", "CNS1"), "我們每週都手動重建報表。", with(traditionalchinese.Big5)},
		{cjkFont(w, "HeiseiMin-W3", "90ms-RKSJ-H", "Adobe", "Japan1"), "経理部は毎月Excelで締めています。", with(japanese.ShiftJIS)},
		{cjkFont(w, "HYSMyeongJo-Medium", "KSCms-UHC-H", "Adobe", "Korea1"), "재무팀은 매달 보고서를 다시 만듭니다.", with(korean.EUCKR)},
	}
	var c strings.Builder
	var res strings.Builder
	res.WriteString("/Resources << /Font <<")
	y := 740.0
	for i, f := range fonts {
		fmt.Fprintf(&res, " /C%d %d 0 R", i, f.font)
		fmt.Fprintf(&c, "BT /C%d 14 Tf 72 %g Td %s Tj ET\n", i, y, cjkText(f.text, f.enc))
		y -= 40
	}
	res.WriteString(" >> >>")
	content := w.stream("", []byte(c.String()), false)
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] %s /Contents %d 0 R >>", res.String(), content))
	return w.bytes(root, 0)
}

// fixtureNoMap draws a paragraph in an Identity-H font with no ToUnicode
// map, beside one in Helvetica: the glyph numbers say nothing of the
// characters.
func fixtureNoMap() []byte {
	w := &writer{}
	f1 := w.add(fontHelv)
	f2 := w.add("<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>] >>")
	var c strings.Builder
	c.WriteString(textLine("F1", 12, 72, 740, "The finance team rebuilds the forecast by hand every month."))
	var glyphs strings.Builder
	for i := range 60 {
		fmt.Fprintf(&glyphs, "%04X", 0x0F00+i*37%900)
	}
	for i := range 6 {
		fmt.Fprintf(&c, "BT /F2 12 Tf 72 %d Td <%s> Tj ET\n", 700-30*i, glyphs.String())
	}
	content := w.stream("", []byte(c.String()), false)
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>", f1, f2, content))
	return w.bytes(root, 0)
}

func fixtureTwoColumn() []byte {
	w := &writer{}
	f1 := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding " + helveticaWidths() + " >>")
	left := []string{
		"Marketing teams build empathy maps from",
		"memory in a workshop, and the maps show",
		"what the team already believed. The buyers",
		"themselves are rarely in the room.",
		"",
		"We asked twelve finance leaders what they",
		"see, hear, say and do when they evaluate a",
		"new planning tool. Their answers were",
		"consistent: the real pains are about trust",
	}
	right := []string{
		"in the numbers, not about features, and the",
		"gains they expect are time back at month end.",
		"",
		"Procurement shows up late in most deals.",
		"Its questions are about risk and contract",
		"terms, and they arrive after the business",
		"case has been approved by the CFO, which",
		"surprises the vendor's sales team every",
		"single time.",
	}
	var c strings.Builder
	c.WriteString(textLine("F1", 16, 150, 740, "Evidence beats memory in empathy maps"))
	draw := func(x float64, lines []string) {
		y := 700.0
		for _, l := range lines {
			if l == "" {
				y -= 8
				continue
			}
			c.WriteString(textLine("F1", 11, x, y, l))
			y -= 14
		}
	}
	draw(72, left)
	draw(320, right)
	c.WriteString(textLine("F1", 9, 72, 520, "Source: interviews with twelve finance leaders, spring 2024, transcribed and coded by two researchers."))
	content := w.stream("", []byte(c.String()), false)
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", f1, content))
	return w.bytes(root, 0)
}

func fixtureRotated() []byte {
	w := &writer{}
	f1 := w.add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding " + helveticaWidths() + " >>")
	var c strings.Builder
	// The page is shown turned a quarter clockwise (/Rotate 90): text that
	// reads upright on screen runs up the page in user space, and each
	// next line sits further right.
	lines := []string{
		"Landscape pages are stored rotated.",
		"Readers turn them; so must the extractor.",
		"This sentence is the last of the paragraph.",
	}
	for i, l := range lines {
		fmt.Fprintf(&c, "BT /F1 12 Tf 0 1 -1 0 %d 72 Tm %s Tj ET\n", 100+16*i, literal(l))
	}
	// A label along the edge, running down the screen.
	fmt.Fprintf(&c, "BT /F1 8 Tf 1 0 0 1 300 40 Tm %s Tj ET\n", literal("Draft for internal review"))
	content := w.stream("", []byte(c.String()), false)
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] /Rotate 90 /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>", f1, content))
	return w.bytes(root, 0)
}

func fixtureNoText() []byte {
	w := &writer{}
	img := w.stream("/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8", []byte{0, 255, 255, 0}, false)
	c := "0.9 g 72 500 200 100 re f\nq 200 0 0 200 72 200 cm /Im1 Do Q\nBI /W 2 /H 2 /CS /G /BPC 8 ID \x00\xff\xff\x00 EI\n"
	content := w.stream("", []byte(c), false)
	root := w.document(fmt.Sprintf("<< /MediaBox [0 0 612 792] /Resources << /XObject << /Im1 %d 0 R >> >> /Contents %d 0 R >>", img, content))
	return w.bytes(root, 0)
}
