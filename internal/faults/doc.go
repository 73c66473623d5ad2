// Package faults holds the fault suites: black-box tests that build the
// real hsworkshop binary, run it as `hsworkshop serve` processes and talk
// HTTP to them while they are killed, cut off from their database, backed
// up, or paired with a slow or failing Stripe. They rely only on the stable
// interfaces (environment variables, /healthz, the JSON API, the Stripe
// webhook, the CLI) and on the database tables, so they survive changes to
// the code's layout.
//
// The normal `go test` run keeps every suite short (the package finishes
// in about a minute on two cores); FAULTS_HEAVY=1 runs longer, heavier
// variants. Suites on PostgreSQL run when TEST_DATABASE_URL is set.
//
// Only tests live here; they import internal/testdb and internal/testsvc
// (test databases, stripe-mock) and no application package.
package faults
