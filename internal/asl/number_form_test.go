package asl

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONToStringKeepsTheFloatingPointFormOfNumbers(t *testing.T) {
	cases := []struct {
		name   string
		states string
		input  string
		want   string
	}{
		{"input numbers written with a fraction or an exponent print as Java doubles",
			`"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"a":1.0,"b":2,"c":[1.50,3,1e2,-0.0],"d":12345678.0,"e":0.0001}`,
			`{"a":1.0,"b":2,"c":[1.5,3,100.0,-0.0],"d":1.2345678E7,"e":1.0E-4}`},
		{"a number selected alone keeps its form",
			`"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString(States.Array(States.JsonToString($.a), States.JsonToString($.c[0]), States.JsonToString($.i)))"},"End":true}`,
			`{"a":2.0,"c":[3.0],"i":4}`,
			`["2.0","3.0","4"]`},
		{"a Parameters literal keeps the definition's form",
			`"P":{"Type":"Pass","Parameters":{"x":1.0,"y.$":"$.b","z":{"w":5.0}},"Next":"S"},"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"b":2}`,
			`{"x":1.0,"y":2,"z":{"w":5.0}}`},
		{"a ResultPath copy keeps the form of the members it copies",
			`"P":{"Type":"Pass","Result":"new","ResultPath":"$.added","Next":"S"},"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"a":1.0,"n":{"b":7.0}}`,
			`{"a":1.0,"n":{"b":7.0},"added":"new"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := runJSONToString(t, tc.states, tc.input)
			var s string
			require.NoError(t, json.Unmarshal([]byte(got), &struct{ S *string }{&s}))
			assert.Equal(t, tc.want, s)
		})
	}
}

func TestPayloadsStillWriteIntegralNumbersAsIntegers(t *testing.T) {
	got := runJSONToString(t, `"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)","a.$":"$.a"},"End":true}`, `{"a":1.0}`)
	assert.JSONEq(t, `{"a":1,"s":"{\"a\":1.0}"}`, got)
	assert.Contains(t, got, `"a":1,`)
}

// runJSONToString runs the states (the first one's name is its first letter) on input and
// returns the execution's output.
func runJSONToString(t *testing.T, states, input string) string {
	t.Helper()
	m, err := Parse([]byte(`{"StartAt":"` + states[1:2] + `","States":{` + states + `}}`))
	require.NoError(t, err)
	e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1})
	_, r, err := e.Run(context.Background(), m, StartInput{Input: []byte(input)})
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, r.Status, "%s: %s", r.Error, r.Cause)
	return string(r.Output)
}
