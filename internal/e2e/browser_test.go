//go:build browser

package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hsworkshop/hsworkshop/internal/testsvc"
)

const (
	// chromiumPath is where Debian's chromium package installs the browser.
	chromiumPath = "/usr/bin/chromium"

	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 360, 740

	// testBudget bounds the whole browser of one test: when it runs out the
	// browser is stopped and every pending step fails, so nothing hangs.
	testBudget = 60 * time.Second
	// stepTimeout bounds one action, such as a click and the page it loads.
	stepTimeout = 15 * time.Second
	// viewerZone is the time zone the browser pretends to be in, so the
	// "Your time" line written by static/js/app.js is predictable.
	viewerZone = "Asia/Tokyo"

	screenshotDir = "screenshots"
	axePath       = "node_modules/axe-core/axe.min.js"
)

// viewport is the size of the browser window and whether it emulates a phone.
type viewport struct {
	width, height int
	mobile        bool
}

// browser is one headless Chromium tab bound to a test. Its methods fail
// the test with the current step in the message and save a screenshot and
// the page HTML of the step that failed.
type browser struct {
	t   *testing.T
	srv *server
	ctx context.Context
	vp  viewport
	axe string

	step  string
	saved map[string]bool // steps whose failure artifacts are written

	console   *consoleLog
	chromeOut *testsvc.SyncBuffer
}

// newBrowser opens a 1280×900 desktop browser for srv.
func newBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	return openBrowser(t, srv, viewport{width: desktopWidth, height: desktopHeight})
}

// newPhoneBrowser opens a 360×740 browser that emulates a phone, so the
// page's viewport meta tag applies as it does on a real device.
func newPhoneBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	return openBrowser(t, srv, viewport{width: phoneWidth, height: phoneHeight, mobile: true})
}

// findChromium returns Debian's chromium, or the first chromium on PATH.
func findChromium(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat(chromiumPath); err == nil && !fi.IsDir() {
		return chromiumPath
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	t.Fatalf("chromium not found at %s or on PATH: the browser tests need it. "+
		"Run the project's test script, which installs it (apt-get install chromium)", chromiumPath)
	return ""
}

// loadAxe reads the pinned axe-core that npm installed beside this file.
func loadAxe(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("read axe-core: %v: run npm ci --prefix internal/e2e", err)
	}
	return string(src)
}

func openBrowser(t *testing.T, srv *server, vp viewport) *browser {
	t.Helper()
	b := &browser{t: t, srv: srv, vp: vp, axe: loadAxe(t), step: "start", saved: map[string]bool{},
		console: &consoleLog{}, chromeOut: &testsvc.SyncBuffer{}}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(findChromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-extensions", true),
		// /dev/shm is small in containers; Chromium crashes when it fills.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(vp.width, vp.height),
		chromedp.CombinedOutput(b.chromeOut),
	}
	budget, cancelBudget := context.WithTimeout(context.Background(), testBudget)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(budget, opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	b.ctx = ctx
	t.Cleanup(func() {
		if t.Failed() {
			b.saveFailure()
			if out := chromiumLog(b.chromeOut.String()); out != "" {
				t.Logf("--- chromium output ---\n%s", out)
			}
		}
		// Close the browser gracefully, then make sure it is gone before
		// t.TempDir removes its profile.
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = chromedp.Cancel(cctx)
		cancel()
		cancelTab()
		cancelAlloc()
		cancelBudget()
	})
	// The first Do starts the browser; its lifetime is the budget context.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v\n%s", err, chromiumLog(b.chromeOut.String()))
	}
	b.console.collect(ctx)
	b.run(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: viewerZone})
		return err
	}))
	if vp.mobile {
		b.run(chromedp.EmulateViewport(int64(vp.width), int64(vp.height), chromedp.EmulateMobile, chromedp.EmulatePortrait))
	}
	return b
}

