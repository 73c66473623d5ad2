package learn

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// LessonsDir is where lessons live inside the content tree.
const LessonsDir = "lessons"

// Validation limits from the lesson guidelines.
const (
	MinWords         = 600
	MinSelfCheck     = 2
	MaxSelfCheck     = 4
	keyPointsHeading = "key points"
)

// slugRE is what a track or lesson slug looks like.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// keyPointsRE finds a "Key points" section heading (h2 or h3).
var keyPointsRE = regexp.MustCompile(`(?im)^#{2,3}[ \t]+key points[ \t]*#*[ \t]*$`)

// Source is a public source a lesson cites.
type Source struct {
	Title string `yaml:"title" json:"title"`
	URL   string `yaml:"url" json:"url"`
}

// Question types.
const (
	QuestionSingle   = "single"
	QuestionMultiple = "multiple"
)

// Question is one self-check question with its answer. It never goes to the
// browser before the learner submits; see PublicQuestion.
type Question struct {
	Type        string   `yaml:"type" json:"type"`
	Prompt      string   `yaml:"prompt" json:"prompt"`
	Choices     []string `yaml:"choices" json:"choices"`
	Answer      []int    `yaml:"answer" json:"answer"`
	Explanation string   `yaml:"explanation" json:"explanation"`
}

// FrontMatter is a lesson file's YAML header.
type FrontMatter struct {
	Track         string     `yaml:"track"`
	TrackTitle    string     `yaml:"track_title"`
	TrackOrder    int        `yaml:"track_order"`
	Order         int        `yaml:"order"`
	Slug          string     `yaml:"slug"`
	Title         string     `yaml:"title"`
	Summary       string     `yaml:"summary"`
	Minutes       int        `yaml:"minutes"`
	Prerequisites []string   `yaml:"prerequisites"`
	AsOf          string     `yaml:"as_of"`
	Sources       []Source   `yaml:"sources"`
	SelfCheck     []Question `yaml:"self_check"`
}

// LessonFile is one parsed lesson file.
type LessonFile struct {
	FrontMatter
	Path string // inside the content FS, e.g. lessons/02-gri/03-gri-2.md
	Body string // Markdown after the front matter
	Hash string // sha256 of the whole file, hex
}

// TrackFile is one track.yaml.
type TrackFile struct {
	Slug    string `yaml:"slug"`
	Title   string `yaml:"title"`
	Order   int    `yaml:"order"`
	Summary string `yaml:"summary"`
	Path    string `yaml:"-"`
	Dir     string `yaml:"-"`
}

// Catalog is every track and lesson found in a content tree, in reading
// order (track order, then lesson order).
type Catalog struct {
	Tracks  []TrackFile
	Lessons []LessonFile
}

// Load reads and validates every track and lesson under lessons/ in fsys.
// The error lists every problem found, each naming its file.
func Load(fsys fs.FS) (*Catalog, error) {
	c, errs := load(fsys)
	if len(errs) > 0 {
		return nil, fmt.Errorf("load lessons: %w", errors.Join(errs...))
	}
	return c, nil
}

// Validate checks every track and lesson file under lessons/ in fsys and
// returns one error per problem, each naming its file (nil if all are
// valid). Tests over the real content call it to list every defect at once.
func Validate(fsys fs.FS) []error {
	_, errs := load(fsys)
	return errs
}

func load(fsys fs.FS) (*Catalog, []error) {
	var errs []error
	dirs, err := fs.ReadDir(fsys, LessonsDir)
	if err != nil {
		return nil, []error{fmt.Errorf("read %s: %w", LessonsDir, err)}
	}
	c := &Catalog{}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := path.Join(LessonsDir, d.Name())
		tf, err := readTrack(fsys, dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		c.Tracks = append(c.Tracks, *tf)
		files, err := fs.ReadDir(fsys, dir)
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s: %w", dir, err))
			continue
		}
		for _, f := range files {
			// A README beside the lessons is for authors, not a lesson.
			if f.IsDir() || path.Ext(f.Name()) != ".md" || strings.EqualFold(f.Name(), "README.md") {
				continue
			}
			p := path.Join(dir, f.Name())
			lf, ferrs := readLesson(fsys, p, tf)
			errs = append(errs, ferrs...)
			if lf != nil {
				c.Lessons = append(c.Lessons, *lf)
			}
		}
	}
	if len(c.Tracks) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no tracks", LessonsDir))
	}
	errs = append(errs, crossCheck(c)...)
	sortCatalog(c)
	return c, errs
}

// readTrack reads dir/track.yaml.
func readTrack(fsys fs.FS, dir string) (*TrackFile, error) {
	p := path.Join(dir, "track.yaml")
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var t TrackFile
	if err := decodeStrict(b, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	t.Path, t.Dir = p, dir
	var missing []string
	for name, v := range map[string]string{"slug": t.Slug, "title": t.Title, "summary": t.Summary} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("%s: missing %s", p, strings.Join(missing, ", "))
	}
	if !slugRE.MatchString(t.Slug) {
		return nil, fmt.Errorf("%s: slug %q is not lower-case words joined by hyphens", p, t.Slug)
	}
	if t.Order <= 0 {
		return nil, fmt.Errorf("%s: order must be a positive number", p)
	}
	return &t, nil
}

