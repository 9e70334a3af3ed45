package eventbus

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestManualClockRunsDueFunctionsInTimeOrder(t *testing.T) {
	c := NewManualClock(t0)
	var mu sync.Mutex
	var ran []string
	add := func(name string, d time.Duration) func() bool {
		return c.AfterFunc(d, func() { mu.Lock(); ran = append(ran, name); mu.Unlock() })
	}
	add("late", 3*time.Second)
	add("early", time.Second)
	add("tie-first", 2*time.Second)
	add("tie-second", 2*time.Second)
	stop := add("stopped", time.Second)
	assert.True(t, stop(), "stopping a waiting function succeeds")
	assert.False(t, stop(), "stopping it twice does not")
	assert.Equal(t, 4, c.Pending())

	c.Advance(2 * time.Second)
	assert.Equal(t, []string{"early", "tie-first", "tie-second"}, ran)
	assert.Equal(t, t0.Add(2*time.Second), c.Now())

	c.Set(t0) // never backwards
	assert.Equal(t, t0.Add(2*time.Second), c.Now())

	assert.True(t, c.AdvanceToNext())
	assert.Equal(t, []string{"early", "tie-first", "tie-second", "late"}, ran)
	assert.Equal(t, t0.Add(3*time.Second), c.Now())
	assert.False(t, c.AdvanceToNext(), "nothing waits any more")
	assert.Zero(t, c.Pending())
}
