package search

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/evident/evident/index"
)

// relaxation is a broader query tried when the one asked finds nothing.
type relaxation struct {
	parsed  Parsed
	text    string   // the query as the person would type it
	dropped []string // what it leaves out, as a person reads it
	why     string   // the sentence that says so
}

// maxRelaxations bounds the broader queries tried (each is a count in the
// index, without facets or hits).
const maxRelaxations = 12

// relax finds the nearest query that matches something: first with words
// respelt to the topics' words they are one or two letters from, then
// dropping the fewest parts of the query, least telling first (a category
// before a role, a role before the words, the words before a filter the
// person typed as field syntax). It reports whether one matched; when none
// does, why says what was tried. notes are said before the rest (an
// attribute no passage has).
func (s *Searcher) relax(ctx context.Context, ix *index.Index, p Parsed, notes []string) (relaxation, bool, error) {
	asked, typed := describeParts(p.parts), p.Text
	var tried []relaxation
	var respelt []string
	if text, fixes, ok := s.respell(p); ok {
		rp, _, err := s.understand(ix, text, p.Interviewer)
		if err != nil {
			return relaxation{}, false, err
		}
		rp.Corrections = append(rp.Corrections, fixes...)
		tried = append(tried, relaxation{parsed: rp, text: text})
		p, respelt = rp, fixes // what comes next drops parts of the respelt query
	}
	tried = append(tried, dropSteps(p)...)
	var widest relaxation
	for i, r := range tried {
		if i >= maxRelaxations {
			break
		}
		q := r.parsed.indexQuery()
		q.Size, q.NoFacets = 0, true
		res, err := ix.Search(ctx, q)
		if err != nil {
			return relaxation{}, false, err
		}
		widest = r
		if res.Total == 0 {
			continue
		}
		lead := strings.Join(notes, " ")
		if lead != "" {
			lead += " "
		}
		switch {
		case len(r.dropped) == 0:
			r.why = lead + fmt.Sprintf("No passages match %q as typed; reading %s.", typed, joinAnd(respelt))
		case len(respelt) > 0:
			r.why = lead + fmt.Sprintf("No passages match all of %s, even reading %s; showing those without %s.",
				joinAnd(asked), joinAnd(respelt), joinAnd(r.dropped))
		default:
			r.why = lead + fmt.Sprintf("No passages match all of %s; showing those without %s.", joinAnd(asked), joinAnd(r.dropped))
		}
		return r, true, nil
	}
	n, err := ix.Count()
	if err != nil {
		return relaxation{}, false, err
	}
	why := strings.Join(notes, " ")
	if why != "" {
		why += " "
	}
	switch {
	case n == 0:
		why += "Nothing is searchable yet: add files to the inbox, or run evident ingest."
	case len(asked) == 0:
		why += fmt.Sprintf("No passages match %q; %d passages are searchable: try other words.", p.Text, n)
	case len(widest.dropped) == 0:
		why += fmt.Sprintf("No passages match %s; %d passages are searchable: try other words.", joinAnd(asked), n)
	default:
		why += fmt.Sprintf("No passages match %s, not even without %s; %d passages are searchable: try other words.",
			joinAnd(asked), joinAnd(widest.dropped), n)
	}
	return relaxation{parsed: p, why: why}, false, nil
}

// respell corrects the query's words that are one letter (two for long
// words) from a topic's word of configs/synonyms.yaml: "pricng" is read
// "pricing", and takes the topic's other words along. It returns the
// query as respelt and the corrections.
func (s *Searcher) respell(p Parsed) (string, []string, bool) {
	syn := s.Parser.Synonyms
	if syn == nil || strings.TrimSpace(p.Words) == "" {
		return "", nil, false
	}
	var vocab []string
	for _, t := range syn.Topics() {
		vocab = append(vocab, strings.ToLower(t.Name))
		for _, w := range t.Words {
			if !strings.Contains(w, " ") {
				vocab = append(vocab, strings.ToLower(w))
			}
		}
	}
	text := p.Text
	var fixes []string
	for _, w := range strings.Fields(p.Words) {
		if len([]rune(w)) < 5 {
			continue
		}
		if topics, _ := syn.Expand(w); len(topics) > 0 {
			continue // a topic's word already
		}
		if best := nearest(w, vocab); best != "" {
			text = replaceWord(text, w, best)
			fixes = append(fixes, w+" → "+best)
		}
	}
	return text, fixes, len(fixes) > 0
}