// decodeStrict decodes YAML, rejecting unknown keys (so a typo in a field
// name is an error, not a silently missing value).
func decodeStrict(b []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("yaml: %w", err)
	}
	return nil
}

// splitFrontMatter separates a "---" delimited YAML header from the body.
func splitFrontMatter(src []byte) (front, body []byte, err error) {
	s := bytes.ReplaceAll(src, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(s, []byte("---\n")) {
		return nil, nil, errors.New("does not start with a --- front matter line")
	}
	rest := s[4:]
	end := bytes.Index(rest, []byte("\n---\n"))
	if end < 0 {
		if bytes.HasSuffix(rest, []byte("\n---")) {
			return rest[:len(rest)-4], nil, nil
		}
		return nil, nil, errors.New("front matter has no closing --- line")
	}
	return rest[:end+1], rest[end+5:], nil
}

// readLesson parses and checks one lesson file on its own; cross-file rules
// (unique slugs, prerequisites) are in crossCheck.
func readLesson(fsys fs.FS, p string, tf *TrackFile) (*LessonFile, []error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", p, fmt.Sprintf(format, args...)))
	}
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, []error{fmt.Errorf("%s: %w", p, err)}
	}
	front, body, err := splitFrontMatter(src)
	if err != nil {
		return nil, []error{fmt.Errorf("%s: %w", p, err)}
	}
	var fm FrontMatter
	if err := decodeStrict(front, &fm); err != nil {
		return nil, []error{fmt.Errorf("%s: front matter: %w", p, err)}
	}
	sum := sha256.Sum256(src)
	lf := &LessonFile{FrontMatter: fm, Path: p, Body: string(body), Hash: hex.EncodeToString(sum[:])}

	for _, f := range []struct{ name, v string }{
		{"track", fm.Track}, {"slug", fm.Slug}, {"title", fm.Title}, {"summary", fm.Summary}, {"as_of", fm.AsOf},
	} {
		if strings.TrimSpace(f.v) == "" {
			bad("missing %s", f.name)
		}
	}
	if fm.Slug != "" && !slugRE.MatchString(fm.Slug) {
		bad("slug %q is not lower-case words joined by hyphens", fm.Slug)
	}
	if fm.Track != "" && fm.Track != tf.Slug {
		bad("track %q does not match %s (slug %q)", fm.Track, tf.Path, tf.Slug)
	}
	if fm.TrackTitle != "" && fm.TrackTitle != tf.Title {
		bad("track_title %q does not match %s (%q)", fm.TrackTitle, tf.Path, tf.Title)
	}
	if fm.TrackOrder != 0 && fm.TrackOrder != tf.Order {
		bad("track_order %d does not match %s (%d)", fm.TrackOrder, tf.Path, tf.Order)
	}
	if fm.Order <= 0 {
		bad("order must be a positive number")
	}
	if fm.Minutes <= 0 {
		bad("minutes must be a positive number")
	}
	if fm.AsOf != "" {
		if _, err := time.Parse(time.DateOnly, fm.AsOf); err != nil {
			bad("as_of %q is not a date (YYYY-MM-DD)", fm.AsOf)
		}
	}
	if len(fm.Sources) == 0 {
		bad("needs at least one source")
	}
	for i, s := range fm.Sources {
		if strings.TrimSpace(s.Title) == "" {
			bad("source %d has no title", i+1)
		}
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("source %d url %q is not an http(s) address", i+1, s.URL)
		}
	}
	for i, pr := range fm.Prerequisites {
		if pr == fm.Slug {
			bad("prerequisite %d is the lesson itself", i+1)
		}
	}
	errs = append(errs, checkSelfCheck(p, fm.SelfCheck)...)
	if n := CountWords(lf.Body); n < MinWords {
		bad("body has %d words; at least %d are required (front matter and fenced code not counted)", n, MinWords)
	}
	if !keyPointsRE.MatchString(stripFences(lf.Body)) {
		bad(`no "Key points" section (a "## Key points" heading)`)
	}
	if _, err := ExtractBlocks(fm.Slug, lf.Body); err != nil {
		bad("%v", err)
	}
	return lf, errs
}

