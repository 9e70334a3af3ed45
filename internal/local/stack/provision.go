package stack

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/local/eventbus"
	"github.com/kiln-dev/kiln/internal/local/schedule"
	"github.com/kiln-dev/kiln/internal/local/stepfunctions"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// This file is where kiln's topology meets the AWS stand-ins: they take AWS-shaped
// definitions, and only the stack knows which ones make kiln.

// Workflows returns kiln's state machines for env as Step Functions takes them: each workflow
// of the topology named kiln-<stage>-<name>, its definition's placeholders filled from
// topology.Placeholders(env), running as the stage's states role.
func Workflows(env topology.Env) ([]stepfunctions.MachineDefinition, error) {
	values := topology.Placeholders(env)
	role := fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, topology.ResourceName(env.Stage, "states"))
	out := make([]stepfunctions.MachineDefinition, 0, len(topology.Workflows))
	for _, w := range topology.Workflows {
		def, err := statemachines.Load(w.File)
		if err != nil {
			return nil, fmt.Errorf("workflow %s: %w", w.Name, err)
		}
		if def, err = statemachines.Substitute(def, values); err != nil {
			return nil, fmt.Errorf("workflow %s: %w", w.Name, err)
		}
		out = append(out, stepfunctions.MachineDefinition{Name: topology.ResourceName(env.Stage, w.Name), Definition: def, RoleARN: role})
	}
	return out, nil
}

// Rules returns kiln's EventBridge rules for env as the bus takes them: each rule of the
// topology named kiln-<stage>-<name>, on its bus (the stage's kiln bus or the default one),
// its pattern file's placeholders filled from topology.Placeholders(env), with one target
// (ID "target") invoking the stage's function.
func Rules(env topology.Env) ([]eventbus.Rule, error) {
	values := topology.Placeholders(env)
	out := make([]eventbus.Rule, 0, len(topology.Rules))
	for _, r := range topology.Rules {
		raw, err := events.Pattern(r.Pattern)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		pattern, err := statemachines.Substitute(raw, values)
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", r.Name, err)
		}
		bus := eventbus.DefaultBusName
		if r.Bus == topology.KilnBus {
			bus = topology.BusName(env.Stage)
		}
		out = append(out, eventbus.Rule{
			Name:         topology.ResourceName(env.Stage, r.Name),
			EventBus:     bus,
			EventPattern: string(pattern),
			Description:  fmt.Sprintf("kiln %s: %s events to the %s function", env.Stage, r.Name, r.Target),
			Targets:      []eventbus.Target{{ID: "target", ARN: topology.FunctionARN(env, r.Target)}},
		})
	}
	return out, nil
}

// ProvisionBus creates the stage's kiln bus on bus (unless it exists) and puts every rule of
// Rules(env), stopping at the first error.
func ProvisionBus(bus *eventbus.Service, env topology.Env) error {
	rules, err := Rules(env)
	if err != nil {
		return err
	}
	if err := bus.CreateEventBus(topology.BusName(env.Stage)); err != nil && !alreadyExists(err) {
		return fmt.Errorf("create bus %s: %w", topology.BusName(env.Stage), err)
	}
	for _, r := range rules {
		if err := bus.PutRule(r); err != nil {
			return fmt.Errorf("put rule %s: %w", r.Name, err)
		}
	}
	return nil
}

// Schedules returns kiln's schedules for env as the scheduler takes them: every entry of
// topology.SchedulesFor the stage (no drift job where the stage never deploys) once per policy
// model, named kiln-<stage>-<schedule>-<model>, invoking the stage's function kiln-<stage>-<target>
// with the topology's input, in UTC.
func Schedules(env topology.Env, p *policy.Policy) ([]schedule.Definition, error) {
	var out []schedule.Definition
	for _, s := range topology.SchedulesFor(p, env.Stage) {
		for _, m := range p.Models {
			input, err := json.Marshal(s.Input(m.Name, env.Stage))
			if err != nil {
				return nil, fmt.Errorf("encode input of schedule %s for %s: %w", s.Name, m.Name, err)
			}
			out = append(out, schedule.Definition{
				Name:       topology.ResourceName(env.Stage, s.Name+"-"+m.Name),
				Expression: s.Expression,
				Function:   topology.ResourceName(env.Stage, string(s.Target)),
				Input:      input,
			})
		}
	}
	return out, nil
}

// alreadyExists reports whether err is the bus's ResourceAlreadyExistsException.
func alreadyExists(err error) bool {
	var e *eventbus.APIError
	return errors.As(err, &e) && e.Code == "ResourceAlreadyExistsException"
}
