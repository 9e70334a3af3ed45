package jsonvalue

import "unicode/utf8"

// StringStyle chooses how a string is escaped. Both escape '"', '\\' and the control
// characters and neither escapes <, > or &; they differ where Go's encoding/json and Java's
// Jackson differ, since AWS writes payloads like the one and intrinsic results like the other.
type StringStyle uint8

const (
	// GoStrings escapes as encoding/json with HTML escaping off: \b \f \n \r \t as short
	// escapes (as AWS's Jackson writes them too), other control characters as \u00xx in
	// lower-case hex, U+2028 and U+2029 as \u2028 and \u2029, and each byte of invalid UTF-8 as
	// \ufffd.
	GoStrings StringStyle = iota
	// JacksonStrings escapes as Jackson does: \b \f \n \r \t as short escapes, other control
	// characters as \u00XX in upper-case hex, and every byte from 0x80 on as it is (U+2028 and
	// invalid UTF-8 included).
	JacksonStrings
)

// AppendString appends s to b as a quoted JSON string escaped in the given style.
func AppendString(b []byte, s string, style StringStyle) []byte {
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
			b = appendEscape(b, c, style)
			i++
			start = i
			continue
		}
		if style == JacksonStrings {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', lowerHex[r&0xf])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

const (
	lowerHex = "0123456789abcdef"
	upperHex = "0123456789ABCDEF"
)

// appendEscape appends the escape of the ASCII character c (a quote, a backslash or a control
// character).
func appendEscape(b []byte, c byte, style StringStyle) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	}
	if style == JacksonStrings {
		return append(b, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&0xf])
	}
	return append(b, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
}
