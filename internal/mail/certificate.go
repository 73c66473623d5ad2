package mail

// CertificateData feeds certificate_issued: the attendee's certificate of
// attendance, attached as a PDF, with its public verification address.
type CertificateData struct {
	Site            Site
	Name            string // holder
	Course          string // workshop title
	Dates           string // session date(s) in the session's zone
	CreditHours     string // "6.5"
	AccreditationID string // may be empty
	Code            string // verification code
	VerifyURL       string // public verification page
	DownloadURL     string // PDF download for the holder (log-in needed)
}
