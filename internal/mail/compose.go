// Package mail composes outgoing email (subject, plain text and HTML from
// embedded templates) and, with an SMTP server configured, delivers the
// outbox. Without SMTP, messages stay in the outbox for admins to read.
package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

// Composed is a rendered message body.
type Composed struct {
	Subject string
	Text    string
	HTML    string
}

// Composer renders messages by kind: templates/<kind>.subject.txt,
// <kind>.txt and <kind>.html (the HTML inside layout.html).
type Composer struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewComposer parses every mail template once.
func NewComposer() (*Composer, error) {
	t, err := texttemplate.New("").ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("parse mail text templates: %w", err)
	}
	h, err := htmltemplate.New("").ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse mail html templates: %w", err)
	}
	return &Composer{text: t, html: h}, nil
}

// Compose renders the message of the given kind with data.
func (c *Composer) Compose(kind string, data any) (Composed, error) {
	var subj, text, html bytes.Buffer
	if err := c.text.ExecuteTemplate(&subj, kind+".subject.txt", data); err != nil {
		return Composed{}, fmt.Errorf("compose %s subject: %w", kind, err)
	}
	if err := c.text.ExecuteTemplate(&text, kind+".txt", data); err != nil {
		return Composed{}, fmt.Errorf("compose %s text: %w", kind, err)
	}
	if err := c.html.ExecuteTemplate(&html, kind+".html", data); err != nil {
		return Composed{}, fmt.Errorf("compose %s html: %w", kind, err)
	}
	return Composed{Subject: strings.TrimSpace(subj.String()), Text: text.String(), HTML: html.String()}, nil
}
