package eventpattern

import "fmt"

// compileOr compiles the operand of $or: an array of at least two pattern objects, each
// tested against the object that holds the $or. Their conjunctions are the alternatives.
func compileOr(arr []any, segs []string, path string) ([]conjunction, error) {
	if len(arr) < 2 {
		return nil, patternErr(path, "$or must hold at least two pattern objects")
	}
	var out []conjunction
	for i, el := range arr {
		ep := fmt.Sprintf("%s[%d]", path, i)
		obj, ok := el.(*object)
		if !ok {
			return nil, patternErr(ep, "$or must hold pattern objects, not %s", describe(el))
		}
		if len(obj.keys) == 0 {
			return nil, patternErr(ep, "a pattern object in $or must have fields")
		}
		sub, err := compileObject(obj, segs, ep)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
		if len(out) > maxCombinations {
			return nil, patternErr(path, "rule is too complex: $or expands to more than %d combinations", maxCombinations)
		}
	}
	return out, nil
}
