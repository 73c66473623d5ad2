package handlers_test

// The attack suite's input half: hostile bodies and parameters get a 4xx
// with details, never a 500; script payloads in every text field a buyer or
// learner can type are inert wherever they reappear.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

func TestAttackBadInputIs4xx(t *testing.T) {
	t.Parallel()
	ta := ht.New(t, ht.WithHTS(t))
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	api := fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID)
	reg := fmt.Sprintf("/sessions/%d/register", s.ID)
	form := func(kv ...string) url.Values {
		v := ht.RegisterValues("invoice")
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	json := map[string]string{"Content-Type": "application/json"}
	for _, tc := range []struct {
		name   string
		req    ht.Request
		want   int // 0: any 4xx
		detail string
	}{
		{"oversized JSON body", ht.Request{Method: "POST", Path: api, Headers: json, Body: `{"buyer":{"name":"` + strings.Repeat("x", 2<<20) + `"}}`}, http.StatusRequestEntityTooLarge, ""},
		{"oversized form body", ht.Request{Method: "POST", Path: reg, Form: form("po_number", strings.Repeat("x", 2<<20))}, http.StatusRequestEntityTooLarge, ""},
		{"malformed JSON", ht.Request{Method: "POST", Path: api, Headers: json, Body: `{"buyer":`}, http.StatusBadRequest, "not valid JSON"},
		{"unknown JSON field", ht.Request{Method: "POST", Path: api, Headers: json, Body: `{"buyer":{"name":"A","email":"a@b.example"},"admin":true}`}, http.StatusBadRequest, "admin"},
		{"huge JSON number", ht.Request{Method: "POST", Path: api, Headers: json, Body: `{"buyer":{"name":1e400}}`}, http.StatusBadRequest, "not valid JSON"},
		{"JSON attendees not a list", ht.Request{Method: "POST", Path: api, Headers: json, Body: `{"attendees":{"name":"A"}}`}, http.StatusBadRequest, ""},
		{"no attendees", ht.Request{Method: "POST", Path: api, Headers: json, Body: `{"buyer":{"name":"A","email":"a@b.example"},"attendees":[],"payment_method":"invoice"}`}, http.StatusUnprocessableEntity, "attendees"},
		{"unknown payment method", ht.Request{Method: "POST", Path: api, Headers: json, Body: strings.Replace(ht.APIOrderBody(1, "invoice"), `"invoice"`, `"bitcoin"`, 1)}, http.StatusUnprocessableEntity, "payment_method"},
		{"huge seats in the form", ht.Request{Method: "POST", Path: reg, Form: form("seats", "99999999999999999999999")}, 0, ""},
		{"negative seats in the form", ht.Request{Method: "POST", Path: reg, Form: form("seats", "-3")}, 0, ""},
		{"negative waiting-list seats", ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/waitlist", s.ID), Form: url.Values{"name": {"W"}, "email": {"w@example.com"}, "seats": {"-2"}}}, 0, ""},
		{"invalid tariff code", ht.Request{Path: "/api/v1/hts/84x1"}, http.StatusUnprocessableEntity, "code"},
		{"invalid tariff code page", ht.Request{Path: "/hts/" + strings.Repeat("9", 60)}, 0, ""},
		{"invalid duty date and country", ht.Request{Path: "/api/v1/duty?code=8471.30.01&country=ZZ&date=2025-13-45&value=-1e999"}, http.StatusUnprocessableEntity, "fields"},
		{"invalid calendar month filter", ht.Request{Path: "/sessions?month=2026-99&format=%00"}, 0, ""},
		{"huge session id", ht.Request{Path: "/sessions/99999999999999999999"}, http.StatusNotFound, ""},
		{"huge seat id", ht.Request{Path: "/account/seats/99999999999999999999", As: ht.MustUser(t, ta.DB, models.RoleLearner, "")}, http.StatusNotFound, ""},
	} {
		rec := ta.Do(t, tc.req)
		switch {
		case rec.Code >= 500:
			t.Errorf("%s: got %d, want a 4xx, never a 5xx", tc.name, rec.Code)
		case tc.want != 0 && rec.Code != tc.want:
			t.Errorf("%s: got %d, want %d\n%.300s", tc.name, rec.Code, tc.want, rec.Body.String())
		case tc.want == 0 && (rec.Code < 400 || rec.Code >= 500) && rec.Code != http.StatusOK:
			t.Errorf("%s: got %d, want a 4xx (or the form again)", tc.name, rec.Code)
		case tc.detail != "" && !strings.Contains(rec.Body.String(), tc.detail):
			t.Errorf("%s: body does not explain %q: %.300s", tc.name, tc.detail, rec.Body.String())
		}
	}
	if n := ta.ActiveSeats(t, s.ID); n != 0 {
		t.Errorf("hostile requests took %d seats", n)
	}
}

// xss is a payload that runs if any page, HTML email or calendar file
// prints it unescaped.
const xss = `"><script>alert(1)</script><img src=x onerror=alert(2)>`

func TestAttackXSSIsInert(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	teacher := ht.MustUser(t, ta.DB, models.RoleInstructor, "")
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true; s.InstructorID = &teacher.ID })
	buyer := ht.MustUser(t, ta.DB, models.RoleLearner, ht.GoodPassword)
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	// Profile fields.
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: "/account", As: buyer, Form: url.Values{"name": {"N" + xss}, "company": {"C" + xss}, "job_title": {"J" + xss}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("profile: %d", rec.Code)
	}
	fresh, err := models.FindUserByID(context.Background(), ta.DB, buyer.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Every text field of the registration form, as a buyer with a proven
	// address (the invoice is issued at once).
	v := ht.RegisterValues("invoice")
	v.Set("buyer_email", fresh.Email)
	for _, k := range []string{"attendee_name_1", "attendee_name_2", "buyer_name", "buyer_company", "po_number"} {
		v.Set(k, k+xss)
	}
	rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/sessions/%d/register", s.ID), As: fresh, Form: v})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/orders/") {
		t.Fatalf("register: %d %.500s", rec.Code, rec.Body.String())
	}
	ref := strings.TrimPrefix(rec.Header().Get("Location"), "/orders/")
	o, err := models.FindOrderByRef(context.Background(), ta.DB, ref)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != models.OrderPendingInvoice || !strings.Contains(o.PONumber, "<script>") {
		t.Fatalf("order: status %s, PO %q (want the payload stored as typed)", o.Status, o.PONumber)
	}
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: admin, Form: url.Values{}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", rec.Code)
	}
	inert := func(where, body string) {
		t.Helper()
		for _, live := range []string{"<script>alert(1)", "<img src=x onerror"} {
			if strings.Contains(body, live) {
				t.Errorf("%s prints the payload unescaped (%q)", where, live)
			}
		}
	}
	for _, p := range []struct {
		path string
		as   *models.User
	}{
		{"/orders/" + ref, nil}, {"/account", fresh}, {"/account/registrations", fresh},
		{fmt.Sprintf("/admin/sessions/%d", s.ID), admin}, {"/admin/orders", admin}, {"/admin/emails", admin}, {"/admin", admin},
		{"/orders/" + ref + "/session.ics", nil},
	} {
		rec := ta.Do(t, ht.Request{Path: p.path, As: p.as})
		if rec.Code != http.StatusOK {
			t.Errorf("%s: got %d", p.path, rec.Code)
		}
		inert(p.path, rec.Body.String())
	}
	// Staff-entered text: the bulk email form, previewed and sent.
	bulk := fmt.Sprintf("/admin/sessions/%d/email", s.ID)
	mail := url.Values{"audience": {"all"}, "subject": {"S" + xss}, "body": {"B" + xss}}
	rec = ta.Do(t, ht.Request{Method: "POST", Path: bulk, As: admin, Form: mail})
	if rec.Code != http.StatusOK {
		t.Fatalf("bulk email preview: got %d, want 200", rec.Code)
	}
	inert("bulk email preview", rec.Body.String())
	mail.Set("action", "send")
	mail.Set("batch", "attack1")
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: bulk, As: admin, Form: mail}); rec.Code != http.StatusSeeOther {
		t.Fatalf("bulk email send: got %d, want 303", rec.Code)
	}
	// The attendee names on the staff and desk pages.
	for _, p := range []struct {
		path string
		as   *models.User
	}{
		{fmt.Sprintf("/staff/sessions/%d/roster", s.ID), teacher}, {fmt.Sprintf("/staff/sessions/%d/attendance", s.ID), teacher},
		{fmt.Sprintf("/staff/sessions/%d/sign-in", s.ID), teacher}, {fmt.Sprintf("/admin/desk/orders/%d", o.ID), admin},
		{"/admin/desk/orders", admin}, {"/admin/users", admin}, {"/admin/audit", admin},
	} {
		rec := ta.Do(t, ht.Request{Path: p.path, As: p.as})
		if rec.Code != http.StatusOK {
			t.Errorf("%s: got %d", p.path, rec.Code)
		}
		inert(p.path, rec.Body.String())
	}
	ms := ta.Mailbox(t, "")
	if len(ms) < 3 {
		t.Fatalf("got %d emails, want the invoice and confirmations", len(ms))
	}
	for _, m := range ms {
		inert("email "+m.Kind+" (HTML)", m.HTMLBody)
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("email %s subject has a line break: %q", m.Kind, m.Subject)
		}
	}
	csv := ta.Do(t, ht.Request{Path: fmt.Sprintf("/admin/sessions/%d/roster.csv", s.ID), As: teacher}).Body.String()
	if !strings.Contains(csv, "attendee_name_1") {
		t.Fatalf("roster lacks the attendee: %s", csv)
	}
	for _, pdf := range []string{"/invoice.pdf", "/receipt.pdf"} {
		rec := ta.Do(t, ht.Request{Path: "/orders/" + ref + pdf})
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Body.String(), "%PDF-") {
			t.Errorf("%s with the payload: got %d", pdf, rec.Code)
		}
	}
}
