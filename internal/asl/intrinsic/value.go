package intrinsic

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
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

// formatNumber renders a number as AWS's Java runtime does: integral values as integers,
// others like Java's Double.toString (plain between 10^-3 and 10^7, else 1.5E-4 notation).
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	if math.IsNaN(f) {
		return "NaN"
	}
	if math.IsInf(f, 0) {
		if f > 0 {
			return "Infinity"
		}
		return "-Infinity"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // like 1.5E-07 or 1E+22
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
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

// appendJSON appends the compact JSON text of v, object keys in the order keys gives (sorted
// when nil), numbers rendered by formatNumber and no HTML escaping (Jackson's output).
func appendJSON(b []byte, v any, keys func(map[string]any) []string) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendJSONString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e, keys); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case map[string]any:
		b = append(b, '{')
		for i, k := range keysOf(x, keys) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, x[k], keys); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	f, ok := number(v)
	if !ok {
		return nil, &Error{Cause: "cannot serialise a value of Go type " + fmt.Sprintf("%T", v) + " as JSON"}
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &Error{Cause: "cannot serialise the non-finite number " + formatNumber(f) + " as JSON"}
	}
	return append(b, formatNumber(f)...), nil
}

const hexDigits = "0123456789ABCDEF"

// appendJSONString quotes s as JSON: the short escapes for \b \f \n \r \t " and \\, \u00XX for
// other control characters, everything else (including non-ASCII) as is.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"':
			b = append(b, '\\', '"')
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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
		if f == math.Trunc(f) && math.Abs(f) < 1e21 {
			return strconv.AppendFloat(b, f, 'f', -1, 64)
		}
		return append(b, formatNumber(f)...)
	}
	return fmt.Appendf(b, "%v", v)
}
