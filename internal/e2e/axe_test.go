//go:build browser

package e2e

import (
	"context"
	"fmt"
	"strings"

	"github.com/chromedp/chromedp"
)

// axeRun runs axe-core on the whole document and returns its violations in
// a compact form. resultTypes limits the detail axe collects for passes and
// incomplete checks, which keeps it fast; violations are always complete.
const axeRun = `(async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({
    id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
    nodes: v.nodes.slice(0, 3).map(n => ({
      target: n.target.map(t => Array.isArray(t) ? t.join(' >>> ') : String(t)),
      html: n.html, summary: n.failureSummary || '',
    })),
  }));
})()`

// axeViolation is one failed axe-core rule and the first few elements that fail it.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Count   int       `json:"count"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  []string `json:"target"`
	HTML    string   `json:"html"`
	Summary string   `json:"summary"`
}

// checkAxe injects axe-core into the current page and audits it. Serious and
// critical violations fail the test; minor and moderate ones are logged.
//
// The page's CSP forbids inline script, and it stays on: axe goes in through
// the DevTools protocol (Runtime.evaluate), which the CSP does not govern, so
// the page's own scripts still run exactly as they would for a visitor.
func (b *browser) checkAxe(page string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	vs, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]axeViolation, error) {
		if _, err := chromedp.Evaluate[chromedp.Void](b.axe)(ctx, t); err != nil {
			return nil, fmt.Errorf("inject axe-core: %w", err)
		}
		return chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise)(ctx, t)
	})
	if err != nil {
		b.fatalf("axe on %s: %v", page, describeErr(err))
	}
	for _, v := range vs {
		switch v.Impact {
		case "serious", "critical":
			b.errorf("axe on %s: %s", page, v)
		default:
			b.t.Logf("[%s] axe on %s (not failing): %s", b.step, page, v)
		}
	}
}

func (v axeViolation) String() string {
	var s strings.Builder
	fmt.Fprintf(&s, "%s violation %q: %s (%d element(s); %s)", v.Impact, v.ID, v.Help, v.Count, v.HelpURL)
	for _, n := range v.Nodes {
		fmt.Fprintf(&s, "\n    at %s: %s", strings.Join(n.Target, ", "), n.HTML)
		if n.Summary != "" {
			fmt.Fprintf(&s, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
		}
	}
	return s.String()
}
