package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDelayDoublesToTheCapWithEqualJitter(t *testing.T) {
	cases := []struct {
		n    int
		r    float64
		want time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.5, 750 * time.Millisecond},
		{2, 0, time.Second},
		{3, 0.999, 3998 * time.Millisecond},
		{10, 0, 256 * time.Second},
		{11, 0, 5 * time.Minute},                   // 1024 s is over the cap
		{185, 0.5, 7*time.Minute + 30*time.Second}, // capped, half jitter
		{40, 0.999, 599700 * time.Millisecond},     // the cap's ceiling
		{40, 0, 5 * time.Minute},                   // the cap's floor
	}
	for _, c := range cases {
		assert.Equal(t, c.want, Delay(c.n, c.r), "retry %d, r %v", c.n, c.r)
	}
}
