package main

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/booking"
)

// Config is the whole process configuration, read once from the environment.
type Config struct {
	Addr                string
	BaseURL             string
	DatabaseURL         string
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIBase       string
	SMTPURL             string
	// MailLogOnly accepts running an https site without SMTP: mail stays in
	// the outbox and only its arrival is logged (MAIL_LOG_ONLY=true).
	MailLogOnly    bool
	MailFrom       string
	AdminEmail     string
	AdminPassword  string
	RateLimit      int
	TrustedProxies []string
	Dev            bool
	LogFormat      string
	HoldDuration   time.Duration
	// InvoiceSeatsPerIP caps the unpaid invoice seats one client IP may
	// hold (INVOICE_SEATS_PER_IP); load tests from one address raise it.
	InvoiceSeatsPerIP int
	InvoiceTerm       time.Duration
	OfferTTL          time.Duration
	JobsInterval      time.Duration
	Business          booking.Business
}

// configError names the variable at fault, so start-up fails with one clear line.
type configError struct{ name, problem string }

func (e *configError) Error() string { return e.name + ": " + e.problem }

// loadConfig reads and validates the configuration. getenv is os.Getenv in
// production and a map lookup in tests.
func loadConfig(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:                get("ADDR", ":8080"),
		BaseURL:             strings.TrimRight(get("BASE_URL", "http://localhost:8080"), "/"),
		DatabaseURL:         get("DATABASE_URL", "sqlite:hsworkshop.db"),
		StripeSecretKey:     get("STRIPE_SECRET_KEY", ""),
		StripeWebhookSecret: get("STRIPE_WEBHOOK_SECRET", ""),
		StripeAPIBase:       strings.TrimRight(get("STRIPE_API_BASE", ""), "/"),
		SMTPURL:             get("SMTP_URL", ""),
		MailFrom:            get("MAIL_FROM", "workshops@localhost"),
		AdminEmail:          get("ADMIN_EMAIL", ""),
		AdminPassword:       getenv("ADMIN_PASSWORD"),
		LogFormat:           get("LOG_FORMAT", "text"),
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return c, &configError{"ADDR", fmt.Sprintf("%q is not a listen address like :8080 or 127.0.0.1:8080", c.Addr)}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return c, &configError{"BASE_URL", fmt.Sprintf("%q is not an absolute http(s) URL like https://workshops.example.com", c.BaseURL)}
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, &configError{"DATABASE_URL", "must be sqlite:PATH or postgres://user@host/db"}
	}
	if c.DatabaseURL == "sqlite:" {
		return c, &configError{"DATABASE_URL", "sqlite: needs a file path, e.g. sqlite:hsworkshop.db"}
	}
	if c.StripeSecretKey != "" && c.StripeWebhookSecret == "" {
		return c, &configError{"STRIPE_WEBHOOK_SECRET", "is required when STRIPE_SECRET_KEY is set"}
	}
	if c.StripeSecretKey != "" && !strings.HasPrefix(c.StripeSecretKey, "sk_") && !strings.HasPrefix(c.StripeSecretKey, "rk_") {
		return c, &configError{"STRIPE_SECRET_KEY", "must be a Stripe secret key (sk_… or rk_…)"}
	}
	if c.StripeWebhookSecret != "" && !strings.HasPrefix(c.StripeWebhookSecret, "whsec_") {
		return c, &configError{"STRIPE_WEBHOOK_SECRET", "must be a webhook signing secret (whsec_…)"}
	}
	if c.StripeAPIBase != "" {
		if u, err := url.Parse(c.StripeAPIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return c, &configError{"STRIPE_API_BASE", fmt.Sprintf("%q is not an http(s) URL", c.StripeAPIBase)}
		}
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" {
			return c, &configError{"SMTP_URL", "must look like smtp://user:pass@host:587 or smtps://user:pass@host:465"}
		}
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || a.Address == "" {
		return c, &configError{"MAIL_FROM", fmt.Sprintf("%q is not an email address", c.MailFrom)}
	}
	if (c.AdminEmail == "") != (c.AdminPassword == "") {
		return c, &configError{"ADMIN_EMAIL", "ADMIN_EMAIL and ADMIN_PASSWORD must be set together"}
	}
	rl, err := strconv.Atoi(get("RATE_LIMIT", "60"))
	if err != nil || rl < 0 {
		return c, &configError{"RATE_LIMIT", "must be a whole number of requests per minute, 0 or more"}
	}
	c.RateLimit = rl
	if tp := get("TRUSTED_PROXIES", ""); tp != "" {
		for _, cidr := range strings.Split(tp, ",") {
			cidr = strings.TrimSpace(cidr)
			if !strings.Contains(cidr, "/") {
				if ip := net.ParseIP(cidr); ip != nil && ip.To4() != nil {
					cidr += "/32"
				} else if ip != nil {
					cidr += "/128"
				}
			}
			if _, _, err := net.ParseCIDR(cidr); err != nil {
				return c, &configError{"TRUSTED_PROXIES", fmt.Sprintf("%q is not an IP or CIDR", cidr)}
			}
			c.TrustedProxies = append(c.TrustedProxies, cidr)
		}
	}
	switch v := strings.ToLower(get("MAIL_LOG_ONLY", "")); v {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		c.MailLogOnly = true
	default:
		return c, &configError{"MAIL_LOG_ONLY", "must be true or false"}
	}
	// A public site that cannot send mail strands every reset and
	// confirmation link in the database: refuse unless asked explicitly.
	if strings.HasPrefix(c.BaseURL, "https://") && c.SMTPURL == "" && !c.MailLogOnly {
		return c, &configError{"SMTP_URL", "is required with an https:// BASE_URL (or set MAIL_LOG_ONLY=true to keep mail in the outbox)"}
	}
	switch v := strings.ToLower(get("DEV", "")); v {
	case "", "0", "false", "no":
	case "1", "true", "yes":
		c.Dev = true
	default:
		return c, &configError{"DEV", "must be true or false"}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, &configError{"LOG_FORMAT", "must be text or json"}
	}
	ints := []struct {
		name     string
		def      int
		min, max int
		unit     time.Duration
		dst      *time.Duration
		what     string
	}{
		{"HOLD_MINUTES", 35, 30, 1440, time.Minute, &c.HoldDuration, "minutes between 30 and 1440 (Stripe Checkout allows 30 min to 24 h)"},
		{"INVOICE_TERM_DAYS", 14, 1, 90, 24 * time.Hour, &c.InvoiceTerm, "days between 1 and 90"},
		{"WAITLIST_OFFER_HOURS", 24, 1, 168, time.Hour, &c.OfferTTL, "hours between 1 and 168"},
		{"JOBS_INTERVAL_SECONDS", 30, 1, 3600, time.Second, &c.JobsInterval, "seconds between 1 and 3600"},
	}
	n, err := strconv.Atoi(get("INVOICE_SEATS_PER_IP", strconv.Itoa(booking.MaxOpenSeatsPerIP)))
	if err != nil || n < 1 || n > 1000000 {
		return c, &configError{"INVOICE_SEATS_PER_IP", "must be a whole number between 1 and 1000000"}
	}
	c.InvoiceSeatsPerIP = n
	for _, it := range ints {
		n, err := strconv.Atoi(get(it.name, strconv.Itoa(it.def)))
		if err != nil || n < it.min || n > it.max {
			return c, &configError{it.name, "must be a whole number of " + it.what}
		}
		*it.dst = time.Duration(n) * it.unit
	}
	c.Business = booking.Business{Name: get("BUSINESS_NAME", "hsworkshop"), Email: c.MailFrom,
		PaymentInstructions: get("INVOICE_PAYMENT_INSTRUCTIONS", "Pay by bank transfer, quoting the invoice number. For bank details or to pay by card, reply to the invoice email.")}
	if addr := get("BUSINESS_ADDRESS", ""); addr != "" {
		for _, line := range strings.Split(addr, "|") {
			if line = strings.TrimSpace(line); line != "" {
				c.Business.Address = append(c.Business.Address, line)
			}
		}
	}
	return c, nil
}
