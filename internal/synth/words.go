// Package synth writes a deterministic corpus of research files for
// benchmarks at scale: interview transcripts and notes in plain text and
// survey exports in CSV, in the business English the built-in rules react
// to, with a long tail of rarer words (product names, places, jargon) so
// that the index's dictionary grows with the corpus as a real one does.
package synth

import (
	"slices"
	"strings"
)

var (
	nouns = strings.Fields(`budget forecast spreadsheet ledger invoice vendor contract renewal
		approval process workflow dashboard report quarter month close reconciliation audit
		team manager customer client partner supplier market competitor pricing discount
		pipeline revenue margin cost expense payroll headcount hiring onboarding training
		tool platform system integration migration rollout pilot trial license subscription
		security compliance policy risk review meeting deadline target goal metric data
		analysis insight decision strategy roadmap priority project milestone feature release
		support ticket escalation feedback survey interview survey response adoption usage
		workload capacity bottleneck handoff approval signature procurement purchase order
		account territory quota commission board investor funding round valuation cash runway
		inventory shipment warehouse logistics carrier delay backlog estimate variance
		scenario model assumption template spreadsheet email call calendar week morning
		department region office laptop software database vendor cloud storage backup
		incident outage patch upgrade password access permission role stakeholder sponsor
		champion committee consultant agency campaign lead prospect webinar newsletter`)
	verbs = strings.Fields(`review approve track manage reconcile forecast report
		update share export import automate check negotiate compare measure plan build
		replace migrate consolidate prepare present escalate prioritise cut reduce increase
		hire train onboard evaluate choose buy renew cancel audit monitor estimate chase
		schedule document summarise validate explain justify defend question simplify`)
	adjs = strings.Fields(`manual slow expensive accurate reliable late early quarterly
		monthly weekly annual regional global internal external new old legacy modern
		complex simple clear messy painful useful critical urgent small large whole rough
		detailed consistent visible hidden shared separate central local strategic operational
		financial technical commercial realistic ambitious careful cautious flexible rigid`)
	advs = strings.Fields(`usually often rarely always sometimes honestly frankly
		basically really quickly slowly finally currently recently eventually constantly`)
	dets     = strings.Fields(`the our their every each this that some most another`)
	preps    = strings.Fields(`for with about across into from between after before during under over through without`)
	links    = []string{"because", "and", "but", "so", "while", "although", "which means", "and then"}
	subjects = []string{"We", "I", "Our team", "My team", "The board", "Our CEO", "Most companies",
		"The finance team", "Our customers", "Everyone", "They", "Procurement", "The regional leads",
		"My manager", "Our auditors", "The sales team", "Nobody", "Our investors"}
	// Phrases the built-in rules react to, so passages get categories.
	cues = []string{"we see", "I think", "my boss keeps telling me", "the biggest problem is",
		"we struggle with", "we switched to", "I wish", "it takes forever to", "we spend a lot of our time on",
		"we heard from", "according to Gartner", "it would be great if", "more and more companies",
		"it is really frustrating that", "we rely on", "our goal is", "I believe", "the board wants",
		"we tried", "I'm worried about", "it would save time if", "our customers tell us", "we decided",
		"every month we", "I read that", "in my opinion", "we need a way to", "the problem is"}
	first = strings.Fields(`Priya Tom Aisha Marcus Elena Kenji Sofia David Amara Lucas
		Hannah Omar Grace Mateo Chloe Ibrahim Julia Noah Mei Daniel Fatima Oliver Rosa Samuel`)
	last = strings.Fields(`Raman Becker Okafor Lindqvist Costa Tanaka Moreau Cohen Mensah
		Silva Novak Haddad Kim Rossi Walsh Nakamura Schmidt Park Alvarez Brennan`)
	titles = []string{"CFO", "Head of Finance", "VP Sales", "IT Director", "Procurement Manager",
		"Marketing Director", "COO", "Founder", "Financial Controller", "Head of Operations",
		"CTO", "HR Director", "Sales Manager", "Product Manager", "Data Analyst"}
	companies = strings.Fields(`Northwind Contoso Globex Initech Umbrella Hooli Vandelay Acme
		Stark Wayne Tyrell Cyberdyne Soylent Wonka Gringotts Oscorp`)
	questions = []string{"How do you handle the month-end close today?",
		"Who do you hear from most about budgets?", "What worries you about changing tools?",
		"Can you walk me through your typical week?", "What would make your forecasting easier?",
		"How do you decide which vendors to renew?", "What do you see other companies doing?",
		"Where does the process break down?", "What does success look like next year?",
		"Which tools does your team rely on?", "How do approvals work for a new purchase?",
		"What did you try before and why did you stop?"}
)

// Vocabulary is the generator's word lists, for benchmarks that write
// their own documents from the same words (engine's BenchmarkIngest).
type Vocabulary struct {
	Nouns, Verbs, Adjs, Advs, Dets, Preps, Links, Subjects, Cues []string
	First, Last, Titles, Companies, Questions                    []string
}

// Words returns copies of the word lists.
func Words() Vocabulary {
	c := slices.Clone[[]string]
	return Vocabulary{
		Nouns: c(nouns), Verbs: c(verbs), Adjs: c(adjs), Advs: c(advs), Dets: c(dets), Preps: c(preps),
		Links: c(links), Subjects: c(subjects), Cues: c(cues), First: c(first), Last: c(last),
		Titles: c(titles), Companies: c(companies), Questions: c(questions),
	}
}
