package eventpattern

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// equalsIgnoreCase matches a string value equal to s under Unicode simple case folding.
type equalsIgnoreCase struct{ s string }

func (m equalsIgnoreCase) matches(v *value) bool {
	return v.kind == kindString && equalFold(v.str, m.s)
}

func (m equalsIgnoreCase) String() string {
	return `{"equals-ignore-case":` + strconv.Quote(m.s) + `}`
}

// equalFold reports whether s and t are equal under Unicode simple case folding.
func equalFold(s []byte, t string) bool {
	i := 0
	for _, tr := range t {
		if i >= len(s) {
			return false
		}
		sr, size := decodeRune(s[i:])
		if !equalFoldRune(sr, tr) {
			return false
		}
		i += size
	}
	return i == len(s)
}

// decodeRune decodes the first rune of s, with an ASCII fast path.
func decodeRune(s []byte) (rune, int) {
	if s[0] < utf8.RuneSelf {
		return rune(s[0]), 1
	}
	return utf8.DecodeRune(s)
}

// equalFoldRune reports whether two runes are equal under Unicode simple case folding.
func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
