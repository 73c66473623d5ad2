package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/hsworkshop/hsworkshop/models"
)

// Default ports when SMTP_URL names none: submission with STARTTLS for
// smtp://, implicit TLS for smtps://.
const (
	defaultSubmissionPort  = 587
	defaultImplicitTLSPort = 465
	defaultSMTPTimeout     = 30 * time.Second
)

// SMTPSender delivers messages through one SMTP server, dialling a fresh
// connection per message. It holds no connection between sends, so it is
// safe for concurrent use by several outbox workers.
type SMTPSender struct {
	host        string
	port        int
	implicitTLS bool // smtps://: TLS from the first byte
	user, pass  string
	from        netmail.Address
	timeout     time.Duration
	// tlsConfig overrides the TLS settings (tests trust their own CA);
	// nil verifies the server against the system roots.
	tlsConfig *tls.Config
	now       func() time.Time
}

// NewSMTPSender parses SMTP_URL and MAIL_FROM.
//
// smtp://[user:pass@]host[:port] (port 587 by default) upgrades to TLS with
// STARTTLS whenever the server offers it, and sends in clear otherwise (a
// local relay or a test server such as mailpit). smtps://… (port 465 by
// default) uses implicit TLS. Credentials are percent-decoded from the URL;
// without them no AUTH is attempted. PLAIN or LOGIN is picked from what the
// server offers, and either refuses to send a password over an unencrypted
// connection except to localhost, so credentials never travel in clear.
// from may carry a display name: "Workshops <workshops@example.com>".
func NewSMTPSender(smtpURL, from string) (*SMTPSender, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		// url.Error repeats the URL, password included: keep only the cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("parse SMTP_URL: %w", err)
	}
	s := &SMTPSender{host: u.Hostname(), timeout: defaultSMTPTimeout, now: time.Now}
	switch u.Scheme {
	case "smtp":
		s.port = defaultSubmissionPort
	case "smtps":
		s.port, s.implicitTLS = defaultImplicitTLSPort, true
	default:
		return nil, fmt.Errorf("parse SMTP_URL: scheme %q: want smtp or smtps", u.Scheme)
	}
	if s.host == "" {
		return nil, errors.New("parse SMTP_URL: no host")
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("parse SMTP_URL: bad port %q", p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("parse MAIL_FROM %q: %w", from, err)
	}
	s.from = *addr
	return s, nil
}

// Send delivers m: a multipart/alternative body (text, and HTML when
// present) with m's attachments, from MAIL_FROM to m.ToName <m.ToAddr>.
// The Message-ID is derived from the outbox row, so a retry after an
// ambiguous failure carries the same ID and receiving systems can tell the
// copies apart. The error is nil only when the server accepted the message.
func (s *SMTPSender) Send(ctx context.Context, m models.Email) error {
	msg, err := s.message(m)
	if err != nil {
		return fmt.Errorf("build email %d: %w: %w", m.ID, err, models.ErrInvalid)
	}
	c, err := gomail.NewClient(s.host, s.clientOptions()...)
	if err != nil {
		return fmt.Errorf("smtp client for %s: %w", s.addr(), err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send email %d via %s: %w", m.ID, s.addr(), err)
	}
	return nil
}

// Permanent reports whether err from Send will recur on every retry: a
// message that cannot be built (a malformed address; the error wraps
// models.ErrInvalid) or a recipient the server rejects for good (an SMTP
// 5xx reply to RCPT TO). Every other failure (network, TLS,
// authentication, a full mailbox, a server error) may clear up and is
// worth retrying.
func Permanent(err error) bool {
	if errors.Is(err, models.ErrInvalid) {
		return true
	}
	var se *gomail.SendError
	if !errors.As(err, &se) {
		return false
	}
	return se.Reason == gomail.ErrSMTPRcptTo && !se.IsTemp() && se.ErrorCode() >= 500
}

func (s *SMTPSender) addr() string { return fmt.Sprintf("%s:%d", s.host, s.port) }

func (s *SMTPSender) clientOptions() []gomail.Option {
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.timeout)}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if s.tlsConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.tlsConfig))
	}
	if s.user != "" {
		opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin),
			gomail.WithUsername(s.user), gomail.WithPassword(s.pass))
	}
	return opts
}

// message builds the MIME message for m.
func (s *SMTPSender) message(m models.Email) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, fmt.Errorf("from %q: %w", s.from.String(), err)
	}
	// The name goes in as a display name to encode, never into the text
	// go-mail parses: a quote or line break typed in a name would fail the
	// message or add to the header.
	to, err := netmail.ParseAddress(m.ToAddr)
	if err != nil {
		return nil, fmt.Errorf("to %q: %w", m.ToAddr, err)
	}
	to.Name = m.ToName
	msg.SetAddrHeaderFromMailAddress(gomail.HeaderTo, to)
	// A subject is one header line whatever the caller passes.
	msg.Subject(strings.Join(strings.Fields(m.Subject), " "))
	msg.SetDateWithValue(s.now())
	msg.SetMessageIDWithValue(s.messageID(m))
	// Tells auto-responders (out-of-office) not to answer; people still can.
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.TextBody)
	if m.HTMLBody != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTMLBody)
	}
	for _, a := range m.Attachments {
		var opts []gomail.FileOption
		if a.ContentType != "" {
			opts = append(opts, gomail.WithFileContentType(gomail.ContentType(a.ContentType)))
		}
		if err := msg.AttachReader(a.Filename, bytes.NewReader(a.Data), opts...); err != nil {
			return nil, fmt.Errorf("attach %q: %w", a.Filename, err)
		}
	}
	return msg, nil
}

// messageID is stable for a stored outbox row (ID and creation time) and
// random otherwise; the domain is MAIL_FROM's.
func (s *SMTPSender) messageID(m models.Email) string {
	domain := "localhost"
	if at := strings.LastIndexByte(s.from.Address, '@'); at >= 0 && at < len(s.from.Address)-1 {
		domain = s.from.Address[at+1:]
	}
	if m.ID != 0 && !m.CreatedAt.IsZero() {
		return fmt.Sprintf("hsw.%d.%s@%s", m.ID, strconv.FormatInt(m.CreatedAt.UnixNano(), 36), domain)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "hsw." + hex.EncodeToString(b) + "@" + domain
}
