package search

import (
	"slices"
	"sort"
	"strings"

	"github.com/evident/evident"
	"github.com/evident/evident/index"
	"github.com/evident/evident/store"
)

// Parts are what a hit's score is made of, each from 0 to 1; search --json
// shows them so that a person can see why one passage came before another.
// The score is their weighted sum (the weights below).
type Parts struct {
	// Text is how well the passage matches the words asked for, relative
	// to the best match among the passages ranked (1); 0 when the query
	// has no words.
	Text float64 `json:"text"`
	// Role is 1 for a passage said by a role asked for, 0.75 for one said
	// by a role of its group, 0.5 for one about it (someone reporting what
	// the role says or wants), 0 when no role was asked.
	Role float64 `json:"role"`
	// Category is the share of the categories asked for that the passage
	// is tagged with.
	Category float64 `json:"category"`
	// Cues is the strength of the rules behind those categories (or the
	// passage's strongest category when none was asked).
	Cues float64 `json:"cues"`
	// Substance is length (a one-liner has none) and talk of work, the
	// topics of configs/synonyms.yaml, rather than small talk.
	Substance float64 `json:"substance"`
	// Demoted is how many places the passage moved down so that the
	// first results span people and documents.
	Demoted int `json:"demoted,omitempty"`
}

// The weights of the parts. Half the role's weight outweighs all the
// others together, so that every passage said by a role scores above every
// passage about it; among those, the words asked for count most, then
// substance, then the rules' cues.
const (
	weightRole      = 5.0
	weightText      = 1.0
	weightCategory  = 0.25
	weightCues      = 0.35
	weightSubstance = 0.6
)

// Score is the weighted sum of the parts.
func (p Parts) Score() float64 {
	return weightRole*p.Role + weightText*p.Text + weightCategory*p.Category + weightCues*p.Cues + weightSubstance*p.Substance
}

// Diversity caps how many of the first results one speaker or one
// document may give, unless the query names the speaker or document.
const (
	diversityWindow     = 10
	diversityPerSpeaker = 2
	diversityPerDoc     = 3
)

// poolSize is how many of the index's best matches are ranked; the rest
// follow in the index's order.
const poolSize = 50

// tiedPool bounds how many hits tied with a pool's last place are
// fetched to choose among (see fetch).
const tiedPool = 4 * poolSize

// synonymsBelow is the number of matches below which a query's words
// also match their topics' other words (configs/synonyms.yaml).
const synonymsBelow = 10

// maxCue is the rules' score of a category at which its cues count fully
// (a category fires at 1; long turns of podcasts reach 6 or 7).
const maxCue = 6.0

// substance measures what a passage has to say: its length (0 for a
// one-liner of a few words, full at 50) for a third, and for two thirds
// how many topic words it uses (five distinct ones count fully): an
// anecdote of the weekend has none, however long.
func substance(words, topical int) float64 {
	length := min(max(float64(words-6)/44, 0), 1)
	topics := min(float64(topical), 5) / 5
	return 0.35*length + 0.65*topics
}

// cues is the strength of the rules behind the categories asked for, or
// behind the passage's strongest category when none was asked.
func cues(c *store.Candidate, asked []string) float64 {
	consider := asked
	if len(consider) == 0 {
		consider = c.Categories
	}
	if len(consider) == 0 {
		return 0
	}
	var sum, best float64
	for _, cat := range consider {
		v := min(c.Scores[cat], maxCue) / maxCue
		sum += v
		best = max(best, v)
	}
	if len(asked) == 0 {
		return best
	}
	return sum / float64(len(consider))
}

// candidate is one passage being ranked.
type candidate struct {
	hit   index.Hit
	c     store.Candidate
	about bool // matched as being about a role asked for, not said by it
	parts Parts
	score float64
}

// rank scores candidates and orders them: by score (said-by before about,
// through the role's weight), then the index's score, then passage id:
// not the index's order, which its merges change.
func rank(cands []candidate, p Parsed, syn *Synonyms) {
	var best float64
	for _, c := range cands {
		best = max(best, c.hit.Score)
	}
	scored := p.scored()
	for i := range cands {
		c := &cands[i]
		var parts Parts
		if scored && best > 0 {
			parts.Text = c.hit.Score / best
		}
		if len(p.Roles) > 0 {
			// Said by a role asked for, then by a role of its group, then
			// about a role asked for.
			switch {
			case slices.Contains(p.Roles, c.c.Role):
				parts.Role = 1
			case slices.Contains(p.Related, c.c.Role):
				parts.Role = 0.75
			default:
				c.about = true
				parts.Role = 0.5
			}
		}
		if len(p.Categories) > 0 {
			n := 0
			for _, cat := range p.Categories {
				if slices.Contains(c.c.Categories, cat) {
					n++
				}
			}
			parts.Category = float64(n) / float64(len(p.Categories))
		}
		parts.Cues = cues(&c.c, p.Categories)
		words := words1(c.c.Text)
		parts.Substance = substance(len(words), syn.topicWords(words))
		c.parts, c.score = round3(parts), parts.Score()
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		if cands[i].hit.Score != cands[j].hit.Score {
			return cands[i].hit.Score > cands[j].hit.Score
		}
		return cands[i].hit.ID < cands[j].hit.ID
	})
}

