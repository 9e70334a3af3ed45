package eventpattern

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInvalidEvents(t *testing.T) {
	cases := []struct {
		name   string
		event  string
		reason string
	}{
		{"an empty event is rejected", ``, "empty input"},
		{"an event of spaces is rejected", `   `, "empty input"},
		{"an event that is an array is rejected", `[{"source":"a"}]`, "must be a JSON object"},
		{"an event that is a string is rejected", `"a"`, "must be a JSON object"},
		{"a truncated event is rejected", `{"source":"a"`, "unexpected end of input"},
		{"a truncated string is rejected", `{"source":"a`, "unexpected end of input in a string"},
		{"a missing colon is rejected", `{"source" "a"}`, "expected ':'"},
		{"a trailing comma in an object is rejected", `{"source":"a",}`, "expected a field name"},
		{"a trailing comma in an array is rejected", `{"r":[1,]}`, "expected a value"},
		{"a bare word is rejected", `{"source":aws}`, "expected a value"},
		{"a misspelt literal is rejected", `{"b":tru}`, "expected true"},
		{"a number with a leading plus is rejected", `{"n":+1}`, "expected a value"},
		{"a number with a bare decimal point is rejected", `{"n":1.}`, "no digits after the decimal point"},
		{"a number with an empty exponent is rejected", `{"n":1e}`, "no digits in the exponent"},
		{"a lone minus is rejected", `{"n":-}`, "invalid number"},
		{"a control character inside a string is rejected", "{\"s\":\"a\tb\"}", "control character"},
		{"an unknown escape is rejected", `{"s":"a\qb"}`, "invalid escape"},
		{"a short unicode escape is rejected", `{"s":"\u12"}`, "invalid \\u escape"},
		{"data after the event is rejected", `{"s":"a"} x`, "after the event object"},
		{"a second object after the event is rejected", `{"s":"a"}{}`, "after the event object"},
		{"an error in a part no pattern reads is still found", `{"source":"a","other":{"x":[1,2,}}`, "expected a value"},
		{"an event nested too deeply is rejected", `{"a":` + strings.Repeat("[", maxEventDepth+1) + strings.Repeat("]", maxEventDepth+1) + `}`, "nested too deeply"},
	}
	p, err := Compile([]byte(`{"source":["a"]}`))
	require.NoError(t, err)
	m := NewMatcher()
	require.NoError(t, m.Add("r", []byte(`{"source":["a"]}`)))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if json.Valid([]byte(tc.event)) {
				require.NotEqual(t, byte('{'), strings.TrimSpace(tc.event)[0], "the case's event must be invalid JSON or not an object")
			}
			ok, err := p.Match([]byte(tc.event))
			require.Error(t, err)
			assert.False(t, ok)
			var ee *EventError
			require.True(t, errors.As(err, &ee), "got %v", err)
			assert.Contains(t, ee.Reason, tc.reason)
			names, err := m.Match([]byte(tc.event))
			require.Error(t, err)
			assert.Nil(t, names)
		})
	}
}

func TestNonObjectEventsAreRejected(t *testing.T) {
	p, err := Compile([]byte(`{"source":["a"]}`))
	require.NoError(t, err)
	for _, ev := range []string{`[]`, `1`, `null`, `"x"`, `true`} {
		_, err := p.Match([]byte(ev))
		assert.Error(t, err, "event %s", ev)
	}
}

func TestEventErrorNamesTheOffset(t *testing.T) {
	p, err := Compile([]byte(`{"source":["a"]}`))
	require.NoError(t, err)
	_, err = p.Match([]byte(`{"source":"a", "x": ?}`))
	require.Error(t, err)
	assert.Equal(t, "match event: event is not valid JSON at byte 20: unexpected character, expected a value", err.Error())
}
