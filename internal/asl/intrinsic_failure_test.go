package asl

import (
	"context"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIntrinsicFailuresAreRuntimeErrors(t *testing.T) {
	const prefix = "An error occurred while executing the state 'S' (entered at the event id #4). "
	cases := []struct {
		name  string
		expr  string
		input string
		cause string
	}{
		{"a bad argument names the function", `States.MathAdd($.a, $.b)`, `{"a":1,"b":"x"}`,
			prefix + "The function 'States.MathAdd($.a, $.b)' had the following error: Invalid arguments in States.MathAdd"},
		{"a nested failure names the whole expression", `States.Array(States.ArrayGetItem($.a, 5))`, `{"a":[1]}`,
			prefix + "The function 'States.Array(States.ArrayGetItem($.a, 5))' had the following error: Invalid arguments in States.ArrayGetItem"},
		{"a missing path argument names the path and the input", `States.Format('{}',  $.nope)`, `{"other":1}`,
			prefix + "The function 'States.Format('{}',  $.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{\"other\":1}'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			def := `{"StartAt":"W","States":{"W":{"Type":"Parallel","Branches":[{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":{"v.$":"` +
				jsonEscape(tc.expr) + `"},"End":true}}}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"Caught"}],"End":true},"Caught":{"Type":"Succeed"}}}`
			m, err := Parse([]byte(def))
			require.NoError(t, err)
			e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1})
			_, r, err := e.Run(context.Background(), m, StartInput{Input: []byte(tc.input)})
			require.NoError(t, err)
			assert.Equal(t, StatusFailed, r.Status, "States.Runtime is not caught by States.ALL")
			assert.Equal(t, ErrRuntime, r.Error)
			assert.Equal(t, tc.cause, r.Cause)
		})
	}
}

// jsonEscape escapes the quotes of s for a JSON string literal.
func jsonEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
