package asl

import (
	"context"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPayloadReferencePastTheEndOfAnArray(t *testing.T) {
	cases := []struct {
		name       string
		parameters string
		status     Status
		output     string
		cause      string
	}{
		{"a reference past the end is null", `{"idx.$":"$.items[5]"}`, StatusSucceeded, `{"idx":null}`, ""},
		{"a negative reference before the start is null", `{"idx.$":"$.items[-3]"}`, StatusSucceeded, `{"idx":null}`, ""},
		{"a field read off the missing element is still a miss", `{"idx.$":"$.items[5].x"}`, StatusFailed, "",
			"An error occurred while executing the state 'S' (entered at the event id #2). The JSONPath '$.items[5].x' specified for the field 'idx.$' could not be found in the input '{\"items\":[1,2]}'"},
		{"an intrinsic argument past the end is a miss", `{"idx.$":"States.Format('{}', $.items[5])"}`, StatusFailed, "",
			"An error occurred while executing the state 'S' (entered at the event id #2). The function 'States.Format('{}', $.items[5])' had the following error: The JsonPath argument for the field '$.items[5]' could not be found in the input '{\"items\":[1,2]}'"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(`{"StartAt":"S","States":{"S":{"Type":"Pass","Parameters":` + tc.parameters + `,"End":true}}}`))
			require.NoError(t, err)
			e := NewEngine(Options{Clock: clock.NewVirtual(time.Time{}), Seed: 1})
			_, r, err := e.Run(context.Background(), m, StartInput{Input: []byte(`{"items":[1,2]}`)})
			require.NoError(t, err)
			assert.Equal(t, tc.status, r.Status)
			if tc.status == StatusSucceeded {
				assert.JSONEq(t, tc.output, string(r.Output))
				return
			}
			assert.Equal(t, ErrRuntime, r.Error)
			assert.Equal(t, tc.cause, r.Cause)
		})
	}
}
