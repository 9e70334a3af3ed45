package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompareOperators(t *testing.T) {
	cases := []struct {
		name      string
		op        string
		v, want   any
		different bool
	}{
		{"equal strings match", "StringEquals", "a", "a", false},
		{"a string never equals a number", "StringEquals", "1", 1.0, true},
		{"strings order by code point", "StringLessThan", "B", "a", false},
		{"numbers compare by value", "NumericGreaterThanEquals", 2.0, 2.0, false},
		{"a numeric string is not numeric", "NumericEquals", "2", 2.0, true},
		{"booleans compare", "BooleanEquals", true, true, false},
		{"timestamps compare as instants across zones", "TimestampEquals", "2024-01-01T01:00:00+01:00", "2024-01-01T00:00:00Z", false},
		{"a date alone is not a timestamp", "TimestampLessThan", "2024-01-01", "2025-01-01T00:00:00Z", true},
		{"IsNull sees JSON null", "IsNull", nil, true, false},
		{"IsNumeric rejects a string", "IsNumeric", "3", true, true},
		{"IsTimestamp accepts fractional seconds", "IsTimestamp", "2024-05-01T10:00:00.123Z", true, false},
		{"IsBoolean false on a string", "IsBoolean", "true", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, !c.different, compare(c.op, c.v, c.want))
		})
	}
}

func TestStringMatches(t *testing.T) {
	cases := []struct {
		name, s, pattern string
		want             bool
	}{
		{"a star matches any run", "log-2024.txt", "log-*.txt", true},
		{"a star matches the empty run", "ab", "a*b", true},
		{"several stars backtrack", "axbxcxd", "a*c*d", true},
		{"an escaped star is literal", "a*b", `a\*b`, true},
		{"an escaped star does not match other text", "axb", `a\*b`, false},
		{"an escaped backslash is literal", `a\b`, `a\\b`, true},
		{"the whole string must match", "abc", "ab", false},
		{"a question mark is a literal, not a wildcard", "héllo", "h?llo", false},
		{"a star spans multi-byte characters", "héllo", "h*o", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, stringMatches(c.s, c.pattern))
		})
	}
}
