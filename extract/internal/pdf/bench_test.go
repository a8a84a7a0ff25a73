package pdf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	pdflib "github.com/ledongthuc/pdf"
)

// corpusDir holds real PDFs nobody here wrote (see SOURCES.md there).
const corpusDir = "../../../../shared/corpus/pdfs"

// corpusReadable returns the corpus PDFs that extract, with their page
// counts; nil when the corpus is absent.
func corpusReadable(tb testing.TB) (names []string, data [][]byte, pages []int) {
	tb.Helper()
	paths, _ := filepath.Glob(filepath.Join(corpusDir, "*.pdf"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := Read(context.Background(), b, Options{Name: filepath.Base(p)}); err != nil {
			continue
		}
		r, err := pdflib.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			tb.Fatalf("%s extracts but does not open: %v", p, err)
		}
		ps, err := pageList(r, defaultPages)
		if err != nil {
			tb.Fatal(err)
		}
		names = append(names, p)
		data = append(data, b)
		pages = append(pages, len(ps))
	}
	return names, data, pages
}

// BenchmarkRead extracts every readable corpus PDF once per iteration
// ("corpus"), and each file on its own.
//
//	go test -run '^$' -bench BenchmarkRead -benchtime 20x ./extract/internal/pdf
func BenchmarkRead(b *testing.B) {
	names, data, pages := corpusReadable(b)
	if len(data) == 0 {
		b.Skip("no corpus at " + corpusDir)
	}
	run := func(b *testing.B, idx []int) {
		total, size := 0, 0
		for _, i := range idx {
			total += pages[i]
			size += len(data[i])
		}
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, i := range idx {
				if _, err := Read(context.Background(), data[i], Options{}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "pages/s")
	}
	all := make([]int, len(data))
	for i := range all {
		all[i] = i
	}
	b.Run("corpus", func(b *testing.B) { run(b, all) })
	for i, name := range names {
		b.Run(strings.TrimSuffix(filepath.Base(name), ".pdf"), func(b *testing.B) { run(b, []int{i}) })
	}
}

// TestVersusPdftotext compares our text with poppler's pdftotext on the
// corpus: the share of pdftotext's words (a lower-case multiset) that our
// text recovers, and the share of our words pdftotext does not have.
//
//	go test -run TestVersusPdftotext -v ./extract/internal/pdf
func TestVersusPdftotext(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	names, data, pages := corpusReadable(t)
	if len(names) == 0 {
		t.Skip("no corpus at " + corpusDir)
	}
	var out strings.Builder
	fmt.Fprintf(&out, "%-52s %5s %7s %7s %8s %8s %8s\n", "file", "pages", "ours", "poppler", "recall", "letters", "extra")
	var sumMatch, sumTheirs, sumOurs, sumExtra, sumLMatch, sumLTheirs int
	var oursTime, theirsTime time.Duration
	totalPages := 0
	for i, p := range names {
		start := time.Now()
		doc, err := Read(context.Background(), data[i], Options{Name: filepath.Base(p)})
		oursTime += time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		start = time.Now()
		ref, err := exec.Command("pdftotext", "-q", "-enc", "UTF-8", p, "-").Output()
		theirsTime += time.Since(start)
		if err != nil {
			t.Fatalf("pdftotext %s: %v", p, err)
		}
		// pdftotext keeps ligature glyphs (ﬁ); count them as the letters.
		ours, theirs := wordBag(allText(doc)), wordBag(ligatures.Replace(string(ref)))
		match, extra, nOurs, nTheirs, lMatch, lTheirs := 0, 0, 0, 0, 0, 0
		for w, n := range theirs {
			match += min(n, ours[w])
			nTheirs += n
			if strings.ContainsFunc(w, unicode.IsLetter) {
				lMatch += min(n, ours[w])
				lTheirs += n
			}
		}
		for w, n := range ours {
			extra += max(0, n-theirs[w])
			nOurs += n
		}
		sumMatch, sumTheirs, sumOurs, sumExtra = sumMatch+match, sumTheirs+nTheirs, sumOurs+nOurs, sumExtra+extra
		sumLMatch, sumLTheirs = sumLMatch+lMatch, sumLTheirs+lTheirs
		totalPages += pages[i]
		fmt.Fprintf(&out, "%-52s %5d %7d %7d %7.1f%% %7.1f%% %7.1f%%\n", filepath.Base(p), pages[i], nOurs, nTheirs,
			pct(match, nTheirs), pct(lMatch, lTheirs), pct(extra, nOurs))
	}
	recall := float64(sumMatch) / float64(sumTheirs)
	extra := float64(sumExtra) / float64(sumOurs)
	fmt.Fprintf(&out, "%-52s %5d %7d %7d %7.1f%% %7.1f%% %7.1f%%\n", "all", totalPages, sumOurs, sumTheirs, 100*recall, pct(sumLMatch, sumLTheirs), 100*extra)
	fmt.Fprintf(&out, "one pass, wall clock: ours %v (%.0f pages/s), pdftotext %v (%.0f pages/s, one process per file)\n",
		oursTime.Round(time.Millisecond), float64(totalPages)/oursTime.Seconds(),
		theirsTime.Round(time.Millisecond), float64(totalPages)/theirsTime.Seconds())
	t.Logf("words of pdftotext's text that ours recovers (recall; letters: words with a letter) and words of ours it lacks (extra):\n%s", out.String())
	if recall < 0.9 || extra > 0.1 {
		t.Errorf("text quality fell: recall %.1f%% (want ≥ 90%%), extra %.1f%% (want ≤ 10%%)", 100*recall, 100*extra)
	}
}

func pct(a, b int) float64 { return 100 * float64(a) / float64(max(1, b)) }

// wordBag counts the lower-case words (runs of letters and digits).
func wordBag(s string) map[string]int {
	bag := map[string]int{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		bag[w]++
	}
	return bag
}

// TestCorrupted damages the fixtures at random, as a disk or a download
// would: the extractor returns an error or a document, never panics, and
// stays quick.
func TestCorrupted(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.pdf"))
	if err != nil || len(paths) == 0 {
		t.Fatal("no PDF fixtures")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	outcomes := map[string]int{}
	for _, p := range paths {
		orig, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 60 {
			data := bytes.Clone(orig)
			for range 1 + rng.IntN(8) {
				data[rng.IntN(len(data))] = byte(rng.IntN(256))
			}
			start := time.Now()
			_, err := readSafely(data)
			if errors.Is(err, errPanicked) {
				t.Fatalf("%s variant %d: %v", p, i, err)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("%s variant %d took %v", p, i, d)
			}
			kind := "read"
			if err != nil {
				kind, _, _ = strings.Cut(err.Error(), ":")
			}
			outcomes[kind]++
		}
	}
	keys := make([]string, 0, len(outcomes))
	for k := range outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%4d %s", outcomes[k], k)
	}
}

// fixtureDir holds the PDFs the extract tests read; the generator in
// fixtures_test.go writes them.
const fixtureDir = "../../testdata/pdf"

var errPanicked = errors.New("panicked")

// readSafely turns a panic that escaped Read into an error, so that one bad
// input reports which input it was instead of killing the test binary.
func readSafely(data []byte) (doc *Doc, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	return Read(context.Background(), data, Options{Name: "x.pdf"})
}

func allText(doc *Doc) string {
	if doc == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range doc.Paragraphs {
		b.WriteString(p.Text)
		b.WriteString("\n")
	}
	return b.String()
}
