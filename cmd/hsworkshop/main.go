// Command hsworkshop runs the hsworkshop web platform and its operator tasks:
//
//	hsworkshop [serve]                  start the web server (the default)
//	hsworkshop migrate                  apply database migrations
//	hsworkshop seed                     fill an empty database with the demo catalog
//	hsworkshop admin create -email E    create or promote an admin (password from
//	                                    ADMIN_PASSWORD or the first line of stdin)
//	hsworkshop orders mark-paid INV-…    confirm a paid invoice (staff)
//	hsworkshop hts import -edition E F  load a newer USITC HTS export (CSV, or gzipped)
//	hsworkshop hts editions             list the imported HTS editions
//	hsworkshop backup [-replace] FILE   consistent online copy of a SQLite database
//	hsworkshop healthcheck              probe the local server (for container health checks)
//
// Configuration comes from environment variables; see README.md.
//
// Layout: main.go dispatches, config.go reads the environment, wire.go
// builds the services, one file per command; serve.go is the only file that
// imports the web handlers (TestOnlyServeImportsHandlers).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // session zones must resolve even on images without tzdata
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "hsworkshop:", err)
		stop()
		os.Exit(1)
	}
}

// run dispatches a subcommand. Everything it needs comes in as arguments,
// so tests can drive it without touching the process environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return cmdServe(ctx, args, getenv, stdout)
	case "migrate":
		return cmdMigrate(ctx, getenv, stdout)
	case "seed":
		return cmdSeed(ctx, getenv, stdout)
	case "admin":
		return cmdAdmin(ctx, args, getenv, stdin, stdout)
	case "orders":
		return cmdOrders(ctx, args, getenv, stdout)
	case "hts":
		return cmdHTS(ctx, args, getenv, stdout)
	case "backup":
		return cmdBackup(ctx, args, getenv, stdout)
	case "healthcheck":
		return cmdHealthcheck(ctx, getenv)
	case "quiz":
		return cmdQuiz(ctx, args, getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: hsworkshop [command]
  serve                 start the web server (default)
  quiz check            check the quiz bank's tariff-code keys
  migrate               apply database migrations
  seed                  fill an empty database with the demo catalog
  admin create -email E [-name N]
                        create or promote an admin; the password is read from
                        ADMIN_PASSWORD or the first line of standard input
  orders unpaid         list invoices awaiting payment
  orders mark-paid INV  confirm an invoice order once its payment arrived
  hts import -edition NAME [-source S] [-as-of DATE] FILE
                        load a newer USITC HTS export (same columns; CSV or
                        .csv.gz); the tariff browser shows the newest edition
  hts editions          list the imported HTS editions
  backup [-replace] FILE
                        consistent copy of a live SQLite database (VACUUM INTO);
                        for PostgreSQL use pg_dump (README "Backups")
  healthcheck           exit 0 if the local server's /healthz answers 200
`
