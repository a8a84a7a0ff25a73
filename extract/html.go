package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"

	"codeberg.org/readeck/go-readability"
	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/unicode/norm"

	"github.com/evident/evident"
	"github.com/evident/evident/extract/internal/tidy"
	"github.com/evident/evident/internal/lazyregexp"
)

// HTML reads a saved web page. codeberg.org/readeck/go-readability, the
// maintained Go port of the Readability.js behind Firefox's reader view,
// finds the article: its scoring has been tuned on real pages for years,
// which heuristics of our own would not match. The article's DOM is then
// walked so that each paragraph, list item, quote or table row keeps its own
// block and its ordinal as locator. Title, author, date, site and canonical
// URL come from the page's metadata (meta tags, Dublin Core, JSON-LD).
type HTML struct{}

// maxHTMLElements bounds the pages readability scores: past it the page is
// read by the simpler fallback, whose cost is linear. The pages of the test
// corpus have at most about 2,000 elements.
const maxHTMLElements = 200_000

var errNoArticle = errors.New("no article text found in the web page")

// Extract implements Extractor.
func (HTML) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(in.Data)) == 0 {
		return nil, errors.New("the web page is empty")
	}
	src, warnings := decodePage(in.Data, declaredCharset)
	root, err := parseHTML(src)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	meta := readPageMeta(root)
	doc := &Doc{Format: "html", Kind: evident.Article, Warnings: warnings}

	readable := readability.CheckDocument(root)
	art, err := findArticle(root, meta.url)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err != nil {
		doc.Warnings = append(doc.Warnings, err.Error())
	}
	if readable && art.Node != nil && art.Node.Parent != nil {
		doc.Blocks = walkBlocks(art.Node.Parent, nil)
	}
	if len(doc.Blocks) == 0 {
		// Readability only answers for pages that look like articles. A
		// short page still has something to say: keep the body's text
		// without the page furniture, and say that this was a guess.
		body, err := parseHTML(src)
		if err != nil {
			return nil, err
		}
		doc.Blocks = walkBlocks(findBody(body), isFurniture)
		if len(doc.Blocks) > 0 {
			doc.Warnings = append(doc.Warnings, "no article found in the web page; kept its text without navigation, header, footer and forms")
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(doc.Blocks) == 0 {
		return nil, errNoArticle
	}

	doc.Title = firstNonBlank(cleanMetaText(art.Title), meta.title)
	doc.Author = meta.author
	if doc.Author == "" {
		doc.Author = cleanByline(art.Byline)
	}
	doc.Site = firstNonBlank(cleanMetaText(art.SiteName), meta.site)
	doc.Date = meta.date
	if doc.Date == "" && art.PublishedTime != nil {
		doc.Date = art.PublishedTime.Format(time.DateOnly)
	}
	doc.URL = meta.url
	return doc, nil
}

// parseHTML builds the page's tree. The parser gives up on elements nested
// more than 512 deep, which only broken or hostile pages reach.
func parseHTML(src string) (*html.Node, error) {
	root, err := html.Parse(strings.NewReader(src))
	if err != nil {
		if strings.Contains(err.Error(), "open stack of elements") {
			return nil, errors.New("the web page nests its elements more than 512 deep (unclosed tags?) and cannot be read")
		}
		return nil, fmt.Errorf("the web page could not be read: %w", err)
	}
	return root, nil
}

// findArticle runs readability on the page, which it changes. The library
// was written for browsers' pages, not adversarial ones: a panic is turned
// into an error so that the page is still read by the fallback.
func findArticle(root *html.Node, pageURL string) (art readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			art, err = readability.Article{}, fmt.Errorf("the article finder failed on this page (%v); kept the page's text instead", r)
		}
	}()
	var base *url.URL
	if pageURL != "" {
		base, _ = url.Parse(pageURL)
	}
	p := readability.NewParser()
	p.MaxElemsToParse = maxHTMLElements
	art, err = p.ParseAndMutate(root, base)
	if err != nil {
		return readability.Article{}, fmt.Errorf("the article finder gave up on this page (%v); kept the page's text instead", err)
	}
	return art, nil
}

// charsetScanLen is how far into a page its charset declaration is looked
// for. Browsers stop at 1024 bytes, but saved pages often carry a long
// comment or inline styles first.
const charsetScanLen = 64 << 10

var xmlEncoding = lazyregexp.New(`^<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']`)

