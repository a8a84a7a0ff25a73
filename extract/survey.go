package extract

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/evident/evident"
	"github.com/evident/evident/extract/internal/tidy"
	"github.com/evident/evident/internal/lazyregexp"
)

// A survey table, from CSV or a spreadsheet, is read in three steps: find
// how many header rows there are, tell free-text columns from the rest,
// then turn each free-text answer into a block whose context is its
// question and whose attributes are the respondent's other answers.

// survey is a survey table read into blocks, and what was found on the way
// (for tests and logs).
type survey struct {
	HeaderRows int
	Layout     string   // one of the layout constants below
	Free       []string // labels of the free-text columns
	Role       string   // label of the role column, if any
	WriteIn    string   // label of the role's "Other (please specify)" column, if any
	Blocks     []Block

	skip    int // non-blank rows above the first answer: title rows and headers
	cols    []surveyColumn
	role    int // the role column, or -1
	writeIn int // its write-in column, or -1
}

// surveyColumn is what the header rows say about one column.
type surveyColumn struct {
	id       string // a short question id (Qualtrics' Q1), if the export has one
	question string // the question, carried across the blank cells of a merged header
	sub      string // the sub-answer or option under it, if any
	label    string // question and sub-answer together: the passage's context
	short    string // short form of the label: the locator's column
	key      string // the attribute name for this column's answers
	free     bool
	private  bool // who the respondent is, or the tool's bookkeeping: no attribute (see private)
}

var (
	errNoAnswers = errors.New("the survey has no answers: it needs a header row of questions and at least one row of answers")
	errNoFree    = errors.New("the survey has no free-text answers: its columns hold only choices, numbers, dates or identifiers")
	errNoQuotes  = errors.New("the survey's free-text questions have no answers worth quoting (all empty or \"n/a\")")
)

// surveyBlocks reads a survey table whose blank rows are already removed.
// Row locators count respondents from the first answer row.
func surveyBlocks(ctx context.Context, rows [][]string) (*survey, error) {
	s, err := planSurvey(ctx, rows)
	if err != nil {
		return nil, err
	}
	for i, rec := range rows[s.skip:] {
		if i%256 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.answer(i, rec, func(b Block) error {
			s.Blocks = append(s.Blocks, b)
			return nil
		})
	}
	if len(s.Blocks) == 0 {
		return nil, errNoQuotes
	}
	return s, nil
}

// surveySample is how many rows of a table, at most, decide its header
// rows and which of its columns hold free text. A longer table is read
// twice, never held whole: the sample plans it, then every row is
// streamed (Doc.Stream).
const surveySample = 10_000

// tableRows calls fn with each non-blank row of a table, from the top,
// until the table ends or fn returns an error, which it returns
// (errStopRows: none). fn must not keep rec.
type tableRows func(ctx context.Context, fn func(rec []string) error) error

var (
	errStopRows   = errors.New("enough rows")
	errEmptyTable = errors.New("the table is empty")
)

// readSurvey reads a survey table: its first sample rows plan it (see
// planSurvey). A table that ends within the sample comes back with its
// blocks; a longer one with a stream of them, which reads the table again
// row by row. A table without a row is errEmptyTable.
func readSurvey(ctx context.Context, read tableRows, sample int) (*survey, func(context.Context, func(Block) error) error, error) {
	if sample <= 0 {
		sample = surveySample
	}
	var head [][]string
	err := read(ctx, func(rec []string) error {
		if len(head) == sample {
			return errStopRows
		}
		head = append(head, slices.Clone(rec))
		return nil
	})
	switch {
	case errors.Is(err, errStopRows):
	case err != nil:
		return nil, nil, err
	case len(head) == 0:
		return nil, nil, errEmptyTable
	default:
		s, err := surveyBlocks(ctx, head)
		return s, nil, err
	}
	s, err := planSurvey(ctx, head)
	if err != nil {
		return nil, nil, err
	}
	return s, func(ctx context.Context, yield func(Block) error) error { return s.stream(ctx, read, yield) }, nil
}

