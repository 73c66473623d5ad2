package mail

import (
	"github.com/hsworkshop/hsworkshop/models"
)

// Message kinds, one set of templates each (templates/<kind>.subject.txt,
// <kind>.txt, <kind>.html).
const (
	KindPasswordReset        = "password_reset"
	KindOrderConfirmation    = "order_confirmation"    // to the buyer: order paid, all attendees, .ics attached
	KindAttendeeConfirmation = "attendee_confirmation" // to each attendee (not the buyer): your seat, .ics attached
	KindInvoice              = "invoice"               // to the billing address: invoice PDF attached, seats held until due
	KindWaitlistJoined       = "waitlist_joined"       // to the person who joined
	KindWaitlistOffer        = "waitlist_offer"        // seats reserved for you until …; claim link
	KindReminder             = "session_reminder"      // to each attendee 24 h before the start
	KindCancellation         = "order_cancellation"    // to the buyer: order or attendee cancelled, refund amount
	KindOrderExpired         = "order_expired"         // to the buyer: hold or invoice lapsed, seats released
	KindCertificate          = "certificate_issued"    // to the attendee: certificate of attendance PDF attached
	KindEmailVerification    = "email_verification"    // to a new account: prove the address (single-use link)
	KindOrderVerification    = "order_verification"    // to an unproven invoice buyer: confirm the order (single-use link)
)

// Kinds lists every message kind, in the order above.
func Kinds() []string {
	return []string{KindPasswordReset, KindOrderConfirmation, KindAttendeeConfirmation, KindInvoice,
		KindWaitlistJoined, KindWaitlistOffer, KindReminder, KindCancellation, KindOrderExpired,
		KindCertificate, KindStaffNotice, KindEmailVerification, KindOrderVerification}
}

// Site is what every message needs about the business.
type Site struct {
	Name    string // "hsworkshop"
	BaseURL string // no trailing slash
	From    string // MAIL_FROM, for "reply to" wording
}

// SessionInfo is a session as shown in a message, pre-formatted in the
// session's own zone so templates need no time logic.
type SessionInfo struct {
	Title      string // workshop title
	When       string // "Tue 8 Dec 2026, 09:00–16:30 EST"
	TimeZone   string // IANA name
	Format     string // "Live online" / "In person" / "Hybrid"
	Location   string // venue/address/city, or "Online"
	Instructor string
	URL        string // public session page
	// Private details, filled only for confirmed attendees.
	JoinURL     string
	RoomDetails string
}

// OrderData feeds order_confirmation, invoice, order_cancellation and
// order_expired.
type OrderData struct {
	Site     Site
	Session  SessionInfo
	Order    models.Order // with Attendees
	OrderURL string       // the buyer's order page (carries the secret ref)
	// Invoice fields (invoice kind).
	InvoiceURL string // PDF download
	DueDate    string // formatted in the session zone
	// Cancellation fields.
	CancelledNames []string     // attendees cancelled by this action (empty: whole order)
	Refund         models.Money // refund issued by this action (zero for invoices)
	Fee            models.Money // fee kept by this action
}

// AttendeeData feeds attendee_confirmation and session_reminder.
type AttendeeData struct {
	Site      Site
	Session   SessionInfo
	Attendee  models.Attendee
	BuyerName string
	OrderURL  string
}

// WaitlistData feeds waitlist_joined and waitlist_offer.
type WaitlistData struct {
	Site     Site
	Session  SessionInfo
	Entry    models.WaitlistEntry
	ClaimURL string // waitlist_offer only
	Expires  string // formatted in the session zone (waitlist_offer only)
	Position int    // waitlist_joined: place in the queue
}

// ResetData feeds password_reset and email_verification.
type ResetData struct {
	Name string
	Link string
}

// KindStaffNotice is a message staff send to attendees of a session: a
// changed time (with the updated invoice .ics), a cancelled session, or a
// bulk message from the roster page.
const KindStaffNotice = "staff_notice"

// NoticeData feeds staff_notice.
type NoticeData struct {
	Site    Site
	Session SessionInfo
	Name    string // the recipient
	Subject string
	Body    string // plain text, paragraphs separated by blank lines
}

// OrderVerificationData feeds order_verification.
type OrderVerificationData struct {
	Site    Site
	Session SessionInfo
	Order   models.Order
	Link    string // single-use confirmation link
	Expires string // when the short hold ends, in the session zone
}