// declaredCharset is the charset a page names in an XML declaration or a
// meta tag before its body, or "".
func declaredCharset(data []byte) string {
	head := data[:min(len(data), charsetScanLen)]
	if m := xmlEncoding().FindSubmatch(head); m != nil {
		return string(m[1])
	}
	z := html.NewTokenizer(bytes.NewReader(head))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return ""
			case "meta":
				var cs, equiv, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "charset":
						cs = string(v)
					case "http-equiv":
						equiv = strings.ToLower(string(v))
					case "content":
						content = string(v)
					}
				}
				if cs = strings.TrimSpace(cs); cs != "" {
					return cs
				}
				if equiv == "content-type" {
					// Lowered byte by byte: strings.ToLower and strings.Map
					// can change the length (other letters, bytes that are
					// not UTF-8), and i indexes content.
					if i := strings.Index(lowerASCII(content), "charset="); i >= 0 {
						v := strings.Trim(content[i+len("charset="):], `"' `)
						v, _, _ = strings.Cut(v, ";")
						if v = strings.TrimSpace(v); v != "" {
							return v
						}
					}
				}
			}
		}
	}
}

// lowerASCII lowers the ASCII capitals of s and leaves every other byte
// as it is, so that an offset into the result is one into s.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// SniffHTML recognises a web page by its first tag, after any BOM, blank
// space and comments: a doctype, <html>, <head> or <body>, or a <meta> or
// <title> opening a page that leaves those out. Markdown that holds inline
// HTML starts with text or a heading, or with a <div> or <p>, none of which
// are taken.
func SniffHTML(head []byte) bool {
	head, ok := markupStart(head)
	if !ok {
		return false
	}
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<meta", "<title"} {
		if startsWithTag(head, tag) {
			return true
		}
	}
	return false
}

// markupStart returns head from its first tag on, past any BOM (UTF-16
// reduced to ASCII), blank space, comments and XML declaration. It
// reports false when a comment or declaration does not end within head.
func markupStart(head []byte) ([]byte, bool) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		head = head[3:]
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		head = asciiOfUTF16(head[2:], false)
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		head = asciiOfUTF16(head[2:], true)
	}
	for {
		head = bytes.TrimLeft(head, " \t\r\n\f")
		if bytes.HasPrefix(head, []byte("<!--")) {
			end := bytes.Index(head, []byte("-->"))
			if end < 0 {
				return nil, false
			}
			head = head[end+3:]
			continue
		}
		// An XHTML page or an SVG image may open with an XML declaration.
		if bytes.HasPrefix(head, []byte("<?xml")) {
			end := bytes.Index(head, []byte("?>"))
			if end < 0 {
				return nil, false
			}
			head = head[end+2:]
			continue
		}
		return head, true
	}
}

// startsWithTag reports whether head opens with tag (case-insensitive)
// and the tag's name ends there: "<header" is not "<head".
func startsWithTag(head []byte, tag string) bool {
	if len(head) <= len(tag) || !bytes.EqualFold(head[:len(tag)], []byte(tag)) {
		return false
	}
	c := head[len(tag)]
	return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'
}

// sniffSVG recognises an SVG image: an <svg> element or an SVG doctype as
// the first tag.
func sniffSVG(head []byte) bool {
	head, ok := markupStart(head)
	return ok && (startsWithTag(head, "<svg") || startsWithTag(head, "<!doctype svg"))
}

// asciiOfUTF16 keeps the low byte of each UTF-16 code unit: enough to read
// the tags at the start of a page.
func asciiOfUTF16(b []byte, bigEndian bool) []byte {
	out := make([]byte, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		lo, hi := b[i], b[i+1]
		if bigEndian {
			lo, hi = hi, lo
		}
		if hi != 0 {
			lo = '?'
		}
		out = append(out, lo)
	}
	return out
}

// walkBlocks turns the text under root into blocks in reading order. skip,
// when set, drops whole subtrees (the fallback's page furniture).
func walkBlocks(root *html.Node, skip func(*html.Node) bool) []Block {
	if root == nil {
		return nil
	}
	w := &blockWalker{skip: skip}
	w.node(root)
	w.flush()
	// A heading with nothing under it is not context for anything.
	for len(w.blocks) > 0 && w.blocks[len(w.blocks)-1].Section == SectionHeading {
		w.blocks = w.blocks[:len(w.blocks)-1]
	}
	return w.blocks
}

