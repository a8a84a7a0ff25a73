// Command gen writes the Word, OpenDocument and Excel fixtures of the
// extract tests. The files are committed; run it again from extract/ after
// changing it:
//
//	go run ./testdata/gen
//
// The Word and OpenDocument parts are written by hand, in the markup Word
// and LibreOffice produce (run splits, proofing marks, tracked changes,
// fields, text boxes with a fallback copy), so that the extractor is tested
// on what real files hold. Workbooks are written with excelize.
package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/xuri/excelize/v2"
)

// modified is the fixed timestamp of every zip entry, so that the files
// are the same bytes on every run.
var modified = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func main() {
	files := map[string][]byte{
		"docx/interview.docx":        must(pkg(interviewDOCX)),
		"docx/table-transcript.docx": must(pkg(tableTranscriptDOCX)),
		"odt/notes.odt":              must(pkg(notesODT)),
		"xlsx/survey.xlsx":           must(surveyXLSX()),
		"xlsx/two-waves.xlsx":        must(twoWavesXLSX()),
		"xlsx/password.xlsx":         must(passwordXLSX()),
	}
	for name, data := range files {
		path := filepath.Join("testdata", name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\t%d bytes\n", path, len(data))
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		log.Fatal(err)
	}
	return b
}

type part struct {
	name   string
	body   string
	stored bool // OpenDocument's mimetype must be first and uncompressed
}

func pkg(parts []part) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.stored {
			// As LibreOffice writes it: sizes in the local header, no data
			// descriptor, so that the content sits at byte 38.
			h := &zip.FileHeader{Name: p.name, Method: zip.Store, Modified: modified,
				CRC32: crc32.ChecksumIEEE([]byte(p.body)), CompressedSize64: uint64(len(p.body)), UncompressedSize64: uint64(len(p.body))}
			w, err := zw.CreateRaw(h)
			if err != nil {
				return nil, err
			}
			if _, err := w.Write([]byte(p.body)); err != nil {
				return nil, err
			}
			continue
		}
		h := &zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: modified}
		w, err := zw.CreateHeader(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			return nil, err
		}
	}
	err := zw.Close()
	return buf.Bytes(), err
}

const xmlHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

const wordNS = `xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" ` +
	`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" ` +
	`xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" ` +
	`xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" ` +
	`xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" ` +
	`xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" ` +
	`xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" ` +
	`xmlns:v="urn:schemas-microsoft-com:vml" mc:Ignorable="w14"`

func contentTypes(main string) string {
	return xmlHead + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/` + main + `" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
		`</Types>`
}

