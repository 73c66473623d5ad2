package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	netmail "net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/hsworkshop/hsworkshop/internal/calendar"
	"github.com/hsworkshop/hsworkshop/internal/testsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

// mailpit is a running mailpit: an SMTP port and its HTTP API.
type mailpit struct {
	smtpPort int
	api      string
}

// startMailpit runs mailpit with extra flags on free ports and stops it
// when the test ends.
func startMailpit(t *testing.T, extra ...string) *mailpit {
	t.Helper()
	bin := testsvc.Binary(t, "mailpit") // installed by .ci/test; missing fails, never skips
	mp := &mailpit{smtpPort: testsvc.FreePort(t)}
	httpPort := testsvc.FreePort(t)
	mp.api = fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	dir := t.TempDir()
	args := append([]string{
		"--smtp", fmt.Sprintf("127.0.0.1:%d", mp.smtpPort),
		"--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(dir, "mailpit.db"),
		"--disable-version-check", "--smtp-disable-rdns",
	}, extra...)
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-exited:
			t.Fatalf("mailpit exited early: %v\n%s", err, out.String())
		default:
		}
		resp, err := http.Get(mp.api + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", mp.smtpPort)); err == nil {
					c.Close()
					return mp
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailpit not ready after 20 s:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (mp *mailpit) get(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := http.Get(mp.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	return body
}

func (mp *mailpit) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(mp.get(t, path), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type mpAddress struct{ Name, Address string }

type mpMessage struct {
	ID          string
	MessageID   string
	From        mpAddress
	To          []mpAddress
	Subject     string
	Username    string // the SMTP AUTH user, empty without AUTH
	Text        string
	HTML        string
	Attachments []struct {
		PartID      string
		FileName    string
		ContentType string
		Size        int
	}
}

// onlyMessage waits for exactly one message to arrive and returns it.
func (mp *mailpit) onlyMessage(t *testing.T) mpMessage {
	t.Helper()
	var list struct {
		Total    int
		Messages []struct{ ID string }
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		mp.getJSON(t, "/api/v1/messages", &list)
		if list.Total > 0 || time.Now().After(deadline) {
			break
		}
	}
	if list.Total != 1 || len(list.Messages) != 1 {
		t.Fatalf("mailpit holds %d messages, want 1", list.Total)
	}
	var m mpMessage
	mp.getJSON(t, "/api/v1/message/"+list.Messages[0].ID, &m)
	return m
}

// fixtureCalendarSession is a session in a non-UTC zone, for the invite.
func fixtureCalendarSession() models.Session {
	start := time.Date(2026, 12, 8, 15, 0, 0, 0, time.UTC) // 09:00 CST
	return models.Session{ID: 12, Workshop: models.Workshop{Title: "Classifying Machinery & Electronics", Summary: "Chapters 84 and 85, GRIs and section notes."},
		StartsAt: start, EndsAt: start.Add(7*time.Hour + 30*time.Minute), TimeZone: "America/Chicago",
		Format: models.FormatVirtual, JoinURL: "https://meet.example.com/j/8471300100", Status: models.StatusPublished,
		CreatedAt: start.AddDate(0, -2, 0), UpdatedAt: start.AddDate(0, -1, 0)}
}

// tinyPDF is a minimal valid PDF: an empty page.
const tinyPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func TestSMTPSenderDeliversToMailpit(t *testing.T) {
	mp := startMailpit(t, "--smtp-auth-accept-any", "--smtp-auth-allow-insecure")
	s, err := NewSMTPSender(fmt.Sprintf("smtp://workshops:s3cret@127.0.0.1:%d", mp.smtpPort), "hsworkshop Workshops <workshops@hsworkshop.example>")
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC) }

	composed := compose(t, newTestComposer(t), KindOrderConfirmation, fixtures()[KindOrderConfirmation])
	invite := calendar.Build([]models.Session{fixtureCalendarSession()},
		calendar.Options{BaseURL: "https://hsworkshop.example", Private: true, Now: s.now()})
	email := models.Email{ID: 99, CreatedAt: time.Date(2026, 11, 2, 15, 4, 0, 0, time.UTC),
		Kind: KindOrderConfirmation, ToAddr: "maria@acme.example", ToName: "María Pérez",
		Subject: composed.Subject, TextBody: composed.Text, HTMLBody: composed.HTML,
		Attachments: []models.EmailAttachment{
			{Filename: "hsworkshop-session-12.ics", ContentType: "text/calendar; method=PUBLISH; charset=utf-8", Data: []byte(invite)},
			{Filename: "receipt-HSW-000042.pdf", ContentType: "application/pdf", Data: []byte(tinyPDF)},
		}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Send(ctx, email); err != nil {
		t.Fatalf("Send: %v", err)
	}

	m := mp.onlyMessage(t)
	if m.Subject != composed.Subject {
		t.Errorf("subject: got %q, want %q", m.Subject, composed.Subject)
	}
	if m.From != (mpAddress{"hsworkshop Workshops", "workshops@hsworkshop.example"}) {
		t.Errorf("from: got %+v", m.From)
	}
	if m.Username != "workshops" {
		t.Errorf("SMTP AUTH user: got %q, want workshops (the URL's userinfo)", m.Username)
	}
	if len(m.To) != 1 || m.To[0] != (mpAddress{"María Pérez", "maria@acme.example"}) {
		t.Errorf("to: got %+v, want María Pérez <maria@acme.example>", m.To)
	}
	if !strings.HasPrefix(m.MessageID, "hsw.99.") || !strings.HasSuffix(m.MessageID, "@hsworkshop.example") {
		t.Errorf("Message-ID: got %q, want hsw.99.…@hsworkshop.example", m.MessageID)
	}
	if got, want := normalizeNewlines(m.Text), normalizeNewlines(composed.Text); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("text body differs:\n--- got ---\n%s\n--- want ---\n%s", got, want)
	}
	for _, want := range []string{"HSW-000042", "María Pérez", "$2,792.25 USD", `href="https://meet.example.com/j/8471300100?pwd=k3y&amp;lang=en"`} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML body lacks %q", want)
		}
	}

	var headers map[string][]string
	mp.getJSON(t, "/api/v1/message/"+m.ID+"/headers", &headers)
	if got := headers["Content-Type"]; len(got) != 1 || !strings.HasPrefix(got[0], "multipart/mixed") {
		t.Errorf("Content-Type: got %q, want multipart/mixed", got)
	}
	if got := headers["Date"]; len(got) != 1 || !strings.Contains(got[0], "2 Nov 2026 15:04:05") {
		t.Errorf("Date: got %q", got)
	}
	if got := headers["Auto-Submitted"]; len(got) != 1 || got[0] != "auto-generated" {
		t.Errorf("Auto-Submitted: got %q", got)
	}
	raw := string(mp.get(t, "/api/v1/message/"+m.ID+"/raw"))
	for _, want := range []string{"multipart/alternative", "text/plain; charset=UTF-8", "text/html; charset=UTF-8",
		`text/calendar; method=PUBLISH; charset=utf-8; name="hsworkshop-session-12.ics"`} {
		if !strings.Contains(raw, want) {
			t.Errorf("raw message lacks %q", want)
		}
	}

	if len(m.Attachments) != 2 {
		t.Fatalf("attachments: got %d, want 2: %+v", len(m.Attachments), m.Attachments)
	}
	for _, a := range m.Attachments {
		data := mp.get(t, "/api/v1/message/"+m.ID+"/part/"+a.PartID)
		switch a.FileName {
		case "hsworkshop-session-12.ics":
			if !strings.HasPrefix(a.ContentType, "text/calendar") {
				t.Errorf("ics content type: got %q", a.ContentType)
			}
			checkInvite(t, data)
		case "receipt-HSW-000042.pdf":
			if a.ContentType != "application/pdf" || string(data) != tinyPDF {
				t.Errorf("pdf: got type %q and %d bytes, want application/pdf and the bytes sent", a.ContentType, len(data))
			}
		default:
			t.Errorf("unexpected attachment %q", a.FileName)
		}
	}
}

