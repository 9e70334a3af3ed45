package intrinsic

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/kiln-dev/kiln/internal/asl/jsonvalue"
)

// number returns v as a float64 when it is a JSON number in any of the Go forms a caller may
// use (float64, float32, int kinds, json.Number).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case float32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case uint:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// javaRound rounds half up, as Java's Math.round does (-2.5 gives -2).
func javaRound(f float64) float64 { return math.Floor(f + 0.5) }

// typeName names the JSON type of v for error messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if _, ok := number(v); ok {
		return "number"
	}
	return "unsupported value"
}

// equal reports whether two JSON values are equal, comparing numbers by value, arrays in order
// and objects by key set.
func equal(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equal(xv, yv) {
				return false
			}
		}
		return true
	}
	xf, ok1 := number(a)
	yf, ok2 := number(b)
	return ok1 && ok2 && xf == yf
}

// keysOf returns m's keys in the order keys gives, or sorted when keys is nil.
func keysOf(m map[string]any, keys func(map[string]any) []string) []string {
	if keys != nil {
		return keys(m)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// appendJSON appends the compact JSON text of v as AWS's intrinsic functions serialise it
// (Jackson): object keys in the order src.Keys gives (sorted when nil), numbers as Java
// formats them (in floating-point form where src.Double says the input had it), strings escaped as Jackson escapes them, numbers of any Go type accepted.
func appendJSON(b []byte, v any, src Sources) ([]byte, error) {
	enc := jsonvalue.Encoder{Keys: src.Keys, Double: src.Double, Numbers: jsonvalue.JavaNumbers, Strings: jsonvalue.JacksonStrings, Other: appendNumber}
	return enc.Append(b, v)
}

// appendNumber appends a number held in any Go form number accepts; other types are errors.
func appendNumber(b []byte, v any) ([]byte, error) {
	f, ok := number(v)
	if !ok {
		return nil, fmt.Errorf("cannot serialise a value of Go type %T as JSON", v)
	}
	return jsonvalue.AppendNumber(b, f, jsonvalue.JavaNumbers)
}

// appendDisplay appends v as States.Format renders an argument: strings bare, arrays as
// "[a, b]" and objects as "{k=v, k2=v2}" (Java's collection toString, keys in the order keys
// gives, sorted when nil), other values as JSON.
func appendDisplay(b []byte, v any, keys func(map[string]any) []string) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendDisplay(b, e, keys)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range keysOf(x, keys) {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = append(b, k...)
			b = append(b, '=')
			b = appendDisplay(b, x[k], keys)
		}
		return append(b, '}')
	}
	if f, ok := number(v); ok {
		return jsonvalue.AppendJava(b, f)
	}
	return fmt.Appendf(b, "%v", v)
}
