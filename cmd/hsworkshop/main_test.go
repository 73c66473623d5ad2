package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hsworkshop/hsworkshop/internal/testdb"
	"github.com/hsworkshop/hsworkshop/models"
)

func env(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

func TestLoadConfigDefaults(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.DatabaseURL != "sqlite:hsworkshop.db" ||
		c.RateLimit != 60 || c.MailFrom != "workshops@localhost" || c.StripeSecretKey != "" {
		t.Errorf("defaults: %+v", c)
	}
	h := c.handlersConfig()
	if h.SMTPEnabled || h.RateLimit != 60 {
		t.Errorf("handlers config: %+v", h)
	}
}

func TestLoadConfigRejectsBadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env     map[string]string
		varName string
	}{
		{map[string]string{"ADDR": "eighty"}, "ADDR"},
		{map[string]string{"BASE_URL": "localhost:8080"}, "BASE_URL"},
		{map[string]string{"BASE_URL": "ftp://x"}, "BASE_URL"},
		{map[string]string{"DATABASE_URL": "mysql://db"}, "DATABASE_URL"},
		{map[string]string{"DATABASE_URL": "sqlite:"}, "DATABASE_URL"},
		{map[string]string{"STRIPE_SECRET_KEY": "sk_test_123"}, "STRIPE_WEBHOOK_SECRET"},
		{map[string]string{"STRIPE_SECRET_KEY": "pk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_x"}, "STRIPE_SECRET_KEY"},
		{map[string]string{"STRIPE_SECRET_KEY": "sk_test_1", "STRIPE_WEBHOOK_SECRET": "secret"}, "STRIPE_WEBHOOK_SECRET"},
		{map[string]string{"STRIPE_API_BASE": "localhost:12111"}, "STRIPE_API_BASE"},
		{map[string]string{"SMTP_URL": "mail.example.com:25"}, "SMTP_URL"},
		{map[string]string{"MAIL_FROM": "not an address"}, "MAIL_FROM"},
		{map[string]string{"ADMIN_EMAIL": "a@example.com"}, "ADMIN_EMAIL"},
		{map[string]string{"RATE_LIMIT": "-1"}, "RATE_LIMIT"},
		{map[string]string{"RATE_LIMIT": "lots"}, "RATE_LIMIT"},
		{map[string]string{"TRUSTED_PROXIES": "10.0.0.0/33"}, "TRUSTED_PROXIES"},
		{map[string]string{"DEV": "maybe"}, "DEV"},
		{map[string]string{"BASE_URL": "https://workshops.example.com"}, "SMTP_URL"},
		{map[string]string{"MAIL_LOG_ONLY": "perhaps"}, "MAIL_LOG_ONLY"},
	} {
		_, err := loadConfig(env(tc.env))
		var ce *configError
		if !errors.As(err, &ce) || ce.name != tc.varName {
			t.Errorf("%v: got %v, want an error naming %s", tc.env, err, tc.varName)
			continue
		}
		if strings.Contains(err.Error(), "\n") || !strings.HasPrefix(err.Error(), tc.varName+": ") {
			t.Errorf("%v: message %q is not one line starting with the variable", tc.env, err)
		}
	}
}

