package quizsvc

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hsworkshop/hsworkshop/internal/quiz"
	"github.com/hsworkshop/hsworkshop/models"
)

// ItemRow is a bank item in the staff list.
type ItemRow struct {
	Question *quiz.Question
	Row      models.QuizItem
}

// ItemFilter narrows the staff list; empty fields match everything.
type ItemFilter struct {
	Track   string `query:"track"`
	Kind    string `query:"kind"`
	Q       string `query:"q"` // substring of the id, topic or prompt
	Retired string `query:"retired"`
}

// Items lists the bank items matching f, in bank order.
func (s *Service) Items(ctx context.Context, f ItemFilter) ([]ItemRow, error) {
	if _, err := s.Bank(ctx); err != nil { // syncs on first use
		return nil, err
	}
	rows, err := models.ListQuizItems(ctx, s.db)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.TrimSpace(f.Q))
	var out []ItemRow
	for _, r := range rows {
		if (f.Track != "" && r.Track != f.Track) || (f.Kind != "" && r.Kind != f.Kind) ||
			(f.Retired == "yes" && !r.Retired()) || (f.Retired == "no" && r.Retired()) {
			continue
		}
		qu, err := decodeQuestion(r.Body)
		if err != nil {
			return nil, err
		}
		if q != "" && !strings.Contains(strings.ToLower(qu.ID+" "+qu.Topic+" "+qu.Prompt), q) {
			continue
		}
		qu.Retired = r.Retired()
		out = append(out, ItemRow{Question: qu, Row: r})
	}
	return out, nil
}

// Item returns one bank item.
func (s *Service) Item(ctx context.Context, id string) (*ItemRow, error) {
	if _, err := s.Bank(ctx); err != nil {
		return nil, err
	}
	r, err := models.FindQuizItem(ctx, s.db, id)
	if err != nil {
		return nil, err
	}
	q, err := decodeQuestion(r.Body)
	if err != nil {
		return nil, err
	}
	q.Retired = r.Retired()
	return &ItemRow{Question: q, Row: *r}, nil
}

// ItemError is a question that failed validation: Problem says why in
// words a form can show.
type ItemError struct {
	Problem string
}

func (e *ItemError) Error() string { return "invalid item: " + e.Problem }

// CheckItem validates q as the bank would and checks its hs_code keys
// against the bundled tariff data.
func (s *Service) CheckItem(q *quiz.Question) error {
	// The columns' sizes (PostgreSQL refuses longer text).
	for _, f := range []struct {
		name, value string
		max         int
	}{{"id", q.ID, 64}, {"track", q.Track, 40}, {"topic", q.Topic, 80}} {
		if utf8.RuneCountInString(f.value) > f.max {
			return &ItemError{Problem: fmt.Sprintf("the %s is longer than %d characters", f.name, f.max)}
		}
	}
	b, err := quiz.NewBank([]*quiz.Question{q})
	if err != nil {
		return &ItemError{Problem: strings.TrimPrefix(err.Error(), quiz.ErrInvalid.Error()+" ")}
	}
	if !s.Available() {
		return ErrUnavailable
	}
	if probs := quiz.CheckKeys(b, s.Index()); len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = "key " + p.Key + " is " + p.Problem
		}
		return &ItemError{Problem: strings.Join(msgs, "; ")}
	}
	return nil
}

