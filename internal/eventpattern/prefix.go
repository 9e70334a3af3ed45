package eventpattern

import "strconv"

// prefixMatcher matches a string value that starts with p, ignoring case when fold is set.
type prefixMatcher struct {
	p    string
	fold bool
}

func (m prefixMatcher) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	if m.fold {
		return hasPrefixFold(v.str, m.p)
	}
	return len(v.str) >= len(m.p) && string(v.str[:len(m.p)]) == m.p
}

func (m prefixMatcher) String() string {
	if m.fold {
		return `{"prefix":{"equals-ignore-case":` + strconv.Quote(m.p) + `}}`
	}
	return `{"prefix":` + strconv.Quote(m.p) + `}`
}

// compilePrefixLike parses the operand of prefix or suffix: a string, or an object
// {"equals-ignore-case": string}. It returns the text and whether case is ignored.
func compilePrefixLike(op string, operand any, path string) (string, bool, error) {
	switch x := operand.(type) {
	case string:
		return x, false, nil
	case *object:
		if len(x.keys) != 1 || x.keys[0] != "equals-ignore-case" {
			return "", false, patternErr(path, "%s takes a string or {\"equals-ignore-case\": string}", op)
		}
		s, ok := x.vals[0].(string)
		if !ok {
			return "", false, patternErr(path, "%s equals-ignore-case takes a string", op)
		}
		return s, true, nil
	default:
		return "", false, patternErr(path, "%s takes a string, not %s", op, describe(operand))
	}
}

// hasPrefixFold reports whether s starts with prefix under Unicode simple case folding.
func hasPrefixFold(s []byte, prefix string) bool {
	i := 0
	for _, pr := range prefix {
		if i >= len(s) {
			return false
		}
		sr, size := decodeRune(s[i:])
		if !equalFoldRune(sr, pr) {
			return false
		}
		i += size
	}
	return true
}
