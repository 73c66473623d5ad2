package origin

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/hsworkshop/hsworkshop/content"
)

// TestContentOriginBlocks runs every ```origin block in the content tree
// (lessons and content/origin/examples.md) through the lab and fails when a
// stated verdict differs from the calculation.
func TestContentOriginBlocks(t *testing.T) {
	t.Parallel()
	lab := Lab{Table: testTable(t), Index: testIndex(t)}
	n := 0
	err := fs.WalkDir(content.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".md") {
			return nil
		}
		b, err := fs.ReadFile(content.FS, path)
		if err != nil {
			return err
		}
		for i, block := range ExtractBlocks(b) {
			n++
			c, err := ParseBlock(block)
			if err != nil {
				t.Errorf("%s block %d: %v", path, i+1, err)
				continue
			}
			if _, err := c.Check(lab); err != nil {
				t.Errorf("%s block %d: %v", path, i+1, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk content: %v", err)
	}
	if n < 5 {
		t.Fatalf("origin blocks: got %d, want at least the 5 in content/origin/examples.md", n)
	}
}
