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

func TestJSONToStringKeepsDocumentKeyOrder(t *testing.T) {
	cases := []struct {
		name   string
		states string
		input  string
		want   string
	}{
		{"the execution input's keys keep their order",
			`"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"zeta":1,"alpha":{"y":2,"b":3},"mid":[{"k2":1,"k1":2}]}`,
			`{"zeta":1,"alpha":{"y":2,"b":3},"mid":[{"k2":1,"k1":2}]}`},
		{"a Parameters object keeps the definition's order",
			`"P":{"Type":"Pass","Parameters":{"z.$":"$.v","a":"lit","m":{"y":1,"b":2}},"Next":"S"},"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"v":0}`,
			`{"z":0,"a":"lit","m":{"y":1,"b":2}}`},
		{"a ResultPath adds its key at the end and keeps a replaced key in place",
			`"P":{"Type":"Pass","Result":"new","ResultPath":"$.added","Next":"Q"},"Q":{"Type":"Pass","Result":"again","ResultPath":"$.b","Next":"S"},"S":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"b":1,"a":2}`,
			`{"b":"again","a":2,"added":"new"}`},
		{"States.Format lists object keys in order",
			`"S":{"Type":"Pass","Parameters":{"s.$":"States.Format('{}', $)"},"End":true}`,
			`{"b":1,"a":2}`,
			`{b=1, a=2}`},
		{"concurrent Map iterations keep each item's order",
			`"S":{"Type":"Map","ItemsPath":"$.xs","ItemSelector":{"y.$":"$$.Map.Item.Value","x.$":"$$.Map.Item.Index"},"ItemProcessor":{"StartAt":"I","States":{"I":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}}},"ResultSelector":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{"xs":[{"q":1,"p":2},{"d":3,"c":4}]}`,
			`[{"s":"{\"y\":{\"q\":1,\"p\":2},\"x\":0}"},{"s":"{\"y\":{\"d\":3,\"c\":4},\"x\":1}"}]`},
		{"a caught error lists Error before Cause",
			`"S":{"Type":"Parallel","Branches":[{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"J"}],"End":true},"J":{"Type":"Pass","Parameters":{"s.$":"States.JsonToString($)"},"End":true}`,
			`{}`,
			`{"Error":"E","Cause":"C"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := tc.states[1:2]
			m, err := Parse([]byte(`{"StartAt":"` + start + `","States":{` + tc.states + `}}`))
			require.NoError(t, err)
			e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1})
			_, r, err := e.Run(context.Background(), m, StartInput{Input: []byte(tc.input)})
			require.NoError(t, err)
			require.Equal(t, StatusSucceeded, r.Status, "%s: %s", r.Error, r.Cause)
			var out struct{ S string }
			require.NoError(t, json.Unmarshal(r.Output, &out))
			assert.Equal(t, tc.want, out.S)
		})
	}
}

// TestKeyOrderResetForgetsEverything checks what a recycled execution relies on: an emptied
// record holds no object (so none is kept alive, and none is matched by a later map at its
// address) and takes its parent and number setting afresh.
func TestKeyOrderResetForgetsEverything(t *testing.T) {
	parent := newKeyOrder(nil, 0)
	parent.numbers = true
	o := newKeyOrder(parent, 0)
	for i := 0; i < smallOrder+3; i++ {
		obj := map[string]any{"b": i, "a": i}
		o.record(obj, []string{"b", "a"})
		require.Equal(t, []string{"b", "a"}, o.keys(obj))
	}
	require.NotNil(t, o.m, "records past the small array go to the map")
	o.reset()
	require.Zero(t, o.n)
	require.Equal(t, [smallOrder]orderedKeys{}, o.small)
	require.Nil(t, o.m)
	require.Nil(t, o.parent)
	require.False(t, o.numbers)
	o.init(parent)
	require.Same(t, parent, o.parent)
	require.True(t, o.numbers)
	require.Equal(t, []string{"a", "b"}, o.keys(map[string]any{"b": 1, "a": 2}), "an object it never saw: sorted")
}