// SaveItem stores a staff edit of q (a new item when its id is new) after
// CheckItem; the item is marked as edited so a re-sync keeps it.
func (s *Service) SaveItem(ctx context.Context, editorID uint, q *quiz.Question) error {
	if err := s.CheckItem(q); err != nil {
		return err
	}
	row, err := itemRow(q)
	if err != nil {
		return err
	}
	if cur, err := models.FindQuizItem(ctx, s.db, q.ID); err == nil {
		row.RetiredAt = cur.RetiredAt
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	row.EditedByStaff, row.EditedByID = true, &editorID
	if err := models.SaveQuizItem(ctx, s.db, &row); err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// RetireItem stops drawing an item for new quizzes (retire) or brings it
// back; attempts that used it keep their history.
func (s *Service) RetireItem(ctx context.Context, id string, retire bool) error {
	// The bank reaches the database on first use: make sure it has, so a
	// real item is never "not found" on a freshly started instance.
	if _, err := s.Bank(ctx); err != nil {
		return err
	}
	var at *time.Time
	if retire {
		now := s.now()
		at = &now
	}
	if err := models.SetQuizItemRetired(ctx, s.db, id, at); err != nil {
		return err
	}
	s.invalidate()
	return nil
}

// exportFile is the JSON export: the bank file layout, every question
// carrying its own edition and track.
type exportFile struct {
	Questions []exportQuestion `json:"questions"`
}

type exportQuestion struct {
	*quiz.Question
	Retired bool `json:"retired,omitempty"`
}

// ExportJSON writes every item (retired ones marked) as JSON.
func (s *Service) ExportJSON(ctx context.Context, w io.Writer) error {
	rows, err := s.Items(ctx, ItemFilter{})
	if err != nil {
		return err
	}
	f := exportFile{Questions: make([]exportQuestion, len(rows))}
	for i, r := range rows {
		f.Questions[i] = exportQuestion{Question: r.Question, Retired: r.Question.Retired}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("export quiz bank: %w", err)
	}
	return nil
}

// csvHeader is the column list of the CSV export: one row per item, the
// whole question in the last column as JSON so the file round-trips.
var csvHeader = []string{"id", "kind", "track", "topic", "difficulty", "retired", "edited_by_staff", "keys", "prompt", "json"}

// ExportCSV writes every item as CSV.
func (s *Service) ExportCSV(ctx context.Context, w io.Writer) error {
	rows, err := s.Items(ctx, ItemFilter{})
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	for _, r := range rows {
		q := r.Question
		keys := strings.Join(q.Keys, " ")
		if q.Numeric != nil {
			keys = strconv.FormatFloat(q.Numeric.Value, 'f', -1, 64) + " " + q.Numeric.Unit
		}
		for _, c := range q.Choices {
			if c.Correct {
				keys = strings.TrimSpace(keys + " " + c.ID)
			}
		}
		row := []string{q.ID, string(q.Kind), q.Track, q.Topic, strconv.Itoa(q.Difficulty),
			strconv.FormatBool(r.Row.Retired()), strconv.FormatBool(r.Row.EditedByStaff), keys, q.Prompt}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		// The json column (always an object) is what an import reads.
		if err := cw.Write(append(row, r.Row.Body)); err != nil {
			return fmt.Errorf("export csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	return nil
}

// csvSafe keeps a spreadsheet from reading a typed cell (a prompt staff
// wrote) as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ImportResult counts what an import did.
type ImportResult struct {
	Saved int
}

// maxImport bounds an import file's questions.
const maxImport = 2000

// ImportJSON reads a JSON export (or a bank file) and saves every question
// as a staff edit. Every question is checked first; one bad question
// imports nothing.
func (s *Service) ImportJSON(ctx context.Context, editorID uint, r io.Reader) (ImportResult, error) {
	var f struct {
		Edition   string           `json:"edition"`
		Track     string           `json:"track"`
		Questions []exportQuestion `json:"questions"`
	}
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return ImportResult{}, &ItemError{Problem: "the file is not JSON of the export's shape: " + err.Error()}
	}
	if len(f.Questions) == 0 || len(f.Questions) > maxImport {
		return ImportResult{}, &ItemError{Problem: fmt.Sprintf("the file has %d questions; want 1 to %d", len(f.Questions), maxImport)}
	}
	qs := make([]*quiz.Question, 0, len(f.Questions))
	for _, eq := range f.Questions {
		if eq.Question == nil {
			return ImportResult{}, &ItemError{Problem: "an empty question"}
		}
		q := eq.Question
		if q.Edition == "" {
			q.Edition = f.Edition
		}
		if q.Track == "" {
			q.Track = f.Track
		}
		if err := s.CheckItem(q); err != nil {
			return ImportResult{}, err
		}
		qs = append(qs, q)
	}
	for _, q := range qs {
		if err := s.SaveItem(ctx, editorID, q); err != nil {
			return ImportResult{}, err
		}
	}
	return ImportResult{Saved: len(qs)}, nil
}

// ImportCSV reads a CSV export: the json column of each row is the
// question.
func (s *Service) ImportCSV(ctx context.Context, editorID uint, r io.Reader) (ImportResult, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return ImportResult{}, &ItemError{Problem: "the file is not CSV: " + err.Error()}
	}
	if len(recs) < 2 || len(recs[0]) != len(csvHeader) || recs[0][len(csvHeader)-1] != "json" {
		return ImportResult{}, &ItemError{Problem: "the file is not a CSV export of the bank (header " + strings.Join(csvHeader, ",") + ")"}
	}
	var b strings.Builder
	b.WriteString(`{"questions":[`)
	for i, rec := range recs[1:] {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(rec[len(rec)-1])
	}
	b.WriteString("]}")
	return s.ImportJSON(ctx, editorID, strings.NewReader(b.String()))
}
