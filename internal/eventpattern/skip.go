package eventpattern

// The parts of an event no pattern reads are still checked for JSON syntax, but by the tight
// loops below, which keep the position in a register and make no call per token.

// skipValue checks the JSON value starting at b[i] and returns the index just past it, or
// the index of the first error with its reason. stack is scratch space for open containers.
func skipValue(b []byte, i int, depth int, stack []byte) (int, []byte, string) {
	stack = stack[:0]
value:
	i = skipWS(b, i)
	if i >= len(b) {
		return i, stack, "unexpected end of input, expected a value"
	}
	switch c := b[i]; {
	case c == '{':
		if depth+len(stack) >= maxEventDepth {
			return i, stack, "nested too deeply"
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == '}' {
			i++
			goto after
		}
		stack = append(stack, '{')
		goto key
	case c == '[':
		if depth+len(stack) >= maxEventDepth {
			return i, stack, "nested too deeply"
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			i++
			goto after
		}
		stack = append(stack, '[')
		goto value
	case c == '"':
		var reason string
		if i, reason = skipString(b, i); reason != "" {
			return i, stack, reason
		}
		goto after
	case c == 't':
		if len(b)-i < 4 || string(b[i:i+4]) != "true" {
			return i, stack, "invalid literal, expected true"
		}
		i += 4
		goto after
	case c == 'f':
		if len(b)-i < 5 || string(b[i:i+5]) != "false" {
			return i, stack, "invalid literal, expected false"
		}
		i += 5
		goto after
	case c == 'n':
		if len(b)-i < 4 || string(b[i:i+4]) != "null" {
			return i, stack, "invalid literal, expected null"
		}
		i += 4
		goto after
	case c == '-' || (c >= '0' && c <= '9'):
		var reason string
		if i, reason = skipNumber(b, i); reason != "" {
			return i, stack, reason
		}
		goto after
	default:
		return i, stack, "unexpected character, expected a value"
	}
key:
	if i >= len(b) || b[i] != '"' {
		return i, stack, "expected a field name"
	}
	{
		var reason string
		if i, reason = skipString(b, i); reason != "" {
			return i, stack, reason
		}
	}
	i = skipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return i, stack, "expected ':' after a field name"
	}
	i++
	goto value
after:
	if len(stack) == 0 {
		return i, stack, ""
	}
	i = skipWS(b, i)
	if i >= len(b) {
		if stack[len(stack)-1] == '{' {
			return i, stack, "unexpected end of input in an object"
		}
		return i, stack, "unexpected end of input in an array"
	}
	if stack[len(stack)-1] == '{' {
		switch b[i] {
		case ',':
			i = skipWS(b, i+1)
			goto key
		case '}':
			i++
			stack = stack[:len(stack)-1]
			goto after
		}
		return i, stack, "expected ',' or '}' in an object"
	}
	switch b[i] {
	case ',':
		i++
		goto value
	case ']':
		i++
		stack = stack[:len(stack)-1]
		goto after
	}
	return i, stack, "expected ',' or ']' in an array"
}

// skipWS returns the index of the first byte at or after i that is not JSON whitespace.
// Most calls land on a token, so a byte above the space returns at the first compare.
func skipWS(b []byte, i int) int {
	for i < len(b) {
		if c := b[i]; c > ' ' || (c != ' ' && c != '\n' && c != '\t' && c != '\r') {
			return i
		}
		i++
	}
	return i
}

// skipNumber checks the number starting at b[i]:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(b []byte, i int) (int, string) {
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return i, "invalid number"
	}
	switch {
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return i, "invalid number"
	}
	if i < len(b) && b[i] == '.' {
		i++
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return i, "invalid number: no digits after the decimal point"
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		start := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == start {
			return i, "invalid number: no digits in the exponent"
		}
	}
	return i, ""
}