type blockWalker struct {
	skip   func(*html.Node) bool
	blocks []Block
	para   int
	inline strings.Builder // text of the block being gathered; '\n' for <br>
	// tableHeads holds, per open table, its header row: the context of the
	// rows below it.
	tableHeads []string
}

func (w *blockWalker) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// Line breaks in the source are spaces; only <br> breaks a line.
		w.inline.WriteString(strings.Map(newlineToSpace, n.Data))
		return
	case html.DocumentNode:
		w.children(n)
		return
	case html.ElementNode:
	default:
		return // comments, doctypes
	}
	if ignoredElement(n) || (w.skip != nil && w.skip(n)) {
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.inline.WriteByte('\n')
		return
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		w.flush()
		if text := cleanBlockText(nodeInlineText(n, false)); text != "" {
			// A heading is context for the paragraphs below it; its locator
			// is the paragraph it stands above.
			w.blocks = append(w.blocks, Block{Text: text, Loc: evident.Locator{Paragraph: w.para + 1}, Section: SectionHeading})
		}
		return
	case atom.Pre:
		w.flush()
		w.emit(cleanBlockText(nodeInlineText(n, true)), "")
		return
	case atom.Table:
		w.flush()
		w.tableHeads = append(w.tableHeads, "")
		w.children(n)
		w.flush()
		w.tableHeads = w.tableHeads[:len(w.tableHeads)-1]
		return
	case atom.Tr:
		if cells, header, ok := simpleRow(n); ok {
			w.flush()
			text := strings.Join(cells, " · ")
			head := ""
			if len(w.tableHeads) > 0 {
				head = w.tableHeads[len(w.tableHeads)-1]
				if header && head == "" {
					w.tableHeads[len(w.tableHeads)-1] = text
					head = ""
				}
			}
			w.emit(text, head)
			return
		}
	}
	if blockElements[n.DataAtom] {
		w.flush()
		w.children(n)
		w.flush()
		return
	}
	w.children(n)
}

func (w *blockWalker) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

// flush ends the block being gathered.
func (w *blockWalker) flush() {
	if w.inline.Len() == 0 {
		return
	}
	text := cleanBlockText(w.inline.String())
	w.inline.Reset()
	w.emit(text, "")
}

func (w *blockWalker) emit(text, context string) {
	// A block without a letter is a score, a price or a bullet: no
	// passage can quote it.
	if !hasLetterRune(text) {
		return
	}
	w.para++
	w.blocks = append(w.blocks, Block{Text: text, Loc: evident.Locator{Paragraph: w.para}, Context: context})
}

func hasLetterRune(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// blockElements lists the elements that end the text run before them and start
// a new one: a paragraph never spans two of them.
var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true,
	atom.Body: true, atom.Caption: true, atom.Center: true, atom.Dd: true,
	atom.Details: true, atom.Dialog: true, atom.Div: true, atom.Dl: true,
	atom.Dt: true, atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true,
	atom.Footer: true, atom.Form: true, atom.Header: true, atom.Hgroup: true,
	atom.Hr: true, atom.Html: true, atom.Legend: true, atom.Li: true,
	atom.Main: true, atom.Menu: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Section: true, atom.Summary: true, atom.Tbody: true,
	atom.Td: true, atom.Tfoot: true, atom.Th: true, atom.Thead: true,
	atom.Tr: true, atom.Ul: true, atom.Img: true, atom.Picture: true,
}

// ignoredElement reports elements whose text is never article text: code, media,
// form controls and what the page hides.
func ignoredElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Iframe,
		atom.Object, atom.Embed, atom.Svg, atom.Math, atom.Canvas, atom.Video,
		atom.Audio, atom.Button, atom.Select, atom.Textarea, atom.Input,
		atom.Head, atom.Title, atom.Link, atom.Meta:
		return true
	}
	if n.Data == "svg" || n.Data == "math" { // foreign elements carry no atom in some contexts
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			if hiddenStyle().MatchString(a.Val) {
				return true
			}
		}
	}
	return false
}

var hiddenStyle = lazyregexp.New(`(?i)(^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden)`)

// simpleRow reads a table row whose cells hold only inline text as one
// block, cells joined; rows of a layout table, whose cells hold paragraphs,
// are walked as containers instead.
func simpleRow(tr *html.Node) (cells []string, header, ok bool) {
	header = true
	for c := tr.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || (c.DataAtom != atom.Td && c.DataAtom != atom.Th) {
			continue
		}
		if hasBlockDescendant(c) {
			return nil, false, false
		}
		if c.DataAtom == atom.Td {
			header = false
		}
		if text := cleanBlockText(strings.ReplaceAll(nodeInlineText(c, false), "\n", " ")); text != "" {
			cells = append(cells, text)
		}
	}
	return cells, header && len(cells) > 0, true
}