// checkSelfCheck validates the self-check questions of file p.
func checkSelfCheck(p string, qs []Question) []error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", p, fmt.Sprintf(format, args...)))
	}
	if len(qs) < MinSelfCheck || len(qs) > MaxSelfCheck {
		bad("self_check has %d questions; %d to %d are required", len(qs), MinSelfCheck, MaxSelfCheck)
	}
	for i, q := range qs {
		n := i + 1
		if q.Type != QuestionSingle && q.Type != QuestionMultiple {
			bad("self_check question %d: type %q must be %q or %q", n, q.Type, QuestionSingle, QuestionMultiple)
		}
		if strings.TrimSpace(q.Prompt) == "" {
			bad("self_check question %d: missing prompt", n)
		}
		if strings.TrimSpace(q.Explanation) == "" {
			bad("self_check question %d: missing explanation", n)
		}
		if len(q.Choices) < 2 {
			bad("self_check question %d: needs at least 2 choices", n)
		}
		for j, ch := range q.Choices {
			if strings.TrimSpace(ch) == "" {
				bad("self_check question %d: choice %d is empty", n, j)
			}
		}
		if len(q.Answer) == 0 {
			bad("self_check question %d: missing answer", n)
		}
		if q.Type == QuestionSingle && len(q.Answer) > 1 {
			bad("self_check question %d: a single-choice question has exactly one answer, got %d", n, len(q.Answer))
		}
		seen := map[int]bool{}
		for _, a := range q.Answer {
			if a < 0 || a >= len(q.Choices) {
				bad("self_check question %d: answer index %d is out of range (0 to %d)", n, a, len(q.Choices)-1)
			}
			if seen[a] {
				bad("self_check question %d: answer index %d repeated", n, a)
			}
			seen[a] = true
		}
	}
	return errs
}

// crossCheck applies the rules that span files: unique track and lesson
// slugs, unique orders within a track, prerequisites that exist.
func crossCheck(c *Catalog) []error {
	var errs []error
	trackAt := map[string]string{}
	trackOrderAt := map[int]string{}
	for _, t := range c.Tracks {
		if prev, ok := trackOrderAt[t.Order]; ok {
			errs = append(errs, fmt.Errorf("%s: track order %d already used by %s", t.Path, t.Order, prev))
		} else {
			trackOrderAt[t.Order] = t.Path
		}
		if prev, ok := trackAt[t.Slug]; ok {
			errs = append(errs, fmt.Errorf("%s: track slug %q already used by %s", t.Path, t.Slug, prev))
			continue
		}
		trackAt[t.Slug] = t.Path
	}
	lessonAt := map[string]string{}
	orderAt := map[string]string{}
	for _, l := range c.Lessons {
		if prev, ok := lessonAt[l.Slug]; ok && l.Slug != "" {
			errs = append(errs, fmt.Errorf("%s: slug %q already used by %s", l.Path, l.Slug, prev))
		} else {
			lessonAt[l.Slug] = l.Path
		}
		key := fmt.Sprintf("%s#%d", l.Track, l.Order)
		if prev, ok := orderAt[key]; ok && l.Order > 0 {
			errs = append(errs, fmt.Errorf("%s: order %d already used in track %q by %s", l.Path, l.Order, l.Track, prev))
		} else {
			orderAt[key] = l.Path
		}
	}
	for _, l := range c.Lessons {
		for _, pr := range l.Prerequisites {
			if _, ok := lessonAt[pr]; !ok {
				errs = append(errs, fmt.Errorf("%s: prerequisite %q is not a lesson", l.Path, pr))
			}
		}
	}
	return errs
}

// sortCatalog puts tracks and lessons in reading order.
func sortCatalog(c *Catalog) {
	trackOrder := map[string]int{}
	for _, t := range c.Tracks {
		trackOrder[t.Slug] = t.Order
	}
	slices.SortStableFunc(c.Tracks, func(a, b TrackFile) int { return a.Order - b.Order })
	slices.SortStableFunc(c.Lessons, func(a, b LessonFile) int {
		if d := trackOrder[a.Track] - trackOrder[b.Track]; d != 0 {
			return d
		}
		return a.Order - b.Order
	})
}

// stripFences removes fenced code blocks (``` or ~~~) from Markdown.
func stripFences(md string) string {
	var sb strings.Builder
	fence := ""
	for line := range strings.Lines(md) {
		t := strings.TrimLeft(line, " ")
		if fence == "" {
			if f := fenceOf(t); f != "" {
				fence = f
				continue
			}
			sb.WriteString(line)
			continue
		}
		if strings.HasPrefix(t, fence) && strings.TrimSpace(strings.TrimLeft(t, fence[:1])) == "" {
			fence = ""
		}
	}
	return sb.String()
}

// fenceOf returns the opening fence of line ("```", "~~~~", …) or "".
func fenceOf(line string) string {
	for _, ch := range []string{"`", "~"} {
		n := 0
		for n < len(line) && line[n:n+1] == ch {
			n++
		}
		if n >= 3 {
			return line[:n]
		}
	}
	return ""
}

// CountWords counts the words of a Markdown body outside fenced code.
func CountWords(md string) int {
	n := 0
	for _, f := range strings.Fields(stripFences(md)) {
		// Markdown punctuation alone ("##", "-", "|", "---") is not a word.
		if strings.IndexFunc(f, func(r rune) bool {
			return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127
		}) >= 0 {
			n++
		}
	}
	return n
}
