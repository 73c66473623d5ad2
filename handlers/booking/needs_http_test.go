package booking_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
	"github.com/hsworkshop/hsworkshop/models"
)

// TestRegistrationNeedsRoundTrip: the form asks each attendee's needs
// under a label that fits the format, keeps them trimmed on the order,
// and shows them to the buyer on the order page and to each attendee on
// their own seat only (never another attendee's); no email or log line
// carries them.
// Too long is a 422 beside the field with everything typed kept.
func TestRegistrationNeedsRoundTrip(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	w := ht.MustWorkshop(t, ta.DB)
	online := ht.MustSession(t, ta.DB, w, func(s *models.Session) { s.AllowInvoice = true })
	inPerson := ht.MustSession(t, ta.DB, w, func(s *models.Session) {
		s.AllowInvoice, s.Format, s.City, s.VenueName = true, models.FormatInPerson, "Chicago", "Loop Center"
	})
	form := ta.Do(t, ht.Request{Path: fmt.Sprintf("/sessions/%d/register?seats=2", inPerson.ID)}).Body.String()
	if !strings.Contains(form, `<label for="f-attendee_needs_2">Dietary or accessibility needs <span class="optional">(optional)</span>`) ||
		!strings.Contains(form, `<textarea id="f-attendee_needs_1" name="attendee_needs_1"`) {
		t.Errorf("in-person form lacks a labelled needs field per attendee:\n%.5000s", form)
	}
	form = ta.Do(t, ht.Request{Path: fmt.Sprintf("/sessions/%d/register", online.ID)}).Body.String()
	if !strings.Contains(form, `<label for="f-attendee_needs_1">Accessibility needs`) || strings.Contains(form, "Dietary") {
		t.Errorf("online form: want the accessibility label only")
	}

	path := fmt.Sprintf("/sessions/%d/register", inPerson.ID)
	const anaNeeds, benNeeds = "Vegetarian lunch.\nStep-free access, please.", "Nut allergy (severe)"
	v := ht.RegisterValues("invoice")
	v.Set("attendee_needs_1", "  Vegetarian lunch.\r\nStep-free access, please.  \n")
	v.Set("attendee_needs_2", strings.Repeat("é", models.MaxNeedsLen+1))
	rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: v})
	body := rec.Body.String()
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `<p class="field-error" id="f-attendee_needs_2-error">Use at most 500 characters`) ||
		!strings.Contains(body, "Step-free access, please.") || strings.Contains(body, `id="f-attendee_needs_1-error"`) {
		t.Fatalf("too long: got %d, want 422 beside attendee 2's needs with attendee 1's kept\n%.5000s", rec.Code, body)
	}
	for _, bad := range []string{"tab\tand\nnewline are fine\x00", "bell\a"} {
		v.Set("attendee_needs_2", bad)
		if rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: v}); rec.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(rec.Body.String(), `id="f-attendee_needs_2-error">Use plain text.`) {
			t.Errorf("control character %q: got %d, want 422 beside the field", bad, rec.Code)
		}
	}
	if ta.ActiveSeats(t, inPerson.ID) != 0 {
		t.Fatal("an invalid form took seats")
	}
	// Exactly the limit is fine.
	v.Set("attendee_needs_2", strings.Repeat("é", models.MaxNeedsLen))
	if rec := ta.Do(t, ht.Request{Method: "POST", Path: path, Form: v}); rec.Code != http.StatusSeeOther {
		t.Fatalf("at the limit: got %d", rec.Code)
	}
	ben := ht.MustUser(t, ta.DB, models.RoleLearner, "")
	v.Set("attendee_email_2", ben.Email)
	v.Set("attendee_needs_2", benNeeds)
	rec = ta.Do(t, ht.Request{Method: "POST", Path: path, Form: v})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("place: got %d\n%.3000s", rec.Code, rec.Body.String())
	}
	o, err := models.FindOrderByRef(t.Context(), ta.DB, strings.TrimPrefix(rec.Header().Get("Location"), "/orders/"))
	if err != nil {
		t.Fatal(err)
	}
	o = ta.ConfirmOrderByEmail(t, o)
	if len(o.Attendees) != 2 || o.Attendees[0].Needs != anaNeeds || o.Attendees[1].Needs != benNeeds {
		t.Fatalf("stored needs: got %+v, want %q and %q", o.Attendees, anaNeeds, benNeeds)
	}
	page := ta.Do(t, ht.Request{Path: "/orders/" + o.Ref}).Body.String()
	if !strings.Contains(page, "Dietary or accessibility needs: "+anaNeeds) || !strings.Contains(page, benNeeds) {
		t.Errorf("buyer's order page: want both attendees' needs\n%.5000s", page)
	}
	seat := ta.Do(t, ht.Request{Path: fmt.Sprintf("/account/seats/%d", o.Attendees[1].ID), As: ben})
	if seat.Code != 200 || !strings.Contains(seat.Body.String(), benNeeds) || strings.Contains(seat.Body.String(), "Vegetarian") {
		t.Errorf("attendee's seat: got %d, want their own needs only\n%.3000s", seat.Code, seat.Body.String())
	}
	if c := ta.Do(t, ht.Request{Path: fmt.Sprintf("/account/seats/%d", o.Attendees[0].ID), As: ben}).Code; c != http.StatusNotFound {
		t.Errorf("another attendee's seat: got %d, want 404", c)
	}
	admin := ht.MustUser(t, ta.DB, models.RoleAdmin, "")
	if c := ta.Do(t, ht.Request{Method: "POST", Path: fmt.Sprintf("/admin/orders/%d/mark-paid", o.ID), As: admin, Form: url.Values{}}).Code; c != http.StatusSeeOther {
		t.Fatalf("mark paid: %d", c)
	}
	ms := ta.Mailbox(t, "")
	if len(ms) == 0 {
		t.Fatal("no emails")
	}
	for _, m := range ms {
		if strings.Contains(m.TextBody+m.HTMLBody, "Vegetarian") || strings.Contains(m.TextBody+m.HTMLBody, "Nut allergy") {
			t.Errorf("email %s to %s carries an attendee's needs", m.Kind, m.ToAddr)
		}
	}
	if logs := ta.Log.String(); logs == "" || strings.Contains(logs, "Vegetarian") || strings.Contains(logs, "Nut allergy") {
		t.Errorf("logs: want some, none carrying an attendee's needs:\n%s", logs)
	}
}

