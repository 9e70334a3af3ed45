package jsonata

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// fromJSON decodes a JSON text for test inputs.
func fromJSON(t testing.TB, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	var v any
	require.NoError(t, json.Unmarshal([]byte(s), &v))
	return v
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// evalTest evaluates expr with $states.input bound to input and the variables in vars; want is
// the JSON of the result, "undefined", or "error: CODE: message" matched as a substring.
type evalTest struct {
	name  string
	expr  string
	input string
	want  string
}

const testVars = `{"total": 3, "name": "kiln", "cfg": {"threshold": 0.9, "tags": ["a", "b"]}, "nothing": null}`

func runEvalTable(t *testing.T, tests []evalTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Compile(tc.expr)
			require.NoError(t, err)
			states := map[string]any{"input": fromJSON(t, tc.input), "context": map[string]any{"Execution": map[string]any{"Name": "run-1"}}}
			vars := fromJSON(t, testVars).(map[string]any)
			got, err := e.Eval(states, vars)
			switch {
			case tc.want == "undefined":
				require.ErrorIs(t, err, ErrUndefined, "got %v", got)
				var je *Error
				require.ErrorAs(t, err, &je)
				require.True(t, je.Undefined)
			case len(tc.want) > 7 && tc.want[:7] == "error: ":
				require.Error(t, err, "got %s", jsonOf(t, got))
				var je *Error
				require.ErrorAs(t, err, &je)
				require.False(t, je.Undefined)
				require.Equal(t, "States.QueryEvaluationError", je.ErrorName())
				require.Contains(t, je.Code+": "+je.Message, tc.want[7:])
			default:
				require.NoError(t, err)
				require.JSONEq(t, tc.want, jsonOf(t, got))
			}
		})
	}
}