func hasBlockDescendant(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || ignoredElement(c) {
			continue
		}
		if blockElements[c.DataAtom] && c.DataAtom != atom.Img && c.DataAtom != atom.Picture {
			return true
		}
		if c.DataAtom == atom.Pre || c.DataAtom == atom.Table || isHeadingElement(c) || hasBlockDescendant(c) {
			return true
		}
	}
	return false
}

func isHeadingElement(n *html.Node) bool {
	switch n.DataAtom {
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return true
	}
	return false
}

// nodeInlineText is the text under n with <br> as a line break and block
// boundaries as spaces, skipping what ignoredElement drops. Source line breaks are
// spaces, except in preformatted text.
func nodeInlineText(n *html.Node, pre bool) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				if pre {
					b.WriteString(c.Data)
				} else {
					b.WriteString(strings.Map(newlineToSpace, c.Data))
				}
			case html.ElementNode:
				if ignoredElement(c) {
					continue
				}
				if c.DataAtom == atom.Br {
					b.WriteByte('\n')
					continue
				}
				block := blockElements[c.DataAtom]
				if block {
					b.WriteByte(' ')
				}
				walk(c)
				if block {
					b.WriteByte(' ')
				}
			}
		}
	}
	walk(n)
	return b.String()
}

// cleanBlockText collapses the white space of a block's lines (its line
// breaks are <br> or preformatted ones) and drops blank lines. Invisible
// characters go and the text is put in NFC, the form people type (and
// search) in.
func cleanBlockText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(tidy.Spaces(l)); l != "" {
			out = append(out, l)
		}
	}
	return norm.NFC.String(strings.Join(out, "\n"))
}

func newlineToSpace(r rune) rune {
	if r == '\r' || r == '\n' {
		return ' '
	}
	return r
}

// isFurniture reports the parts of a page around its content, dropped by the
// fallback: navigation, headers, footers, asides, forms, and elements whose
// role, class or id names them (cookie banners, share bars, comments).
func isFurniture(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Body, atom.Main, atom.Article:
		return false
	case atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form, atom.Dialog, atom.Menu:
		return true
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "role":
			switch strings.ToLower(strings.TrimSpace(a.Val)) {
			case "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog", "menu", "menubar":
				return true
			}
		case "class", "id":
			// A wrapper named "has-sidebar" still holds the content.
			if furnitureName().MatchString(a.Val) && !holdsContent(n) {
				return true
			}
		}
	}
	return false
}

// holdsContent reports whether n wraps the page's main content.
func holdsContent(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			continue
		}
		if c.DataAtom == atom.Main || c.DataAtom == atom.Article || strings.EqualFold(htmlAttr(c, "role"), "main") || holdsContent(c) {
			return true
		}
	}
	return false
}

var furnitureName = lazyregexp.New(`(?i)(^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|cookies?|consent|gdpr|share|sharing|social|comments?|newsletter|subscribe|related|promo|adverts?|ads|sponsored|sidebar|banner|popup|modal|masthead|footer|header|skip-link)($|[\s_-])`)

func findBody(root *html.Node) *html.Node {
	if body := goquery.NewDocumentFromNode(root).Find("body"); body.Length() > 0 {
		return body.Get(0)
	}
	return nil
}

// pageMeta is what a page says about itself, for the citation.
type pageMeta struct {
	title, author, date, site, url string
}

