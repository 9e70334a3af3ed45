package eventpattern

import (
	"strconv"
	"unicode/utf8"
)

// suffixMatcher matches a string value that ends with p, ignoring case when fold is set.
type suffixMatcher struct {
	p    string
	fold bool
}

func (m suffixMatcher) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	if m.fold {
		return hasSuffixFold(v.str, m.p)
	}
	return len(v.str) >= len(m.p) && string(v.str[len(v.str)-len(m.p):]) == m.p
}

func (m suffixMatcher) String() string {
	if m.fold {
		return `{"suffix":{"equals-ignore-case":` + strconv.Quote(m.p) + `}}`
	}
	return `{"suffix":` + strconv.Quote(m.p) + `}`
}

// hasSuffixFold reports whether s ends with suffix under Unicode simple case folding.
func hasSuffixFold(s []byte, suffix string) bool {
	i, j := len(s), len(suffix)
	for j > 0 {
		if i == 0 {
			return false
		}
		pr, psize := utf8.DecodeLastRuneInString(suffix[:j])
		sr, ssize := utf8.DecodeLastRune(s[:i])
		if !equalFoldRune(sr, pr) {
			return false
		}
		i -= ssize
		j -= psize
	}
	return true
}
