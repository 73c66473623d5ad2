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
// <kind>.txt and <kind>.html (the HTML inside layout.html). It is safe for
// concurrent use.
type Composer struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// funcs are the helpers every mail template may use. They are fixed at
// parse time, so rendering never touches a shared FuncMap.
func funcs() map[string]any {
	return map[string]any{
		// plural writes "1 seat" or "3 seats".
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return fmt.Sprintf("%d %s", n, many)
		},
	}
}

// NewComposer parses every mail template once and checks that each kind
// has its subject, text and HTML template, so a missing one stops start-up
// rather than a send.
func NewComposer() (*Composer, error) {
	t, err := texttemplate.New("").Funcs(funcs()).ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("parse mail text templates: %w", err)
	}
	h, err := htmltemplate.New("").Funcs(funcs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse mail html templates: %w", err)
	}
	for _, kind := range Kinds() {
		for _, name := range []string{kind + ".subject.txt", kind + ".txt"} {
			if t.Lookup(name) == nil {
				return nil, fmt.Errorf("mail template %q is missing", name)
			}
		}
		if h.Lookup(kind+".html") == nil {
			return nil, fmt.Errorf("mail template %q is missing", kind+".html")
		}
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
	// A subject is one header line: fold any line break a title carried.
	subject := strings.Join(strings.Fields(subj.String()), " ")
	return Composed{Subject: subject, Text: text.String(), HTML: html.String()}, nil
}
