package quizsvc_test

import (
	"context"
	"testing"

	"github.com/hsworkshop/hsworkshop/internal/quiz"
)

// BenchmarkSubmitExam measures submitting a CBLE simulation of 80 saved
// answers through the service: loading the attempt, grading every item
// and writing the results in one transaction (SQLite, or PostgreSQL with
// TEST_DATABASE_URL). Each iteration starts and answers a fresh exam
// outside the timer.
func BenchmarkSubmitExam(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b)
	u := f.user(b, "bench@example.com")
	for b.Loop() {
		b.StopTimer()
		a, err := f.svc.Start(ctx, u, "exam:cble")
		if err != nil {
			b.Fatal(err)
		}
		for pos := 1; pos <= a.Questions; pos++ {
			if _, err := f.svc.Answer(ctx, u.ID, a.ID, pos, quiz.Answer{Text: "8471.30.01", Choices: []string{"a"}}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		if _, err := f.svc.Submit(ctx, u.ID, a.ID); err != nil {
			b.Fatal(err)
		}
	}
}