func packageRels(main string, core bool) string {
	s := xmlHead + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="` + main + `"/>`
	if core {
		s += `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>`
	}
	return s + `</Relationships>`
}

// An interview typed up in Word: a title, headings (one with a French style
// id, known by its built-in name), a bulleted list, speaker labels in bold
// runs and in plain text, a turn over two paragraphs, a tracked deletion
// and insertion, a deleted paragraph, a field, a hyperlink, a tab, a text
// box with its fallback copy, a table of contents, and a table.
var interviewDOCX = []part{
	{name: "[Content_Types].xml", body: contentTypes("word/document.xml")},
	{name: "_rels/.rels", body: packageRels("word/document.xml", true)},
	{name: "word/document.xml", body: xmlHead + `<w:document ` + wordNS + `><w:body>` +
		`<w:p w14:paraId="1A2B3C4D"><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Month-end close: interview with Acme</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="TOC1"/><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9350"/></w:tabs></w:pPr>` +
		`<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-3" \h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>` +
		`<w:r><w:t>Background</w:t></w:r><w:r><w:tab/><w:t>1</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr><w:r><w:t>Transcript</w:t></w:r><w:r><w:tab/><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="Titre1"/></w:pPr><w:r><w:t>Background</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t xml:space="preserve">Video call with Acme's finance team on 2 March 2026. </w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>Recorded</w:t></w:r><w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve"> with consent.</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Goal: understand how the monthly close runs</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="ListParagraph"/><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>Participants: Jane Doe (CFO), Sam Lee (interviewer)</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:bookmarkStart w:id="0" w:name="_Toc1"/><w:r><w:t>Transcript</w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>` +
		`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Sam Lee:</w:t></w:r><w:r><w:t xml:space="preserve"> Thanks for making the time. How long does your close take?</w:t></w:r></w:p>` +
		`<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Jane Doe (CFO, Acme):</w:t></w:r><w:r><w:t xml:space="preserve"> Eleven days, give or take.</w:t></w:r><w:r><w:br/><w:t>Most of it is waiting for the business units to send their numbers.</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t xml:space="preserve">We </w:t></w:r>` +
		`<w:del w:id="1" w:author="Sam Lee" w:date="2026-03-02T10:00:00Z"><w:r><w:delText>hate</w:delText></w:r></w:del>` +
		`<w:ins w:id="2" w:author="Sam Lee" w:date="2026-03-02T10:00:00Z"><w:r><w:t>chase</w:t></w:r></w:ins>` +
		`<w:r><w:t xml:space="preserve"> them by email, and the spreadsheet breaks every time someone adds a column.</w:t></w:r></w:p>` +
		`<w:p><w:pPr><w:rPr><w:del w:id="3" w:author="Sam Lee" w:date="2026-03-02T10:00:00Z"/></w:rPr></w:pPr>` +
		`<w:del w:id="4" w:author="Sam Lee" w:date="2026-03-02T10:00:00Z"><w:r><w:delText>Off the record: the auditors were unhappy.</w:delText></w:r></w:del></w:p>` +
		`<w:p><w:r><w:t>Sam Lee:</w:t></w:r><w:r><w:tab/><w:t>What would you change first?</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t xml:space="preserve">Jane Doe (CFO, Acme): One place where every unit enters its numbers, like </w:t></w:r>` +
		`<w:hyperlink r:id="rId9" w:history="1"><w:r><w:rPr><w:rStyle w:val="Hyperlink"/></w:rPr><w:t>the checklist</w:t></w:r></w:hyperlink>` +
		`<w:r><w:t xml:space="preserve"> on page </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF _Toc1 \h </w:instrText></w:r>` +
		`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>4</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>.</w:t></w:r></w:p>` +
		`<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData><wps:wsp><wps:txbx><w:txbxContent>` +
		`<w:p><w:r><w:t>Pull quote: "Eleven days, give or take."</w:t></w:r></w:p>` +
		`</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>` +
		`<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>Pull quote: "Eleven days, give or take."</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>` +
		`</mc:AlternateContent></w:r></w:p>` +
		`<w:p/>` +
		`<w:p><w:pPr><w:pStyle w:val="Heading2"/></w:pPr><w:r><w:t>Figures she quoted</w:t></w:r></w:p>` +
		`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tblGrid><w:gridCol w:w="4675"/><w:gridCol w:w="4675"/></w:tblGrid>` +
		`<w:tr><w:tc><w:p><w:r><w:t>Measure</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Value</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:p><w:r><w:t>Days to close</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>11</w:t></w:r></w:p></w:tc></w:tr>` +
		`<w:tr><w:tc><w:p><w:r><w:t>Business units</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>14</w:t></w:r></w:p><w:p><w:r><w:t>(two more next year)</w:t></w:r></w:p></w:tc></w:tr>` +
		`</w:tbl>` +
		`<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr>` +
		`</w:body></w:document>`},
	{name: "word/styles.xml", body: xmlHead + `<w:styles ` + wordNS + `>` +
		`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>` +
		`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/></w:style>` +
		`<w:style w:type="paragraph" w:customStyle="1" w:styleId="Heading2"><w:name w:val="Figures Heading"/><w:basedOn w:val="Heading1"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/></w:style>` +
		`<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/></w:style>` +
		`<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/></w:style>` +
		`</w:styles>`},
	{name: "docProps/core.xml", body: xmlHead + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<dc:title>Acme close interview</dc:title><dc:creator>Sam Lee</dc:creator><cp:lastModifiedBy>Jo Park</cp:lastModifiedBy>` +
		`<dcterms:created xsi:type="dcterms:W3CDTF">2026-03-02T09:30:00Z</dcterms:created></cp:coreProperties>`},
}

// A transcript laid out as a table (speaker, time, words), as some
// transcription services export it, in a package whose main part is not
// named document.xml and that has no styles or properties.
var tableTranscriptDOCX = []part{
	{name: "[Content_Types].xml", body: contentTypes("word/document2.xml")},
	{name: "_rels/.rels", body: packageRels("/word/document2.xml", false)},
	{name: "word/document2.xml", body: xmlHead + `<w:document ` + wordNS + `><w:body>` +
		`<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Discovery call 7</w:t></w:r></w:p>` +
		`<w:tbl>` +
		row("Speaker", "Time", "Text") +
		row("Interviewer", "00:00:05", "Can you walk me through how budgets get approved?") +
		row("Priya Shah", "00:00:12", "Sure. Every department sends a spreadsheet, and I merge them by hand.") +
		row("Interviewer", "00:01:40", "What happens when a number changes late?") +
		row("Priya Shah", "00:01:47", "I redo the merge. It happened three times last quarter.") +
		`</w:tbl></w:body></w:document>`},
}

func row(cells ...string) string {
	s := `<w:tr>`
	for _, c := range cells {
		s += `<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr><w:p><w:r><w:t>` + c + `</w:t></w:r></w:p></w:tc>`
	}
	return s + `</w:tr>`
}

const odfNS = `xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" ` +
	`xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" ` +
	`xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ` +
	`xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" ` +
	`xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" ` +
	`xmlns:xlink="http://www.w3.org/1999/xlink" ` +
	`xmlns:dc="http://purl.org/dc/elements/1.1/" ` +
	`xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"`

// Usability session notes from LibreOffice Writer: a title through an
// automatic style, headings, a nested list, a line break, runs of spaces,
// a tab, a tracked deletion, a comment, a footnote, an image's alt text,
// a table, and speaker labels.
var notesODT = []part{
	{name: "mimetype", body: "application/vnd.oasis.opendocument.text", stored: true},
	{name: "content.xml", body: xmlHead + `<office:document-content ` + odfNS + ` office:version="1.3">` +
		`<office:automatic-styles><style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>` +
		`<style:style style:name="T1" style:family="text"/></office:automatic-styles>` +
		`<office:body><office:text>` +
		`<text:sequence-decls><text:sequence-decl text:display-outline-level="0" text:name="Illustration"/></text:sequence-decls>` +
		`<text:tracked-changes><text:changed-region text:id="ct1"><text:deletion><office:change-info><dc:creator>Sam Lee</dc:creator>` +
		`<dc:date>2026-03-04T10:00:00</dc:date></office:change-info><text:p>This sentence was deleted.</text:p></text:deletion></text:changed-region></text:tracked-changes>` +
		`<text:p text:style-name="P1">Usability session 3</text:p>` +
		`<text:h text:style-name="Heading_20_1" text:outline-level="1">Setup</text:h>` +
		`<text:p text:style-name="Standard">Participant P3, a controller at a logistics firm.<text:line-break/>Session run remotely,
    screen shared.</text:p>` +
		`<text:list text:style-name="L1"><text:list-item><text:p>Task 1: find last month's accruals</text:p></text:list-item>` +
		`<text:list-item><text:p>Task 2: export the<text:s text:c="3"/>aged debt report</text:p>` +
		`<text:list><text:list-item><text:p>as CSV, not PDF</text:p></text:list-item></text:list></text:list-item></text:list>` +
		`<text:h text:outline-level="1">Observations</text:h>` +
		`<text:p>Moderator: <text:span text:style-name="T1">Where would you look first?</text:span></text:p>` +
		`<text:p>P3: In the ledger<text:change text:change-id="ct1"/>, then I'd<text:tab/>ask my manager.` +
		`<office:annotation><dc:creator>Sam Lee</dc:creator><text:p>Check the wording here</text:p></office:annotation>` +
		`<text:note text:id="ftn1" text:note-class="footnote"><text:note-citation>1</text:note-citation><text:note-body><text:p>She meant the general ledger.</text:p></text:note-body></text:note></text:p>` +
		`<text:p>Moderator: And if the ledger is wrong?</text:p>` +
		`<text:p>P3: Then I rebuild the numbers <text:a xlink:type="simple" xlink:href="https://example.com/sheet">by hand</text:a> in a spreadsheet.</text:p>` +
		`<text:p><draw:frame draw:name="Image1"><svg:title>Chart of errors per task</svg:title><draw:image xlink:href="Pictures/1.png"/></draw:frame></text:p>` +
		`<table:table table:name="Table1"><table:table-column table:number-columns-repeated="2"/>` +
		`<table:table-row><table:table-cell><text:p>Task</text:p></table:table-cell><table:table-cell><text:p>Time</text:p></table:table-cell></table:table-row>` +
		`<table:table-row><table:table-cell><text:p>Task 1</text:p></table:table-cell><table:table-cell><text:p>4 min</text:p></table:table-cell></table:table-row>` +
		`<table:table-row><table:table-cell><text:p>Task 2</text:p></table:table-cell><table:covered-table-cell/><table:table-cell><text:p>gave up</text:p></table:table-cell></table:table-row>` +
		`</table:table>` +
		`</office:text></office:body></office:document-content>`},
	{name: "meta.xml", body: xmlHead + `<office:document-meta ` + odfNS + ` office:version="1.3"><office:meta>` +
		`<meta:initial-creator>Sam Lee</meta:initial-creator><dc:creator>Jo Park</dc:creator><dc:title>Session 3 notes</dc:title>` +
		`<meta:creation-date>2026-03-04T09:12:44.123456789</meta:creation-date><dc:date>2026-03-05T08:00:00</dc:date>` +
		`</office:meta></office:document-meta>`},
	{name: "META-INF/manifest.xml", body: xmlHead + `<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">` +
		`<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>` +
		`<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`},
}

// A SurveyMonkey-style export saved as Excel: a question merged across its
// options, a sub-answer row, a role column, a date column, a free-text
// "Other" and open-ended answers (one over two lines, one "N/A", one
// empty); and a summary sheet with no answers in words.
func surveyXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Responses"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	rows := [][]any{
		{"Respondent ID", "Submitted", "What is your job title?", "Which tools do you use for the close?", nil, nil, "How satisfied are you with your close process? (1-5)", "What slows your close down the most?", "Anything else we should know?"},
		{nil, nil, "Response", "Excel", "NetSuite", "Other (please specify)", "Response", "Open-Ended Response", "Open-Ended Response"},
		{11467001, time.Date(2026, 9, 2, 10, 14, 0, 0, time.UTC), "CFO", "Excel", nil, "A home-grown consolidation tool we built in Access", 2, "Waiting for the business units to send their numbers, every single month.", "N/A"},
		{11467002, time.Date(2026, 9, 2, 11, 40, 0, 0, time.UTC), "Controller", "Excel", "NetSuite", nil, 3, "Reconciling intercompany balances by hand.\nIt takes two people three days.", nil},
		{11467003, time.Date(2026, 9, 3, 9, 5, 0, 0, time.UTC), "FP&A analyst", nil, "NetSuite", nil, 4, nil, "I would pay for anything that ends the copy and paste between files."},
		{11467004, time.Date(2026, 9, 3, 16, 20, 0, 0, time.UTC), "Finance director", "Excel", nil, nil, 1, "Approvals stall when a budget owner is travelling and nobody else can sign.", "-"},
	}
	for r, vals := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow(sheet, cell, &vals); err != nil {
			return nil, err
		}
	}
	if err := f.MergeCell(sheet, "D1", "F1"); err != nil {
		return nil, err
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	if err != nil {
		return nil, err
	}
	if err := f.SetCellStyle(sheet, "B3", "B6", date); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet("Summary"); err != nil {
		return nil, err
	}
	summary := [][]any{{"Tool", "Respondents"}, {"Excel", 3}, {"NetSuite", 2}, {"Other", 1}}
	for r, vals := range summary {
		cell, _ := excelize.CoordinatesToCellName(1, r+1)
		if err := f.SetSheetRow("Summary", cell, &vals); err != nil {
			return nil, err
		}
	}
	return workbook(f, "Close survey, September", "Jo Park")
}

