package jsonvalue

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
)

// NumberStyle chooses how a float64 is written. AWS formats numbers differently in a state's
// output (Go-like) than inside the strings its Java intrinsic functions build, so both exist.
type NumberStyle uint8

const (
	// GoNumbers writes numbers as encoding/json does: integral values below 1e15 as integers,
	// others in the shortest form, with an exponent (1e-7, 1e+21) below 1e-6 and from 1e21 on.
	// Negative zero is written 0 (encoding/json writes -0), as payloads have always been here.
	// NaN and ±Inf are a *json.UnsupportedValueError.
	GoNumbers NumberStyle = iota
	// JavaNumbers writes numbers as AWS's intrinsic functions do (Java's Double.toString with
	// integral values below 1e21 as integers): plain between 1e-3 and 1e7, otherwise 1.0E-4 or
	// 1.2345E7 notation; negative zero stays -0. NaN and ±Inf are an error naming the number as
	// Java prints it (NaN, Infinity, -Infinity).
	JavaNumbers
)

// AppendNumber appends f to b in the given style; NaN and ±Inf are errors.
func AppendNumber(b []byte, f float64, style NumberStyle) ([]byte, error) {
	if style == JavaNumbers {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("cannot serialise the non-finite number " + FormatJava(f) + " as JSON")
		}
		return AppendJava(b, f), nil
	}
	return appendGo(b, f)
}

// appendGo formats f like encoding/json, except that -0 is 0.
func appendGo(b []byte, f float64) ([]byte, error) {
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

// AppendJava appends f as JavaNumbers formats it, writing NaN, Infinity and -Infinity for
// the numbers JSON cannot hold (as States.Format and error messages show them).
func AppendJava(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	abs := math.Abs(f)
	if f == math.Trunc(f) && abs < 1e21 || abs >= 1e-3 && abs < 1e7 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return appendJavaE(b, f)
}

// AppendJavaDouble appends f as Java's Double.toString writes it, which is how AWS's intrinsic
// functions print a number the input wrote in floating-point form (1.0, 2.50, 1e3): always
// with a fraction (1.0, 1000.0), plain between 1e-3 and 1e7 and otherwise in 1.0E7 notation.
// NaN and ±Inf are written as AppendJava writes them.
func AppendJavaDouble(b []byte, f float64) []byte {
	abs := math.Abs(f)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return AppendJava(b, f)
	}
	if abs != 0 && (abs < 1e-3 || abs >= 1e7) {
		return appendJavaE(b, f)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'f', -1, 64)
	if bytes.IndexByte(b[start:], '.') < 0 {
		b = append(b, ".0"...)
	}
	return b
}

// appendJavaE appends f in Java's computerised scientific notation (1.5E-7, 1.0E22).
func appendJavaE(b []byte, f float64) []byte {
	// Go writes 1.5E-07 or 1E+22 where Java writes 1.5E-7 and 1.0E22.
	start := len(b)
	b = strconv.AppendFloat(b, f, 'E', -1, 64)
	e := start + bytes.IndexByte(b[start:], 'E')
	var exp [8]byte
	n := copy(exp[:], b[e+1:])
	b = b[:e]
	if bytes.IndexByte(b[start:], '.') < 0 {
		b = append(b, ".0"...)
	}
	b = append(b, 'E')
	digits := exp[1:n]
	if exp[0] == '-' {
		b = append(b, '-')
	}
	for len(digits) > 1 && digits[0] == '0' {
		digits = digits[1:]
	}
	return append(b, digits...)
}

// FormatJava returns f as AppendJava appends it.
func FormatJava(f float64) string {
	var buf [32]byte
	return string(AppendJava(buf[:0], f))
}
