package hts

import (
	"fmt"
	"strings"
)

// Code is a normalised HS/HTS code: 2, 4, 6, 8 or 10 digits. The zero Code
// is invalid; get one from ParseCode.
type Code struct{ digits string }

// Levels are the digit counts at which a code is judged.
var levelNames = [...]string{2: "chapter", 4: "heading", 6: "subheading", 8: "rate line", 10: "statistical line"}

// LevelName names a level: "chapter", "heading", "subheading" (the 6-digit
// HS subheading), "rate line" (the US 8-digit subheading) or "statistical
// line" (10 digits).
func LevelName(level int) string {
	if level < 0 || level >= len(levelNames) {
		return ""
	}
	return levelNames[level]
}

// maxCodeInput bounds what ParseCode reads: a dotted 10-digit code with
// spaced separators fits comfortably.
const maxCodeInput = 40

// ParseCode normalises a code typed by a person: digits with optional
// separators ("8471.30.0100", "8471300100", "8471 30 01 00"). A separator is
// a dot or a run of spaces (a dot may have spaces around it) and may stand
// only after the 4th, 6th or 8th digit. The result has 2, 4, 6, 8 or 10
// digits; anything else wraps ErrMalformedCode with a reason.
func ParseCode(s string) (Code, error) {
	in := strings.TrimSpace(s)
	if in == "" {
		return Code{}, fmt.Errorf("%w: empty", ErrMalformedCode)
	}
	if len(in) > maxCodeInput {
		return Code{}, fmt.Errorf("%w: too long", ErrMalformedCode)
	}
	var b [10]byte
	n := 0
	sep := false // a separator has been read since the last digit
	dot := false // that separator contains a dot
	for i := 0; i < len(in); i++ {
		ch := in[i]
		switch {
		case ch >= '0' && ch <= '9':
			if sep {
				if n != 4 && n != 6 && n != 8 {
					return Code{}, fmt.Errorf("%w: a separator may only follow the 4th, 6th or 8th digit", ErrMalformedCode)
				}
				sep, dot = false, false
			}
			if n == len(b) {
				return Code{}, fmt.Errorf("%w: more than 10 digits", ErrMalformedCode)
			}
			b[n] = ch
			n++
		case ch == '.' || ch == ' ':
			if ch == '.' {
				if dot {
					return Code{}, fmt.Errorf("%w: two dots in a row", ErrMalformedCode)
				}
				dot = true
			}
			sep = true
		default:
			return Code{}, fmt.Errorf("%w: only digits, dots and spaces are allowed", ErrMalformedCode)
		}
	}
	if sep {
		return Code{}, fmt.Errorf("%w: ends with a separator", ErrMalformedCode)
	}
	switch n {
	case 2, 4, 6, 8, 10:
	default:
		return Code{}, fmt.Errorf("%w: %d digits; a code has 2, 4, 6, 8 or 10", ErrMalformedCode, n)
	}
	return Code{digits: string(b[:n])}, nil
}

// MustParseCode is ParseCode for constants in tests and tables; it panics on
// a malformed code.
func MustParseCode(s string) Code {
	c, err := ParseCode(s)
	if err != nil {
		panic(err)
	}
	return c
}

// IsZero reports whether c is the zero Code.
func (c Code) IsZero() bool { return c.digits == "" }

// Digits is the code without separators: "8471300100".
func (c Code) Digits() string { return c.digits }

// Level is the number of digits: 2, 4, 6, 8 or 10 (0 for the zero Code).
func (c Code) Level() int { return len(c.digits) }

// String is the dotted form.
func (c Code) String() string { return c.Dotted() }

// Dotted formats the code as the schedule prints it: "84", "8471",
// "8471.30", "8471.30.01", "8471.30.01.00".
func (c Code) Dotted() string { return dotted(c.digits) }

// dotted inserts the schedule's dots into a digit string of any length.
func dotted(d string) string {
	if len(d) <= 4 {
		return d
	}
	var sb strings.Builder
	sb.Grow(len(d) + 3)
	sb.WriteString(d[:4])
	for i := 4; i < len(d); i += 2 {
		sb.WriteByte('.')
		sb.WriteString(d[i:min(i+2, len(d))])
	}
	return sb.String()
}

// Truncate returns c cut to level digits (2, 4, 6 or 8); a level at or above
// c's own returns c.
func (c Code) Truncate(level int) Code {
	if level >= len(c.digits) || level < 2 || level%2 != 0 {
		return c
	}
	return Code{digits: c.digits[:level]}
}

// Parent is the code one level up ("8471.30.01" for "8471.30.01.00"); a
// chapter's parent is the zero Code.
func (c Code) Parent() Code {
	if len(c.digits) <= 2 {
		return Code{}
	}
	return Code{digits: c.digits[:len(c.digits)-2]}
}

// Contains reports whether o is c or falls under it ("8471" contains
// "8471.30.01.00").
func (c Code) Contains(o Code) bool {
	return c.digits != "" && strings.HasPrefix(o.digits, c.digits)
}

// Agreement is the deepest level at which a and b agree: 0 when their
// chapters differ, up to the level of the shorter code. For example
// 8471.30.01.00 and 8471.41.01 agree to the heading (4).
func Agreement(a, b Code) int {
	n := min(len(a.digits), len(b.digits))
	agreed := 0
	for l := 2; l <= n; l += 2 {
		if a.digits[l-2:l] != b.digits[l-2:l] {
			break
		}
		agreed = l
	}
	return agreed
}

// LevelVerdict is the comparison of two codes at one level.
type LevelVerdict struct {
	Level int    // 2, 4, 6, 8 or 10
	Name  string // "chapter", "heading", ...
	Want  string // the key's code at this level, dotted
	Got   string // the answer's code at this level, dotted ("" if the answer is shorter)
	Match bool
}

// Compare judges answer against key level by level, from the chapter down
// to the key's own level, as PRODUCT.md asks. A level below the first
// mismatch is reported as not matching, since a wrong heading cannot hold
// the right subheading.
func Compare(answer, key Code) []LevelVerdict {
	out := make([]LevelVerdict, 0, len(key.digits)/2)
	ok := true
	for l := 2; l <= len(key.digits); l += 2 {
		v := LevelVerdict{Level: l, Name: LevelName(l), Want: dotted(key.digits[:l])}
		if l <= len(answer.digits) {
			v.Got = dotted(answer.digits[:l])
			ok = ok && answer.digits[:l] == key.digits[:l]
		} else {
			ok = false
		}
		v.Match = ok
		out = append(out, v)
	}
	return out
}
