package synth

import (
	"fmt"
	"math/rand"
	"strings"
)

// File is one generated research file.
type File struct {
	Name string
	Text []byte
	// Passages is about how many passages the pipeline will make of it:
	// one per paragraph, answer or interviewer turn.
	Passages int
}

// Gen generates files from a seed: the same seed gives the same files.
type Gen struct {
	r    *rand.Rand
	tail []string
	zipf *rand.Zipf
	n    int
}

// tailWords is how many rare words there are; they are drawn by a Zipf
// law, so a few are common and most are seen a handful of times.
const tailWords = 60_000

// New returns a generator. The long tail of words is the same for every
// seed; the files differ.
func New(seed int64) *Gen {
	r := rand.New(rand.NewSource(seed))
	return &Gen{r: r, tail: Tail(), zipf: rand.NewZipf(r, 1.07, 2, tailWords-1)}
}

// Tail returns the long tail of made-up words, most common first.
func Tail() []string {
	r := rand.New(rand.NewSource(1))
	onsets := strings.Fields("b br c ch cl d dr f fl g gr h j k kl l m n p pl pr qu r s sh sk st t th tr v w z")
	vowels := strings.Fields("a e i o u ai ea io ou y")
	codas := strings.Fields("n r l s t x m nd rk st ll ck ng")
	seen := map[string]bool{}
	out := make([]string, 0, tailWords)
	for len(out) < tailWords {
		var sb strings.Builder
		for range 2 + r.Intn(2) {
			sb.WriteString(onsets[r.Intn(len(onsets))])
			sb.WriteString(vowels[r.Intn(len(vowels))])
		}
		sb.WriteString(codas[r.Intn(len(codas))])
		w := sb.String()
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func (g *Gen) pick(words []string) string { return words[g.r.Intn(len(words))] }

func (g *Gen) rare() string { return g.tail[g.zipf.Uint64()] }

// noun is a common noun, or now and then a rare word used as one.
func (g *Gen) noun() string {
	if g.r.Intn(6) == 0 {
		return g.rare()
	}
	return g.pick(nouns)
}

// sentence writes one sentence and returns its word count.
func (g *Gen) sentence(sb *strings.Builder) int {
	var w []string
	if g.r.Intn(4) == 0 {
		w = append(w, strings.Fields(g.pick(cues))...)
	} else {
		w = append(w, strings.Fields(g.pick(subjects))...)
		if g.r.Intn(3) == 0 {
			w = append(w, g.pick(advs))
		}
		w = append(w, g.pick(verbs))
	}
	w = append(w, g.pick(dets))
	if g.r.Intn(2) == 0 {
		w = append(w, g.pick(adjs))
	}
	w = append(w, g.noun())
	for n := g.r.Intn(3); n > 0; n-- {
		switch g.r.Intn(4) {
		case 0:
			w = append(w, g.pick(preps), g.pick(dets), g.noun())
		case 1:
			w = append(w, g.pick(links))
			w = append(w, strings.Fields(strings.ToLower(g.pick(subjects)))...)
			w = append(w, g.pick(verbs), g.pick(dets), g.pick(adjs), g.noun())
		case 2:
			w = append(w, "in", strings.ToUpper(g.rare()[:1])+g.rare()[1:])
		default:
			w = append(w, g.pick(preps), g.pick(adjs), g.noun())
		}
	}
	if w[0] != "I" && !strings.HasPrefix(w[0], "I'") {
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
	}
	sb.WriteString(strings.Join(w, " "))
	if g.r.Intn(8) == 0 {
		sb.WriteString("?")
	} else {
		sb.WriteString(".")
	}
	return len(w)
}

// paragraph writes sentences until it has 30 to 90 words.
func (g *Gen) paragraph(sb *strings.Builder) {
	want := 30 + g.r.Intn(61)
	for n := 0; n < want; {
		if n > 0 {
			sb.WriteByte(' ')
		}
		n += g.sentence(sb)
	}
}

// Next returns the next file: about 40 % interview transcripts with YAML
// front matter naming the speakers, 50 % notes, 10 % survey exports.
func (g *Gen) Next() File {
	g.n++
	var sb strings.Builder
	paras := 20 + g.r.Intn(21)
	switch k := g.r.Intn(10); {
	case k < 4:
		type person struct{ name, title, company string }
		var people []person
		for range 1 + g.r.Intn(2) {
			people = append(people, person{g.pick(first) + " " + g.pick(last), g.pick(titles), g.pick(companies)})
		}
		fmt.Fprintf(&sb, "---\ntitle: Interview with %s, %s at %s\nkind: interview\nspeakers:\n",
			people[0].name, people[0].title, people[0].company)
		for _, p := range people {
			fmt.Fprintf(&sb, "  %s: {role: %s, company: %s}\n", p.name, p.title, p.company)
		}
		sb.WriteString("  Interviewer: {interviewer: true}\n---\n")
		n := 0
		for i := range paras {
			if i > 0 {
				sb.WriteString("\n\n")
			}
			if i%3 == 0 {
				sb.WriteString("Interviewer: ")
				sb.WriteString(g.pick(questions))
				sb.WriteString("\n\n")
				n++
			}
			p := people[g.r.Intn(len(people))]
			fmt.Fprintf(&sb, "%s (%s, %s): ", p.name, p.title, p.company)
			g.paragraph(&sb)
			n++
		}
		sb.WriteString("\n")
		return File{Name: fmt.Sprintf("interview-%06d.txt", g.n), Text: []byte(sb.String()), Passages: n}
	case k < 9:
		if g.r.Intn(2) == 0 {
			fmt.Fprintf(&sb, "---\ntitle: Notes on the %s %s\nrole: %s\n---\n", g.pick(adjs), g.noun(), g.pick(titles))
		}
		for i := range paras {
			if i > 0 {
				sb.WriteString("\n\n")
			}
			g.paragraph(&sb)
		}
		sb.WriteString("\n")
		return File{Name: fmt.Sprintf("notes-%06d.txt", g.n), Text: []byte(sb.String()), Passages: paras}
	default:
		rows := 40 + g.r.Intn(120)
		fmt.Fprintf(&sb, "Respondent,Job title,Company,%s\n", g.pick(questions))
		for i := range rows {
			var a strings.Builder
			for range 1 + g.r.Intn(3) {
				if a.Len() > 0 {
					a.WriteByte(' ')
				}
				g.sentence(&a)
			}
			fmt.Fprintf(&sb, "%d,%s,%s,%q\n", i+1, g.pick(titles), g.pick(companies), a.String())
		}
		return File{Name: fmt.Sprintf("survey-%06d.csv", g.n), Text: []byte(sb.String()), Passages: rows}
	}
}

// Queries returns n queries as people type them: 1 to 3 words (now and
// then a rare one), roles and categories in plain English, field syntax,
// phrases.
func Queries(seed int64, n int) []string {
	r := rand.New(rand.NewSource(seed))
	g := New(seed + 1)
	pick := func(ws []string) string { return ws[r.Intn(len(ws))] }
	return QueriesFrom(r, n, func() string {
		switch r.Intn(5) {
		case 0:
			return pick(verbs)
		case 1:
			return pick(adjs)
		case 2:
			return g.rare()
		default:
			return pick(nouns)
		}
	})
}

// QueriesFrom returns n queries in the shapes of Queries, their choices
// drawn from r and their words from word.
func QueriesFrom(r *rand.Rand, n int, word func() string) []string {
	roleWords := []string{"CFOs", "finance directors", "procurement", "IT directors", "founders",
		"sales managers", "COOs", "CTOs", "marketing directors"}
	roleIDs := []string{"cfo", "cro", "cio", "procurement", "cmo", "coo", "ceo", "cto", "chro", "ciso"}
	cats := []string{"see", "hear", "say", "do", "pains", "gains"}
	catWords := []string{"pains", "gains", "hear", "see", "say"}
	phrases := []string{`"takes forever"`, `"the board wants"`, `"we switched to"`, `"month close"`, `"purchase order"`}
	pick := func(ws []string) string { return ws[r.Intn(len(ws))] }
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = word()
		}
		return strings.Join(w, " ")
	}
	out := make([]string, n)
	for i := range out {
		switch k := r.Intn(20); {
		case k < 8: // plain words
			out[i] = words(1 + r.Intn(3))
		case k < 11: // "what do CFOs hear about budget"
			out[i] = fmt.Sprintf("what do %s %s about %s", pick(roleWords), pick(catWords), words(1))
		case k < 13: // a role in plain English
			out[i] = pick(roleWords) + " " + words(1+r.Intn(2))
		case k < 15:
			out[i] = fmt.Sprintf("role:%s %s", pick(roleIDs), words(1+r.Intn(2)))
		case k < 17:
			out[i] = fmt.Sprintf("category:%s %s", pick(cats), words(1+r.Intn(2)))
		case k < 18:
			out[i] = fmt.Sprintf("role:%s category:%s %s", pick(roleIDs), pick(cats), words(1))
		default:
			out[i] = pick(phrases)
			if r.Intn(2) == 0 {
				out[i] += " " + words(1)
			}
		}
	}
	return out
}
