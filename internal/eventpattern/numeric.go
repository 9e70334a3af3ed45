package eventpattern

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// Numeric matching compares numbers between -5e9 and 5e9 inclusive, to six digits after the
// decimal point, as EventBridge documents. Values are held scaled by 1e6 as int64.
const (
	numericLimit = 5e9
	numericScale = 1e6
)

// scaleNumber returns the scaled value of a JSON number literal and whether it lies inside the
// range numeric matching accepts.
func scaleNumber(text string) (int64, bool) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f < -numericLimit || f > numericLimit {
		return 0, false
	}
	return int64(math.Round(f * numericScale)), true
}

// scaleNumberBytes is scaleNumber for an event's number literal, with a fast path for small
// integers that avoids parsing floating point.
func scaleNumberBytes(b []byte) (int64, bool) {
	if len(b) > 0 && len(b) <= 10 {
		neg := b[0] == '-'
		i := 0
		if neg {
			i = 1
		}
		if i < len(b) {
			var n int64
			j := i
			for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
				n = n*10 + int64(b[j]-'0')
			}
			if j == len(b) {
				if n > numericLimit {
					return 0, false
				}
				if neg {
					n = -n
				}
				return n * numericScale, true
			}
		}
	}
	return scaleNumber(string(b))
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
		n, inRange := scaleNumber(string(numText))
		if !inRange {
			return numericRange{}, patternErr(path, "numeric: %s is outside the range -5e9 to 5e9", numText)
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
