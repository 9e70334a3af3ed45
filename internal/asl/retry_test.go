package asl

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestRetryDelay(t *testing.T) {
	half := func() float64 { return 0.5 }
	never := func() float64 { t.Fatal("random was called without jitter"); return 0 }
	cases := []struct {
		name     string
		retriers []*retrier
		attempts []int
		err      string
		random   func() float64
		want     time.Duration
		retried  bool
		after    []int
	}{
		{"the first retry waits the interval",
			[]*retrier{{errorEquals: []string{"E"}, interval: 2, maxAttempts: 3, backoffRate: 2}}, []int{0}, "E", never,
			2 * time.Second, true, []int{1}},
		{"each later retry multiplies by the backoff rate",
			[]*retrier{{errorEquals: []string{"E"}, interval: 2, maxAttempts: 3, backoffRate: 3}}, []int{2}, "E", never,
			18 * time.Second, true, []int{3}},
		{"MaxDelaySeconds caps the delay",
			[]*retrier{{errorEquals: []string{"E"}, interval: 10, maxAttempts: 5, backoffRate: 10, maxDelaySeconds: 30}}, []int{2}, "E", never,
			30 * time.Second, true, []int{3}},
		{"full jitter scales the delay by the random number",
			[]*retrier{{errorEquals: []string{"E"}, interval: 4, maxAttempts: 3, backoffRate: 1, fullJitter: true}}, []int{0}, "E", half,
			2 * time.Second, true, []int{1}},
		{"a retrier out of attempts stops retrying",
			[]*retrier{{errorEquals: []string{"E"}, interval: 1, maxAttempts: 2, backoffRate: 2}}, []int{2}, "E", never,
			0, false, []int{2}},
		{"the first matching retrier decides even when a later one would retry",
			[]*retrier{{errorEquals: []string{"E"}, maxAttempts: 0}, {errorEquals: []string{ErrAll}, interval: 1, maxAttempts: 3, backoffRate: 1}}, []int{0, 0}, "E", never,
			0, false, []int{0, 0}},
		{"States.Runtime is never retried",
			[]*retrier{{errorEquals: []string{ErrAll}, interval: 1, maxAttempts: 3, backoffRate: 1}}, []int{0}, ErrRuntime, never,
			0, false, []int{0}},
		{"States.TaskFailed does not match a timeout",
			[]*retrier{{errorEquals: []string{ErrTaskFailed}, interval: 1, maxAttempts: 3, backoffRate: 1}}, []int{0}, ErrTimeout, never,
			0, false, []int{0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, retried := retryDelay(tc.retriers, tc.attempts, tc.err, tc.random)
			assert.Equal(t, tc.retried, retried)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.after, tc.attempts)
		})
	}
}