// Two waves of one short survey, a sheet each: both sheets hold answers.
func twoWavesXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	waves := map[string][][]any{
		"Wave 1": {
			{"Role", "What is the hardest part of planning?"},
			{"CFO", "Getting headcount plans from managers on time."},
			{"Controller", "Nobody agrees on which version of the forecast is current."},
		},
		"Wave 2": {
			{"Role", "What is the hardest part of planning?"},
			{"FP&A lead", "Scenario changes ripple through twenty linked spreadsheets."},
		},
	}
	if err := f.SetSheetName("Sheet1", "Wave 1"); err != nil {
		return nil, err
	}
	if _, err := f.NewSheet("Wave 2"); err != nil {
		return nil, err
	}
	for _, name := range []string{"Wave 1", "Wave 2"} {
		for r, vals := range waves[name] {
			cell, _ := excelize.CoordinatesToCellName(1, r+1)
			if err := f.SetSheetRow(name, cell, &vals); err != nil {
				return nil, err
			}
		}
	}
	return workbook(f, "", "")
}

// A workbook saved with a password: Excel then writes a Compound File with
// the encrypted package inside, not a zip. The salt is random, so this file
// changes on every run.
func passwordXLSX() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A1", "What slows you down?"); err != nil {
		return nil, err
	}
	if err := f.SetCellValue("Sheet1", "A2", "Everything arrives late from the business units."); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err := f.Write(&buf, excelize.Options{Password: "secret"})
	return buf.Bytes(), err
}

func workbook(f *excelize.File, title, creator string) ([]byte, error) {
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:    title,
		Creator:  creator,
		Created:  modified.Format(time.RFC3339),
		Modified: modified.Format(time.RFC3339),
	}); err != nil {
		return nil, err
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