// stream reads the table that planned s again, row by row, and yields the
// blocks of every answer row.
func (s *survey) stream(ctx context.Context, read tableRows, yield func(Block) error) error {
	row, blocks := 0, 0
	err := read(ctx, func(rec []string) error {
		row++
		if row <= s.skip {
			return nil
		}
		if row%256 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		return s.answer(row-s.skip-1, rec, func(b Block) error {
			blocks++
			return yield(b)
		})
	})
	if err == nil && blocks == 0 {
		err = errNoQuotes
	}
	return err
}

// planSurvey reads the header rows of a table, and from the answers below
// them (all, or a sample) which columns hold free text and which the
// respondent's role. Blank rows must be removed.
func planSurvey(ctx context.Context, rows [][]string) (*survey, error) {
	all := len(rows)
	rows = dropTitleRows(rows)
	if len(rows) < 2 {
		return nil, errNoAnswers
	}
	n, layout := headerRows(rows)
	if len(rows) <= n {
		return nil, errNoAnswers
	}
	header, answers := rows[:n], rows[n:]
	s := &survey{HeaderRows: n, Layout: layout, skip: all - len(rows) + n, role: -1, writeIn: -1}
	s.cols = surveyColumns(header, layout)
	anyFree := false
	for c := range s.cols {
		if c%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		col := &s.cols[c]
		values := column(answers, c)
		// The role column is short answers under a role-like question; a
		// long job title must not make it a free-text column.
		if s.role < 0 && roleHeader().MatchString(col.label) && len(values) > 0 && avgWords(values) <= 8 {
			s.role = c
			s.Role = col.label
			continue
		}
		// Its "Other (please specify)" write-in: the column beside it, or
		// one under the same question, whose header says other or specify.
		if s.role >= 0 && s.writeIn < 0 && (c == s.role+1 || col.question == s.cols[s.role].question) &&
			otherHeader().MatchString(col.label) && (c == s.role+1 || col.question != "") {
			s.writeIn = c
			s.WriteIn = col.label
			continue
		}
		col.free = freeText(values) && !oneOption(values, col.sub)
		if col.free {
			anyFree = true
			s.Free = append(s.Free, col.label)
		}
	}
	if !anyFree {
		return nil, errNoFree
	}
	return s, nil
}

// answer turns answer row i (0 for the first) into blocks, one per
// free-text answer worth quoting, and calls fn with each.
func (s *survey) answer(i int, rec []string, fn func(Block) error) error {
	var attrs map[string]string
	var who string
	if s.role >= 0 && s.role < len(rec) {
		who = cellText(rec[s.role])
	}
	// "Other (please specify)" is no role: the write-in says which.
	if otherChoice().MatchString(who) {
		who = ""
		if s.writeIn >= 0 && s.writeIn < len(rec) {
			who = cellText(rec[s.writeIn])
		}
	}
	for c, v := range rec {
		if c >= len(s.cols) || !s.cols[c].free {
			continue
		}
		// Clean first: a cell of control or invisible characters is empty.
		v = answerText(v)
		if v == "" || placeholder(v) {
			continue
		}
		if attrs == nil {
			attrs = respondentAttrs(s.cols, rec)
		}
		if err := fn(Block{
			Text:       v,
			Loc:        evident.Locator{Row: i + 1, Column: s.cols[c].short},
			Context:    s.cols[c].label,
			Role:       who,
			RoleSource: evident.RoleFromColumn,
			Attrs:      attrs,
		}); err != nil {
			return err
		}
	}
	return nil
}

var (
	// otherHeader is the header of a write-in column: "Other (please
	// specify)", "What is your role? - Other - Text", "If other, please
	// state".
	otherHeader = lazyregexp.New(`(?i)\bother\b|\bspecify\b|\bwrite[- ]?in\b|\bplease state\b`)
	// otherChoice is the choice that sends a respondent to the write-in.
	otherChoice = lazyregexp.New(`(?i)^other\b[^a-z]*(?:\(?\s*(?:please\s+)?(?:specify|state|describe)\s*\)?:?)?\s*$`)
)

// Header layouts.
const (
	layoutOne       = "one row"
	layoutSub       = "question and sub-answer rows"
	layoutIDText    = "question id and text rows"
	layoutQualtrics = "question id, text and import id rows"
)

