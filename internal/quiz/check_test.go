package quiz

import (
	"slices"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
	"github.com/hsworkshop/hsworkshop/internal/hts"
)

// miniEdition builds an index of heading 8471 from a few rows.
func miniEdition(t *testing.T, name string, rows ...hts.ExportRow) *hts.Index {
	t.Helper()
	all := append([]hts.ExportRow{{Digits: "8471", Description: "Automatic data processing machines and units thereof"}}, rows...)
	for i := range all {
		all[i].Row = i + 2
	}
	ix, err := hts.Build(all, hts.Edition{Name: name}, content.FS)
	if err != nil {
		t.Fatalf("Build %s: %v", name, err)
	}
	return ix
}

func TestDiffKeys(t *testing.T) {
	t.Parallel()
	row := func(digits, desc string) hts.ExportRow {
		return hts.ExportRow{Digits: digits, Indent: 1, Description: desc, General: "Free"}
	}
	old := miniEdition(t, "old",
		row("84713001", "Portable machines"),
		row("84714101", "Other, comprising in the same housing a CPU and an input and output unit"),
		row("84715001", "Processing units"),
		row("84716010", "Keyboards"),
		row("84717010", "Storage units"),
	)
	cur := miniEdition(t, "new",
		row("84713005", "Portable machines: laptops"), // 8471.30.01 split in two
		row("84713009", "Portable machines: other"),
		row("84714101", "Other, comprising in the same housing a CPU and an input and output unit"),
		row("84714105", "Other, with a touchscreen"), // 8471.41 gains a line
		// 8471.50.01 deleted with nothing new beside it
		row("84716010", "Keyboards and keypads"), // reworded
		row("84717010", "Storage units"),         // unchanged
	)
	qs := []*Question{
		mustQuestion(t, &Question{ID: "t-split", Kind: KindHSCode, Keys: []string{"8471.30.01"}}),
		mustQuestion(t, &Question{ID: "t-same", Kind: KindHSCode, Keys: []string{"8471.41.01", "8471.70.10"}}),
		mustQuestion(t, &Question{ID: "t-gained", Kind: KindHSCode, Keys: []string{"8471.41"}}),
		mustQuestion(t, &Question{ID: "t-deleted", Kind: KindHSCode, Keys: []string{"8471.50.01"}}),
		mustQuestion(t, &Question{ID: "t-reworded", Kind: KindHSCode, Keys: []string{"8471.60.10"}}),
		mustQuestion(t, &Question{ID: "t-not-code", Kind: KindSingle, Track: TrackGRI,
			Choices: []Choice{{ID: "a", Text: "a", Correct: true}, {ID: "b", Text: "b"}}}),
	}
	b, err := NewBank(qs)
	if err != nil {
		t.Fatal(err)
	}
	if ps := CheckKeys(b, old); len(ps) != 0 {
		t.Fatalf("CheckKeys(old): got %v, want none", ps)
	}
	got := DiffKeys(b, old, cur)
	want := []KeyChange{
		{QuestionID: "t-split", Key: "8471.30.01", Change: ChangeSplit, NewCodes: []string{"8471.30.05", "8471.30.09"}},
		{QuestionID: "t-gained", Key: "8471.41", Change: ChangeSplit, NewCodes: []string{"8471.41.05"}},
		{QuestionID: "t-deleted", Key: "8471.50.01", Change: ChangeDeleted},
		{QuestionID: "t-reworded", Key: "8471.60.10", Change: ChangeReworded},
	}
	if len(got) != len(want) {
		t.Fatalf("DiffKeys: got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].QuestionID != want[i].QuestionID || got[i].Key != want[i].Key || got[i].Change != want[i].Change ||
			!slices.Equal(got[i].NewCodes, want[i].NewCodes) {
			t.Errorf("change %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if ps := CheckKeys(b, cur); len(ps) != 2 {
		t.Errorf("CheckKeys(new): got %v, want the split and the deleted key", ps)
	}
	// An edition compared with itself changes nothing.
	if d := DiffKeys(testBank(t), testIndex(t), testIndex(t)); len(d) != 0 {
		t.Errorf("bundled vs bundled: got %d changes, want 0: %v", len(d), d[0])
	}
}

func TestCheckBundled(t *testing.T) {
	t.Parallel()
	ix := testIndex(t)
	r := Check(testBank(t), ix, ix)
	if !r.OK() || len(r.Changes) != 0 || r.Latest != "" || r.Pinned != edition25 {
		t.Errorf("Check(bundled, bundled): got %+v, want OK with no changes", r)
	}
	q := mustQuestion(t, &Question{ID: "t-other-edition", Kind: KindHSCode, Keys: []string{"8471.30.01"}, Edition: "2026 HTSUS"})
	b, err := NewBank([]*Question{q})
	if err != nil {
		t.Fatal(err)
	}
	if r := Check(b, ix, nil); r.OK() || len(r.Problems) != 1 {
		t.Errorf("question pinned to another edition: got %+v, want one problem", r)
	}
}
