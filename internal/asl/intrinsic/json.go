package intrinsic

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"

	"github.com/kiln-dev/kiln/internal/asl/jsonvalue"
)

// stringToJSON implements States.StringToJson(string): the JSON value the string holds.
// The string must hold exactly one JSON value.
func stringToJSON(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.StringToJson"
	s, ok := args[0].(string)
	if !ok {
		return nil, errorf(name, "the argument must be a string, got %s", typeName(args[0]))
	}
	// AWS returns null for an empty or blank string rather than failing (recorded in
	// LocalStack's test_json_manipulation snapshot).
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := parseJSON(s)
	if err != nil {
		return nil, errorf(name, "the string is not valid JSON: %v", err)
	}
	return v, nil
}

// parseJSON decodes exactly one JSON value from s into plain Go values.
func parseJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	var v any
	if err := dec.Decode(&v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the string is empty")
		}
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	return v, nil
}

// jsonToString implements States.JsonToString(value): the compact JSON text of the value.
// Object keys come out in Sources.Keys order, sorted when it is nil.
func jsonToString(src Sources, c *Call, args []any) (any, error) {
	if f, ok := args[0].(float64); ok && src.DoublePath != nil {
		if p, isPath := c.Args[0].(*Path); isPath && src.DoublePath(p.Path) {
			return string(jsonvalue.AppendJavaDouble(nil, f)), nil
		}
	}
	b, err := appendJSON(nil, args[0], src)
	if err != nil {
		return nil, errorf("States.JsonToString", "%v", err)
	}
	return string(b), nil
}

// jsonMerge implements States.JsonMerge(a, b, false): a shallow merge where b's keys replace
// a's. AWS supports only the shallow mode, so the third argument must be the boolean false.
func jsonMerge(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.JsonMerge"
	deep, ok := args[2].(bool)
	if !ok {
		return nil, errorf(name, "argument 3 (deep merge) must be a boolean, got %s", typeName(args[2]))
	}
	if deep {
		return nil, errorf(name, "only the shallow merging mode is supported, so argument 3 must be false")
	}
	a, ok := args[0].(map[string]any)
	if !ok {
		return nil, errorf(name, "argument 1 must be a JSON object, got %s", typeName(args[0]))
	}
	b, ok := args[1].(map[string]any)
	if !ok {
		return nil, errorf(name, "argument 2 must be a JSON object, got %s", typeName(args[1]))
	}
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out, nil
}
