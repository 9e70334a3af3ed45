package intrinsic

import (
	"strings"
	"unsafe"
)

// template is a States.Format template split into literal text and placeholders.
type template struct {
	parts        []string // literal text; a placeholder sits between parts[i] and parts[i+1]
	placeholders int
	err          string // non-empty when the template has an escape that escapes nothing
}

// compileTemplate splits a template written with intrinsic escapes: "\{", "\}", "\'" and "\\"
// stand for the character, "{}" is a placeholder, and any other backslash is an error.
// A lone "{" or "}" is literal text.
func compileTemplate(raw string) template {
	var t template
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\\':
			if i+1 < len(raw) && strings.IndexByte(`'{}\`, raw[i+1]) >= 0 {
				b.WriteByte(raw[i+1])
				i++
				continue
			}
			if t.err == "" {
				t.err = "the template '" + raw + "' has a backslash that escapes nothing; only \\', \\{, \\} and \\\\ are escapes"
			}
			b.WriteByte(c)
		case c == '{' && i+1 < len(raw) && raw[i+1] == '}':
			t.parts = append(t.parts, b.String())
			b.Reset()
			t.placeholders++
			i++
		default:
			b.WriteByte(c)
		}
	}
	t.parts = append(t.parts, b.String())
	return t
}

// format implements States.Format(template, values...): each "{}" in the template is replaced
// by the positionally matching value, rendered as AWS renders it (strings bare, numbers without
// a trailing ".0", objects as {key=value}). The number of values must equal the number of
// placeholders.
func format(src Sources, c *Call, args []any) (any, error) {
	const name = "States.Format"
	var t template
	if c.format != nil {
		t = *c.format
	} else {
		s, ok := args[0].(string)
		if !ok {
			return nil, errorf(name, "the first argument must be a string template, got %s", typeName(args[0]))
		}
		t = compileTemplate(s)
	}
	if t.err != "" {
		return nil, errorf(name, "%s", t.err)
	}
	values := args[1:]
	if len(values) != t.placeholders {
		return nil, errorf(name, "the template has %d placeholder(s) '{}' but %d value(s) were given", t.placeholders, len(values))
	}
	size := 0
	for _, p := range t.parts {
		size += len(p)
	}
	b := make([]byte, 0, size+16*len(values))
	b = append(b, t.parts[0]...)
	for i, v := range values {
		b = appendDisplay(b, v, src.Keys)
		b = append(b, t.parts[i+1]...)
	}
	// b is never written again, so the string can share its bytes (as strings.Builder does)
	// instead of copying them.
	return unsafe.String(unsafe.SliceData(b), len(b)), nil
}
