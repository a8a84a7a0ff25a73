package extract

import (
	"context"
	"fmt"
	"html"
	"path/filepath"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/extract/internal/tidy"
	"github.com/evident/evident/internal/lazyregexp"
)

// Text reads plain text and Markdown: any encoding DecodeText knows, YAML
// front matter, Markdown markup reduced to its words. Each paragraph (a run
// of non-blank lines) becomes a block whose locator is its first line.
type Text struct{}

// Extract implements Extractor.
func (Text) Extract(ctx context.Context, in Input) (*Doc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, warnings, err := DecodeText(in.Data)
	if err != nil {
		return nil, err
	}
	doc := &Doc{Format: "text", Warnings: warnings}
	meta, body, skipped, ok, err := evident.FrontMatter(s)
	if err != nil {
		// A broken header is the user's mistake, not a reason to lose the file.
		doc.Warnings = append(doc.Warnings, err.Error())
	} else if ok {
		doc.Meta = meta
		s = body
	}
	ext := strings.ToLower(filepath.Ext(in.Name))
	markdown := ext == ".md" || ext == ".markdown"
	if markdown {
		doc.Format = "markdown"
	}
	doc.Blocks = paragraphs(ctx, s, skipped, markdown, in.MaxBlocks)
	// Paragraphs stops early when cancelled: never pass on half a file.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if in.MaxBlocks > 0 && len(doc.Blocks) > in.MaxBlocks {
		return nil, fmt.Errorf("%w: more than %d", ErrTooManyBlocks, in.MaxBlocks)
	}
	if len(doc.Blocks) == 0 {
		return nil, fmt.Errorf("no text found in the %s file", doc.Format)
	}
	for _, b := range doc.Blocks {
		if b.Section == SectionHeading {
			doc.Title = b.Text
			break
		}
	}
	return doc, nil
}

// SectionHeading marks a block that is a heading: the passage step uses it
// as the context of what follows rather than as a passage.
const SectionHeading = "heading"

var (
	mdHeading  = lazyregexp.New(`^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	mdSetext   = lazyregexp.New(`^\s{0,3}(=+|-+)\s*$`)
	mdRule     = lazyregexp.New(`^\s{0,3}([-*_])(\s*[-*_]){2,}\s*$`)
	mdFence    = lazyregexp.New("^\\s{0,3}(```|~~~)")
	mdImage    = lazyregexp.New(`!\[([^\]]*)\]\([^)]*\)`)
	mdLink     = lazyregexp.New(`\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)`)
	mdRefLink  = lazyregexp.New(`\[([^\]]+)\]\[[^\]]*\]`)
	mdAutoLink = lazyregexp.New(`<(https?://[^>\s]+)>`)
	// **Mireille Reece, PsyD:** is a speaker label with a detail; keep it
	// one once the bold is gone: "Mireille Reece (PsyD):".
	mdBoldLabel = lazyregexp.New(`^(?:\*\*|__)([^*_:,()]{1,60}),\s*([^*_:()]{1,60}):(?:\*\*|__)`)
	mdStrong    = lazyregexp.New(`(\*\*|__)(\S(?:.*?\S)?)(\*\*|__)`)
	mdEm        = lazyregexp.New(`(^|[\s(])[*_](\S(?:[^*_]*?\S)?)[*_]([\s).,;:!?]|$)`)
	mdCode      = lazyregexp.New("`([^`]+)`")
	mdEscape    = lazyregexp.New(`\\([\\\[\]*_{}()#+\-.!<>|~` + "`" + `])`)
	htmlComment = lazyregexp.New(`<!--.*?-->`)
	htmlTag     = lazyregexp.New(`</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>`)
	listItem    = lazyregexp.New(`^\s*(?:[-*+•●▪◦‣]|\d{1,2}[.)])\s+(.*)$`)
	tableRule   = lazyregexp.New(`^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$`)
	refDef      = lazyregexp.New(`^\s{0,3}\[[^\]]+\]:\s+\S+`)
)

// Paragraphs splits decoded text into paragraph blocks. firstLine is the
// number of lines already consumed above s (front matter), so that line
// locators point into the original file. With markdown set, markup is
// reduced to words and headings become heading blocks.
func Paragraphs(ctx context.Context, s string, firstLine int, markdown bool) []Block {
	return paragraphs(ctx, s, firstLine, markdown, 0)
}

