package tariff

import (
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/handlers/web"
	"github.com/hsworkshop/hsworkshop/internal/duty"
	"github.com/hsworkshop/hsworkshop/templates"
)

// TestDutyResultRendersWithZeroData renders the result part with an
// empty result, which the zero-data test of every page does not reach.
func TestDutyResultRendersWithZeroData(t *testing.T) {
	t.Parallel()
	tpl, err := web.NewRenderer(templates.FS, web.TemplateFuncs(map[string]string{}, web.NewMarkdown()), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	pd := web.PageData{Data: dutyPage{Result: &duty.Result{Layers: []duty.Layer{{}}}}, Errors: map[string]string{}}
	if err := tpl.Render(&buf, web.TplDutyCalculator, pd, nil); err != nil {
		t.Fatalf("render: %v", err)
	}
}

// TestTooManyRows counts data rows as CSV records, so a quoted line break
// does not count twice and the header does not count at all.
func TestTooManyRows(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		want bool
	}{
		{"h\n1\n2\n", false},
		{"h\n1\n2\n3\n", true},
		{"h\n\"a\nb\"\n2\n", false},
		{"", false},
	} {
		if got := tooManyRows([]byte(tc.body), 2); got != tc.want {
			t.Errorf("tooManyRows(%q, 2): got %v, want %v", tc.body, got, tc.want)
		}
	}
}
