package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/evident/evident/maps"

	"github.com/evident/evident"
)

// TestBrowser drives headless Chromium through what a person does: drop
// files on the ingestion page, ask "what do CFOs hear", read a result in
// context, attach it to a map cell, see it on the canvas, rework the
// canvas, export the map; and checks that hostile documents stay text and
// that a foreign site cannot post to the server. One browser serves the
// whole test. Screenshots go to $EVIDENT_SCREENSHOTS (else a temporary
// folder).
func TestBrowser(t *testing.T) {
	exe := chromium(t)
	start := time.Now()
	ts, _, _ := newServer(t)
	b := startBrowser(t, exe, ts.URL)

	files := absGlob(t, "../examples/*")
	hostile := absGlob(t, "testdata/hostile*")
	docs := 0 // documents among the files: a sidecar goes with its document
	var sidecars []string
	for _, f := range files {
		if strings.HasSuffix(f, evident.SidecarSuffix) {
			sidecars = append(sidecars, filepath.Base(f))
		} else {
			docs++
		}
	}

	const mapName = "CFO evidence & <friends>"
	mapURL := "/maps/" + url.PathEscape(mapName)
	searchPath := "/?q=" + url.QueryEscape("what do CFOs hear")
	var quote string // the text of the first result, followed from page to page

	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"drop files on the ingestion page", func(t *testing.T) {
			b.open(t, "/ingest")
			b.do(t, chromedp.SetUploadFiles(chromedp.CSS("#upload input[type=file]"), files))
			b.waitFor(t, "every file indexed", fmt.Sprintf(`document.querySelectorAll("#docs tbody tr.state-indexed").length === %d`, docs), 40*time.Second)
			if n := eval[int](t, b, `document.querySelectorAll("#docs tbody tr.state-failed").length`); n != 0 {
				t.Errorf("%d files failed: %s", n, b.text(t, "#docs tbody"))
			}
			if got := b.text(t, "#counts"); !strings.Contains(got, fmt.Sprintf("%d indexed", docs)) {
				t.Errorf("counts say %q", got)
			}
			table := b.text(t, "#docs")
			for _, sc := range sidecars {
				if strings.Contains(table, sc) {
					t.Errorf("the sidecar %s became a document of its own", sc)
				}
			}
			if len(sidecars) > 0 && !strings.Contains(table, "Ledger Lines 14") {
				t.Errorf("the podcast's sidecar title is not in the table:\n%s", table)
			}
			b.shot(t, "ingest")
		}},
		{"search a question", func(t *testing.T) {
			b.open(t, "/")
			b.do(t, chromedp.SendKeys(chromedp.CSS("input[name=q]"), "what do CFOs hear\n"))
			b.waitFor(t, "results", `document.querySelectorAll(".results article.hit").length > 0`, 10*time.Second)
			understood := b.text(t, ".understood")
			for _, want := range []string{"role: cfo", "category: HEAR"} {
				if !strings.Contains(understood, want) {
					t.Errorf("the query was understood as %q, want it to say %q", understood, want)
				}
			}
			if got := b.text(t, ".results article.hit .badges"); !strings.Contains(got, "HEAR") {
				t.Errorf("first result's categories %q lack HEAR", got)
			}
			if got := b.text(t, ".results article.hit .who"); !strings.Contains(got, "cfo") {
				t.Errorf("first result's speaker line %q lacks the role", got)
			}
			if got := strings.ToLower(b.text(t, ".facets")); !strings.Contains(got, "category") || !strings.Contains(got, "document") {
				t.Errorf("facets: %q", got)
			}
			quote = b.text(t, ".results article.hit blockquote.text")
			// A chip takes its part out of the query.
			b.do(t, chromedp.Click(chromedp.CSS(".chip-role")))
			b.waitFor(t, "the query without its role", `document.querySelector("input[name=q]").value === "what do hear"`, 10*time.Second)
		}},
		{"read a result in context", func(t *testing.T) {
			b.open(t, searchPath)
			b.do(t, chromedp.Click(chromedp.CSS(".results article.hit a.button-link")))
			b.waitFor(t, "the passage in its document", `!!document.querySelector("#focus .turn-text")`, 10*time.Second)
			if got := b.text(t, "#focus .turn-text"); got != quote {
				t.Errorf("in context shows %q, want the result %q", got, quote)
			}
			if n := eval[int](t, b, `document.querySelectorAll(".transcript .turn").length`); n < 2 {
				t.Errorf("%d passages shown; want the passage and its neighbours", n)
			}
			if got := b.text(t, ".doc-meta"); !strings.Contains(got, "File") {
				t.Errorf("document metadata missing: %q", got)
			}
			b.shot(t, "context")
		}},
		{"create a map", func(t *testing.T) {
			b.open(t, "/maps")
			b.do(t,
				chromedp.SendKeys(chromedp.CSS("input[name=name]"), mapName),
				chromedp.SendKeys(chromedp.CSS("input[name=role]"), "cfo"),
				chromedp.SendKeys(chromedp.CSS("input[name=goal]"), "Choose a planning tool this year"),
				chromedp.Click(chromedp.CSS(`form[action="/maps"] button`)),
			)
			b.waitFor(t, "the new canvas", `!!document.querySelector(".canvas #cell-HEAR")`, 10*time.Second)
			if got := b.text(t, ".map-head h1"); got != mapName {
				t.Errorf("canvas title %q, want %q", got, mapName)
			}
		}},
		{"attach the result to a cell", func(t *testing.T) {
			b.open(t, searchPath)
			form := ".results article.hit:first-of-type form.attach "
			b.do(t,
				chromedp.SetValue(chromedp.CSS(form+"select[name=map]"), mapName),
				chromedp.SetValue(chromedp.CSS(form+"select[name=category]"), "HEAR"),
				chromedp.SendKeys(chromedp.CSS(form+"input[name=note]"), "board pressure"),
				chromedp.Click(chromedp.CSS(form+"button")),
			)
			b.waitFor(t, "the attach confirmation", `(document.querySelector(".results article.hit form.attach output.status").textContent || "").startsWith("Attached")`, 10*time.Second)
			b.do(t, chromedp.Click(chromedp.CSS(".results article.hit details.why summary")))
			b.shot(t, "search")
		}},
		{"see it on the canvas", func(t *testing.T) {
			b.open(t, mapURL)
			b.waitFor(t, "a quote in HEAR", `!!document.querySelector("#cell-HEAR .quote")`, 10*time.Second)
			if got := b.text(t, "#cell-HEAR .quote blockquote"); got != quote {
				t.Errorf("HEAR shows %q, want %q", got, quote)
			}
			if got := b.text(t, "#cell-HEAR .quote .note"); !strings.Contains(got, "board pressure") {
				t.Errorf("note %q", got)
			}
			if got := b.text(t, ".persona"); !strings.Contains(got, "cfo") || !strings.Contains(got, "planning tool") {
				t.Errorf("persona band %q", got)
			}
			b.shot(t, "canvas")
		}},
		{"attach without JavaScript", func(t *testing.T) {
			// A second tab with scripts off posts the plain form.
			tabCtx, cancel := chromedp.NewContext(b.ctx)
			defer cancel()
			if err := chromedp.Do(tabCtx); err != nil { // opens the tab, bound to tabCtx alone
				t.Fatal(err)
			}
			nojs := &tab{t: t, ctx: tabCtx, base: b.base, shots: b.shots}
			nojs.do(t, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}))
			nojs.watch(tabCtx)
			nojs.open(t, "/?q="+url.QueryEscape("role:cfo pains"))
			form := ".results article.hit:first-of-type form.attach "
			nojs.do(t,
				chromedp.SetValue(chromedp.CSS(form+"select[name=map]"), mapName),
				chromedp.SetValue(chromedp.CSS(form+"select[name=category]"), "PAINS"),
				chromedp.Click(chromedp.CSS(form+"button")),
			)
			nojs.waitFor(t, "the page after the post", `!!document.querySelector(".notice")`, 10*time.Second)
			if got := nojs.text(t, ".notice"); !strings.Contains(got, "attached") {
				t.Errorf("notice %q", got)
			}
			nojs.checkClean(t)
		}},
		{"rework the canvas", func(t *testing.T) {
			b.open(t, mapURL)
			if n := eval[int](t, b, `document.querySelectorAll("#cell-PAINS .quote").length`); n != 1 {
				t.Fatalf("PAINS holds %d quotes after the plain form post, want 1", n)
			}
			// Accept a suggestion for HEAR, so that the cell has two quotes.
			b.do(t, chromedp.Click(chromedp.CSS("#cell-HEAR details.suggestions summary")),
				chromedp.Click(chromedp.CSS(`#cell-HEAR .suggestion form[action="/attach"] button`)))
			b.waitFor(t, "a second quote in HEAR", `document.querySelectorAll("#cell-HEAR .quote").length === 2`, 10*time.Second)
			first := b.text(t, "#cell-HEAR .quote:first-child blockquote")
			b.do(t, chromedp.Click(chromedp.CSS(`#cell-HEAR .quote:first-child button[aria-label="Move down"]`)))
			b.waitFor(t, "the move", fmt.Sprintf(`document.querySelector("#cell-HEAR .quote:last-child blockquote").textContent === %q`, first), 10*time.Second)
			b.do(t, chromedp.Click(chromedp.CSS(`#cell-HEAR .quote:first-child button[aria-label="Detach"]`)))
			b.waitFor(t, "the detach", `document.querySelectorAll("#cell-HEAR .quote").length === 1`, 10*time.Second)
			b.do(t, chromedp.Click(chromedp.CSS(`form[action$="/undo"] button`)))
			b.waitFor(t, "the undo", `document.querySelectorAll("#cell-HEAR .quote").length === 2`, 10*time.Second)
			// Dismiss a suggestion: it goes at once and stays gone on reload.
			b.do(t, chromedp.Click(chromedp.CSS("#cell-DO details.suggestions summary")))
			dismissed := run(t, b, chromedp.AttributeValue(chromedp.CSS("#cell-DO .suggestion"), "data-passage")).Value
			gone := fmt.Sprintf(`!document.querySelector('.suggestion[data-passage=%q]')`, dismissed)
			b.do(t, chromedp.Click(chromedp.CSS("#cell-DO .suggestion form.dismiss button")))
			b.waitFor(t, "the suggestion gone", gone+` && location.search.includes("dismiss=")`, 5*time.Second)
			b.do(t, chromedp.Reload())
			if !eval[bool](t, b, gone) {
				t.Errorf("the dismissed suggestion %s is back after a reload", dismissed)
			}
			// Edit a note.
			b.do(t, chromedp.Click(chromedp.CSS("#cell-PAINS .quote details.edit summary")),
				chromedp.SetValue(chromedp.CSS("#cell-PAINS .quote textarea[name=note]"), "slow approvals"),
				chromedp.Click(chromedp.CSS("#cell-PAINS .quote details.edit form.stack button")))
			b.waitFor(t, "the note", `(document.querySelector("#cell-PAINS .quote .note") || {}).textContent === "slow approvals"`, 10*time.Second)
			b.shot(t, "canvas-reworked")
		}},
		{"themes, an assumption and a need", func(t *testing.T) {
			b.open(t, mapURL)
			ids := eval[string](t, b, `Array.from(document.querySelectorAll("#cell-HEAR .quote")).map(e => e.id.slice(2)).join(", ")`)
			add := "#cell-HEAR > details.edit "
			b.do(t, chromedp.Click(chromedp.CSS(add+"summary")),
				chromedp.SetValue(chromedp.CSS(add+"form.inline input[name=name]"), "Board pressure"),
				chromedp.SetValue(chromedp.CSS(add+"form.inline input[name=quotes]"), ids),
				chromedp.Click(chromedp.CSS(add+"form.inline button")))
			b.waitFor(t, "the theme", `(document.querySelector("#cell-HEAR .themes strong") || {}).textContent === "Board pressure" && document.querySelectorAll("#cell-HEAR .theme-chip").length === 2`, 10*time.Second)
			// Drag the first quote onto "no theme", and back onto the theme.
			drag := func(target string) {
				taken := eval[bool](t, b, `(() => {
					const dt = new DataTransfer();
					const q = document.querySelector("#cell-HEAR .quote");
					const to = document.querySelector("#cell-HEAR .themes [data-theme=`+"'"+target+"'"+`]");
					q.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
					to.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
					return !to.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
				})()`)
				if !taken {
					t.Fatalf("the theme %q did not take the dropped quote", target)
				}
			}
			unthemed := `Array.from(document.querySelectorAll("#cell-HEAR .theme-chip")).filter(e => e.textContent === "no theme").length`
			drag("")
			b.waitFor(t, "the quote dragged out of its theme", unthemed+` === 1`, 10*time.Second)
			theme := eval[string](t, b, `document.querySelector("#cell-HEAR .themes li[id^='t-']").dataset.theme`)
			drag(theme)
			b.waitFor(t, "the quote dragged back into the theme", unthemed+` === 0`, 10*time.Second)
			// Printed, the canvas keeps its grid and colours and drops the controls.
			screen := eval[string](t, b, `getComputedStyle(document.querySelector(".canvas")).gridTemplateColumns + " " + getComputedStyle(document.querySelector("#cell-HEAR h2 .cat")).backgroundColor`)
			if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
				t.Fatal(err)
			}
			printed := eval[string](t, b, `getComputedStyle(document.querySelector(".canvas")).gridTemplateColumns + " " + getComputedStyle(document.querySelector("#cell-HEAR h2 .cat")).backgroundColor`)
			controls := eval[bool](t, b, `getComputedStyle(document.querySelector(".toolbar")).display === "none" && getComputedStyle(document.querySelector("#cell-HEAR .qactions")).display === "none"`)
			if _, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
				t.Fatal(err)
			}
			if strings.Fields(printed)[0] == "none" || !strings.HasSuffix(printed, strings.SplitN(screen, " rgb", 2)[1]) || !controls {
				t.Errorf("printed: grid and colour %q (on screen %q), controls hidden %v", printed, screen, controls)
			}
			b.do(t, chromedp.Click(chromedp.CSS(add+"summary")),
				chromedp.SetValue(chromedp.CSS(add+"textarea[name=text]"), "CFOs hear about us from their auditors"),
				chromedp.Click(chromedp.CSS(add+"form.stack button")))
			b.waitFor(t, "the assumption", `document.querySelector("#cell-HEAR .assumption .badge").textContent === "untested"`, 10*time.Second)
			first := strings.SplitN(ids, ", ", 2)[0]
			b.do(t, chromedp.SetValue(chromedp.CSS("#cell-HEAR .assumption input[name=quotes]"), first),
				chromedp.Click(chromedp.CSS("#cell-HEAR .assumption form.inline button.secondary")))
			b.waitFor(t, "the supporting quote", `document.querySelector("#cell-HEAR .assumption .badge").textContent === "supported"`, 10*time.Second)
			b.do(t, chromedp.SetValue(chromedp.CSS("#needs > form.inline input[name=text]"), "Numbers the board trusts"),
				chromedp.SetValue(chromedp.CSS("#needs > form.inline input[name=evidence]"), ids),
				chromedp.Click(chromedp.CSS("#needs > form.inline button")))
			b.waitFor(t, "the need", `(document.querySelector("#needs li strong") || {}).textContent === "Numbers the board trusts"`, 10*time.Second)
			b.shot(t, "canvas-insight")
			b.do(t, chromedp.Click(chromedp.CSS(`form[action$="/undo"] button`)))
			b.waitFor(t, "the undo of the need", `!!document.querySelector("#needs li.empty")`, 10*time.Second)
		}},
		{"export the map", func(t *testing.T) {
			dir := t.TempDir()
			_, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true)})
			if err != nil {
				t.Fatal(err)
			}
			progress := chromedp.BrowserEvents(b.ctx, browser.DownloadProgress)
			b.open(t, mapURL)
			b.do(t, chromedp.Click(chromedp.CSS(`.toolbar a[href$="format=md"]`)))
			var path string
			deadline, cancel := context.WithTimeout(b.ctx, 15*time.Second)
			defer cancel()
			for ev, err := range progress {
				if err != nil || deadline.Err() != nil {
					t.Fatalf("waiting for the download: %v", err)
				}
				if ev.State == browser.DownloadProgressStateCompleted {
					path = filepath.Join(dir, ev.GUID)
					if ev.FilePath != "" {
						path = ev.FilePath
					}
					break
				}
				if ev.State == browser.DownloadProgressStateCanceled {
					t.Fatal("the download was cancelled")
				}
			}
			md, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), "board pressure") || !strings.Contains(string(md), firstWords(quote, 6)) {
				t.Errorf("the Markdown export lacks the quote or its note:\n%s", md)
			}
			// Every other format answers with a file.
			got := eval[string](t, b, `Promise.all([...document.querySelectorAll(".toolbar a[download]")].map(a =>
				fetch(a.href).then(r => a.textContent + ":" + r.status + ":" + (r.headers.get("Content-Disposition") || "").includes("attachment")))).then(l => l.join(" "))`)
			for _, f := range maps.Formats {
				if !strings.Contains(got, f.Name+":200:true") {
					t.Errorf("export %s: %s", f.Name, got)
				}
			}
		}},
		{"hostile documents stay text", func(t *testing.T) {
			b.open(t, "/ingest")
			b.do(t, chromedp.SetUploadFiles(chromedp.CSS("#upload input[type=file]"), hostile))
			b.waitFor(t, "the hostile files indexed", fmt.Sprintf(`document.querySelectorAll("#docs tbody tr.state-indexed").length === %d`, docs+len(hostile)), 20*time.Second)
			b.open(t, "/?q="+url.QueryEscape("budget visibility"))
			b.waitFor(t, "results", `document.querySelectorAll(".results article.hit").length > 0`, 10*time.Second)
			if got := b.text(t, ".results"); !strings.Contains(got, "<script>window.__pwned = 'text'</script>") {
				t.Errorf("the passage's markup is not shown as text: %q", got)
			}
			b.do(t, chromedp.Click(chromedp.CSS(".results article.hit a.button-link")))
			b.waitFor(t, "the passage in context", `!!document.querySelector("#focus")`, 10*time.Second)
			if got := b.text(t, ".doc-meta h1"); !strings.Contains(got, "<script>") {
				t.Errorf("title %q", got)
			}
			b.shot(t, "hostile-context")
			// Put it on the map and look at the canvas too.
			b.do(t, chromedp.SetValue(chromedp.CSS("#focus form.attach select[name=map]"), mapName),
				chromedp.Click(chromedp.CSS("#focus form.attach button")))
			b.waitFor(t, "attached", `(document.querySelector("#focus output.status").textContent || "").startsWith("Attached")`, 10*time.Second)
			for _, path := range []string{mapURL, "/ingest", "/?q=" + url.QueryEscape("kind:survey budget"), "/matrix", "/maps"} {
				b.open(t, path)
				b.do(t, chromedp.Sleep(100*time.Millisecond)) // let any injected script or image handler run
				if v := eval[string](t, b, `String(window.__pwned)`); v != "undefined" {
					t.Errorf("%s: script from a document ran (window.__pwned = %s)", path, v)
				}
			}
			b.open(t, "/?q="+url.QueryEscape("kind:survey budget"))
			if got := b.text(t, ".results"); !strings.Contains(got, "Approvals take forever <img") {
				t.Errorf("survey answer not shown as text: %q", got)
			}
		}},
		{"a foreign site cannot post", func(t *testing.T) {
			b.checkClean(t)
			defer b.forget() // the refused post logs its 403 to the console
			evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprintf(w, `<form id="f" method="post" action="%s/maps/%s/delete"></form><script>document.getElementById("f").submit()</script>`,
					b.base, url.PathEscape(mapName))
			}))
			defer evil.Close()
			// 127.0.0.1 and localhost are different origins: the page
			// comes from another site as far as the browser knows.
			evilURL := strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)
			b.do(t, chromedp.Navigate(evilURL))
			b.waitFor(t, "the forged post's answer", `location.href.includes("/delete")`, 10*time.Second)
			if got := eval[string](t, b, `document.body.innerText`); !strings.Contains(got, "not accepted") {
				t.Errorf("the forged post was answered with %q", got)
			}
			b.open(t, mapURL)
			if got := b.text(t, ".map-head h1"); got != mapName {
				t.Errorf("the map is gone after a forged post: %q", got)
			}
		}},
		{"correct a passage's tags", func(t *testing.T) {
			b.open(t, searchPath)
			id := strings.TrimPrefix(run(t, b, chromedp.AttributeValue(chromedp.CSS(".results article.hit"), "id")).Value, "p-")
			hit := "#p-" + id + " "
			// A category the rules did not give it: the person adds it.
			cat := eval[string](t, b, `document.querySelector(".results article.hit form.review input[name=category]:not(:checked)").value`)
			b.do(t,
				chromedp.Click(chromedp.CSS(hit+"form.review details.correct summary")),
				chromedp.Click(chromedp.CSS(hit+"form.review input[value="+cat+"]")),
				chromedp.Click(chromedp.CSS(hit+"form.review button[value=correct]")),
			)
			b.waitFor(t, "the page after the correction", `(document.querySelector(".notice") || {}).textContent.includes("corrected")`, 10*time.Second)
			badge := hit + ".badges .cat.person"
			b.waitFor(t, "the person's tag", fmt.Sprintf(`!!document.querySelector(%q)`, badge), 5*time.Second)
			if got := b.text(t, badge); !strings.HasPrefix(got, cat) {
				t.Errorf("the person's tag reads %q, want %s", got, cat)
			}
			if got := run(t, b, chromedp.AttributeValue(chromedp.CSS(badge), "title")).Value; !strings.HasPrefix(got, "tagged by web on ") {
				t.Errorf("the person's tag says %q", got)
			}
			if got := b.text(t, hit+"form.review .reviewed"); !strings.Contains(got, "tags reviewed by web") {
				t.Errorf("the form says %q", got)
			}
			b.shot(t, "tags-corrected")
			// In context, the person's tags go again: the rules' stand.
			b.open(t, "/passages/"+url.PathEscape(id))
			b.do(t,
				chromedp.Click(chromedp.CSS("#focus form.review details.correct summary")),
				chromedp.Click(chromedp.CSS("#focus form.review button[value=clear]")),
			)
			b.waitFor(t, "the page after the clear", `(document.querySelector(".notice") || {}).textContent.includes("cleared")`, 10*time.Second)
			if eval[bool](t, b, `!!document.querySelector("#focus .cat.person, #focus form.review .reviewed")`) {
				t.Errorf("the passage still shows a person's tags after the clear")
			}
		}},
		{"matrix and map list", func(t *testing.T) {
			b.open(t, "/matrix")
			if got := b.text(t, "table.matrix"); !strings.Contains(got, "cfo") {
				t.Errorf("matrix: %q", got)
			}
			b.shot(t, "matrix")
			b.do(t, chromedp.Click(chromedp.CSS(`table.matrix tbody tr:first-child td a`)))
			b.waitFor(t, "the matrix cell's passages", `document.querySelectorAll(".results article.hit").length > 0`, 10*time.Second)
			b.open(t, "/maps")
			if got := b.text(t, ".map-list"); !strings.Contains(got, mapName) {
				t.Errorf("map list: %q", got)
			}
			b.shot(t, "maps")
		}},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.run) {
			break
		}
	}
	b.checkClean(t)
	t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond))
}

func absGlob(t *testing.T, pattern string) []string {
	t.Helper()
	files, _ := filepath.Glob(pattern)
	if len(files) == 0 {
		t.Fatalf("no files match %s", pattern)
	}
	for i, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		files[i] = abs
	}
	return files
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	return strings.Join(w[:min(n, len(w))], " ")
}