// checkInvite parses an .ics as calendar programs do and checks the event
// is in the session's zone.
func checkInvite(t *testing.T, data []byte) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse attached ics: %v\n%s", err, data)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("ics events: got %d, want 1", len(evs))
	}
	start := evs[0].GetProperty(ics.ComponentPropertyDtStart)
	if start == nil {
		t.Fatal("ics event has no DTSTART")
	}
	if tz := start.ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "America/Chicago" {
		t.Errorf("DTSTART TZID: got %v, want America/Chicago", tz)
	}
	if start.Value != "20261208T090000" {
		t.Errorf("DTSTART: got %q, want 20261208T090000 (09:00 Chicago)", start.Value)
	}
	if len(cal.Timezones()) != 1 {
		t.Errorf("ics VTIMEZONE count: got %d, want 1", len(cal.Timezones()))
	}
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// TestSMTPSenderConnectionRefused: a server that is down gives an error
// (so the outbox retries), promptly, and not a permanent one.
func TestSMTPSenderConnectionRefused(t *testing.T) {
	port := testsvc.FreePort(t) // nothing listens here any more
	s, err := NewSMTPSender(fmt.Sprintf("smtp://127.0.0.1:%d", port), "workshops@hsworkshop.example")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err = s.Send(ctx, models.Email{ToAddr: "maria@acme.example", Subject: "Hello", TextBody: "Hello"})
	if err == nil {
		t.Fatal("Send to a closed port: got nil error")
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("127.0.0.1:%d", port)) {
		t.Errorf("error %q does not name the server", err)
	}
	if Permanent(err) {
		t.Errorf("Permanent(%v): got true, want false (retry later)", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused connection took %v", d)
	}
}

// TestSMTPSenderRejectedRecipientIsPermanent: a 5xx for RCPT TO will not
// clear up by retrying.
func TestSMTPSenderRejectedRecipientIsPermanent(t *testing.T) {
	mp := startMailpit(t, "--smtp-allowed-recipients", `@acme\.example$`)
	s, err := NewSMTPSender(fmt.Sprintf("smtp://127.0.0.1:%d", mp.smtpPort), "workshops@hsworkshop.example")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), models.Email{ToAddr: "nobody@elsewhere.example", Subject: "Hello", TextBody: "Hello"})
	if err == nil {
		t.Fatal("Send to a refused recipient: got nil error")
	}
	if !Permanent(err) {
		t.Errorf("Permanent(%v): got false, want true", err)
	}
}

