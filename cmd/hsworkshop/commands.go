package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/learn"
	"github.com/hsworkshop/hsworkshop/internal/seed"
	"github.com/hsworkshop/hsworkshop/models"
)

// openDB loads config, opens the database and applies migrations.
func openDB(ctx context.Context, getenv func(string) string) (Config, *gorm.DB, error) {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return cfg, nil, err
	}
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return cfg, nil, err
	}
	if err := models.Migrate(ctx, db); err != nil {
		_ = models.Close(db)
		return cfg, nil, err
	}
	return cfg, db, nil
}

// syncLessons loads the embedded lessons into the database (staff-edited
// lessons are kept); serve, migrate and seed run it after Migrate.
func syncLessons(ctx context.Context, db *gorm.DB) (learn.SyncResult, error) {
	return learn.Sync(ctx, db, content.FS, learn.NewRenderer())
}

func newLogger(cfg Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// bootstrapAdmin creates the ADMIN_EMAIL admin when no admin exists yet.
func bootstrapAdmin(ctx context.Context, db *gorm.DB, cfg Config, log *slog.Logger) error {
	n, err := models.CountAdmins(ctx, db)
	if err != nil || n > 0 {
		return err
	}
	hash, err := models.NewPasswords(models.DefaultPasswordCost).Hash(cfg.AdminPassword)
	if err != nil {
		return fmt.Errorf("ADMIN_PASSWORD: %w", err)
	}
	if _, err := models.EnsureAdmin(ctx, db, cfg.AdminEmail, "", hash); err != nil {
		return fmt.Errorf("ADMIN_EMAIL: %w", err)
	}
	log.Info("created admin from ADMIN_EMAIL", "email", cfg.AdminEmail)
	return nil
}

func cmdMigrate(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	pending, err := models.PendingMigrations(ctx, db)
	if err != nil {
		return err
	}
	if err := models.Migrate(ctx, db); err != nil {
		return err
	}
	if _, err := syncLessons(ctx, db); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s)%s\n", len(pending), strings.Join(append([]string{""}, pending...), "\n  "))
	return nil
}

func cmdSeed(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	_, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	if _, err := syncLessons(ctx, db); err != nil {
		return err
	}
	seeded, err := seed.IfEmpty(ctx, db, time.Now())
	if err != nil {
		return err
	}
	if seeded {
		fmt.Fprintln(stdout, "seeded the demo catalog")
	} else {
		fmt.Fprintln(stdout, "the database already has workshops; nothing seeded")
	}
	return nil
}

func cmdAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: hsworkshop admin create -email E [-name N]")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	email := fs.String("email", "", "the admin's email address")
	name := fs.String("name", "", "the admin's name")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("admin create: -email is required")
	}
	password := getenv("ADMIN_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("admin create: read password: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	if p := models.PasswordProblem(password); p != "" {
		return fmt.Errorf("admin create: password: %s", p)
	}
	_, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	hash, err := models.NewPasswords(models.DefaultPasswordCost).Hash(password)
	if err != nil {
		return err
	}
	created, err := models.EnsureAdmin(ctx, db, *email, *name, hash)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "created admin %s\n", models.NormalizeEmail(*email))
	} else {
		fmt.Fprintf(stdout, "%s is now an admin with the new password\n", models.NormalizeEmail(*email))
	}
	return nil
}

// cmdHealthcheck asks the server on ADDR for /healthz; distroless images
// have no curl, so the binary probes itself.
func cmdHealthcheck(ctx context.Context, getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: status %d", resp.StatusCode)
	}
	return nil
}