// readPageMeta reads the citation fields from the page's head and JSON-LD,
// before readability changes the tree. Each field takes the first source
// that has it, in the order Readability.js uses, with JSON-LD first.
func readPageMeta(root *html.Node) pageMeta {
	page := goquery.NewDocumentFromNode(root)
	metas := map[string]string{} // name, property or itemprop (lower case) → first content
	page.Find("meta").Each(func(_ int, meta *goquery.Selection) {
		content := strings.TrimSpace(meta.AttrOr("content", ""))
		if content == "" {
			content = strings.TrimSpace(meta.AttrOr("datetime", ""))
		}
		if content == "" {
			return
		}
		for _, k := range []string{"property", "name", "itemprop"} {
			for _, key := range strings.Fields(strings.ToLower(meta.AttrOr(k, ""))) {
				if _, seen := metas[key]; !seen {
					metas[key] = content
				}
			}
		}
	})
	canonical := strings.TrimSpace(page.Find("link").FilterFunction(func(_ int, l *goquery.Selection) bool {
		return hasToken(l.AttrOr("rel", ""), "canonical")
	}).First().AttrOr("href", ""))
	title := page.Find("title").First().Text()
	var ld []map[string]any
	page.Find("script").Each(func(_ int, script *goquery.Selection) {
		if strings.EqualFold(strings.TrimSpace(script.AttrOr("type", "")), "application/ld+json") {
			ld = append(ld, parseJSONLD(script.Text())...)
		}
	})
	var itemDate string
	if t := page.Find("time").FilterFunction(func(_ int, t *goquery.Selection) bool {
		return hasToken(strings.ToLower(t.AttrOr("itemprop", "")), "datepublished")
	}).First(); t.Length() > 0 {
		itemDate = firstNonBlank(t.AttrOr("datetime", ""), t.Text())
	}
	// "<!-- saved from url=(0042)https://... -->": browsers' mark of where a
	// saved page came from, before or inside <html>.
	var savedFrom string
	page.Contents().AddSelection(page.Find("*").Contents()).EachWithBreak(func(_ int, c *goquery.Selection) bool {
		if n := c.Get(0); n.Type == html.CommentNode {
			if m := savedFromURL().FindStringSubmatch(n.Data); m != nil {
				savedFrom = m[1]
				return false
			}
		}
		return true
	})

	art := articleNode(ld)
	var m pageMeta
	m.title = cleanMetaText(firstNonBlank(
		ldString(art, "headline"), ldString(art, "name"),
		metas["dc.title"], metas["dcterms.title"], metas["og:title"], metas["twitter:title"],
		metas["parsely-title"], title))
	m.author = cleanByline(firstNonBlank(
		ldNames(art["author"]), ldNames(art["creator"]),
		metas["dc.creator"], metas["dcterms.creator"], metas["author"], metas["parsely-author"],
		nonURL(metas["article:author"]), nonURL(metas["og:article:author"])))
	m.site = cleanMetaText(firstNonBlank(
		ldNames(art["publisher"]), ldWebsiteName(ld),
		metas["og:site_name"], metas["application-name"]))
	m.date = pageDate(firstNonBlank(
		ldString(art, "datePublished"), ldString(art, "dateCreated"),
		metas["article:published_time"], metas["og:article:published_time"], metas["datepublished"],
		metas["dc.date.issued"], metas["dcterms.issued"], metas["dcterms.created"], metas["dcterms.available"],
		metas["dc.date"], metas["dcterms.date"], metas["date"], metas["pubdate"], metas["publishdate"],
		metas["publish-date"], metas["parsely-pub-date"], metas["sailthru.date"], itemDate))

	// The canonical URL; a relative one is resolved against what else the
	// page says about its address, or dropped.
	base := firstNonBlank(absoluteURL(metas["og:url"], nil), absoluteURL(savedFrom, nil))
	var baseURL *url.URL
	if base != "" {
		baseURL, _ = url.Parse(base)
	}
	m.url = firstNonBlank(
		absoluteURL(canonical, baseURL), absoluteURL(metas["og:url"], nil),
		absoluteURL(ldString(art, "url"), baseURL), absoluteURL(ldID(art["mainEntityOfPage"]), baseURL),
		absoluteURL(savedFrom, nil))
	return m
}

var savedFromURL = lazyregexp.New(`saved from url=\(\d+\)(\S+)`)

func htmlAttr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, token string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, token) {
			return true
		}
	}
	return false
}