// TestSMTPSenderTLS covers the two production paths: STARTTLS on the
// submission port and implicit TLS (smtps://). A certificate the sender
// does not trust must fail the send rather than fall back to clear text.
func TestSMTPSenderTLS(t *testing.T) {
	certFile, keyFile, pool := selfSignedCert(t)
	trusted := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	tlsFlags := []string{"--smtp-tls-cert", certFile, "--smtp-tls-key", keyFile, "--smtp-auth-accept-any"}

	cases := []struct {
		name   string
		scheme string
		flags  []string
	}{
		{"starttls", "smtp", []string{"--smtp-require-starttls"}},
		{"implicit", "smtps", []string{"--smtp-require-tls"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			mp := startMailpit(t, append(tlsFlags, tc.flags...)...)
			url := fmt.Sprintf("%s://user:p%%40ss@127.0.0.1:%d", tc.scheme, mp.smtpPort)
			email := models.Email{ToAddr: "lee@acme.example", ToName: "Lee Chen", Subject: "TLS " + tc.name, TextBody: "Hello", HTMLBody: "<p>Hello</p>"}

			untrusting, err := NewSMTPSender(url, "workshops@hsworkshop.example")
			if err != nil {
				t.Fatal(err)
			}
			if err := untrusting.Send(context.Background(), email); err == nil || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("Send with an untrusted certificate: got %v, want a certificate error", err)
			}

			s, err := NewSMTPSender(url, "workshops@hsworkshop.example")
			if err != nil {
				t.Fatal(err)
			}
			s.tlsConfig = trusted
			if err := s.Send(context.Background(), email); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if m := mp.onlyMessage(t); m.Subject != "TLS "+tc.name {
				t.Errorf("subject: got %q", m.Subject)
			}
		})
	}
}

