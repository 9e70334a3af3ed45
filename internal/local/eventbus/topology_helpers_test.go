package eventbus

import (
	"fmt"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// This file gives the tests kiln's rules as the local stack provisions them (stack.Rules and
// stack.ProvisionBus, which this package's tests cannot import), so they run on real patterns.

// TopologyBus returns the name of the bus a topology rule lives on in env.
func TopologyBus(env topology.Env, bus string) string {
	if bus == topology.KilnBus {
		return topology.BusName(env.Stage)
	}
	return DefaultBusName
}

// TopologyRules returns kiln's rules for env.
func TopologyRules(env topology.Env) ([]Rule, error) {
	values := topology.Placeholders(env)
	out := make([]Rule, 0, len(topology.Rules))
	for _, r := range topology.Rules {
		raw, err := events.Pattern(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("load rule %s: %w", r.Name, err)
		}
		pattern, err := statemachines.Substitute(raw, values)
		if err != nil {
			return nil, fmt.Errorf("load rule %s: %w", r.Name, err)
		}
		out = append(out, Rule{
			Name:         topology.ResourceName(env.Stage, r.Name),
			EventBus:     TopologyBus(env, r.Bus),
			EventPattern: string(pattern),
			Description:  fmt.Sprintf("kiln %s: %s events to the %s function", env.Stage, r.Name, r.Target),
			Targets:      []Target{{ID: "target", ARN: topology.FunctionARN(env, r.Target)}},
		})
	}
	return out, nil
}

// LoadTopology creates the stage's kiln bus (if missing) and puts every rule of
// TopologyRules(env).
func (s *Service) LoadTopology(env topology.Env) error {
	rules, err := TopologyRules(env)
	if err != nil {
		return err
	}
	kb := topology.BusName(env.Stage)
	s.mu.Lock()
	if _, ok := s.buses[kb]; !ok {
		s.buses[kb] = newBus(kb)
	}
	s.mu.Unlock()
	for _, r := range rules {
		if err := s.PutRule(r); err != nil {
			return fmt.Errorf("load rule %s: %w", r.Name, err)
		}
	}
	return nil
}