// chromiumLog drops the lines about D-Bus, which a container lacks and
// Chromium complains about at length, from Chromium's output.
func chromiumLog(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, "dbus") && !strings.Contains(l, "DBus") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// Step names what the test does next; failure artifacts carry the name.
// Console messages of the step before are checked under that step's name.
func (b *browser) Step(name string) {
	b.t.Helper()
	b.checkConsole()
	b.step = name
	b.t.Logf("step: %s", name)
}

// stepContext bounds one action by stepTimeout.
func (b *browser) stepContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, stepTimeout)
}

// run runs actions that return nothing and fails the test on an error.
func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.fatalf("%v", describeErr(err))
	}
}

// open navigates to path on the server and returns the HTTP status.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	b.checkConsole()
	ctx, cancel := b.stepContext()
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.srv.URL+path))
	if err != nil {
		b.fatalf("open %s: %v", path, describeErr(err))
	}
	return resp.Status
}

// mustOpen opens path and stops the test unless it answers 200.
func (b *browser) mustOpen(path string) {
	b.t.Helper()
	if got := b.open(path); got != http.StatusOK {
		b.fatalf("GET %s: got status %d, want 200", path, got)
	}
}

// follow runs trigger (a click on a link or a submit button), waits for the
// page it loads, and returns that page's HTTP status after any redirects.
func (b *browser) follow(what string, trigger chromedp.Action[chromedp.Void]) int64 {
	b.t.Helper()
	b.checkConsole()
	ctx, cancel := b.stepContext()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, trigger)
	if err != nil {
		b.fatalf("%s: no page loaded: %v", what, describeErr(err))
	}
	if resp == nil {
		b.fatalf("%s: no HTML response", what)
	}
	return resp.Status
}

// describeErr turns the step timeout into words.
func describeErr(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("gave up after %v (the element or page never came): %w", stepTimeout, err)
	}
	return err
}

// eval evaluates a JavaScript expression in the page and decodes its result.
func eval[T any](b *browser, js string) T {
	b.t.Helper()
	ctx, cancel := b.stepContext()
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.fatalf("evaluate %.80q: %v", js, describeErr(err))
	}
	return v
}

// textJS is the text of element e with its white space collapsed. It reads
// textContent, not innerText, so CSS such as text-transform does not change
// what the tests compare.
const textJS = `e.textContent.replace(/\s+/g, " ").trim()`

// text returns the text of the first element that matches the CSS selector,
// or "" and false if none does.
func (b *browser) text(css string) (string, bool) {
	b.t.Helper()
	v := eval[*string](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? %s : null })()`, jsString(css), textJS))
	if v == nil {
		return "", false
	}
	return *v, true
}

// mustText is text that fails the test when nothing matches.
func (b *browser) mustText(css string) string {
	b.t.Helper()
	s, ok := b.text(css)
	if !ok {
		b.fatalf("no element matches %s", css)
	}
	return s
}

// texts returns the text of every element that matches css.
func (b *browser) texts(css string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%s), e => %s)`, jsString(css), textJS))
}

// attr returns an attribute of the first element that matches css.
func (b *browser) attr(css, name string) (string, bool) {
	b.t.Helper()
	v := eval[*string](b, fmt.Sprintf(`(() => { const e = document.querySelector(%s); return e ? e.getAttribute(%s) : null })()`, jsString(css), jsString(name)))
	if v == nil {
		return "", false
	}
	return *v, true
}

// path returns the path and query of the page's URL.
func (b *browser) path() string {
	b.t.Helper()
	return eval[string](b, `location.pathname + location.search`)
}

