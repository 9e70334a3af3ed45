package asl

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"
)

// appendJSON appends the compact JSON text of a plain JSON value (map[string]any, []any,
// string, float64, bool, nil; other types go through encoding/json). Keys are sorted, numbers
// are formatted as encoding/json formats them and HTML characters are not escaped, as Step
// Functions prints them. It is several times faster than encoding/json for these values.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		if x {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case string:
		return appendString(b, x), nil
	case float64:
		return appendFloat(b, x)
	case map[string]any:
		b = append(b, '{')
		if len(x) == 1 {
			for k, e := range x {
				b = appendString(b, k)
				b = append(b, ':')
				var err error
				if b, err = appendJSON(b, e); err != nil {
					return nil, err
				}
			}
			return append(b, '}'), nil
		}
		var arr [16]string
		keys := arr[:0]
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}

// appendFloat formats f like encoding/json.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(f, 'g', -1, 64)}
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.AppendInt(b, int64(f), 10), nil
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// Clean up e-09 to e-9, as encoding/json does.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping like encoding/json without HTML escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// maxPayloadBytes is Step Functions' limit on a state's input, output or task result.
const maxPayloadBytes = 256 * 1024

// jsonSizeOver reports whether the compact JSON text of v is longer than limit bytes. It
// first counts a lower bound of the length without building the text (stopping once over);
// only values near the limit are encoded to be measured exactly.
func jsonSizeOver(v any, limit int) bool {
	n := 0
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case nil:
			n += 4
		case bool:
			n += 4
		case string:
			n += len(x) + 2
		case float64:
			n++
		case map[string]any:
			n += 2
			for k, e := range x {
				n += len(k) + 3
				if walk(e) {
					return true
				}
			}
		case []any:
			n += 2
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		default:
			b, _ := marshalJSON(x)
			n += len(b)
		}
		return n > limit
	}
	if walk(v) {
		return true
	}
	if n > limit/2 {
		// Close to the limit the estimate is not enough: measure exactly.
		b, err := marshalJSON(v)
		return err == nil && len(b) > limit
	}
	return false
}
