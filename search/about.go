package search

import (
	"slices"
	"strings"

	"github.com/evident/evident/roles"
)

// About finds the roles a passage reports on: someone saying what people
// in a role say, want or do ("my CFO keeps asking for a forecast", "buyers
// tell us", "controllers we spoke to say"). Such a passage is evidence
// about the role even when nobody of that role said it. A role counts when
// its name comes with a determiner ("my", "our", "the", "one") or in the
// plural, and a verb of saying, asking, wanting or doing follows with only
// small words between; "as the CFO" and "I'm the CFO" describe the
// speaker, not someone else. Buying-committee roles (how a person acts in
// a purchase) are left out, and so are names that are mostly something
// else: a role's id that is not also one of its names ("product"), and
// words such as "buyer" or "controller" unless in the plural. Roles come
// back in order of first mention.
func About(tax *roles.Taxonomy, text string) []string {
	return NewAbout(tax).Roles(text)
}

// AboutFinder finds the roles passages report on (see About) with one
// taxonomy. It is immutable and safe to share.
type AboutFinder struct {
	tax  *roles.Taxonomy
	skip map[string]bool // folded names that never count
}

// NewAbout prepares About for a taxonomy; nil finds nothing.
func NewAbout(tax *roles.Taxonomy) *AboutFinder {
	f := &AboutFinder{tax: tax, skip: map[string]bool{}}
	if tax == nil {
		return f
	}
	for _, r := range tax.Roles() {
		names := map[string]bool{}
		for _, a := range r.Aliases {
			names[strings.Join(roles.Fold(a), " ")] = true
		}
		id := strings.Join(roles.Fold(r.ID), " ")
		if r.Committee {
			for n := range names {
				f.skip[n] = true
			}
			f.skip[id] = true
			continue
		}
		if !names[id] {
			f.skip[id] = true
		}
	}
	return f
}

// Roles returns the roles a text reports on.
func (f *AboutFinder) Roles(text string) []string {
	if f == nil || f.tax == nil || text == "" {
		return nil
	}
	words := words1(text)
	folded := make([]string, len(words))
	for i, w := range words {
		if fw := roles.Fold(w); len(fw) == 1 {
			folded[i] = fw[0]
		}
	}
	var out []string
	for i := 0; i < len(words); i++ {
		id, n := f.tax.At(folded, i)
		if n == 0 {
			continue
		}
		last := i + n - 1
		name := strings.Join(folded[i:last+1], " ")
		plural := words[last] != folded[last]
		prev, prev2 := at(words, i-1), at(words, i-2)
		switch {
		case f.skip[name], n == 1 && ambiguousRoleWord(name) && !plural:
		// "as a founder", "I'm the CFO": the speaker describing themself.
		case selfWords[prev2] && articles[prev], selfWords[prev] && !plural:
		case determiners[prev] || plural:
			if reportedWithin(words, last+1, 4) && !slices.Contains(out, id) {
				out = append(out, id)
			}
		}
		i = last
	}
	return out
}

func at(words []string, i int) string {
	if i < 0 || i >= len(words) {
		return ""
	}
	return words[i]
}

// reportedWithin reports whether a verb of reporting follows within k
// words, with only small words between ("controllers we spoke to say",
// "my CFO always asks"): "our developer platform uses" is a thing, not a
// person.
func reportedWithin(words []string, from, k int) bool {
	for j := from; j < min(len(words), from+k); j++ {
		switch {
		case reportVerbs[words[j]]:
			return true
		case words[j] == "like" && j > from && quotative[words[j-1]]:
			return true // "engineers were like …"
		case !glue[words[j]]:
			return false
		}
	}
	return false
}

var (
	determiners = set("my", "our", "the", "their", "your", "his", "her", "every", "most", "many", "some", "all",
		"other", "those", "these", "a", "an", "one", "any", "few", "several", "each", "whose", "new", "former")
	articles = set("a", "an", "the", "one")
	// quotative verbs before "like" report speech: "the CEO was like …".
	quotative = set("was", "were", "is", "are", "be", "being")
	// glue may stand between a role and its verb.
	glue = set("we", "i", "you", "they", "he", "she", "who", "that", "spoke", "speak", "talk", "talked", "talk",
		"interviewed", "met", "to", "with", "always", "never", "often", "usually", "still", "just", "really", "also",
		"all", "constantly", "typically", "then", "now", "would", "will", "can", "could", "do", "does", "did", "dont",
		"doesnt", "didnt", "have", "has", "had", "are", "is", "was", "were", "ive", "weve", "theyve", "keep", "keeps",
		"kept", "in", "here", "there", "at", "our", "my", "their", "too", "even", "mostly", "generally", "first")
	// selfWords before "a"/"the" make the role the speaker's own.
	selfWords = set("as", "am", "im", "was", "is", "are", "were", "be", "been", "being", "become", "became",
		"becoming", "i", "me", "myself")
	reportVerbs = set("say", "says", "said", "saying", "tell", "tells", "told", "telling", "ask", "asks", "asked",
		"asking", "want", "wants", "wanted", "wanting", "need", "needs", "needed", "keep", "keeps", "kept",
		"care", "cares", "cared", "worry", "worries", "worried", "complain", "complains", "complained",
		"complaining", "expect", "expects", "expected", "insist", "insists", "insisted", "push", "pushes",
		"pushed", "pushing", "demand", "demands", "demanded", "prefer", "prefers", "preferred", "hate", "hates",
		"love", "loves", "think", "thinks", "thought", "believe", "believes", "feel", "feels",
		"felt", "see", "sees", "saw", "hear", "hears", "heard", "look", "looks", "use", "uses", "used", "spend",
		"spends", "spent", "approve", "approves", "approved", "sign", "signs", "signed", "buy", "buys", "bought",
		"decide", "decides", "decided", "struggle", "struggles", "struggled", "request", "requests", "requested",
		"mention", "mentions", "mentioned", "report", "reports", "reported", "agree", "agrees", "agreed",
		"wish", "wishes", "hope", "hopes", "hoped", "question", "questions", "questioned", "challenge",
		"challenges", "challenged", "chase", "chases", "chased", "check", "checks", "checked", "track", "tracks",
		"review", "reviews", "reviewed", "spend", "own", "owns", "rely", "relies", "relied", "block", "blocks",
		"blocked", "reject", "rejects", "rejected", "prioritise", "prioritize", "prioritises", "prioritizes",
		"measure", "measures", "measured", "notice", "notices", "noticed", "read", "reads", "pay", "pays", "paid")
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
