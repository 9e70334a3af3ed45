package intrinsic

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// doc is a JSON document the test lookup resolves "$..." paths against; "$$..." paths resolve
// against ctx and "$name..." against vars.
type doc struct {
	input any
	ctx   any
	vars  map[string]any
}

func parseDoc(t testing.TB, input string) doc {
	t.Helper()
	var v any
	if input != "" {
		require.NoError(t, json.Unmarshal([]byte(input), &v))
	}
	return doc{input: v}
}

// lookup resolves dotted paths only, which is all these tests need.
func (d doc) lookup(path string) (any, error) {
	var cur any
	var rest string
	switch {
	case strings.HasPrefix(path, "$$"):
		cur, rest = d.ctx, path[2:]
	case path == "$" || strings.HasPrefix(path, "$."):
		cur, rest = d.input, path[1:]
	default:
		name, tail, _ := strings.Cut(path[1:], ".")
		v, ok := d.vars[name]
		if !ok {
			return nil, fmt.Errorf("variable %s is not defined", name)
		}
		cur = v
		if tail != "" {
			rest = "." + tail
		}
	}
	for _, key := range strings.Split(strings.TrimPrefix(rest, "."), ".") {
		if key == "" {
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("path %s not found", path)
		}
		if cur, ok = m[key]; !ok {
			return nil, fmt.Errorf("path %s not found", path)
		}
	}
	return cur, nil
}

// evalCase parses expr and evaluates it against the JSON input.
func evalCase(t testing.TB, expr, input string) (any, error) {
	t.Helper()
	e, err := Parse(expr)
	require.NoError(t, err, "parse %s", expr)
	return e.Eval(parseDoc(t, input).lookup)
}

// jsonOf renders v as JSON for comparisons that read like the documentation.
func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// evalTable runs cases whose want is the JSON of the result, or an error substring with a
// leading "error: ".
type evalTest struct {
	name  string
	expr  string
	input string
	want  string
}

func runEvalTable(t *testing.T, tests []evalTest) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := evalCase(t, tc.expr, tc.input)
			if msg, isErr := strings.CutPrefix(tc.want, "error: "); isErr {
				require.Error(t, err, "got %s", jsonOf(t, got))
				var ie *Error
				require.ErrorAs(t, err, &ie)
				require.Equal(t, "States.Runtime", ie.ErrorName())
				require.Contains(t, err.Error(), msg)
				return
			}
			require.NoError(t, err)
			require.JSONEq(t, tc.want, jsonOf(t, got))
		})
	}
}
