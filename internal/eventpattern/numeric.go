package eventpattern

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Numeric matching compares numbers between -5e9 and 5e9 inclusive with at most six digits
// after the decimal point, as EventBridge documents. Values are held exactly, scaled by 1e6,
// as int64.
const (
	numericLimit = 5_000_000_000
	numericScale = 1_000_000
)

// numberClass says whether a number can take part in numeric matching, and if not, why.
type numberClass uint8

const (
	numberOK numberClass = iota
	numberOutOfRange
	numberTooPrecise
)

// maxDigits bounds the significant digits scaleDecimal looks at; longer numbers are out of
// range or too precise anyway.
const maxDigits = 40

// scaleDecimal returns value×1e6 of a JSON number literal, computed exactly in decimal, and
// whether the number is inside the numeric range with at most six decimals. 300, 300.0 and
// 3.0e2 all give 300000000.
func scaleDecimal(b []byte) (int64, numberClass) {
	i := 0
	neg := false
	if i < len(b) && b[i] == '-' {
		neg = true
		i++
	}
	// The number is digits×10^point. Zeros are held back until a non-zero digit follows, so
	// trailing zeros never fill the buffer.
	var digits [maxDigits]byte
	n, sig, pending, point := 0, 0, 0, 0
	add := func(c byte) {
		switch {
		case c == '0' && sig == 0: // a leading zero
		case c == '0':
			pending++
		default:
			for ; pending > 0; pending-- {
				if n < maxDigits {
					digits[n] = '0'
					n++
				}
				sig++
			}
			if n < maxDigits {
				digits[n] = c
				n++
			}
			sig++
		}
	}
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		add(b[i])
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			add(b[i])
			point--
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		expNeg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			expNeg = b[i] == '-'
			i++
		}
		exp := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if exp < 100000 {
				exp = exp*10 + int(b[i]-'0')
			}
		}
		if expNeg {
			exp = -exp
		}
		point += exp
	}
	if sig == 0 {
		return 0, numberOK
	}
	point += pending    // trailing zeros
	scale := point + 6  // power of ten of the scaled value, counted from the last kept digit
	if sig+scale > 16 { // 5e9 × 1e6 has 16 digits
		return 0, numberOutOfRange
	}
	if scale < 0 || sig > n {
		return 0, numberTooPrecise
	}
	var v int64
	for _, d := range digits[:n] {
		v = v*10 + int64(d-'0')
	}
	for range scale {
		v *= 10
	}
	if v > numericLimit*numericScale {
		return 0, numberOutOfRange
	}
	if neg {
		v = -v
	}
	return v, numberOK
}

// scaleNumber is scaleDecimal for a pattern's number, reporting only whether it can be used.
func scaleNumber(text string) (int64, bool) {
	v, c := scaleDecimal([]byte(text))
	return v, c == numberOK
}

// scaleNumberBytes is scaleDecimal for an event's number literal.
func scaleNumberBytes(b []byte) (int64, bool) {
	v, c := scaleDecimal(b)
	return v, c == numberOK
}

// numericRange matches a number inside a one- or two-sided range, or equal to a value.
type numericRange struct {
	lo, hi         int64
	hasLo, hasHi   bool
	loOpen, hiOpen bool
	text           string
}

func (m numericRange) matches(v *value) bool {
	if v.kind != kindNumber || !v.numOK {
		return false
	}
	if m.hasLo && (v.num < m.lo || (m.loOpen && v.num == m.lo)) {
		return false
	}
	if m.hasHi && (v.num > m.hi || (m.hiOpen && v.num == m.hi)) {
		return false
	}
	return true
}

func (m numericRange) String() string { return `{"numeric":` + m.text + `}` }

// compileNumeric parses the operand of numeric: [op, n] with op one of =, <, <=, >, >=, or
// [">" or ">=", low, "<" or "<=", high] with low < high.
func compileNumeric(operand any, path string) (numericRange, error) {
	arr, ok := operand.([]any)
	if !ok {
		return numericRange{}, patternErr(path, "numeric takes an array such as [\">\", 0, \"<=\", 5], not %s", describe(operand))
	}
	if len(arr) != 2 && len(arr) != 4 {
		return numericRange{}, patternErr(path, "numeric takes one comparison [op, n] or a range [op, low, op, high], not %d elements", len(arr))
	}
	var m numericRange
	texts := make([]string, 0, len(arr))
	for i := 0; i < len(arr); i += 2 {
		op, ok := arr[i].(string)
		if !ok {
			return numericRange{}, patternErr(path, "numeric: element %d must be an operator (=, <, <=, >, >=), not %s", i, describe(arr[i]))
		}
		numText, ok := arr[i+1].(json.Number)
		if !ok {
			return numericRange{}, patternErr(path, "numeric: the value after %q must be a number, not %s", op, describe(arr[i+1]))
		}
		n, class := scaleDecimal([]byte(numText))
		switch class {
		case numberOutOfRange:
			return numericRange{}, patternErr(path, "numeric: %s is outside the range -5e9 to 5e9", numText)
		case numberTooPrecise:
			return numericRange{}, patternErr(path, "numeric: %s has more than six digits after the decimal point", numText)
		}
		texts = append(texts, strconv.Quote(op), string(numText))
		switch op {
		case "=":
			if len(arr) != 2 {
				return numericRange{}, patternErr(path, "numeric: \"=\" cannot be part of a range")
			}
			m.lo, m.hi, m.hasLo, m.hasHi = n, n, true, true
		case ">", ">=":
			if m.hasLo {
				return numericRange{}, patternErr(path, "numeric: a range has one lower bound (> or >=) then one upper bound (< or <=)")
			}
			m.lo, m.hasLo, m.loOpen = n, true, op == ">"
		case "<", "<=":
			if m.hasHi || (len(arr) == 4 && i == 0) {
				return numericRange{}, patternErr(path, "numeric: a range has one lower bound (> or >=) then one upper bound (< or <=)")
			}
			m.hi, m.hasHi, m.hiOpen = n, true, op == "<"
		default:
			return numericRange{}, patternErr(path, "numeric: unknown operator %q (want =, <, <=, >, >=)", op)
		}
	}
	if len(arr) == 4 && m.lo >= m.hi {
		return numericRange{}, patternErr(path, "numeric: the lower bound must be less than the upper bound")
	}
	m.text = "[" + strings.Join(texts, ",") + "]"
	return m, nil
}