var (
	// Qualtrics' third header row: {"ImportId":"QID1"}.
	importIDCell = lazyregexp.New(`(?i)^\{\s*"importid"\s*:`)
	// A short question id: Q1, Q2_3, QID12, V1, Q4_TEXT.
	questionID = lazyregexp.New(`^[A-Za-z]{1,5}\d+(?:[_.\-]\d+)*(?:_[A-Za-z]+)?$`)
	// The sub-answer row of SurveyMonkey-style exports names the kind of
	// answer in the cells of single-answer questions.
	subMarker = lazyregexp.New(`(?i)^(?:open[- ]ended response|responses?|answer|other \(please specify\)|other|please specify:?|comments?:?)$`)
	// Sub-answers that add nothing to the question they sit under.
	genericSub = lazyregexp.New(`(?i)^(?:open[- ]ended response|responses?|answer)$`)
)

// headerRows decides how many of the first rows are headers.
//
//   - Qualtrics: question ids, question texts, then {"ImportId":...} cells.
//   - Legacy Qualtrics: question ids (V1, Q1...) then question texts.
//   - SurveyMonkey and other "expanded" exports: questions spanning several
//     columns (the cells to the right left blank), then the sub-answers:
//     the options of a multiple choice, "Response", "Other (please specify)".
//   - Everything else: one row of questions.
func headerRows(rows [][]string) (int, string) {
	if len(rows) >= 3 && share(rows[2], func(v string) bool { return importIDCell().MatchString(v) }) >= 0.5 {
		return 3, layoutQualtrics
	}
	if len(rows) >= 2 && idTextRows(rows[0], rows[1]) {
		return 2, layoutIDText
	}
	if len(rows) >= 2 && subAnswerRow(rows[0], rows[1], rows[2:]) {
		return 2, layoutSub
	}
	return 1, layoutOne
}

// dropTitleRows removes the lines a person types above a table in a
// spreadsheet ("Close survey, exported 2 Sept"): a row with one cell over
// a row with several, unless that one cell is a question whose options
// fill the row below.
func dropTitleRows(rows [][]string) [][]string {
	for len(rows) > 2 && filled(rows[0]) == 1 && filled(rows[1]) >= 2 && !subAnswerRow(rows[0], rows[1], rows[2:]) {
		rows = rows[1:]
	}
	return rows
}

func filled(row []string) int {
	n := 0
	for _, v := range row {
		if cellText(v) != "" {
			n++
		}
	}
	return n
}

