package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/internal/quizsvc"
	"github.com/hsworkshop/hsworkshop/models"
)

const quizUsage = `usage:
  hsworkshop quiz check
      Check every tariff-code key of the quiz bank (the content files and the
      staff-edited items in the database) against the bundled tariff edition,
      and list the keys that the newest imported edition deleted, split or
      reworded. Keys missing from the bundled edition fail the command.`

func cmdQuiz(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) != 1 || args[0] != "check" {
		return fmt.Errorf("quiz: want the subcommand check\n%s", quizUsage)
	}
	_, db, err := openDB(ctx, getenv)
	if err != nil {
		return err
	}
	defer models.Close(db) //nolint:errcheck // closing on exit
	bundled, err := hts.LoadBundled(content.FS)
	if err != nil {
		return fmt.Errorf("quiz check: %w", err)
	}
	latest, err := hts.Load(ctx, db, content.FS)
	if err != nil {
		return fmt.Errorf("quiz check: %w", err)
	}
	fileBank, err := quiz.LoadBank(content.FS)
	if err != nil {
		return fmt.Errorf("quiz check: %w", err)
	}
	banks := []struct {
		name string
		bank *quiz.Bank
	}{{"content/quiz", fileBank}}
	svc := quizsvc.New(quizsvc.Deps{DB: db, HTS: bundled, Content: content.FS})
	dbBank, err := svc.Bank(ctx)
	if err != nil {
		return fmt.Errorf("quiz check: %w", err)
	}
	banks = append(banks, struct {
		name string
		bank *quiz.Bank
	}{"database items", dbBank})
	failed := false
	for _, b := range banks {
		r := quiz.Check(b.bank, bundled, latest)
		fmt.Fprintf(stdout, "%s: %d questions checked against %s\n", b.name, b.bank.Len(), r.Pinned)
		for _, p := range r.Problems {
			fmt.Fprintf(stdout, "  PROBLEM %s\n", p)
		}
		if r.Latest != "" {
			fmt.Fprintf(stdout, "  compared with the newest imported edition %s: %d key(s) changed\n", r.Latest, len(r.Changes))
			for _, c := range r.Changes {
				fmt.Fprintf(stdout, "  CHANGED %s\n", c)
			}
		}
		failed = failed || !r.OK()
	}
	if failed {
		return errors.New("quiz check: some keys do not hold in the bundled edition")
	}
	fmt.Fprintln(stdout, "quiz check: every key holds")
	return nil
}

// quizEdition is the tariff edition quiz keys are checked against. The keys are
// pinned to the bundled edition, so grading uses it even when the server
// shows a newer imported one (which then costs a second index in memory).
func quizEdition(shown *hts.Index) (*hts.Index, error) {
	if shown.Edition().Bundled {
		return shown, nil
	}
	pinned, err := hts.LoadBundled(content.FS)
	if err != nil {
		return nil, fmt.Errorf("load the bundled tariff edition for quizzes: %w", err)
	}
	return pinned, nil
}
