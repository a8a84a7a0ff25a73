package maps

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
)

// Themes are proposed offline, in Go, by a lexical method a person can
// follow: each quote becomes a TF-IDF vector over the Snowball stems of
// its words (stop words and talk fillers left out, and stems that only
// one quote uses or that every quote uses, which cannot tell groups
// apart); quotes are joined by agglomerative clustering with Ward's
// linkage on the unit vectors (cosine); the tree is cut where the mean silhouette is
// highest, trying 2 to maxThemes groups. A group of one quote is no
// theme: it stays ungrouped. Each theme is named by the terms that set
// it apart, those whose weight in the group most exceeds their weight
// outside it. Same quotes, same proposal.

// ThemeMethod says how themes are proposed, for the people who read them.
const ThemeMethod = "TF-IDF over Snowball stems, Ward's agglomerative clustering on the unit vectors (cosine), " +
	"cut at the highest mean silhouette (2 to 12 groups); groups of one quote stay ungrouped; " +
	"named by the stems that most set each group apart and most of it uses"

// maxThemes bounds the groups a cut may make: more do not fit a cell.
const maxThemes = 12

// ThemeProposal is what ProposeThemes suggests for a cell's quotes.
type ThemeProposal struct {
	Themes    []Theme  `json:"themes"`
	Ungrouped []string `json:"ungrouped"` // quotes in no proposed theme
	// Silhouette is the mean silhouette of the chosen cut, from -1 to 1:
	// how much closer quotes are to their own group than to the next.
	Silhouette float64 `json:"silhouette"`
	Method     string  `json:"method"`
}

// ProposeThemes groups quotes by what they say. It is deterministic and
// needs no network or model.
func ProposeThemes(quotes []Quote) ThemeProposal {
	out := ThemeProposal{Themes: []Theme{}, Ungrouped: []string{}, Method: ThemeMethod}
	vecs, vocab := vectorize(quotes)
	// Quotes without a distinctive word cannot be placed; the rest are
	// clustered.
	var idx []int
	for i, v := range vecs {
		if len(v) > 0 {
			idx = append(idx, i)
		}
	}
	labels := make([]int, len(quotes))
	for i := range labels {
		labels[i] = -1
	}
	if len(idx) >= 4 {
		sim := similarities(vecs, idx)
		merges := agglomerate(sim)
		best, bestScore := 0, math.Inf(-1)
		for k := 2; k <= min(maxThemes, len(idx)/2); k++ {
			lab := cut(len(idx), merges, k)
			if s := silhouette(sim, lab, k); s > bestScore+1e-12 {
				best, bestScore = k, s
			}
		}
		if best > 0 {
			out.Silhouette = math.Round(bestScore*1000) / 1000
			for j, l := range cut(len(idx), merges, best) {
				labels[idx[j]] = l
			}
		}
	}
	groups := map[int][]int{}
	for i, l := range labels {
		if l >= 0 {
			groups[l] = append(groups[l], i)
		}
	}
	var members [][]int
	for _, g := range groups {
		if len(g) >= 2 {
			members = append(members, g)
		}
	}
	// Biggest first, then by the first quote's place in the cell.
	slices.SortFunc(members, func(a, b []int) int {
		return cmp.Or(cmp.Compare(len(b), len(a)), cmp.Compare(a[0], b[0]))
	})
	in := map[int]bool{}
	for _, g := range members {
		terms := defining(vecs, g, len(quotes), vocab)
		t := Theme{Name: strings.Join(terms, " · "), Terms: terms}
		if t.Name == "" {
			t.Name = "Group of " + countOf(len(g), "quote")
		}
		for _, i := range g {
			t.Quotes = append(t.Quotes, quotes[i].ID)
			in[i] = true
		}
		out.Themes = append(out.Themes, t)
	}
	for i, q := range quotes {
		if !in[i] {
			out.Ungrouped = append(out.Ungrouped, q.ID)
		}
	}
	return out
}

// vector is a sparse, L2-normalised TF-IDF vector: term index → weight,
// sorted by term.
type vector []termWeight

type termWeight struct {
	term   int
	weight float64
}

// vocabulary holds the stems and, for each, the word people read.
type vocabulary struct {
	stems   []string
	surface []string
}

