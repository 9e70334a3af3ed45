package stepfunctions

import (
	"context"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
)

// maxAliases is Step Functions' quota of aliases per state machine.
const maxAliases = 100

// aliasName is the pattern of an alias name: letters, digits, '-', '_' and '.', not all digits.
var aliasName = regexp.MustCompile(`^[a-zA-Z0-9_.\-]{1,80}$`)

// routing reads and checks a routing configuration: one or two distinct versions of one
// machine, weights 0-100 summing to 100. It returns the machine's ARN.
func (s *Service) routingLocked(v any) ([]Route, string, error) {
	list, _ := v.([]any)
	if len(list) < 1 || len(list) > 2 {
		return nil, "", apiErr("ValidationException", "1 validation error detected: Value at 'routingConfiguration' failed to satisfy constraint: Member must have length between 1 and 2")
	}
	var out []Route
	base, total := "", 0
	for _, e := range list {
		m, _ := e.(map[string]any)
		arn, _ := m["stateMachineVersionArn"].(string)
		w, ok := m["weight"].(float64)
		if !ok || w < 0 || w > 100 || w != float64(int(w)) {
			return nil, "", apiErr("ValidationException", "the weight of %s must be an integer from 0 to 100", arn)
		}
		b, q, qualified := splitQualified(arn)
		n, err := strconv.Atoi(q)
		if !qualified || err != nil {
			return nil, "", apiErr("InvalidArn", "Invalid Arn: '%s' is not a state machine version ARN", arn)
		}
		if base != "" && b != base {
			return nil, "", apiErr("ValidationException", "the routing configuration names versions of two state machines: %s and %s", base, b)
		}
		sm, ok := s.machines[b]
		if !ok || sm.version(n) == nil {
			return nil, "", apiErr("ResourceNotFound", "Resource not found: '%s'", arn)
		}
		if slices.ContainsFunc(out, func(r Route) bool { return r.VersionARN == arn }) {
			return nil, "", apiErr("ValidationException", "the routing configuration names %s twice", arn)
		}
		base, total = b, total+int(w)
		out = append(out, Route{VersionARN: arn, Weight: int(w)})
	}
	if total != 100 {
		return nil, "", apiErr("ValidationException", "the routing configuration's weights sum to %d, not 100", total)
	}
	return out, base, nil
}

