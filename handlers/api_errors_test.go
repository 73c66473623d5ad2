package handlers_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	ht "github.com/hsworkshop/hsworkshop/handlers/handlertest"
)

// TestAPIValidationShape checks that every API endpoint answers field
// errors the same way: 422 {"error":"validation","fields":{…}} naming the
// field as the caller sent it, including a malformed path parameter.
func TestAPIValidationShape(t *testing.T) {
	t.Parallel()
	shape := func(field string) func(*testing.T, *ht.App, *httptest.ResponseRecorder) {
		return func(t *testing.T, _ *ht.App, rec *httptest.ResponseRecorder) {
			var body struct {
				Error  string            `json:"error"`
				Fields map[string]string `json:"fields"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body.String(), err)
			}
			if body.Error != "validation" || body.Fields[field] == "" {
				t.Errorf("got error %q fields %v, want validation with %q", body.Error, body.Fields, field)
			}
		}
	}
	ht.Run(t, []ht.Scenario{
		{Name: "duty query", Req: ht.Request{Path: "/api/v1/duty?code=12&country=CA&date=2025-07-01&value=100"}, WantStatus: 422, Check: shape("code")},
		{Name: "tariff search query", Req: ht.Request{Path: "/api/v1/hts/search?q=tea&limit=99"}, WantStatus: 422, Check: shape("limit")},
		{Name: "tariff lookup path", Req: ht.Request{Path: "/api/v1/hts/84x1"}, WantStatus: 422, Check: shape("code")},
		{Name: "order body", Setup: func(t *testing.T, ta *ht.App) { ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB)) },
			Req:        ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: `{"buyer":{"name":"","email":"a@b.example"},"attendees":[{"name":"A","email":"a@b.example"}],"payment_method":"invoice"}`},
			WantStatus: 422, Check: shape("buyer.name")},
		{Name: "unreadable body is 400", Setup: func(t *testing.T, ta *ht.App) { ht.MustSession(t, ta.DB, ht.MustWorkshop(t, ta.DB)) },
			Req: ht.Request{Method: "POST", Path: "/api/v1/sessions/1/orders", Body: `{`}, WantStatus: 400},
		{Name: "well-formed unknown code is 404", Req: ht.Request{Path: "/api/v1/hts/0101.99.99"}, WantStatus: 404, WantBody: []string{`"error":"not_found"`}},
	}, ht.WithHTS(t))
}
