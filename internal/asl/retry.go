package asl

import "time"

// retrier is one element of a state's Retry: which errors it retries, how often, and how long
// to wait before each new attempt.
type retrier struct {
	errorEquals     []string
	interval        float64
	maxAttempts     int
	backoffRate     float64
	maxDelaySeconds float64
	fullJitter      bool
}

// retryDelay decides whether a failure named name is retried. The first retrier whose
// ErrorEquals matches decides: if it has attempts left, its count in attempts goes up and the
// delay before the next attempt is returned with true; otherwise (or when none matches) false.
// random returns a uniform number in [0, 1) for FULL jitter. It is pure apart from attempts,
// so backoff is tested without a clock.
func retryDelay(rs []*retrier, attempts []int, name string, random func() float64) (time.Duration, bool) {
	i := matchRetrier(rs, name)
	if i < 0 || attempts[i] >= rs[i].maxAttempts {
		return 0, false
	}
	attempts[i]++
	return rs[i].delay(attempts[i], random), true
}

// delay is the wait before retry number attempt (1 for the first retry):
// IntervalSeconds × BackoffRate^(attempt-1), capped by MaxDelaySeconds, times random() with
// FULL jitter.
func (r *retrier) delay(attempt int, random func() float64) time.Duration {
	d := r.interval * pow(r.backoffRate, attempt-1)
	if r.maxDelaySeconds > 0 && d > r.maxDelaySeconds {
		d = r.maxDelaySeconds
	}
	if r.fullJitter {
		d *= random()
	}
	return time.Duration(d * float64(time.Second))
}

// retryCount is $$.State.RetryCount: the retries of every retrier so far.
func retryCount(attempts []int) int {
	n := 0
	for _, a := range attempts {
		n += a
	}
	return n
}

func pow(b float64, n int) float64 {
	r := 1.0
	for i := 0; i < n; i++ {
		r *= b
	}
	return r
}

// matchRetrier returns the index of the first retrier matching the error name, or -1.
func matchRetrier(rs []*retrier, name string) int {
	for i, r := range rs {
		for _, p := range r.errorEquals {
			if errorMatches(p, name) {
				return i
			}
		}
	}
	return -1
}

// retriers checks a Retry array.
func (c *checker) retriers(path string, v any) []*retrier {
	var out []*retrier
	c.handlers(path, v, func(p string, obj map[string]any, last bool) {
		c.fields(p, obj, "ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment")
		r := &retrier{interval: 1, maxAttempts: 3, backoffRate: 2}
		r.errorEquals = c.errorEquals(p, obj)
		if _, ok := obj["IntervalSeconds"]; ok {
			r.interval = float64(c.posInt(p, obj, "IntervalSeconds", 1, 99999999))
		}
		if _, ok := obj["MaxAttempts"]; ok {
			r.maxAttempts = int(c.posInt(p, obj, "MaxAttempts", 0, 99999999))
		}
		if f, ok := c.number(p, obj, "BackoffRate"); ok {
			if f < 1 {
				c.soft(join(p, "BackoffRate"), "must be at least 1.0")
			}
			r.backoffRate = f
		}
		if _, ok := obj["MaxDelaySeconds"]; ok {
			r.maxDelaySeconds = float64(c.posInt(p, obj, "MaxDelaySeconds", 1, 31622400))
		}
		if _, ok := obj["JitterStrategy"]; ok {
			switch c.optString(p, obj, "JitterStrategy") {
			case "FULL":
				r.fullJitter = true
			case "NONE":
			default:
				c.add(join(p, "JitterStrategy"), "must be \"FULL\" or \"NONE\"")
			}
		}
		c.allLast(p, r.errorEquals, last, "retrier")
		out = append(out, r)
	})
	return out
}
