package eventbus

import (
	"fmt"
	"time"
)

// Retry limits, as EventBridge documents them for a target's RetryPolicy.
const (
	// DefaultMaximumEventAge is how long the bus keeps retrying an event: 24 hours, also the most.
	DefaultMaximumEventAge = 24 * time.Hour
	// MinimumEventAge is the least MaximumEventAge a policy may set: 60 seconds.
	MinimumEventAge = 60 * time.Second
	// DefaultMaximumRetryAttempts is how many times a failed delivery is retried: 185, also the most.
	DefaultMaximumRetryAttempts = 185
)

// RetryPolicy bounds how long and how often the bus retries a target. The zero value means
// AWS's defaults (24 hours, 185 retries).
type RetryPolicy struct {
	// MaximumEventAge is measured from the moment the event was put; 60 s to 24 h; zero is 24 h.
	MaximumEventAge time.Duration
	// MaximumRetryAttempts is the number of retries after the first attempt, 0 to 185;
	// nil means 185. Attempts(0) disables retries.
	MaximumRetryAttempts *int
}

// Attempts returns a pointer to n, for RetryPolicy.MaximumRetryAttempts.
func Attempts(n int) *int { return &n }

func (p RetryPolicy) check() error {
	if p.MaximumEventAge != 0 && (p.MaximumEventAge < MinimumEventAge || p.MaximumEventAge > DefaultMaximumEventAge) {
		return fmt.Errorf("retry policy: maximum event age %s is outside 60s..24h", p.MaximumEventAge)
	}
	if p.MaximumRetryAttempts != nil && (*p.MaximumRetryAttempts < 0 || *p.MaximumRetryAttempts > DefaultMaximumRetryAttempts) {
		return fmt.Errorf("retry policy: maximum retry attempts %d is outside 0..185", *p.MaximumRetryAttempts)
	}
	return nil
}

func (p RetryPolicy) maxAge() time.Duration {
	if p.MaximumEventAge == 0 {
		return DefaultMaximumEventAge
	}
	return p.MaximumEventAge
}

func (p RetryPolicy) maxRetries() int {
	if p.MaximumRetryAttempts == nil {
		return DefaultMaximumRetryAttempts
	}
	return *p.MaximumRetryAttempts
}
