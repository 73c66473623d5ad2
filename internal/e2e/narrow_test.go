//go:build browser

package e2e

import (
	"fmt"
	"net/http"
	"testing"
)

// overflowJS measures horizontal overflow and names the elements that stick
// out past the right edge, to make a failure easy to act on.
const overflowJS = `(() => {
  const vw = window.innerWidth;
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > vw + 0.5) {
      let name = e.tagName.toLowerCase() + (e.id ? '#' + e.id : '');
      if (typeof e.className === 'string' && e.className.trim()) name += '.' + e.className.trim().split(/\s+/).join('.');
      wide.push(name + ' (right edge ' + Math.round(r.right) + 'px)');
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, wide: wide.slice(0, 8)};
})()`

// overflow is the result of overflowJS.
type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Wide        []string `json:"wide"`
}

// TestNarrowScreen visits the main pages on a 360 px wide phone screen and
// checks that none scrolls sideways; axe-core audits each.
func TestNarrowScreen(t *testing.T) {
	srv := startServer(t)
	b := newPhoneBrowser(t, srv)

	b.Step("sessions")
	b.mustOpen("/sessions")
	session, ok := b.attr(".session-row h2 a", "href")
	if !ok {
		b.fatalf("no session link on /sessions")
	}

	for _, p := range []struct{ name, path string }{
		{"home", "/"},
		{"sessions", "/sessions"},
		{"session", session},
		{"signup", "/signup"},
	} {
		b.checkNarrow(p.name, p.path)
	}
}

// checkNoSideScroll fails when the page is wider than the screen, or when the
// browser had to zoom out to fit it (which also hides a too-wide page).
func (b *browser) checkNoSideScroll(path string) {
	b.t.Helper()
	o := eval[overflow](b, overflowJS)
	if o.InnerWidth != b.vp.width {
		b.errorf("%s: window.innerWidth: got %d, want %d (the page was zoomed out to fit something wide: %q)", path, o.InnerWidth, b.vp.width, o.Wide)
	}
	if o.ScrollWidth > o.InnerWidth {
		b.errorf("%s scrolls sideways: got scrollWidth %d, want <= innerWidth %d; too wide: %q", path, o.ScrollWidth, o.InnerWidth, o.Wide)
	}
}

// checkNarrow opens path on the phone browser, checks that it does not
// scroll sideways, audits it and takes a screenshot.
func (b *browser) checkNarrow(name, path string) {
	b.t.Helper()
	b.Step("narrow-" + name)
	if got := b.open(path); got != http.StatusOK {
		b.errorf("GET %s: got status %d, want 200", path, got)
		return
	}
	b.checkNoSideScroll(path)
	b.visited(fmt.Sprintf("%s at %d px", path, phoneWidth))
	b.shot("narrow-" + name)
}