// typeInto clicks into the field with the given id and types text, key by key.
func (b *browser) typeInto(id, text string) {
	b.t.Helper()
	b.run(chromedp.Click(chromedp.ID(id)), chromedp.SendKeys(chromedp.ID(id), text))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string { return strconv.Quote(s) }

// clickNav clicks the main nav's item with this text and stops the test
// unless the page it loads (after any redirects) answers 200.
func (b *browser) clickNav(text string) {
	b.t.Helper()
	if got := b.follow(fmt.Sprintf("click %q in the nav", text), chromedp.Click(navItem(text))); got != http.StatusOK {
		b.fatalf("%s (nav): got status %d, want 200", text, got)
	}
}

// navItem selects the link or button with exactly this text in the main nav.
func navItem(text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//nav[@aria-label="Main"]//*[self::a or self::button][normalize-space()=%s]`, xpathString(text)))
}

// xpathString quotes s for XPath 1.0, which has no escapes.
func xpathString(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// errorf records a failure of the current step and saves its artifacts.
func (b *browser) errorf(format string, args ...any) {
	b.t.Helper()
	b.t.Errorf("[%s] "+format, append([]any{b.step}, args...)...)
	b.saveFailure()
}

// fatalf is errorf that stops the test.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.saveFailure()
	b.t.Fatalf("[%s] "+format, append([]any{b.step}, args...)...)
}

// saveFailure writes <Test>-<step>.png and .html once per step.
func (b *browser) saveFailure() {
	b.t.Helper()
	if b.saved[b.step] {
		return
	}
	b.saved[b.step] = true
	if png := b.save(b.step, true); png != "" {
		b.t.Logf("[%s] failure screenshot: %s (and .html)", b.step, png)
	}
}

// shot saves a screenshot for a human to look at, when E2E_SHOTS=1.
func (b *browser) shot(name string) {
	b.t.Helper()
	if os.Getenv("E2E_SHOTS") != "1" {
		return
	}
	if png := b.save(name, false); png != "" {
		b.t.Logf("screenshot: %s", png)
	}
}

// save writes a full-page PNG (and the HTML if withHTML) named after the
// test and name, and returns the PNG's path or "" if it could not. It uses
// its own short context so it works after a step ran out of time, but not
// after the test's budget is spent.
func (b *browser) save(name string, withHTML bool) string {
	b.t.Helper()
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		b.t.Logf("save %s: %v", name, err)
		return ""
	}
	base := filepath.Join(screenshotDir, fileName(b.t.Name()+"-"+name))
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("save %s: screenshot: %v", name, err)
		return ""
	}
	if err := os.WriteFile(base+".png", png, 0o644); err != nil {
		b.t.Logf("save %s: %v", name, err)
		return ""
	}
	if withHTML {
		html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`"<!-- " + location.href + " -->\n" + document.documentElement.outerHTML`))
		if err == nil {
			err = os.WriteFile(base+".html", []byte(html), 0o644)
		}
		if err != nil {
			b.t.Logf("save %s: html: %v", name, err)
		}
	}
	abs, err := filepath.Abs(base + ".png")
	if err != nil {
		return base + ".png"
	}
	return abs
}

// fileName makes a test and step name safe as a file name.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, s)
}

// visited checks a page the journey just reached: no uncaught script error
// or Content Security Policy violation in the console, and no serious or
// critical axe-core violation. name labels the page in messages.
func (b *browser) visited(name string) {
	b.t.Helper()
	b.checkConsole()
	b.checkAxe(name)
}

// consoleLog keeps the tab's console messages until a check reads them.
type consoleLog struct {
	mu   sync.Mutex
	msgs []chromedp.ConsoleMessage
}

// collect reads the tab's console into l until ctx ends.
func (l *consoleLog) collect(ctx context.Context) {
	msgs := chromedp.Console(ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			l.mu.Lock()
			l.msgs = append(l.msgs, m)
			l.mu.Unlock()
		}
	}()
}

// take returns the messages so far and forgets them.
func (l *consoleLog) take() []chromedp.ConsoleMessage {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.msgs
	l.msgs = nil
	return m
}

// checkConsole reads the console messages since the last check. It fails on
// uncaught exceptions and CSP violations, and logs other warnings and errors
// (such as the 422 of a form with errors). open and follow call it before
// they leave a page, so messages are reported under the step that caused them.
func (b *browser) checkConsole() {
	b.t.Helper()
	for _, m := range b.console.take() {
		switch {
		case m.IsException(), strings.Contains(m.Text, "Content Security Policy"):
			b.errorf("console: %s (%s:%d)", m, m.URL, m.Line+1)
		case m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleWarning:
			b.t.Logf("[%s] console: %s", b.step, m)
		}
	}
}
