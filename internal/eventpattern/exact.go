package eventpattern

import "strconv"

// exactString matches a string value equal to s, byte for byte.
type exactString struct{ s string }

func (m exactString) matches(v *value) bool {
	return v.kind == kindString && string(v.str) == m.s
}

func (m exactString) String() string { return strconv.Quote(m.s) }

// exactNumber matches a number equal to the pattern's number by value (300 matches 3.0e2).
// Numbers outside the range numeric matching accepts are compared by their literal text.
type exactNumber struct {
	num   int64
	numOK bool
	text  string
}

func (m exactNumber) matches(v *value) bool {
	if v.kind != kindNumber {
		return false
	}
	if m.numOK {
		return v.numOK && v.num == m.num
	}
	return !v.numOK && string(v.str) == m.text
}

func (m exactNumber) String() string { return m.text }

// exactLiteral matches the JSON literal null, true or false.
type exactLiteral struct{ k kind }

func (m exactLiteral) matches(v *value) bool { return v.kind == m.k }

func (m exactLiteral) String() string {
	switch m.k {
	case kindTrue:
		return "true"
	case kindFalse:
		return "false"
	default:
		return "null"
	}
}
