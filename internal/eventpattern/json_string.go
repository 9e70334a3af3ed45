package eventpattern

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// JSON strings of events: checking them fast, and decoding the few that hold escapes.

// skipString checks the string starting at the quote b[i] and returns the index past its
// closing quote, or the index of the error and its reason.
func skipString(b []byte, i int) (int, string) {
	i, _, reason := scanString(b, i)
	return i, reason
}

// scanString is skipString that also reports whether the string holds escapes.
func scanString(b []byte, i int) (int, bool, string) {
	esc := false
	i++
	for {
		// Eight bytes at a time: skip a word without a quote, backslash or control
		// character, else jump straight to the first such byte.
		if i+16 <= len(b) {
			m := specialBytes(binary.LittleEndian.Uint64(b[i : i+8]))
			if m == 0 {
				m = specialBytes(binary.LittleEndian.Uint64(b[i+8 : i+16]))
				if m == 0 {
					i += 16
					continue
				}
				i += 8
			}
			i += bits.TrailingZeros64(m) >> 3
		} else if i+8 <= len(b) {
			m := specialBytes(binary.LittleEndian.Uint64(b[i : i+8]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else if i >= len(b) {
			return i, esc, "unexpected end of input in a string"
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, esc, ""
		case c == '\\':
			esc = true
			if i+1 >= len(b) {
				return i, esc, "unexpected end of input in a string"
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex4(b[i+2:i+6]) {
					return i, esc, "invalid \\u escape in a string"
				}
				i += 6
			default:
				return i, esc, "invalid escape in a string"
			}
		case c < 0x20:
			return i, esc, "control character in a string"
		default:
			i++
		}
	}
}

func isHex4(b []byte) bool {
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

func hexVal(b []byte) rune {
	var r rune
	for _, c := range b {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// decodeString decodes the escapes of a string's raw content the scanner has already checked.
// Lone surrogates become U+FFFD, as encoding/json does.
func decodeString(raw []byte) []byte {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch raw[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hexVal(raw[i+2 : i+6])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, hexVal(raw[i+2:i+6])); r2 != utf8.RuneError {
						out = utf8.AppendRune(out, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			out = append(out, raw[i+1])
		}
		i += 2
	}
	return out
}

// specialBytes returns a mask with the high bit set in the bytes of x that are '"', '\\' or
// below 0x20, little-endian, computed with the has-zero-byte bit trick. Bits above the first
// flagged byte may be false positives; the lowest flagged byte is always a real one.
//
// The three byte tests share one "and not x": a byte below 0x80 keeps its high bit clear
// when xored with '"' or '\\', so clearing the bytes whose high bit is set in x discards the
// same bytes as clearing those set in each xored word, and bytes from 0x80 up are never
// flagged. A borrow only leaves a byte that was a real hit, so the lowest flag stays exact.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	slash := x ^ (ones * '\\')
	return ((quote - ones) | (slash - ones) | (x - ones*0x20)) &^ x & highs
}
