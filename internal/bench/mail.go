package bench

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Links the app emails, as paths on the site.
var (
	verifyLinkRe = regexp.MustCompile(`(/account/verify\?token=[A-Za-z0-9_-]+)`)
	orderLinkRe  = regexp.MustCompile(`(/orders/confirm\?token=[A-Za-z0-9_-]+)`)
)

// MailLink reads the newest message of kind to the address from the app's
// outbox (the emails table of dsn: the harness starts the app without
// SMTP, so messages stay there, the stand-in for the learner's mailbox)
// and returns the path matched by group 1 of re.
func MailLink(ctx context.Context, dsn, kind, to string, re *regexp.Regexp) (string, error) {
	raw, err := OpenRaw(dsn, 1)
	if err != nil {
		return "", err
	}
	defer raw.Close() //nolint:errcheck // read-only
	rows, err := raw.db.QueryContext(ctx, raw.q("SELECT text_body FROM emails WHERE kind = ? AND to_addr = ? ORDER BY id DESC"), kind, strings.ToLower(to))
	if err != nil {
		return "", fmt.Errorf("read the outbox: %w", err)
	}
	defer rows.Close() //nolint:errcheck // rows.Err is checked
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return "", fmt.Errorf("read the outbox: %w", err)
		}
		if g := re.FindStringSubmatch(body); g != nil {
			return g[1], nil
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read the outbox: %w", err)
	}
	return "", fmt.Errorf("no %s message to %s with a link in the outbox", kind, to)
}

// FollowMailLink opens an emailed confirmation link (a page with one form
// carrying the link's token) and presses its button, posting to action.
func (s *Site) FollowMailLink(ctx context.Context, link, action string) error {
	u, err := url.Parse(link)
	if err != nil {
		return fmt.Errorf("emailed link %q: %w", link, err)
	}
	return s.PostForm(ctx, link, action, url.Values{"token": {u.Query().Get("token")}})
}
