package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/hsworkshop/hsworkshop/internal/backup"
)

// cmdBackup handles "backup [-replace] FILE": a consistent online copy of
// the SQLite database, taken while the server keeps running. PostgreSQL is
// refused with the pg_dump command to use instead.
func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	replace := fs.Bool("replace", false, "replace FILE if it exists")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: hsworkshop backup [-replace] FILE")
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	res, err := backup.Run(ctx, cfg.DatabaseURL, fs.Arg(0), backup.Options{Replace: *replace})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes, integrity ok)\n", cfg.DatabaseURL, res.Path, res.Bytes)
	return nil
}
