package asl

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runContextMachine runs def on input under a fixed execution name and returns its output.
func runContextMachine(t *testing.T, def, input string) any {
	t.Helper()
	m, err := Parse([]byte(def))
	require.NoError(t, err)
	e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 3})
	_, r, err := e.Run(context.Background(), m, StartInput{Name: "parent", Input: []byte(input),
		StateMachineARN: "arn:aws:states:us-east-1:123456789012:stateMachine:Pipeline"})
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, r.Status, "error %s cause %s", r.Error, r.Cause)
	var out any
	require.NoError(t, json.Unmarshal(r.Output, &out))
	return out
}

func TestDistributedMapContextIsTheChildExecution(t *testing.T) {
	const probe = `{"Type":"Pass","Parameters":{"in.$":"$$.Execution.Input","name.$":"$$.Execution.Name","id.$":"$$.Execution.Id","sm.$":"$$.StateMachine.Id","smName.$":"$$.StateMachine.Name"},"End":true}`
	distributed := func(extra string) string {
		return `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.a",` + extra + `"ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":` + probe + `}},"End":true}}}`
	}
	t.Run("each child sees its own input, name, ARN and state machine", func(t *testing.T) {
		out := runContextMachine(t, distributed(`"ItemSelector":{"v.$":"$$.Map.Item.Value"},"Label":"Items",`), `{"a":[1,2]}`).([]any)
		require.Len(t, out, 2)
		names := map[string]bool{}
		for i, o := range out {
			m := o.(map[string]any)
			assert.Equal(t, map[string]any{"v": float64(i + 1)}, m["in"])
			name := m["name"].(string)
			names[name] = true
			assert.Len(t, name, 36)
			assert.Equal(t, "arn:aws:states:us-east-1:123456789012:execution:Pipeline/Items:"+name, m["id"])
			assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:Pipeline/Items", m["sm"])
			assert.Equal(t, "Pipeline/Items", m["smName"])
		}
		assert.Len(t, names, 2, "every child has its own name")
	})
	t.Run("a Map without Label uses the state name in child ARNs", func(t *testing.T) {
		out := runContextMachine(t, distributed(``), `{"a":["x"]}`).([]any)
		m := out[0].(map[string]any)
		assert.Equal(t, "x", m["in"])
		assert.True(t, strings.HasPrefix(m["id"].(string), "arn:aws:states:us-east-1:123456789012:execution:Pipeline/M:"), m["id"])
	})
	t.Run("child names are the same on every run", func(t *testing.T) {
		a := runContextMachine(t, distributed(``), `{"a":[1,2,3]}`)
		b := runContextMachine(t, distributed(``), `{"a":[1,2,3]}`)
		assert.Equal(t, a, b)
	})
	t.Run("a Parallel inside a child sees the child execution", func(t *testing.T) {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.a","ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"EXPRESS"},"StartAt":"Par","States":{"Par":{"Type":"Parallel","Branches":[{"StartAt":"P","States":{"P":` + probe + `}}],"End":true}}},"End":true}}}`
		out := runContextMachine(t, def, `{"a":[7]}`).([]any)
		assert.Equal(t, 7.0, out[0].([]any)[0].(map[string]any)["in"])
	})
	t.Run("an inline Map still sees the parent execution", func(t *testing.T) {
		def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.a","ItemProcessor":{"StartAt":"P","States":{"P":` + probe + `}},"End":true}}}`
		out := runContextMachine(t, def, `{"a":[1]}`).([]any)
		m := out[0].(map[string]any)
		assert.Equal(t, map[string]any{"a": []any{1.0}}, m["in"])
		assert.Equal(t, "parent", m["name"])
		assert.Equal(t, "arn:aws:states:us-east-1:123456789012:stateMachine:Pipeline", m["sm"])
	})
}
