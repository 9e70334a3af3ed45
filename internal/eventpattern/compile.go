package eventpattern

import (
	"encoding/json"
	"fmt"
	"strings"
)

// maxCombinations bounds how many alternatives a pattern may expand to once every $or is
// distributed over the fields around it; beyond it the pattern is "too complex".
const maxCombinations = 1000

// valueMatcher tests one leaf value of an event. Implementations are immutable.
type valueMatcher interface {
	matches(v *value) bool
	String() string
}

// fieldTest is one field of a pattern: the event path it tests and the alternatives, any of
// which may match. existsFalse means the field also matches when the event has no leaf value
// at the path. exact means every alternative is an exact value, so the test can be indexed.
type fieldTest struct {
	segs        []string
	alts        []valueMatcher
	existsFalse bool
	exact       bool
}

// matchValue reports whether one of the test's value alternatives matches v.
func (t *fieldTest) matchValue(v *value) bool {
	for _, a := range t.alts {
		if a.matches(v) {
			return true
		}
	}
	return false
}

// conjunction is a list of field tests that must all hold.
type conjunction struct {
	tests []*fieldTest
}

// rule is a compiled pattern: it matches an event when one of its conjunctions holds. A
// pattern without $or has exactly one conjunction.
type rule struct {
	conjs []conjunction
}

// compileRule parses and checks a pattern document.
func compileRule(b []byte) (*rule, error) {
	root, err := parsePatternJSON(b)
	if err != nil {
		return nil, err
	}
	obj, ok := root.(*object)
	if !ok {
		return nil, patternErr("", "the pattern must be a JSON object, not %s", describe(root))
	}
	if len(obj.keys) == 0 {
		return nil, patternErr("", "the pattern has no fields")
	}
	conjs, err := compileObject(obj, nil, "")
	if err != nil {
		return nil, err
	}
	return &rule{conjs: conjs}, nil
}

// compileObject compiles the fields of one pattern object found at event path segs, giving
// the conjunctions it expands to.
func compileObject(obj *object, segs []string, path string) ([]conjunction, error) {
	result := []conjunction{{}}
	for i, key := range obj.keys {
		val := obj.vals[i]
		kp := joinPath(path, key)
		var alts []conjunction
		if _, isArray := val.([]any); key == "$or" && !isArray {
			return nil, patternErr(kp, "$or must be an array of pattern objects, not %s", describe(val))
		}
		switch v := val.(type) {
		case *object:
			if len(v.keys) == 0 {
				return nil, patternErr(kp, "an object in a pattern must have fields")
			}
			sub, err := compileObject(v, appendSeg(segs, key), kp)
			if err != nil {
				return nil, err
			}
			alts = sub
		case []any:
			if key == "$or" {
				sub, err := compileOr(v, segs, kp)
				if err != nil {
					return nil, err
				}
				alts = sub
				break
			}
			t, err := compileField(v, appendSeg(segs, key), kp)
			if err != nil {
				return nil, err
			}
			alts = []conjunction{{tests: []*fieldTest{t}}}
		default:
			return nil, patternErr(kp, "a field's value must be an array of values or an object, not %s", describe(val))
		}
		if len(result)*len(alts) > maxCombinations {
			return nil, patternErr(kp, "rule is too complex: $or expands to more than %d combinations", maxCombinations)
		}
		result = crossConjunctions(result, alts)
	}
	return result, nil
}

// appendSeg returns segs with the field name key added, never sharing the backing array with
// segs. EventBridge compares field paths as names joined with dots, so a name holding dots
// stands for the nested names between them: "a.b" is a then b.
func appendSeg(segs []string, key string) []string {
	parts := strings.Split(key, ".")
	out := make([]string, len(segs), len(segs)+len(parts))
	copy(out, segs)
	return append(out, parts...)
}

// crossConjunctions returns every conjunction of a with every conjunction of b.
func crossConjunctions(a, b []conjunction) []conjunction {
	out := make([]conjunction, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			tests := make([]*fieldTest, 0, len(x.tests)+len(y.tests))
			tests = append(tests, x.tests...)
			tests = append(tests, y.tests...)
			out = append(out, conjunction{tests: tests})
		}
	}
	return out
}

// compileField compiles the array of alternatives of one field.
func compileField(arr []any, segs []string, path string) (*fieldTest, error) {
	if len(arr) == 0 {
		return nil, patternErr(path, "the array of values must not be empty")
	}
	t := &fieldTest{segs: segs, exact: true}
	stars := 0
	for i, el := range arr {
		ep := fmt.Sprintf("%s[%d]", path, i)
		switch x := el.(type) {
		case string:
			t.alts = append(t.alts, exactString{s: x})
		case json.Number:
			t.alts = append(t.alts, newExactNumber(x))
		case bool:
			if x {
				t.alts = append(t.alts, exactLiteral{k: kindTrue})
			} else {
				t.alts = append(t.alts, exactLiteral{k: kindFalse})
			}
		case nil:
			t.alts = append(t.alts, exactLiteral{k: kindNull})
		case []any:
			return nil, patternErr(ep, "a value must be a string, number, true, false, null or an operator object, not an array")
		case *object:
			t.exact = false
			m, existsFalse, err := compileOperator(x, ep)
			if err != nil {
				return nil, err
			}
			if existsFalse {
				t.existsFalse = true
				continue
			}
			if w, ok := m.(wildcardMatcher); ok {
				stars += w.stars
			}
			t.alts = append(t.alts, m)
		}
	}
	if stars > maxWildcardStars {
		return nil, patternErr(path, "rule is too complex: more than %d wildcard characters", maxWildcardStars)
	}
	return t, nil
}

// compileOperator compiles one operator object such as {"prefix": "a"}. It returns
// existsFalse set, and no matcher, for {"exists": false}.
func compileOperator(obj *object, path string) (valueMatcher, bool, error) {
	if len(obj.keys) != 1 {
		if len(obj.keys) == 0 {
			return nil, false, patternErr(path, "an operator object must hold one operator")
		}
		return nil, false, patternErr(path, "an operator object must hold one operator, not %d (%s)", len(obj.keys), strings.Join(obj.keys, ", "))
	}
	op, operand := obj.keys[0], obj.vals[0]
	switch op {
	case "prefix", "suffix":
		s, fold, err := compilePrefixLike(op, operand, path)
		if err != nil {
			return nil, false, err
		}
		if op == "prefix" {
			return prefixMatcher{p: s, fold: fold}, false, nil
		}
		return suffixMatcher{p: s, fold: fold}, false, nil
	case "equals-ignore-case":
		s, ok := operand.(string)
		if !ok {
			return nil, false, patternErr(path, "equals-ignore-case takes a string, not %s", describe(operand))
		}
		return equalsIgnoreCase{s: s}, false, nil
	case "wildcard":
		m, err := compileWildcard(operand, path)
		return m, false, err
	case "anything-but":
		m, err := compileAnythingBut(operand, path)
		return m, false, err
	case "numeric":
		m, err := compileNumeric(operand, path)
		return m, false, err
	case "exists":
		b, err := compileExists(operand, path)
		if err != nil {
			return nil, false, err
		}
		if !b {
			return nil, true, nil
		}
		return existsMatcher{}, false, nil
	case "cidr":
		m, err := compileCIDR(operand, path)
		return m, false, err
	default:
		return nil, false, patternErr(path, "unrecognized match type %q", op)
	}
}

// newExactNumber compiles an exact number of a pattern.
func newExactNumber(n json.Number) exactNumber {
	scaled, ok := scaleNumber(string(n))
	return exactNumber{num: scaled, numOK: ok, text: string(n)}
}
