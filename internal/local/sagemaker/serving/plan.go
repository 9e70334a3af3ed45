package serving

import (
	"math"
	"time"
)

// Size is a CanarySize or LinearStepSize: INSTANCE_COUNT or CAPACITY_PERCENT.
type Size struct {
	Type  string  `json:"Type"`
	Value float64 `json:"Value"`
}

// Routing is what a blue/green DeploymentConfig asks of the traffic: its kind (ALL_AT_ONCE,
// CANARY, LINEAR), the wait between steps, the canary or linear step, the baking period, the
// execution timeout (0: none) and the rollback alarms.
type Routing struct {
	Kind           string
	Wait, Bake     time.Duration
	Limit          time.Duration
	Canary, Linear *Size
	Alarms         []string
}

// Plan is the sequence of shares the new fleet takes, and the wait after each share below 1.
type Plan struct {
	Shares []float64
	Wait   time.Duration
	Bake   time.Duration
	Limit  time.Duration // 0: none
	Alarms []string
	Kind   string
}

// PlanTraffic returns the plan of r for a new fleet of newInstances instances. An empty kind
// is all at once.
func PlanTraffic(r Routing, newInstances int) Plan {
	p := Plan{Shares: []float64{1}, Kind: r.Kind, Wait: r.Wait, Bake: r.Bake, Limit: r.Limit, Alarms: r.Alarms}
	if p.Kind == "" {
		p.Kind = "ALL_AT_ONCE"
	}
	size := func(c *Size) float64 {
		if c == nil {
			return 1
		}
		if c.Type == "INSTANCE_COUNT" {
			return math.Min(1, c.Value/float64(max(newInstances, 1)))
		}
		return c.Value / 100
	}
	switch r.Kind {
	case "CANARY":
		if c := size(r.Canary); c < 1 {
			p.Shares = []float64{c, 1}
		}
	case "LINEAR":
		step := size(r.Linear)
		if step <= 0 {
			step = 1
		}
		p.Shares = nil
		for x := step; x < 1-1e-9; x += step {
			p.Shares = append(p.Shares, math.Round(x*1e6)/1e6)
		}
		p.Shares = append(p.Shares, 1)
	}
	return p
}