// TestAPIOrderNeeds: attendees[i].needs is optional, stored trimmed, and
// too long or not plain text is a 422 naming the field.
func TestAPIOrderNeeds(t *testing.T) {
	t.Parallel()
	ta := ht.New(t)
	s := ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB), func(s *models.Session) { s.AllowInvoice = true })
	path := fmt.Sprintf("/api/v1/sessions/%d/orders", s.ID)
	body := func(needs string) string {
		raw, err := json.Marshal(needs)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf(`{"buyer":{"name":"Maria Buyer","email":"maria@broker.example"},"attendees":[{"name":"A","email":"a@broker.example","needs":%s},{"name":"B","email":"b@broker.example"}],"payment_method":"invoice"}`, raw)
	}
	for _, bad := range []string{strings.Repeat("x", models.MaxNeedsLen+1), "nul\x00"} {
		rec := ta.PostJSON(t, path, body(bad))
		got := ht.DecodeJSON[struct {
			Error  string
			Fields map[string]string
		}](t, rec)
		if rec.Code != http.StatusUnprocessableEntity || got.Error != "validation" || got.Fields["attendees[0].needs"] == "" {
			t.Errorf("needs %.20q: got %d %+v, want 422 on attendees[0].needs", bad, rec.Code, got)
		}
	}
	rec := ta.PostJSON(t, path, body("  Captions, please.  "))
	if rec.Code != http.StatusCreated {
		t.Fatalf("order: got %d %s", rec.Code, rec.Body.String())
	}
	if strings.Contains(rec.Body.String(), "Captions") {
		t.Error("the answer echoes personal data it does not need to")
	}
	out := ht.DecodeJSON[struct{ ID string }](t, rec)
	o, err := models.FindOrderByRef(t.Context(), ta.DB, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Attendees) != 2 || o.Attendees[0].Needs != "Captions, please." || o.Attendees[1].Needs != "" {
		t.Errorf("stored: got %+v, want trimmed needs on the first attendee only", o.Attendees)
	}
}