// nearest is the word of vocab within a small edit distance of w that is
// not merely another form of it, the nearest when several are; "" when
// none is.
func nearest(w string, vocab []string) string {
	best, bestD := "", 99
	for _, v := range vocab {
		if d := editDistance(w, v); d > 0 && d <= allowedEdits(v) && d < bestD && !inflected(w, v) && !inflected(v, w) {
			best, bestD = v, d
		}
	}
	return best
}

// replaceWord replaces the first whole-word occurrence of from in text,
// ignoring case.
func replaceWord(text, from, to string) string {
	lower := strings.ToLower(text)
	for i := 0; ; {
		j := strings.Index(lower[i:], from)
		if j < 0 {
			return text
		}
		j += i
		before := j == 0 || !isWordByte(lower[j-1])
		after := j+len(from) == len(lower) || !isWordByte(lower[j+len(from)])
		if before && after {
			return text[:j] + to + text[j+len(from):]
		}
		i = j + len(from)
	}
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// dropOrder ranks the kinds of part from least to most telling: the
// first dropped when a query finds nothing.
var dropOrder = map[partKind]int{partCategory: 1, partRole: 2, partWord: 3, partPhrase: 3, partAttr: 4, partKind_: 5, partSpeaker: 6, partDoc: 6}

// dropSteps lists the queries that leave out some kinds of part, fewest
// kinds first, then the least telling. A query left with nothing to ask
// is not one of them.
func dropSteps(p Parsed) []relaxation {
	var kinds []partKind
	for _, pt := range p.parts {
		if !slices.Contains(kinds, pt.kind) {
			kinds = append(kinds, pt.kind)
		}
	}
	sort.Slice(kinds, func(i, j int) bool { return dropOrder[kinds[i]] < dropOrder[kinds[j]] })
	type subset struct {
		kinds  []partKind
		weight int
	}
	var subsets []subset
	for mask := 1; mask < 1<<len(kinds); mask++ {
		var sub subset
		for i, k := range kinds {
			if mask&(1<<i) != 0 {
				sub.kinds = append(sub.kinds, k)
				sub.weight += dropOrder[k]
			}
		}
		if len(sub.kinds) == len(kinds) {
			continue // nothing would be left
		}
		subsets = append(subsets, sub)
	}
	sort.SliceStable(subsets, func(i, j int) bool {
		if len(subsets[i].kinds) != len(subsets[j].kinds) {
			return len(subsets[i].kinds) < len(subsets[j].kinds)
		}
		return subsets[i].weight < subsets[j].weight
	})
	var out []relaxation
	for _, sub := range subsets {
		out = append(out, p.without(sub.kinds))
	}
	return out
}

// without is the query with every part of these kinds left out.
func (p Parsed) without(kinds []partKind) relaxation {
	out := p
	out.parts = nil
	out.Roles, out.Categories, out.Kinds, out.Docs, out.Speakers, out.Attrs, out.Phrases = nil, nil, nil, nil, nil, nil, nil
	if slices.Contains(kinds, partRole) {
		out.Related = nil // a role's group goes with it
	}
	var words []string
	drop := map[int]bool{}
	var dropped []part
	for _, pt := range p.parts {
		if slices.Contains(kinds, pt.kind) {
			dropped = append(dropped, pt)
			for _, t := range pt.tokens {
				drop[t] = true
			}
			continue
		}
		out.parts = append(out.parts, pt)
		switch pt.kind {
		case partRole:
			if !slices.Contains(out.Roles, pt.value) {
				out.Roles = append(out.Roles, pt.value)
			}
		case partCategory:
			if !slices.Contains(out.Categories, pt.value) {
				out.Categories = append(out.Categories, pt.value)
			}
		case partWord:
			words = append(words, pt.value)
		case partPhrase:
			out.Phrases = append(out.Phrases, pt.value)
		case partKind_:
			out.Kinds = append(out.Kinds, pt.value)
		case partDoc:
			out.Docs = append(out.Docs, pt.value)
		case partSpeaker:
			out.Speakers = append(out.Speakers, pt.value)
		}
	}
	// Attributes keep their values: find them by the order they came in.
	ai := 0
	for _, pt := range p.parts {
		if pt.kind != partAttr {
			continue
		}
		if !slices.Contains(kinds, partAttr) && ai < len(p.Attrs) {
			out.Attrs = append(out.Attrs, p.Attrs[ai])
		}
		ai++
	}
	out.Words = strings.Join(words, " ")
	if slices.Contains(kinds, partWord) {
		out.Also, out.Topics = nil, nil
	}
	if slices.Contains(kinds, partCategory) {
		out.Hints = ""
	}
	out.Role = ""
	if len(out.Roles) > 0 {
		out.Role = out.Roles[0]
	}
	var kept []string
	for i, t := range p.tokens {
		if !drop[i] {
			kept = append(kept, p.Text[t.start:t.end])
		}
	}
	out.Text = strings.Join(kept, " ")
	return relaxation{parsed: out, text: out.Text, dropped: describeParts(dropped)}
}

// describeParts says what parts ask for, the way a person reads it: role
// cfo, category HEAR, the words "pricing", attribute company=Northwind.
func describeParts(parts []part) []string {
	var out, words []string
	for _, pt := range parts {
		var d string
		switch pt.kind {
		case partRole:
			d = "role " + pt.value
		case partCategory:
			d = "category " + pt.value
		case partWord:
			words = append(words, pt.value)
			continue
		case partPhrase:
			d = "the phrase “" + pt.value + "”"
		case partAttr:
			_, v, _ := strings.Cut(pt.said, ":")
			d = "attribute " + pt.value + "=" + v
		case partKind_:
			d = "kind " + pt.value
		case partSpeaker:
			d = "speaker " + pt.value
		case partDoc:
			_, v, _ := strings.Cut(pt.said, ":")
			d = "document " + v
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	switch len(words) {
	case 0:
	case 1:
		out = append(out, "the word "+words[0])
	default:
		out = append(out, "the words "+strings.Join(words, " "))
	}
	return out
}

// joinAnd joins "a", "b" and "c" as "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// checkAttrs reads an attribute key no passage has as the key it is
// nearest to, when one is near (a typo, "compnay"; or the last word of a
// longer key, "size" for company-size), and a word of a value that no
// value of the attribute holds as the word it is nearest to ("northwnd"
// for "Northwind"); both are said in Corrections. A key with no such
// neighbour is noted, so that an empty answer can say so.
func (s *Searcher) checkAttrs(ix *index.Index, p *Parsed) ([]string, error) {
	if len(p.Attrs) == 0 {
		return nil, nil
	}
	keys, err := ix.AttrKeys()
	if err != nil {
		return nil, err
	}
	var notes []string
	for i, a := range p.Attrs {
		if !slices.Contains(keys, a.Key) {
			near := nearestKey(a.Key, keys)
			if near == "" {
				list := "no passage has attributes"
				if len(keys) > 0 {
					list = "the attributes are " + joinAnd(keys[:min(len(keys), 12)])
					if len(keys) > 12 {
						list += fmt.Sprintf(" and %d more", len(keys)-12)
					}
				}
				notes = append(notes, fmt.Sprintf("No passage has an attribute %s (%s).", a.Key, list))
				continue
			}
			p.Corrections = append(p.Corrections, a.Key+": → "+near+":")
			for j := range p.parts {
				if p.parts[j].kind == partAttr && p.parts[j].value == a.Key {
					p.parts[j].value = near
					break
				}
			}
			a.Key = near
			p.Attrs[i].Key = near
		}
		words, err := ix.AttrWordsOf(a.Key)
		if err != nil {
			return nil, err
		}
		value := a.Value
		for _, w := range index.AttrWords(a.Value) {
			if len([]rune(w)) < 4 || slices.Contains(words, w) {
				continue
			}
			if near := nearest(w, words); near != "" {
				value = replaceWord(value, w, near)
			}
		}
		if value != a.Value {
			p.Corrections = append(p.Corrections, a.Key+":"+a.Value+" → "+a.Key+":"+value)
			p.Attrs[i].Value = value
		}
	}
	return notes, nil
}

// nearestKey is the key within a small edit distance of k, or the one
// whose last dash-separated word is k; "" when none or several are.
func nearestKey(k string, keys []string) string {
	best, bestD, tie := "", 99, false
	for _, key := range keys {
		d := editDistance(k, key)
		if d > max(allowedEdits(key), 1) || len([]rune(k)) < 4 {
			continue
		}
		switch {
		case d < bestD:
			best, bestD, tie = key, d, false
		case d == bestD:
			tie = true
		}
	}
	if best != "" && !tie {
		return best
	}
	var ends []string
	for _, key := range keys {
		if strings.HasSuffix(key, "-"+k) || strings.HasPrefix(key, k+"-") {
			ends = append(ends, key)
		}
	}
	if len(ends) == 1 {
		return ends[0]
	}
	return ""
}