// vectorize turns quotes into TF-IDF vectors over stems that at least
// two quotes share and not all of them use (those weigh nothing).
func vectorize(quotes []Quote) ([]vector, vocabulary) {
	counts := make([]map[string]int, len(quotes))
	df := map[string]int{}
	forms := map[string]map[string]int{}
	env := snowballstem.NewEnv("")
	for i, q := range quotes {
		counts[i] = map[string]int{}
		for _, w := range words(q.Text) {
			if len(w) < 3 || stopWord[w] || strings.IndexFunc(w, unicode.IsLetter) < 0 {
				continue
			}
			env.SetCurrent(w)
			english.Stem(env)
			st := env.Current()
			if stopWord[st] {
				continue
			}
			if counts[i][st] == 0 {
				df[st]++
			}
			counts[i][st]++
			if forms[st] == nil {
				forms[st] = map[string]int{}
			}
			forms[st][w]++
		}
	}
	n := len(quotes)
	var stems []string
	for st, d := range df {
		if d >= 2 && d < n {
			stems = append(stems, st)
		}
	}
	slices.Sort(stems)
	voc := vocabulary{stems: stems, surface: make([]string, len(stems))}
	index := make(map[string]int, len(stems))
	for i, st := range stems {
		index[st] = i
		best, bestN := "", 0
		for w, c := range forms[st] {
			if c > bestN || (c == bestN && w < best) {
				best, bestN = w, c
			}
		}
		voc.surface[i] = best
	}
	vecs := make([]vector, n)
	for i, c := range counts {
		var v vector
		var norm float64
		for st, tf := range c {
			t, ok := index[st]
			if !ok {
				continue
			}
			w := (1 + math.Log(float64(tf))) * math.Log(float64(n)/float64(df[st]))
			v = append(v, termWeight{t, w})
			norm += w * w
		}
		if norm == 0 {
			continue
		}
		norm = math.Sqrt(norm)
		for j := range v {
			v[j].weight /= norm
		}
		slices.SortFunc(v, func(a, b termWeight) int { return cmp.Compare(a.term, b.term) })
		vecs[i] = v
	}
	return vecs, voc
}

// words splits text into lower-case words; inner apostrophes are kept
// ("don't") so that contractions read as the stop words they are.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(strings.ReplaceAll(text, "’", "'")), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
	})
}

func dot(a, b vector) float64 {
	var s float64
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i].term == b[j].term:
			s += a[i].weight * b[j].weight
			i++
			j++
		case a[i].term < b[j].term:
			i++
		default:
			j++
		}
	}
	return s
}

// similarities is the cosine similarity of every pair of the vectors at
// idx.
func similarities(vecs []vector, idx []int) [][]float64 {
	n := len(idx)
	sim := make([][]float64, n)
	for i := range sim {
		sim[i] = make([]float64, n)
	}
	for i := range n {
		sim[i][i] = 1
		for j := i + 1; j < n; j++ {
			s := dot(vecs[idx[i]], vecs[idx[j]])
			sim[i][j], sim[j][i] = s, s
		}
	}
	return sim
}

// agglomerate joins clusters by Ward's method: at each step the two
// whose union adds least to the within-group sum of squares, on the unit
// vectors, whose squared distance is 2(1 - cosine). (Average linkage
// chains long, wordy quotes into one group.) It returns the n-1 merges
// in order: each the two clusters' representatives, the lower index
// surviving.
func agglomerate(sim [][]float64) [][2]int {
	n := len(sim)
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
		for j := range d[i] {
			d[i][j] = 2 * (1 - sim[i][j])
		}
	}
	size := make([]float64, n)
	alive := make([]bool, n)
	for i := range n {
		size[i], alive[i] = 1, true
	}
	merges := make([][2]int, 0, n-1)
	for range n - 1 {
		a, b, best := -1, -1, math.Inf(1)
		for i := range n {
			if !alive[i] {
				continue
			}
			row := d[i]
			for j := i + 1; j < n; j++ {
				if alive[j] && row[j] < best {
					a, b, best = i, j, row[j]
				}
			}
		}
		for k := range n {
			if alive[k] && k != a && k != b {
				nk := size[k]
				v := ((size[a]+nk)*d[a][k] + (size[b]+nk)*d[b][k] - nk*d[a][b]) / (size[a] + size[b] + nk)
				d[a][k], d[k][a] = v, v
			}
		}
		size[a] += size[b]
		alive[b] = false
		merges = append(merges, [2]int{a, b})
	}
	return merges
}