func round3(p Parts) Parts {
	r := func(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }
	p.Text, p.Role, p.Category, p.Cues, p.Substance = r(p.Text), r(p.Role), r(p.Category), r(p.Cues), r(p.Substance)
	return p
}

// diversify reorders ranked candidates so that the first window of them
// holds at most perSpeaker passages of one speaker and perDoc of one
// document, taking the best that fit; what it passes over follows, in
// order. Nothing is dropped. A cap does not apply when the query names
// speakers (perSpeaker) or documents (perDoc). Passages without a speaker
// (articles, survey answers) count only against their document.
func diversify(cands []candidate, window int, capSpeakers, capDocs bool) []candidate {
	if len(cands) <= 1 {
		return cands
	}
	out := make([]candidate, 0, len(cands))
	used := make([]bool, len(cands))
	perSpeaker, perDoc := map[string]int{}, map[string]int{}
	fits := func(c *candidate) bool {
		if capSpeakers && c.c.Speaker != "" && perSpeaker[c.c.SHA256+"\x00"+c.c.Speaker] >= diversityPerSpeaker {
			return false
		}
		return !capDocs || perDoc[c.c.SHA256] < diversityPerDoc
	}
	for len(out) < min(window, len(cands)) {
		pick := -1
		for i := range cands {
			if !used[i] && fits(&cands[i]) {
				pick = i
				break
			}
		}
		if pick < 0 {
			break // nothing fits: the rest follow in order
		}
		used[pick] = true
		c := cands[pick]
		perSpeaker[c.c.SHA256+"\x00"+c.c.Speaker]++
		perDoc[c.c.SHA256]++
		out = append(out, c)
	}
	for i := range cands {
		if !used[i] {
			out = append(out, cands[i])
		}
	}
	// How far each moved down from its ranked place.
	place := make(map[string]int, len(cands))
	for i, c := range cands {
		place[c.hit.ID] = i
	}
	for i := range out {
		if d := i - place[out[i].hit.ID]; d > 0 {
			out[i].parts.Demoted = d
		}
	}
	return out
}

// capped reports the speakers and documents that reach their limit in
// the first window of ranked candidates when the candidates cannot fill it
// within the limits; none when they can.
func capped(cands []candidate, window int, capSpeakers, capDocs bool) []index.Who {
	perSpeaker, perDoc := map[index.Who]int{}, map[string]int{}
	fitting := 0
	for _, c := range cands {
		who := index.Who{Doc: c.c.SHA256, Speaker: c.c.Speaker}
		if capSpeakers && who.Speaker != "" && perSpeaker[who] >= diversityPerSpeaker || capDocs && perDoc[who.Doc] >= diversityPerDoc {
			continue
		}
		perSpeaker[who]++
		perDoc[who.Doc]++
		if fitting++; fitting >= window {
			return nil
		}
	}
	var full []index.Who
	for who, n := range perSpeaker {
		if capSpeakers && who.Speaker != "" && n >= diversityPerSpeaker {
			full = append(full, who)
		}
	}
	for doc, n := range perDoc {
		if capDocs && n >= diversityPerDoc {
			full = append(full, index.Who{Doc: doc})
		}
	}
	slices.SortFunc(full, func(a, b index.Who) int { return strings.Compare(a.Doc+"\x00"+a.Speaker, b.Doc+"\x00"+b.Speaker) })
	return full
}

// Annotate adds what search derives from a passage to its index entry:
// the roles it reports on (About, leaving out its speaker's own role) and
// its grade, which picks the passages to rank for searches that match no
// words.
func Annotate(e *index.Entry, p *evident.Passage, about *AboutFinder, syn *Synonyms) {
	e.About, e.For = nil, nil
	if p.Role != "" {
		e.For = []string{p.Role}
	}
	if !p.Interviewer {
		for _, r := range about.Roles(p.Text) {
			if r != p.Role {
				e.About = append(e.About, r)
				e.For = append(e.For, r)
			}
		}
	}
	e.Grade = append(grade(p, syn), index.CueGrades(p.Categories, p.Scores)...)
}

// grade marks a passage "substance" when it is long enough to say
// something (25 words or more) and speaks of work (two topic words or
// more): what a search without words shows first.
func grade(p *evident.Passage, syn *Synonyms) []string {
	if words := words1(p.Text); len(words) >= 25 && syn.topicWords(words) >= 2 {
		return []string{"substance"}
	}
	return nil
}
