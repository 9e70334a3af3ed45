package eventpattern

import (
	"encoding/json"
	"strings"
)

// anythingBut matches a value that none of its inner matchers match. Like every operator it
// needs a value: a missing field does not match anything-but.
type anythingBut struct {
	inner []valueMatcher
}

func (m anythingBut) matches(v *value) bool {
	for _, in := range m.inner {
		if in.matches(v) {
			return false
		}
	}
	return true
}

func (m anythingBut) String() string {
	parts := make([]string, len(m.inner))
	for i, in := range m.inner {
		parts[i] = in.String()
	}
	return `{"anything-but":[` + strings.Join(parts, ",") + `]}`
}

// compileAnythingBut parses the operand of anything-but: a string, a number, a non-empty list
// of strings or of numbers, or one of {"prefix": ...}, {"suffix": ...}, {"wildcard": ...},
// {"equals-ignore-case": ...}, each taking a string or a non-empty list of strings.
func compileAnythingBut(operand any, path string) (anythingBut, error) {
	switch x := operand.(type) {
	case string:
		return anythingBut{inner: []valueMatcher{exactString{s: x}}}, nil
	case json.Number:
		return anythingBut{inner: []valueMatcher{newExactNumber(x)}}, nil
	case []any:
		if len(x) == 0 {
			return anythingBut{}, patternErr(path, "anything-but list must not be empty")
		}
		var m anythingBut
		_, firstIsString := x[0].(string)
		for _, el := range x {
			switch e := el.(type) {
			case string:
				if !firstIsString {
					return anythingBut{}, patternErr(path, "anything-but list must hold only strings or only numbers")
				}
				m.inner = append(m.inner, exactString{s: e})
			case json.Number:
				if firstIsString {
					return anythingBut{}, patternErr(path, "anything-but list must hold only strings or only numbers")
				}
				m.inner = append(m.inner, newExactNumber(e))
			default:
				return anythingBut{}, patternErr(path, "anything-but list must hold only strings or only numbers, not %s", describe(el))
			}
		}
		return m, nil
	case *object:
		if len(x.keys) != 1 {
			return anythingBut{}, patternErr(path, "anything-but object takes exactly one of prefix, suffix, wildcard, equals-ignore-case")
		}
		op, arg := x.keys[0], x.vals[0]
		switch op {
		case "prefix", "suffix":
			args, err := stringOrStrings(op, arg, path)
			if err != nil {
				return anythingBut{}, err
			}
			var m anythingBut
			for _, s := range args {
				if s == "" {
					return anythingBut{}, patternErr(path, "anything-but %s must not be empty", op)
				}
				if op == "prefix" {
					m.inner = append(m.inner, prefixMatcher{p: s})
				} else {
					m.inner = append(m.inner, suffixMatcher{p: s})
				}
			}
			return m, nil
		case "wildcard", "equals-ignore-case":
			args, err := stringOrStrings(op, arg, path)
			if err != nil {
				return anythingBut{}, err
			}
			var m anythingBut
			stars := 0
			for _, s := range args {
				if op == "equals-ignore-case" {
					m.inner = append(m.inner, equalsIgnoreCase{s: s})
					continue
				}
				w, err := compileWildcard(s, path)
				if err != nil {
					return anythingBut{}, err
				}
				stars += w.stars
				m.inner = append(m.inner, w)
			}
			if stars > maxWildcardStars {
				return anythingBut{}, patternErr(path, "rule is too complex: more than %d wildcard characters", maxWildcardStars)
			}
			return m, nil
		default:
			return anythingBut{}, patternErr(path, "anything-but does not combine with %q (use prefix, suffix, wildcard or equals-ignore-case)", op)
		}
	default:
		return anythingBut{}, patternErr(path, "anything-but takes a string, a number, a list or an object, not %s", describe(operand))
	}
}

// stringOrStrings accepts a string or a non-empty list of strings.
func stringOrStrings(op string, arg any, path string) ([]string, error) {
	switch a := arg.(type) {
	case string:
		return []string{a}, nil
	case []any:
		if len(a) == 0 {
			return nil, patternErr(path, "anything-but %s list must not be empty", op)
		}
		out := make([]string, 0, len(a))
		for _, el := range a {
			s, ok := el.(string)
			if !ok {
				return nil, patternErr(path, "anything-but %s list must hold only strings, not %s", op, describe(el))
			}
			out = append(out, s)
		}
		return out, nil
	default:
		return nil, patternErr(path, "anything-but %s takes a string or a list of strings, not %s", op, describe(arg))
	}
}