func TestLoadConfigAcceptsGoodValues(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(map[string]string{
		"ADDR": "127.0.0.1:9000", "BASE_URL": "https://workshops.example.com/", "DATABASE_URL": "postgres://u@db/hsw",
		"STRIPE_SECRET_KEY": "sk_test_abc", "STRIPE_WEBHOOK_SECRET": "whsec_abc", "STRIPE_API_BASE": "http://localhost:12111",
		"SMTP_URL": "smtp://user:pass@mail.example.com:587", "MAIL_FROM": "Workshops <workshops@example.com>",
		"RATE_LIMIT": "0", "TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.1", "DEV": "true",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "https://workshops.example.com" || c.RateLimit != 0 || len(c.TrustedProxies) != 2 || c.TrustedProxies[1] != "192.168.1.1/32" || !c.Dev {
		t.Errorf("parsed: %+v", c)
	}
	if !c.handlersConfig().SMTPEnabled {
		t.Error("SMTP not enabled")
	}
}

// TestBadConfigStopsStartup runs the real entry point: a bad variable makes
// serve return before opening anything, with a message naming it.
func TestBadConfigStopsStartup(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve"}, env(map[string]string{"RATE_LIMIT": "fast", "DATABASE_URL": "sqlite:" + t.TempDir() + "/x.db"}), nil, &out)
	if err == nil || err.Error() != "RATE_LIMIT: must be a whole number of requests per minute, 0 or more" {
		t.Fatalf("got %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, env(nil), nil, &out); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
}

func TestMigrateSeedAndAdminCommands(t *testing.T) {
	t.Parallel()
	dsn := testdb.DSN(t)
	e := env(map[string]string{"DATABASE_URL": dsn})
	var out bytes.Buffer
	if err := run(context.Background(), []string{"migrate"}, e, nil, &out); err != nil || !strings.Contains(out.String(), "0001_init") {
		t.Fatalf("migrate: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"seed"}, e, nil, &out); err != nil || !strings.Contains(out.String(), "seeded the demo catalog") {
		t.Fatalf("seed: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"seed"}, e, nil, &out); err != nil || !strings.Contains(out.String(), "nothing seeded") {
		t.Fatalf("second seed: %v %q", err, out.String())
	}
	out.Reset()
	err := run(context.Background(), []string{"admin", "create", "-email", "Boss@Example.com", "-name", "Boss"}, e, strings.NewReader("a very long admin passphrase\n"), &out)
	if err != nil || !strings.Contains(out.String(), "created admin boss@example.com") {
		t.Fatalf("admin create: %v %q", err, out.String())
	}
	if err := run(context.Background(), []string{"admin", "create", "-email", "x@example.com"}, e, strings.NewReader("short\n"), &out); err == nil {
		t.Error("short admin password accepted")
	}
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	// migrate synced the lessons and seed attached the demo prework.
	if ls, err := models.ListLessonsInOrder(context.Background(), db); err != nil || len(ls) < 28 {
		t.Errorf("lessons after migrate: got %d (%v), want at least 28", len(ls), err)
	}
	var prework int64
	if err := db.Model(&models.WorkshopPrework{}).Count(&prework).Error; err != nil || prework == 0 {
		t.Errorf("prework after seed: got %d (%v), want some", prework, err)
	}
	u, err := models.FindUserByEmail(context.Background(), db, "boss@example.com")
	if err != nil || u.Role != models.RoleAdmin || !models.NewPasswords(models.DefaultPasswordCost).Check(u, "a very long admin passphrase") {
		t.Fatalf("admin user: %v %+v", err, u)
	}
}

// TestServeStartsAndShutsDown starts the whole server on a free port with a
// fresh database, checks it answers, then cancels the context (as SIGTERM
// does) and expects a clean return.
func TestServeStartsAndShutsDown(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	dsn := testdb.DSN(t)
	go func() {
		done <- run(ctx, nil, env(map[string]string{"ADDR": addr, "DATABASE_URL": dsn,
			"ADMIN_EMAIL": "ops@example.com", "ADMIN_PASSWORD": "operations passphrase"}), nil, io.Discard)
	}()
	// Start-up loads the tariff index, which is slow under -race on a busy
	// machine: wait generously, but stop at once if run returned early.
	var resp *http.Response
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); {
		resp, err = http.Get(fmt.Sprintf("http://%s/healthz", addr))
		if err == nil {
			break
		}
		select {
		case rerr := <-done:
			t.Fatalf("serve returned before answering: %v", rerr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	if err != nil {
		cancel()
		t.Fatalf("server never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	resp, err = http.Get(fmt.Sprintf("http://%s/api/v1/sessions", addr))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("sessions API on a fresh database: %v", err)
	}
	resp.Body.Close()
	if err := run(ctx, []string{"healthcheck"}, env(map[string]string{"ADDR": addr}), nil, io.Discard); err != nil {
		t.Errorf("healthcheck against a live server: %v", err)
	}
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	if u, err := models.FindUserByEmail(ctx, db, "ops@example.com"); err != nil || u.Role != models.RoleAdmin {
		t.Errorf("ADMIN_EMAIL bootstrap: %v %+v", err, u)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not shut down within 15 s")
	}
	if err := run(context.Background(), []string{"healthcheck"}, env(map[string]string{"ADDR": addr}), nil, io.Discard); err == nil {
		t.Error("healthcheck passed with the server stopped")
	}
}

func TestBookingConfig(t *testing.T) {
	t.Parallel()
	c, err := loadConfig(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HoldDuration != 35*time.Minute || c.InvoiceTerm != 14*24*time.Hour || c.OfferTTL != 24*time.Hour || c.Business.Name != "hsworkshop" || c.InvoiceSeatsPerIP != 40 {
		t.Errorf("defaults: %+v", c)
	}
	for _, kv := range []map[string]string{{"HOLD_MINUTES": "29"}, {"HOLD_MINUTES": "1441"}, {"INVOICE_TERM_DAYS": "0"}, {"WAITLIST_OFFER_HOURS": "x"},
		{"INVOICE_SEATS_PER_IP": "0"}, {"INVOICE_SEATS_PER_IP": "many"}} {
		var ce *configError
		if _, err := loadConfig(env(kv)); !errors.As(err, &ce) {
			t.Errorf("%v accepted", kv)
		}
	}
	c, err = loadConfig(env(map[string]string{"BUSINESS_ADDRESS": "1 Harbor Way | Newark, NJ 07114", "HOLD_MINUTES": "60"}))
	if err != nil || len(c.Business.Address) != 2 || c.Business.Address[1] != "Newark, NJ 07114" || c.handlersConfig().HoldDuration != time.Hour {
		t.Errorf("address: %v %+v", err, c.Business)
	}
}

func TestOrdersCommands(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.DSN(t)
	e := env(map[string]string{"DATABASE_URL": dsn})
	if err := run(ctx, []string{"seed"}, e, nil, io.Discard); err != nil {
		t.Fatal(err)
	}
	db, err := models.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	s, err := models.FindSession(ctx, db, 1)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := models.FindOrCreateGuest(ctx, db, "ap@importer.example", "Accounts", "Importer")
	o, err := models.CreateOrder(ctx, db, models.NewOrder{Session: s, UserID: u.ID, BuyerName: "Accounts", BuyerEmail: u.Email,
		Attendees: []models.AttendeeInput{{Name: "A", Email: "a@importer.example"}}, Method: models.PayByInvoice,
		Quote: models.PriceOrder(*s, 1, nil, time.Now()), HoldUntil: s.StartsAt, Now: time.Now()}, models.TakeSeats)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"orders", "unpaid"}, e, nil, &out); err != nil || !strings.Contains(out.String(), *o.InvoiceNumber) {
		t.Fatalf("unpaid: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"orders", "mark-paid", *o.InvoiceNumber}, e, nil, &out); err != nil || !strings.Contains(out.String(), "marked paid") {
		t.Fatalf("mark-paid: %v %q", err, out.String())
	}
	got, _ := models.FindOrder(ctx, db, o.ID)
	var n int64
	db.Model(&models.Email{}).Where("dedupe_key = ?", fmt.Sprintf("order_confirmation:%d", o.ID)).Count(&n)
	if got.Status != models.OrderPaid || n != 1 {
		t.Errorf("after mark-paid: %s, %d confirmations", got.Status, n)
	}
	if err := run(ctx, []string{"orders", "mark-paid", "INV-999999"}, e, nil, &out); err == nil {
		t.Error("unknown invoice accepted")
	}
	if err := run(ctx, []string{"orders", "mark-paid", *o.InvoiceNumber}, e, nil, &out); err == nil {
		t.Error("paying twice accepted")
	}
}
