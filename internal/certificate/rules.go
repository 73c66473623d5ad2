package certificate

import (
	"fmt"
	"math"
	"strconv"

	"github.com/hsworkshop/hsworkshop/models"
)

// Credit rule. A certificate states the hours attended and the CE credit
// hours earned: credit = hours attended, capped at the workshop's CE credit
// hours, rounded down to a half hour. A "present" mark with no hours means
// the whole session, i.e. the workshop's full CE hours. The half-hour unit
// follows CBP's rule that half a credit is the smallest unit (CBP Dec.
// 23-04, 88 FR 41224, 2023-06-23; 19 CFR 111.103), as of 2026-11-30.

// Credit is the CE credit earned for hours attended at a workshop worth ce
// credit hours.
func Credit(hours, ce float64) float64 {
	if hours <= 0 || ce <= 0 {
		return 0
	}
	return math.Floor(math.Min(hours, ce)*2) / 2
}

// FormatHours writes hours without trailing zeros: "6", "6.5".
func FormatHours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// PostTest is what is known about a candidate's post-test.
type PostTest int

// Post-test states.
const (
	PostTestNotRequired PostTest = iota // the workshop does not ask for one, or no checker is wired
	PostTestPassed
	PostTestNotPassed
	PostTestNoAccount // required, but no account has proven the attendee's email
)

// Decision is why an attendee does or does not qualify.
type Decision struct {
	Qualifies bool
	// Hours attended and Credit earned (when Qualifies).
	Hours  float64
	Credit float64
	// Reason explains a refusal in plain words; for a qualified attendee it
	// says how the credit was counted.
	Reason string
}

// Qualify applies the certificate rules to one attendee: the order must be
// paid (an unpaid invoice waits), the attendee marked present or partial
// with time attended, and, when the workshop requires it, the post-test
// passed. ok reports whether att holds a mark at all.
func Qualify(w models.WorkshopCE, orderStatus models.OrderStatus, att Attendance, marked bool, pt PostTest) Decision {
	if !marked {
		return Decision{Reason: "No attendance has been recorded."}
	}
	var hours float64
	switch att.Status {
	case Absent:
		return Decision{Reason: "Marked absent."}
	case Present:
		hours = att.Hours
		if hours <= 0 {
			hours = w.CECreditHours
		}
	case Partial:
		if att.Hours <= 0 {
			return Decision{Reason: "Marked partial with no hours attended."}
		}
		hours = att.Hours
	default:
		return Decision{Reason: fmt.Sprintf("Unknown attendance mark %q.", att.Status)}
	}
	credit := Credit(hours, w.CECreditHours)
	if w.CECreditHours > 0 && credit == 0 {
		return Decision{Hours: hours, Reason: "Attended less than half an hour: no credit to certify."}
	}
	switch pt {
	case PostTestNotPassed:
		return Decision{Hours: hours, Reason: "The post-test this workshop requires has not been passed."}
	case PostTestNoAccount:
		return Decision{Hours: hours, Reason: "The post-test is required, and no account uses this attendee's email to take it."}
	}
	if orderStatus != models.OrderPaid {
		return Decision{Hours: hours, Reason: "The order is not paid yet (invoice outstanding)."}
	}
	reason := "Present: full credit."
	if credit < w.CECreditHours {
		reason = fmt.Sprintf("Attended %s h: %s of %s credit hours.", FormatHours(hours), FormatHours(credit), FormatHours(w.CECreditHours))
	}
	return Decision{Qualifies: true, Hours: hours, Credit: credit, Reason: reason}
}
