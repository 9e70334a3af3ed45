package jsonvalue

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
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
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return append(b, FormatJava(f)...)
}

// FormatJava returns f as AppendJava appends it.
func FormatJava(f float64) string {
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