// cut replays the first n-k merges and labels the k clusters 0..k-1 in
// the order of their first member.
func cut(n int, merges [][2]int, k int) []int {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, m := range merges[:n-k] {
		parent[find(m[1])] = find(m[0])
	}
	labels := make([]int, n)
	names := map[int]int{}
	for i := range n {
		r := find(i)
		l, ok := names[r]
		if !ok {
			l = len(names)
			names[r] = l
		}
		labels[i] = l
	}
	return labels
}

// silhouette is the mean silhouette of a labelling, with distance
// 1 - cosine similarity; a quote alone in its cluster scores 0.
func silhouette(sim [][]float64, labels []int, k int) float64 {
	n := len(labels)
	size := make([]int, k)
	for _, l := range labels {
		size[l]++
	}
	sum := make([]float64, k)
	var total float64
	for i := range n {
		clear(sum)
		for j := range n {
			if j != i {
				sum[labels[j]] += 1 - sim[i][j]
			}
		}
		own := labels[i]
		if size[own] == 1 {
			continue
		}
		a := sum[own] / float64(size[own]-1)
		b := math.Inf(1)
		for l := range k {
			if l != own && size[l] > 0 {
				b = min(b, sum[l]/float64(size[l]))
			}
		}
		if m := max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(n)
}

// defining returns up to three words that set a group apart: the terms
// whose mean weight in the group most exceeds their mean weight in the
// other quotes, times the share of the group's quotes that use them, as
// people write them.
func defining(vecs []vector, group []int, n int, voc vocabulary) []string {
	in := map[int]float64{}
	all := map[int]float64{}
	share := map[int]int{} // quotes of the group that use the term
	member := map[int]bool{}
	for _, i := range group {
		member[i] = true
	}
	for i, v := range vecs {
		for _, tw := range v {
			all[tw.term] += tw.weight
			if member[i] {
				in[tw.term] += tw.weight
				share[tw.term]++
			}
		}
	}
	type scored struct {
		term  int
		score float64
	}
	var terms []scored
	others := float64(max(n-len(group), 1))
	for t, w := range in {
		// A word of one quote does not name a group of several: the
		// difference counts as much as the share of the group using it.
		s := (w/float64(len(group)) - (all[t]-w)/others) * float64(share[t]) / float64(len(group))
		if s > 0 {
			terms = append(terms, scored{t, s})
		}
	}
	slices.SortFunc(terms, func(a, b scored) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(voc.stems[a.term], voc.stems[b.term]))
	})
	var out []string
	for _, t := range terms[:min(3, len(terms))] {
		out = append(out, voc.surface[t.term])
	}
	return out
}

// stopWord holds words that say nothing about what a quote is about:
// function words, and the fillers of talk ("you know", "kind of").
var stopWord = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
a about above after again against all also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
during each few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here
here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its
itself let's me more most mustn't my myself no nor not of off on once only or other ought our ours
ourselves out over own same shan't she she'd she'll she's should shouldn't so some such than that
that's the their theirs them themselves then there there's these they they'd they'll they're they've
this those through to too under until up very was wasn't we we'd we'll we're we've were weren't what
what's when when's where where's which while who who's whom why why's with won't would wouldn't you
you'd you'll you're you've your yours yourself yourselves
yeah yes okay ok oh um uh like just really actually basically literally kind sort lot lots thing things
stuff something anything everything nothing someone somebody anyone everyone get got getting gets go
going goes went gone gonna wanna gotta know knew known think thought mean meant right well say said
says saying see seen look looking want make made way ways much many even still back now then also
maybe probably pretty quite little bit big new old good great one two three first last next another
every always never ever really sure able need needs come came coming take took put tell told
yeah know's that'd it'll there'll who'd
`) {
		m[w] = true
	}
	return m
}()

// String is the proposal as a line, for logs and tests.
func (p ThemeProposal) String() string {
	var parts []string
	for _, t := range p.Themes {
		parts = append(parts, fmt.Sprintf("%s %v", t.Name, t.Quotes))
	}
	return strings.Join(parts, " | ")
}