// selfSignedCert writes a certificate for 127.0.0.1 and its key, and
// returns a pool that trusts it.
func selfSignedCert(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestNewSMTPSender(t *testing.T) {
	cases := []struct {
		url, from   string
		wantErr     string
		port        int
		implicitTLS bool
		user, pass  string
		fromName    string
	}{
		{url: "smtp://mail.example.com", from: "workshops@example.com", port: 587},
		{url: "smtp://mail.example.com:25", from: "workshops@example.com", port: 25},
		{url: "smtps://mail.example.com", from: "workshops@example.com", port: 465, implicitTLS: true},
		{url: "smtp://apikey:p%40ss%2Fw0rd@smtp.example.com:587", from: "Workshops <workshops@example.com>", port: 587,
			user: "apikey", pass: "p@ss/w0rd", fromName: "Workshops"},
		{url: "http://mail.example.com", from: "a@example.com", wantErr: "scheme"},
		{url: "smtp://:25", from: "a@example.com", wantErr: "no host"},
		{url: "smtp://mail.example.com:99999", from: "a@example.com", wantErr: "bad port"},
		{url: "smtp://user:hunter2@mail.example.com:x", from: "a@example.com", wantErr: "parse SMTP_URL"},
		{url: "smtp://mail.example.com", from: "not an address", wantErr: "MAIL_FROM"},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			s, err := NewSMTPSender(tc.url, tc.from)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "hunter2") {
					t.Errorf("error %q reveals the password", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.port != tc.port || s.implicitTLS != tc.implicitTLS || s.user != tc.user || s.pass != tc.pass || s.from.Name != tc.fromName {
				t.Errorf("got port %d tls %v user %q pass %q from %q, want %d %v %q %q %q",
					s.port, s.implicitTLS, s.user, s.pass, s.from.Name, tc.port, tc.implicitTLS, tc.user, tc.pass, tc.fromName)
			}
		})
	}
}

func TestSendMalformedAddressIsPermanent(t *testing.T) {
	s, err := NewSMTPSender("smtp://127.0.0.1:1", "workshops@hsworkshop.example")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), models.Email{ID: 5, ToAddr: "not an address", Subject: "Hello", TextBody: "Hello"})
	if err == nil || !Permanent(err) {
		t.Errorf("Send to a malformed address: got %v, want a permanent error", err)
	}
}

func TestMessageIDStableForOutboxRow(t *testing.T) {
	s, err := NewSMTPSender("smtp://localhost", "Workshops <workshops@hsworkshop.example>")
	if err != nil {
		t.Fatal(err)
	}
	row := models.Email{ID: 7, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if a, b := s.messageID(row), s.messageID(row); a != b || !strings.HasSuffix(a, "@hsworkshop.example") {
		t.Errorf("messageID for a stored row: got %q and %q, want the same @hsworkshop.example ID", a, b)
	}
	if a, b := s.messageID(models.Email{}), s.messageID(models.Email{}); a == b {
		t.Errorf("messageID for unsaved messages: got %q twice, want random", a)
	}
}

// TestMessageRecipientNameIsEncoded: a name typed by a person or staff
// (quotes, line breaks, an address of its own) is the To header's display
// name, encoded; it neither fails the message nor adds a header or a
// recipient.
func TestMessageRecipientNameIsEncoded(t *testing.T) {
	s, err := NewSMTPSender("smtp://localhost", "Workshops <workshops@hsworkshop.example>")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{`Ana "the buyer" Pérez`, "Bob\r\nBcc: evil@x.example", `x" <evil@x.example>, "y`} {
		msg, err := s.message(models.Email{ID: 9, ToAddr: "ana@broker.example", ToName: name, Subject: "Hello", TextBody: "Hello"})
		if err != nil {
			t.Errorf("name %q: %v", name, err)
			continue
		}
		var b strings.Builder
		if _, err := msg.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(b.String(), "\r\n\r\n")
		var to []string
		for _, l := range strings.Split(head, "\r\n") {
			if strings.HasPrefix(strings.ToLower(l), "bcc:") {
				t.Errorf("name %q added a header: %q", name, l)
			}
			if strings.HasPrefix(l, "To: ") {
				to = append(to, l)
			}
		}
		if len(to) != 1 {
			t.Fatalf("name %q: To headers %q, want one", name, to)
		}
		as, err := netmail.ParseAddressList(strings.TrimPrefix(to[0], "To: "))
		if err != nil || len(as) != 1 || as[0].Address != "ana@broker.example" {
			t.Errorf("name %q: To %q is %v (%v), want ana@broker.example alone", name, to[0], as, err)
		}
		if want := strings.Join(strings.Fields(name), " "); err == nil && len(as) == 1 && strings.Join(strings.Fields(as[0].Name), " ") != want {
			t.Errorf("name %q: display name %q, want it kept", name, as[0].Name)
		}
	}
}
