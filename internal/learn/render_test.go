package learn

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name    string
		md      string
		want    []string
		notWant []string
	}{
		{"code span becomes a link", "See `8471.30.01` here.",
			[]string{`<a href="/hts/8471.30.01" class="hts-code"><code>8471.30.01</code></a>`}, nil},
		{"code in text becomes a link", "Heading 7318.15 and 9903.01.32 apply.",
			[]string{`<a href="/hts/7318.15" class="hts-code">7318.15</a> and <a href="/hts/9903.01.32" class="hts-code">9903.01.32</a> apply.`}, nil},
		{"code at the end of a paragraph", "First line.\nNext line 9903.01.32",
			[]string{`Next line <a href="/hts/9903.01.32" class="hts-code">9903.01.32</a></p>`}, nil},
		{"10-digit code without the last dot", "Report 8471.30.0100.",
			[]string{`<a href="/hts/8471.30.01.00" class="hts-code">8471.30.0100</a>.`}, nil},
		{"not inside an existing link", "[line 8471.30.01](https://hts.usitc.gov/)",
			[]string{`<a href="https://hts.usitc.gov/">line 8471.30.01</a>`}, []string{"/hts/8471"}},
		{"not inside fenced code", "```\n8471.30.01\n```",
			[]string{"<pre><code>8471.30.01\n</code></pre>"}, []string{"/hts/"}},
		{"not a longer number", "Version 1.8471.30 and 28471.30.01 and 8471.30.0.",
			nil, []string{"/hts/"}},
		{"code span that is not only a code", "`see 8471.30.01`", []string{"<code>see 8471.30.01</code>"}, []string{"/hts/"}},
		{"script removed", "Hello <script>alert(1)</script> world\n\n<script>alert(2)</script>\n",
			[]string{"Hello"}, []string{"<script", "alert(2)"}},
		{"event handler removed", `<img src="x" onerror="alert(1)">` + "\n\n<a href=\"javascript:alert(1)\">x</a>",
			nil, []string{"onerror", "javascript:"}},
		{"heading ids and table", "## Key points\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
			[]string{`<h2 id="key-points">Key points</h2>`, "<table>", "<td>1</td>"}, nil},
		{"no code link in headings", "## Heading 8471.30", []string{`<h2 id="heading-847130">Heading 8471.30</h2>`}, []string{"/hts/"}},
	}
	r := NewRenderer()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Render("a-lesson", tt.md)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got.HTML, w) {
					t.Errorf("got %q, want it to contain %q", got.HTML, w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got.HTML, w) {
					t.Errorf("got %q, want it not to contain %q", got.HTML, w)
				}
			}
		})
	}
}

func TestRenderTOC(t *testing.T) {
	md := "## What GRI 1 says\n\nText.\n\n### A `worked` example\n\n#### Too deep\n\n## Key points\n\n## Key points\n"
	got, err := NewRenderer().Render("x", md)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	want := []TOCEntry{{2, "what-gri-1-says", "What GRI 1 says"}, {3, "a-worked-example", "A worked example"},
		{2, "key-points", "Key points"}, {2, "key-points-1", "Key points"}}
	if len(got.TOC) != len(want) {
		t.Fatalf("got TOC %+v, want %+v", got.TOC, want)
	}
	for i := range want {
		if got.TOC[i] != want[i] {
			t.Errorf("TOC[%d]: got %+v, want %+v", i, got.TOC[i], want[i])
		}
		if !strings.Contains(got.HTML, `id="`+want[i].ID+`"`) {
			t.Errorf("got HTML %q, want an element with id %q", got.HTML, want[i].ID)
		}
	}
}

func TestRenderExamples(t *testing.T) {
	md := "Intro.\n\n```duty\ncode: 8471.30.01\ncountry: cn\ndate: 2025-06-15\nvalue: 10,000\nduties: 2500\nusmca: yes\nlabel: A <b>laptop</b>\n```\n\n" +
		"```origin\ngood: \"8703.23\"\nrule: CTH\nbom:\n  - code: \"8407.34\"\n    origin: CN\n```\n"
	got, err := NewRenderer().Render("gri-2", md)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	for _, w := range []string{
		`<figcaption>Worked duty example 1: A &lt;b&gt;laptop&lt;/b&gt;</figcaption>`,
		`<a class="hts-code" href="/hts/8471.30.01">8471.30.01</a>`,
		"<td>CN</td>", "<td>2025-06-15</td>", "<td>$10,000.00</td>", "<strong>$2,500.00</strong>",
		`href="/tools/duty?code=8471.30.01&amp;country=CN&amp;date=2025-06-15&amp;usmca=yes&amp;value=10%2C000"`,
		`href="/learn/origin-lab?case=gri-2-1"`, "<dt>rule</dt><dd>CTH</dd>", "<dt>bom</dt><dd>1 item</dd>",
	} {
		if !strings.Contains(got.HTML, w) {
			t.Errorf("got %q, want it to contain %q", got.HTML, w)
		}
	}
	if strings.Contains(got.HTML, "<pre>") {
		t.Errorf("got %q, want the blocks not rendered as code", got.HTML)
	}
}

func TestExtractBlocks(t *testing.T) {
	c, err := Load(fixtureFS())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	all, err := c.Blocks()
	if err != nil {
		t.Fatalf("catalog blocks: %v", err)
	}
	if len(all.Duty) != 1 || all.Duty[0].Lesson != "second-lesson" {
		t.Errorf("got %+v, want the one duty example of second-lesson", all.Duty)
	}
	b, err := ExtractBlocks(c.Lessons[1].Slug, c.Lessons[1].Body)
	if err != nil {
		t.Fatalf("extract: %v", err)
	}
	if len(b.Duty) != 1 || len(b.Origin) != 1 {
		t.Fatalf("got %d duty and %d origin blocks, want 1 and 1", len(b.Duty), len(b.Origin))
	}
	d := b.Duty[0]
	if d.Code != "8471.30.01" || d.Country != "CN" || d.Date != "2025-06-15" || d.ValueCents != 1_000_000 || d.DutiesCents != 200_000 {
		t.Errorf("got %+v, want 8471.30.01 CN 2025-06-15 $10,000 → $2,000", d)
	}
	if got, want := b.Origin[0].ID(), "second-lesson-1"; got != want {
		t.Errorf("got case ID %q, want %q", got, want)
	}
	if !strings.Contains(b.Origin[0].YAML, "rule: CTH") {
		t.Errorf("got YAML %q, want the block text", b.Origin[0].YAML)
	}
}

func TestReadingTime(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{0, ""}, {12, "12 min read"}, {60, "1 h read"}, {75, "1 h 15 min read"}} {
		if got := ReadingTime(tt.in); got != tt.want {
			t.Errorf("ReadingTime(%d): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestRenderConcurrent shares one Renderer between goroutines (run with -race).
func TestRenderConcurrent(t *testing.T) {
	r := NewRenderer()
	done := make(chan string)
	for i := 0; i < 8; i++ {
		go func() {
			out, err := r.Render("x", "## A\n\nSee `8471.30.01` and 7318.15.\n")
			if err != nil {
				done <- err.Error()
				return
			}
			done <- out.HTML
		}()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; !strings.Contains(got, `href="/hts/7318.15"`) {
			t.Errorf("got %q, want the code linked", got)
		}
	}
}