// share is the share of the non-empty cells of row for which f holds.
func share(row []string, f func(string) bool) float64 {
	n, yes := 0, 0
	for _, v := range row {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		n++
		if f(v) {
			yes++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(yes) / float64(n)
}

// idTextRows recognises a legacy Qualtrics export: a row of ids, with its
// tell-tale respondent columns, over a row of question texts.
func idTextRows(ids, texts []string) bool {
	qualtrics, idLike := false, 0
	for _, v := range ids {
		v = strings.TrimSpace(v)
		switch {
		case v == "ResponseID" || v == "ResponseId" || v == "V1":
			qualtrics = true
		case questionID().MatchString(v):
			idLike++
		}
	}
	return qualtrics && idLike >= 2 && share(texts, func(v string) bool { return strings.ContainsAny(v, " ?") }) >= 0.5
}

// subAnswerRow tells a row of sub-answers from a first respondent: it is
// largely made of the markers SurveyMonkey writes ("Response",
// "Other (please specify)"), or it fills the blank cells of merged
// questions with option labels, which come back as the answers in those
// columns (a ticked box holds its option's label).
func subAnswerRow(top, row []string, data [][]string) bool {
	if share(row, subMarker().MatchString)*3 >= 1 {
		return true
	}
	spans, filled, consistent := 0, 0, 0
	seen := false
	for c := range top {
		if strings.TrimSpace(top[c]) != "" {
			seen = true
			continue
		}
		if !seen {
			continue
		}
		spans++
		if c >= len(row) || strings.TrimSpace(row[c]) == "" {
			continue
		}
		filled++
		label := strings.TrimSpace(row[c])
		same := true
		for _, r := range data {
			if c < len(r) {
				if v := strings.TrimSpace(r[c]); v != "" && !strings.EqualFold(v, label) {
					same = false
					break
				}
			}
		}
		if same {
			consistent++
		}
	}
	return spans > 0 && filled*5 >= spans*4 && consistent*2 >= filled
}

// surveyColumns names every column from the header rows.
func surveyColumns(header [][]string, layout string) []surveyColumn {
	width := 0
	for _, r := range header {
		width = max(width, len(r))
	}
	cell := func(r, c int) string {
		if c < len(header[r]) {
			return headerText(header[r][c])
		}
		return ""
	}
	cols := make([]surveyColumn, width)
	carry := ""
	for c := range cols {
		col := &cols[c]
		switch layout {
		case layoutSub:
			if q := cell(0, c); q != "" {
				carry = q
			}
			col.question, col.sub = carry, cell(1, c)
		case layoutIDText, layoutQualtrics:
			col.id, col.question = cell(0, c), cell(1, c)
			if col.question == "" {
				col.question = col.id
			}
		default:
			col.question = cell(0, c)
		}
		sub := strings.TrimSpace(strings.TrimSuffix(col.sub, ":"))
		if genericSub().MatchString(sub) || strings.EqualFold(sub, col.question) {
			sub = ""
		}
		col.sub = sub
		switch {
		case col.question == "" && sub == "":
			// An unnamed column: call it what the spreadsheet calls it.
			col.label = "column " + columnLetters(c)
			col.short, col.key = col.label, col.label
			continue
		case col.question == "":
			col.label = sub
		case sub == "":
			col.label = col.question
		default:
			col.label = col.question + " — " + sub
		}
		col.key = shorten(col.question, 80)
		if col.question == "" {
			col.key = shorten(sub, 80)
		}
		switch {
		case col.id != "":
			col.short = col.id
		case sub != "" && col.question != "":
			col.short = shorten(col.question, 60) + " — " + shorten(sub, 40)
		default:
			col.short = shorten(col.label, 80)
		}
	}
	for c := range cols {
		cols[c].private = private().MatchString(cols[c].question) || private().MatchString(cols[c].key)
	}
	return cols
}

// private names the columns of who a respondent is and of the survey tool's
// bookkeeping. They say nothing about the persona, and a quote's attributes
// travel into exports and maps, so they are left out.
var private = lazyregexp.New(`(?i)\b(?:e-?mail|ip ?address|phone|telephone|mobile|recipient|first ?name|last ?name|full ?name|surname|latitude|longitude|external ?(?:data )?reference|user ?agent|distribution ?channel|collector ?id)\b`)

// personalValue recognises an e-mail or IP address in any column.
var personalValue = lazyregexp.New(`^[^@\s]+@[^@\s]+\.[a-zA-Z]{2,}$|^\d{1,3}(?:\.\d{1,3}){3}$`)

// respondentAttrs gathers a respondent's answers outside the free-text
// columns. The ticked options of one multiple-choice question are joined
// under the question; a grid question keeps one attribute per row.
func respondentAttrs(cols []surveyColumn, rec []string) map[string]string {
	attrs := map[string]string{}
	for c, v := range rec {
		if c >= len(cols) || cols[c].free {
			continue
		}
		v = strings.ReplaceAll(cellText(v), "\n", " ")
		if v == "" {
			continue
		}
		col := cols[c]
		if col.private || personalValue().MatchString(v) {
			continue
		}
		key := col.key
		if col.sub != "" && !strings.EqualFold(v, col.sub) && !subMarker().MatchString(col.sub) {
			key = shorten(col.question, 60) + " — " + shorten(col.sub, 40)
		}
		if prev, ok := attrs[key]; ok {
			if prev != v && !strings.Contains(", "+prev+", ", ", "+v+", ") {
				attrs[key] = prev + ", " + v
			}
			continue
		}
		attrs[key] = v
	}
	return attrs
}

// headerText is a header cell on one line.
func headerText(s string) string {
	return strings.Join(strings.Fields(tidy.Spaces(s)), " ")
}

// cellText is a cell without invisible characters, trimmed.
func cellText(s string) string {
	return strings.TrimSpace(tidy.Spaces(s))
}

// answerText is a free-text answer cleaned line by line; its line breaks
// stay, blank lines go.
func answerText(s string) string {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(tidy.Spaces(l)); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// shorten cuts s to at most n runes at a word boundary, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut, runes := 0, 0
	for i, r := range s {
		if runes >= n {
			break
		}
		runes++
		if r == ' ' {
			cut = i
		}
	}
	if cut == 0 {
		r := []rune(s)
		return string(r[:n-1]) + "…"
	}
	return strings.TrimRight(s[:cut], " ,;:-—") + "…"
}

// columnLetters names a column as spreadsheets do: A, B ... Z, AA.
func columnLetters(c int) string {
	var b []byte
	for c++; c > 0; c = (c - 1) / 26 {
		b = append([]byte{byte('A' + (c-1)%26)}, b...)
	}
	return string(b)
}

func blankRow(rec []string) bool {
	for _, v := range rec {
		if cellText(v) != "" {
			return false
		}
	}
	return true
}

// column lists the non-empty answers in column c.
func column(rows [][]string, c int) []string {
	var out []string
	for _, r := range rows {
		if c < len(r) {
			if v := cellText(r[c]); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

// placeholderAnswer is an answer that says there is nothing to say.
var placeholderAnswer = lazyregexp.New(`(?i)^(?:n/?a|none|no|nope|nothing|nil|null|not applicable|no comments?|nothing else|nothing to add|no further comments?|-+|x|\?+|\.+)$`)

// placeholder reports whether an answer says nothing: "N/A", "No.",
// "-", or no letters or digits at all.
func placeholder(v string) bool {
	if placeholderAnswer().MatchString(strings.TrimRight(strings.TrimSpace(v), ".!")) {
		return true
	}
	for _, r := range v {
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

// oneOption reports a column that holds a single option over and over: the
// ticked boxes of a multiple choice, whose cells repeat the option's label.
func oneOption(values []string, sub string) bool {
	first := values[0]
	if sub != "" {
		first = sub
	} else if len(values) < 3 {
		return false
	}
	for _, v := range values {
		if !strings.EqualFold(v, first) {
			return false
		}
	}
	return true
}

func avgWords(values []string) float64 {
	words := 0
	for _, v := range values {
		words += len(strings.Fields(v))
	}
	return float64(words) / float64(max(1, len(values)))
}

// freeText tells answers written in words from choices, numbers, dates,
// identifiers and names. Placeholders ("N/A", "No") are set aside first,
// so that a comments column most people skipped still counts. Then the
// answers must average four words or more, be mostly letters, and read as
// prose (a fair share of words in lower case: lists of names and course
// titles are capitalised); and they must not be the same few options
// repeated (a multiple choice exported as "A, B, C").
func freeText(values []string) bool {
	var said []string
	for _, v := range values {
		if !placeholder(v) {
			said = append(said, v)
		}
	}
	if len(said) == 0 {
		return false
	}
	letters, total, lower, worded := 0, 0, 0, 0
	for _, v := range said {
		for _, w := range strings.Fields(v) {
			r, _ := utf8.DecodeRuneInString(strings.TrimLeft(w, `"'“‘(*-`))
			if unicode.IsLetter(r) {
				worded++
				if unicode.IsLower(r) || !unicode.IsUpper(r) {
					lower++
				}
			}
		}
		for _, r := range v {
			total++
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	return avgWords(said) >= 4 && letters*2 > total && lower*10 >= worded*3 && !repeatedChoices(said)
}

// repeatedChoices reports whether the answers are mostly options picked
// from a list: split at commas and semicolons, most of the pieces occur in
// more than one answer. It needs enough answers to see repetition.
func repeatedChoices(values []string) bool {
	if len(values) < 5 {
		return false
	}
	count := map[string]int{}
	pieces := 0
	for _, v := range values {
		seen := map[string]bool{}
		for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
			p = strings.ToLower(strings.TrimSpace(p))
			if p == "" || seen[p] {
				continue
			}
			seen[p] = true
			count[p]++
			pieces++
		}
	}
	repeated := 0
	for _, n := range count {
		if n > 1 {
			repeated += n
		}
	}
	return repeated*10 >= pieces*7
}