func firstNonBlank(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// cleanMetaText collapses white space and decodes entities that pages
// escape twice in their meta tags ("&amp;#39;").
func cleanMetaText(s string) string {
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return norm.NFC.String(strings.Join(strings.Fields(tidy.Spaces(s)), " "))
}

var bylinePrefix = lazyregexp.New(`(?i)^(by|written by|posted by|author)\s*:?\s+`)

// cleanByline turns a byline into names: "By Jane Doe" → "Jane Doe". A
// byline holding digits is a date or a read time that readability took for
// a byline, and a URL is not a name: neither is an author.
func cleanByline(s string) string {
	s = bylinePrefix().ReplaceAllString(cleanMetaText(s), "")
	s = strings.Trim(s, " ,|·-–—")
	if s == "" || len(s) > 200 || strings.ContainsAny(s, "0123456789") || strings.Contains(s, "://") {
		return ""
	}
	return s
}

func nonURL(s string) string {
	if strings.Contains(s, "://") || strings.HasPrefix(s, "/") {
		return ""
	}
	return s
}

// absoluteURL returns s as an absolute http(s) URL, resolved against base
// when relative; "" when it cannot be one.
func absoluteURL(s string, base *url.URL) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, " \t\n<>\"") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		if base == nil {
			return ""
		}
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// pageDate writes a page's date as YYYY-MM-DD when it can be read, in the
// time zone the page wrote it in; otherwise as written, if it has digits
// (an ambiguous 03/04/2024 is better shown than guessed).
func pageDate(s string) string {
	s = cleanMetaText(s)
	if d := tidy.Date(s); d != "" {
		return d
	}
	if !strings.ContainsAny(s, "0123456789") || len(s) > 100 {
		return ""
	}
	return s
}

// parseJSONLD decodes one ld+json script into its objects: a top-level
// array and @graph members are flattened. Broken JSON-LD is common and not
// the user's concern: it is skipped.
func parseJSONLD(s string) []map[string]any {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimSuffix(s, "]]>"), "<![CDATA[")
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ";"))
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil
	}
	var out []map[string]any
	var add func(v any, depth int)
	add = func(v any, depth int) {
		if depth > 3 {
			return
		}
		switch v := v.(type) {
		case []any:
			for _, e := range v {
				add(e, depth+1)
			}
		case map[string]any:
			out = append(out, v)
			if g, ok := v["@graph"]; ok {
				add(g, depth+1)
			}
		}
	}
	add(v, 0)
	return out
}

var articleTypes = lazyregexp.New(`^(Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|BlogPosting|LiveBlogPosting|DiscussionForumPosting|TechArticle|APIReference|Review|CriticReview)$`)

// articleNode picks the JSON-LD object that describes the article: the
// first of an article type, else a web page's main entity, else nil.
func articleNode(ld []map[string]any) map[string]any {
	for _, o := range ld {
		if ldIsType(o, articleTypes()) {
			return o
		}
	}
	for _, o := range ld {
		if main, ok := o["mainEntity"].(map[string]any); ok && ldIsType(main, articleTypes()) {
			return main
		}
	}
	return nil
}

func ldIsType(o map[string]any, re *regexp.Regexp) bool {
	switch t := o["@type"].(type) {
	case string:
		return re.MatchString(strings.TrimPrefix(strings.TrimPrefix(t, "http://schema.org/"), "https://schema.org/"))
	case []any:
		for _, e := range t {
			if s, ok := e.(string); ok && re.MatchString(strings.TrimPrefix(strings.TrimPrefix(s, "http://schema.org/"), "https://schema.org/")) {
				return true
			}
		}
	}
	return false
}

func ldString(o map[string]any, key string) string {
	switch v := o[key].(type) {
	case string:
		return v
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				return s
			}
		}
	}
	return ""
}

// ldNames reads a person or organisation as JSON-LD writes it: a string,
// an object with a name, or an array of either; several are joined.
func ldNames(v any) string {
	var names []string
	var add func(v any, depth int)
	add = func(v any, depth int) {
		if depth > 2 {
			return
		}
		switch v := v.(type) {
		case string:
			if s := strings.TrimSpace(v); s != "" && !strings.Contains(s, "://") {
				names = append(names, s)
			}
		case map[string]any:
			if s, ok := v["name"].(string); ok {
				add(s, depth+1)
			} else if a, ok := v["name"].([]any); ok {
				add(a, depth+1)
			}
		case []any:
			for _, e := range v {
				add(e, depth+1)
			}
		}
	}
	add(v, 0)
	seen := map[string]bool{}
	out := names[:0]
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

var websiteType = lazyregexp.New(`^(WebSite|NewsMediaOrganization|Organization)$`)

// ldWebsiteName is the name of the site in a JSON-LD graph, for pages
// whose article node names no publisher.
func ldWebsiteName(ld []map[string]any) string {
	for _, o := range ld {
		if ldIsType(o, websiteType()) {
			if s, ok := o["name"].(string); ok && strings.TrimSpace(s) != "" {
				return s
			}
		}
	}
	return ""
}

// ldID reads a reference as a URL: a string, or an object's @id or url.
func ldID(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case map[string]any:
		if s, ok := v["@id"].(string); ok {
			return s
		}
		if s, ok := v["url"].(string); ok {
			return s
		}
	}
	return ""
}
