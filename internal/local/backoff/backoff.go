// Package backoff is the one retry spacing of kiln local's asynchronous deliveries: the bus's
// retries of a target and Scheduler's retries of an invocation. AWS documents both as
// "exponential back off and jitter" without figures; these figures make the defaults meet:
// 185 retries spaced 5 to 10 minutes apart span about 24 hours, so either limit (attempts or
// event age) may end a delivery, as on AWS.
package backoff

import "time"

const (
	// Initial is the wait before the first retry, before jitter.
	Initial = time.Second
	// Maximum caps the wait between two attempts, before jitter.
	Maximum = 10 * time.Minute
)

// Delay returns the wait before retry number n (1 for the first retry): the interval doubles
// from Initial up to Maximum, and r in [0, 1) takes it to between half and all of that
// ("equal jitter").
func Delay(n int, r float64) time.Duration {
	d := Initial
	for i := 1; i < n && d < Maximum; i++ {
		d *= 2
	}
	d = min(d, Maximum)
	half := d / 2
	return half + time.Duration(r*float64(half))
}