// createAlias is CreateStateMachineAlias; the same alias created again is returned as is.
func (s *Service) createAlias(_ context.Context, in map[string]any) (any, error) {
	name := str(in, "name")
	if _, err := strconv.Atoi(name); err == nil || !aliasName.MatchString(name) {
		return nil, apiErr("ValidationException", "Invalid alias name '%s': 1-80 letters, digits, '-', '_' or '.', not only digits", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	routes, base, err := s.routingLocked(in["routingConfiguration"])
	if err != nil {
		return nil, err
	}
	sm, err := s.userMachineLocked(base)
	if err != nil {
		return nil, err
	}
	arn := base + ":" + name
	if old, ok := sm.Aliases[name]; ok {
		if slices.Equal(old.Routing, routes) && old.Description == str(in, "description") {
			return map[string]any{"stateMachineAliasArn": arn, "creationDate": epoch(old.Created)}, nil
		}
		return nil, apiErr("ConflictException", "Alias %s already exists with a different configuration", arn)
	}
	if len(sm.Aliases) >= maxAliases {
		return nil, apiErr("ServiceQuotaExceededException", "state machine %s already has %d aliases", sm.Name, maxAliases)
	}
	now := s.engine.Clock().Now()
	a := &Alias{Name: name, Description: str(in, "description"), Routing: routes, Created: now}
	if err := s.saveAliasLocked(sm, name, a); err != nil {
		return nil, err
	}
	return map[string]any{"stateMachineAliasArn": arn, "creationDate": epoch(now)}, nil
}

// saveAliasLocked stores a (nil: deletes the alias name) on a copy of sm and persists it.
func (s *Service) saveAliasLocked(sm *StateMachine, name string, a *Alias) error {
	next := *sm
	next.Aliases = maps.Clone(sm.Aliases)
	if next.Aliases == nil {
		next.Aliases = map[string]*Alias{}
	}
	if a == nil {
		delete(next.Aliases, name)
	} else {
		next.Aliases[name] = a
	}
	if err := s.persist(&next); err != nil {
		return err
	}
	s.machines[sm.ARN] = &next
	return nil
}

// aliasLocked returns the machine and alias an alias ARN names, or ResourceNotFound.
func (s *Service) aliasLocked(arn string) (*StateMachine, *Alias, error) {
	base, name, ok := splitQualified(arn)
	sm, found := s.machines[base]
	if !ok || !found || sm.Aliases[name] == nil {
		return nil, nil, apiErr("ResourceNotFound", "Resource not found: '%s'", arn)
	}
	return sm, sm.Aliases[name], nil
}

// describeAlias is DescribeStateMachineAlias.
func (s *Service) describeAlias(_ context.Context, in map[string]any) (any, error) {
	arn := str(in, "stateMachineAliasArn")
	s.mu.Lock()
	defer s.mu.Unlock()
	_, a, err := s.aliasLocked(arn)
	if err != nil {
		return nil, err
	}
	routes := make([]any, 0, len(a.Routing))
	for _, r := range a.Routing {
		routes = append(routes, map[string]any{"stateMachineVersionArn": r.VersionARN, "weight": r.Weight})
	}
	out := map[string]any{"stateMachineAliasArn": arn, "name": a.Name, "routingConfiguration": routes,
		"creationDate": epoch(a.Created), "updateDate": epoch(a.Created)}
	if !a.Updated.IsZero() {
		out["updateDate"] = epoch(a.Updated)
	}
	if a.Description != "" {
		out["description"] = a.Description
	}
	return out, nil
}

// updateAlias is UpdateStateMachineAlias: a new description, routing, or both.
func (s *Service) updateAlias(_ context.Context, in map[string]any) (any, error) {
	arn := str(in, "stateMachineAliasArn")
	_, hasDesc := in["description"]
	_, hasRouting := in["routingConfiguration"]
	if !hasDesc && !hasRouting {
		return nil, apiErr("ValidationException", "Either the description or the routingConfiguration must be specified")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, a, err := s.aliasLocked(arn)
	if err != nil {
		return nil, err
	}
	next := *a
	if hasRouting {
		routes, base, err := s.routingLocked(in["routingConfiguration"])
		if err != nil {
			return nil, err
		}
		if base != sm.ARN {
			return nil, apiErr("ValidationException", "alias %s can only route to versions of %s", arn, sm.ARN)
		}
		next.Routing = routes
	}
	if hasDesc {
		next.Description = str(in, "description")
	}
	next.Updated = s.engine.Clock().Now()
	if err := s.saveAliasLocked(sm, a.Name, &next); err != nil {
		return nil, err
	}
	return map[string]any{"updateDate": epoch(next.Updated)}, nil
}

// deleteAlias is DeleteStateMachineAlias.
func (s *Service) deleteAlias(_ context.Context, in map[string]any) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, a, err := s.aliasLocked(str(in, "stateMachineAliasArn"))
	if err != nil {
		return nil, err
	}
	return map[string]any{}, s.saveAliasLocked(sm, a.Name, nil)
}

// listAliases is ListStateMachineAliases, sorted by name.
func (s *Service) listAliases(_ context.Context, in map[string]any) (any, error) {
	s.mu.Lock()
	sm, err := s.machineLocked(str(in, "stateMachineArn"))
	var as []*Alias
	if err == nil {
		as = slices.Collect(maps.Values(sm.Aliases))
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	sort.Slice(as, func(i, j int) bool { return as[i].Name < as[j].Name })
	items, next, err := paginate(in, as)
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, len(items))
	for _, a := range items {
		list = append(list, map[string]any{"stateMachineAliasArn": sm.ARN + ":" + a.Name, "creationDate": epoch(a.Created)})
	}
	return withToken(map[string]any{"stateMachineAliases": list}, next), nil
}
