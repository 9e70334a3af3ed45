package asl

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetryRebuildsContextObject(t *testing.T) {
	cases := []struct {
		name      string
		succeedAt float64
		want      []float64
		status    Status
	}{
		{"a task that succeeds on its third attempt sees retry counts 0, 1 and 2", 2, []float64{0, 1, 2}, StatusSucceeded},
		{"a task that never succeeds sees a new retry count on every attempt", 9, []float64{0, 1, 2, 3}, StatusFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var seen []float64
			var names []string
			res := NewResources()
			res.Handle("aws-sdk:test:flaky", func(ctx context.Context, req *TaskRequest) (any, error) {
				p := req.Parameters.(map[string]any)
				n := p["Attempt"].(float64)
				seen = append(seen, n)
				names = append(names, p["JobName"].(string))
				if n < tc.succeedAt {
					return nil, Fail("Flaky", "not yet")
				}
				return p, nil
			})
			m, err := Parse([]byte(`{"StartAt":"Train","States":{"Train":{"Type":"Task",
				"Resource":"arn:aws:states:::aws-sdk:test:flaky",
				"Parameters":{"Attempt.$":"$$.State.RetryCount","JobName.$":"States.Format('{}-{}', $$.Execution.Name, $$.State.RetryCount)"},
				"Retry":[{"ErrorEquals":["Flaky"],"IntervalSeconds":1,"MaxAttempts":3}],"End":true}}}`))
			require.NoError(t, err)
			e := NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{}), Seed: 1})
			_, r, err := e.Run(context.Background(), m, StartInput{Name: "job", Input: []byte(`{}`)})
			require.NoError(t, err)
			assert.Equal(t, tc.status, r.Status)
			assert.Equal(t, tc.want, seen)
			for i, n := range names {
				assert.Equal(t, "job-"+strconv.Itoa(i), n)
			}
		})
	}
}