// paragraphs is Paragraphs that stops once it has more than max blocks
// (when max > 0). It reads s line by line without splitting it first.
func paragraphs(ctx context.Context, s string, firstLine int, markdown bool, max int) []Block {
	var blocks []Block
	var cur []string
	start := 0
	para := 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		text := strings.TrimSpace(strings.Join(cur, "\n"))
		cur = cur[:0]
		if text == "" {
			return
		}
		para++
		blocks = append(blocks, Block{Text: text, Loc: evident.Locator{Line: start, Paragraph: para}})
	}
	heading := func(text string, line int) {
		flush()
		if text = strings.TrimSpace(text); text != "" {
			blocks = append(blocks, Block{Text: text, Loc: evident.Locator{Line: line}, Section: SectionHeading})
		}
	}
	inFence := false
	i := -1
	for raw := range strings.Lines(s) {
		i++
		raw = strings.TrimSuffix(raw, "\n")
		if i%4096 == 0 && (ctx.Err() != nil || max > 0 && len(blocks) > max) {
			break
		}
		lineNo := firstLine + i + 1
		line := strings.TrimRight(raw, " \t")
		if markdown {
			if mdFence().MatchString(line) {
				inFence = !inFence
				flush()
				continue
			}
			if inFence {
				continue // code is not evidence
			}
			if m := mdHeading().FindStringSubmatch(line); m != nil {
				heading(inlineMarkdown(m[2]), lineNo)
				continue
			}
			if mdSetext().MatchString(line) && len(cur) == 1 {
				text := cur[0]
				cur = cur[:0]
				heading(text, lineNo-1)
				continue
			}
			if mdRule().MatchString(line) || tableRule().MatchString(line) || refDef().MatchString(line) {
				flush()
				continue
			}
			line = htmlComment().ReplaceAllString(line, "")
			// Blockquotes keep one "> " marker: in session notes they hold the
			// participant's words under the moderator's question.
			if q := strings.TrimLeft(line, " "); strings.HasPrefix(q, ">") {
				line = "> " + strings.TrimSpace(strings.TrimLeft(q, "> "))
			}
			if strings.HasPrefix(strings.TrimSpace(line), "|") {
				line = strings.Trim(strings.TrimSpace(line), "|")
				line = strings.Join(strings.Fields(strings.ReplaceAll(line, "|", " · ")), " ")
			}
			line = inlineMarkdown(line)
		}
		if m := listItem().FindStringSubmatch(line); m != nil {
			line = "• " + m[1]
		}
		// Clean before the blank test: a line of only invisible characters
		// is blank, and must not start a paragraph (its locator would point
		// one line above the text).
		line = tidy.Spaces(line)
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if len(cur) == 0 {
			start = lineNo
		}
		cur = append(cur, line)
	}
	flush()
	return blocks
}

// inlineMarkdown reduces inline markup to its words.
func inlineMarkdown(s string) string {
	// Most lines hold no markup: each pattern runs only on a line that
	// holds the characters every match of it needs.
	if strings.Contains(s, "![") {
		s = mdImage().ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "](") {
		s = mdLink().ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "][") {
		s = mdRefLink().ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "<http") {
		s = mdAutoLink().ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "`") {
		s = mdCode().ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "**") || strings.Contains(s, "__") {
		s = mdBoldLabel().ReplaceAllString(s, "$1 ($2):")
		s = mdStrong().ReplaceAllString(s, "$2")
	}
	if strings.ContainsAny(s, "*_") {
		s = mdEm().ReplaceAllString(s, "$1$2$3")
	}
	if strings.Contains(s, "<") {
		s = htmlTag().ReplaceAllString(s, "")
	}
	if strings.Contains(s, `\`) {
		s = mdEscape().ReplaceAllString(s, "$1")
	}
	// Markdown renders character references: "I&#39;m" reads "I'm".
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	return s
}

// JoinLines turns a block's lines into one passage text: soft line breaks
// become spaces, list items keep their own lines.
func JoinLines(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	for i, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if i > 0 {
			if strings.HasPrefix(l, "• ") {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}
