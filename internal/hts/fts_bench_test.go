//go:build bench && sqlite_fts5

package hts

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/hsworkshop/hsworkshop/models"
)

// TestFTS5Comparison measures the alternative the README weighs against
// the in-memory engine: SQLite FTS5 with the porter stemmer and bm25 over
// each line's description and printed path, queried with the evaluation
// set. It reports the same quality metrics and the query latency on one
// connection (the app's SQLite pool has one). Run it with
//
//	go test -tags 'bench sqlite_fts5' -run TestFTS5Comparison -count=1 -v ./internal/hts/
func TestFTS5Comparison(t *testing.T) {
	ix := testIndex(t)
	db, err := models.Open("sqlite:" + filepath.Join(t.TempDir(), "fts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	ctx := context.Background()
	if err := db.Exec(`CREATE VIRTUAL TABLE lines USING fts5(code UNINDEXED, description, path, tokenize='porter unicode61')`).Error; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = db.Transaction(func(tx *gorm.DB) error {
		for _, l := range ix.Lines() {
			if err := tx.Exec(`INSERT INTO lines(code, description, path) VALUES (?, ?, ?)`, l.Code, l.Description+" "+l.HSDescription, strings.Join(l.Path, " ")).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("FTS5 build: %d rows in %s", ix.Len(), time.Since(start).Round(time.Millisecond))

	sets := []struct {
		name  string
		items []evalItem
	}{{"short names", loadEval(t)}, {"rulings dev", loadRulingEval(t, "dev")}, {"rulings test", loadRulingEval(t, "test")}}
	var lat []time.Duration
	for _, set := range sets {
		top1, top5, top10 := 0, 0, 0
		for _, it := range set.items {
			var terms []string
			for _, w := range plainTokens(it.Q) {
				terms = append(terms, `"`+w+`"`)
			}
			q := strings.Join(terms, " OR ")
			var got []string
			t0 := time.Now()
			for range 5 {
				got = got[:0]
				// description weighs 1, path 0.5, as in the engine.
				if err := db.WithContext(ctx).Raw(`SELECT code FROM lines WHERE lines MATCH ? ORDER BY bm25(lines, 0, 1.0, 0.5) LIMIT 10`, q).Scan(&got).Error; err != nil {
					t.Fatalf("%q: %v", q, err)
				}
			}
			lat = append(lat, time.Since(t0)/5)
			under := func(k int, codes []string) bool {
				for i, c := range got {
					for _, want := range codes {
						if i < k && strings.HasPrefix(strings.ReplaceAll(c, ".", ""), strings.ReplaceAll(want, ".", "")) {
							return true
						}
					}
				}
				return false
			}
			if under(1, it.Headings) {
				top1++
			}
			if under(5, it.Headings) {
				top5++
			}
			if under(10, it.Subheadings) {
				top10++
			}
		}
		n := float64(len(set.items))
		t.Logf("FTS5 porter bm25 (desc+HS text, path at half) %-13s n=%3d  top-1 heading %5.1f%%  top-5 heading %5.1f%%  top-10 subheading %5.1f%%",
			set.name, len(set.items), 100*float64(top1)/n, 100*float64(top5)/n, 100*float64(top10)/n)
		for _, r := range []evalResult{evaluate(ix, set.items, "engine, flat line ranking", Options{Flat: true}), evaluate(ix, set.items, "engine", Options{})} {
			t.Logf("%-45s %-13s n=%3d  top-1 heading %5.1f%%  top-5 heading %5.1f%%  top-10 subheading %5.1f%%",
				r.Name, set.name, r.N, 100*r.Top1Heading, 100*r.Top5Heading, 100*r.Top10Subheading)
		}
	}
	slices.Sort(lat)
	t.Logf("FTS5 query latency, one connection, sequential: p50 %s  p90 %s  p99 %s  max %s",
		lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*9/10].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	items := append(append(append([]evalItem(nil), sets[0].items...), sets[1].items...), sets[2].items...)
	var elat []time.Duration
	for _, it := range items {
		t0 := time.Now()
		for range 5 {
			ix.Search(it.Q, Options{Limit: 10})
		}
		elat = append(elat, time.Since(t0)/5)
	}
	slices.Sort(elat)
	t.Logf("engine query latency, sequential:                 p50 %s  p90 %s  p99 %s  max %s",
		elat[len(elat)/2].Round(time.Microsecond), elat[len(elat)*9/10].Round(time.Microsecond), elat[len(elat)*99/100].Round(time.Microsecond), elat[len(elat)-1].Round(time.Microsecond))
}
