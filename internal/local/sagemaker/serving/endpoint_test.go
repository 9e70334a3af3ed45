package serving

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRouterPicksByShareAndWeight(t *testing.T) {
	old := NewFleet("old", nil)
	old.Add(&Variant{Name: "A", Weight: 3})
	old.Add(&Variant{Name: "B", Weight: 1})
	nu := NewFleet("new", nil)
	nu.Add(&Variant{Name: "A", Weight: 1})
	live := NewEndpoint("ep")
	live.Install(old, false)
	live.Install(nu, true)
	live.SetShare(0.2)
	counts := map[string]int{}
	for i := 0; i < 1000; i++ {
		f, v := live.Pick((float64(i)+0.5)/1000, "")
		counts[f.Config+"/"+v.Name]++
	}
	assert.Equal(t, map[string]int{"new/A": 200, "old/A": 600, "old/B": 200}, counts)
	f, v := live.Pick(0.9, "B")
	assert.Equal(t, "old", f.Config)
	assert.Equal(t, "B", v.Name)
	_, v = live.Pick(0.9, "C")
	assert.Nil(t, v)
	live = NewEndpoint("empty")
	f, _ = live.Pick(0.5, "")
	assert.Nil(t, f)
}
