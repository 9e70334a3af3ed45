package conformance

import (
	"bytes"
	"encoding/json"

	"github.com/kiln-dev/kiln/internal/asl/jsonvalue"
)

// maxDepth is encoding/json's nesting limit; deeper lines go through encoding/json.
const maxDepth = 10000

// splitCase finds the raw id, definition and input values of a case line while checking that
// the whole line is valid JSON, without decoding anything. It is hand-written because
// encoding/json (scan, then decode into json.RawMessage, which scans again) cost more than
// running the case. ok is false for anything it does not handle exactly as encoding/json
// would (a syntax error, a key with an escape or other than lower-case id/definition/input
// spelt differently, nesting deeper than encoding/json allows); the caller then falls back to
// encoding/json. known is the previous case's definition field: a definition with exactly
// those bytes is taken without being scanned (they were scanned when first seen).
func splitCase(b []byte, known []byte) (id, def, input []byte, ok bool) {
	i := ws(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, nil, nil, false
	}
	i = ws(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil, nil, nil, ws(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, nil, nil, false
		}
		ks := i + 1
		ke := ks
		for ke < len(b) && b[ke] != '"' && b[ke] != '\\' && b[ke] >= 0x20 && b[ke] < 0x80 {
			ke++
		}
		if ke >= len(b) || b[ke] != '"' {
			return nil, nil, nil, false
		}
		key := b[ks:ke]
		i = ws(b, ke+1)
		if i >= len(b) || b[i] != ':' {
			return nil, nil, nil, false
		}
		i = ws(b, i+1)
		vs := i
		switch {
		case string(key) == "definition" && len(known) > 0 && bytes.HasPrefix(b[i:], known):
			i += len(known)
		default:
			var good bool
			if i, good = skipValue(b, i, 1); !good {
				return nil, nil, nil, false
			}
		}
		v := b[vs:i]
		switch string(key) {
		case "id":
			id = v
		case "definition":
			def = v
		case "input":
			input = v
		default:
			// encoding/json matches field names case-insensitively.
			if bytes.EqualFold(key, []byte("id")) || bytes.EqualFold(key, []byte("definition")) || bytes.EqualFold(key, []byte("input")) {
				return nil, nil, nil, false
			}
		}
		i = ws(b, i)
		if i >= len(b) {
			return nil, nil, nil, false
		}
		if b[i] == '}' {
			return id, def, input, ws(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return nil, nil, nil, false
		}
		i = ws(b, i+1)
	}
}

func ws(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index after the valid JSON value starting at b[i].
func skipValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) || depth > maxDepth {
		return i, false
	}
	switch c := b[i]; c {
	case '{', '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		i = ws(b, i+1)
		if i < len(b) && b[i] == end {
			return i + 1, true
		}
		for {
			var ok bool
			if c == '{' {
				if i >= len(b) || b[i] != '"' {
					return i, false
				}
				if i, ok = skipString(b, i); !ok {
					return i, false
				}
				i = ws(b, i)
				if i >= len(b) || b[i] != ':' {
					return i, false
				}
				i = ws(b, i+1)
			}
			if i, ok = skipValue(b, i, depth+1); !ok {
				return i, false
			}
			i = ws(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == end {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = ws(b, i+1)
		}
	case '"':
		return skipString(b, i)
	case 't':
		return skipLiteral(b, i, "true")
	case 'f':
		return skipLiteral(b, i, "false")
	case 'n':
		return skipLiteral(b, i, "null")
	default:
		return skipNumber(b, i)
	}
}

func skipLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// skipString skips the string starting at the quote b[i]. Bytes from 0x80 on pass as they are
// (encoding/json accepts invalid UTF-8 too).
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 {
					return i, false
				}
				for _, h := range b[i+2 : i+6] {
					if (h < '0' || h > '9') && (h < 'a' || h > 'f') && (h < 'A' || h > 'F') {
						return i, false
					}
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		default:
			i++
		}
	}
	return i, false
}

// skipNumber skips a number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return i, false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return i, false
		}
		i = j
	}
	return i, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// appendResult appends r as one JSON line, as encoding/json with HTML escaping off writes it.
func appendResult(b []byte, r *result) []byte {
	b = append(b, `{"id":`...)
	switch {
	case len(r.id) == 0:
		b = append(b, "null"...)
	case r.id[0] == '"':
		b = append(b, r.id...) // a string literal is already compact
	default:
		var buf bytes.Buffer
		if json.Compact(&buf, r.id) == nil {
			b = append(b, buf.Bytes()...)
		} else {
			b = append(b, "null"...)
		}
	}
	b = append(b, `,"status":"`...)
	b = append(b, r.status...)
	b = append(b, `","output":`...)
	if len(r.output) == 0 {
		b = append(b, "null"...)
	} else {
		b = append(b, r.output...)
	}
	b = append(b, `,"error":`...)
	b = appendOptString(b, r.errSet, r.err)
	b = append(b, `,"cause":`...)
	b = appendOptString(b, r.cSet, r.cause)
	return append(b, "}\n"...)
}

// appendOptString appends s as a JSON string, or null when set is false.
func appendOptString(b []byte, set bool, s string) []byte {
	if !set {
		return append(b, "null"...)
	}
	// The payload encoder writes strings exactly as encoding/json does.
	return jsonvalue.AppendString(b, s, jsonvalue.GoStrings)
}
