package eventpattern

import (
	"bytes"
	"strconv"
)

// maxWildcardStars bounds the wildcard characters of one field's wildcard patterns, kiln's
// stand-in for EventBridge's "rule is too complex" check on wildcards.
const maxWildcardStars = 100

// wildcardMatcher matches a string value against a pattern in which * stands for any run of
// characters (the empty run included). The pattern is held as the literal pieces between stars.
type wildcardMatcher struct {
	pieces  [][]byte
	leading bool // the pattern starts with *
	trail   bool // the pattern ends with *
	stars   int
	text    string
}

func (m wildcardMatcher) matches(v *value) bool {
	return v.kind == kindString && m.matchBytes(v.str)
}

func (m wildcardMatcher) String() string { return `{"wildcard":` + strconv.Quote(m.text) + `}` }

// matchBytes reports whether s matches the wildcard pattern. Leftmost matching of each middle
// piece is enough for patterns whose only metacharacter is *.
func (m wildcardMatcher) matchBytes(s []byte) bool {
	if m.stars == 0 {
		return bytes.Equal(s, m.pieces[0])
	}
	first, last := m.pieces[0], m.pieces[len(m.pieces)-1]
	if len(s) < len(first)+len(last) || !bytes.HasPrefix(s, first) || !bytes.HasSuffix(s, last) {
		return false
	}
	rest := s[len(first) : len(s)-len(last)]
	for _, piece := range m.pieces[1 : len(m.pieces)-1] {
		i := bytes.Index(rest, piece)
		if i < 0 {
			return false
		}
		rest = rest[i+len(piece):]
	}
	return true
}

// compileWildcard parses a wildcard pattern: * is any run, \* a literal star, \\ a literal
// backslash; any other escape and two stars in a row are errors.
func compileWildcard(operand any, path string) (wildcardMatcher, error) {
	s, ok := operand.(string)
	if !ok {
		return wildcardMatcher{}, patternErr(path, "wildcard takes a string, not %s", describe(operand))
	}
	m := wildcardMatcher{text: s}
	var cur []byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			if i+1 >= len(s) || (s[i+1] != '*' && s[i+1] != '\\') {
				return wildcardMatcher{}, patternErr(path, "wildcard %q: invalid escape at position %d (only \\* and \\\\ are allowed)", s, i)
			}
			cur = append(cur, s[i+1])
			i++
		case '*':
			if i+1 < len(s) && s[i+1] == '*' {
				return wildcardMatcher{}, patternErr(path, "wildcard %q: consecutive wildcard characters at position %d", s, i)
			}
			if i == 0 {
				m.leading = true
			}
			if i == len(s)-1 {
				m.trail = true
			}
			m.pieces = append(m.pieces, cur)
			cur = nil
			m.stars++
		default:
			cur = append(cur, c)
		}
	}
	m.pieces = append(m.pieces, cur)
	for i := range m.pieces {
		if m.pieces[i] == nil {
			m.pieces[i] = []byte{}
		}
	}
	return m, nil
}
