package intrinsic

import "strings"

// stringSplit implements States.StringSplit(string, delimiters): the string cut at every
// character that appears in delimiters, empty pieces dropped (as Java's StringTokenizer does),
// so "a,,b" split on "," gives ["a","b"] and "This.is+a" split on ".+" gives ["This","is","a"].
func stringSplit(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.StringSplit"
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf(name, "argument 1 must be a string, got %s", typeName(args[0]))
	}
	delims, ok := args[1].(string)
	if !ok {
		return nil, errorf(name, "argument 2 (delimiters) must be a string, got %s", typeName(args[1]))
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(delims, r) })
	out := make([]any, len(fields))
	for i, f := range fields {
		out[i] = f
	}
	return out, nil
}
