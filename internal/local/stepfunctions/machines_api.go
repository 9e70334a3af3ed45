package stepfunctions

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
)

// checkRoleARN answers InvalidArn unless arn is an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME).
func checkRoleARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "role/") || len(parts[5]) == len("role/") {
		return apiErr("InvalidArn", "Invalid Arn: 'Resource type not valid in this context: %s'", arn)
	}
	return nil
}

// checkType answers ValidationException unless typ is STANDARD or EXPRESS (empty: STANDARD).
func checkType(typ string) (string, error) {
	switch typ {
	case "", TypeStandard:
		return TypeStandard, nil
	case TypeExpress:
		return TypeExpress, nil
	}
	return "", apiErr("ValidationException", "1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", typ)
}

// raw returns the member k of in as JSON, nil when absent.
func raw(in map[string]any, k string) json.RawMessage {
	v, ok := in[k]
	if !ok || v == nil {
		return nil
	}
	b, _ := json.Marshal(v)
	return b
}

// createStateMachine is CreateStateMachine: the machine is persisted; creating it again with
// the same definition, role and type returns it (AWS's idempotency), anything else is
// StateMachineAlreadyExists.
func (s *Service) createStateMachine(_ context.Context, in map[string]any) (any, error) {
	name, def, role := str(in, "name"), []byte(str(in, "definition")), str(in, "roleArn")
	if !validName(name) {
		return nil, apiErr("InvalidName", "Invalid Name: '%s'", name)
	}
	if err := checkRoleARN(role); err != nil {
		return nil, err
	}
	typ, err := checkType(str(in, "type"))
	if err != nil {
		return nil, err
	}
	m, err := parseDefinition(def, typ)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.engine.Clock().Now()
	arn := s.machineARN(name)
	if old, ok := s.machines[arn]; ok {
		if old.User && bytes.Equal(old.Definition, def) && old.RoleARN == role && old.Type == typ {
			return map[string]any{"stateMachineArn": arn, "creationDate": epoch(old.Created)}, nil
		}
		return nil, apiErr("StateMachineAlreadyExists", "State Machine Already Exists: '%s'", arn)
	}
	sm := &StateMachine{ARN: arn, Name: name, Definition: def, RoleARN: role, Type: typ, User: true, machine: m,
		Created: now, RevisionID: intrinsic.NewUUID(), Logging: raw(in, "loggingConfiguration"), Tracing: raw(in, "tracingConfiguration")}
	out := map[string]any{"stateMachineArn": arn, "creationDate": epoch(now)}
	if publish, _ := in["publish"].(bool); publish {
		out["stateMachineVersionArn"] = s.publishLocked(sm, str(in, "versionDescription"), now).arn(sm)
	}
	if err := s.persist(sm); err != nil {
		return nil, err
	}
	s.machines[arn] = sm
	return out, nil
}

// updateStateMachine is UpdateStateMachine: a new definition or role is a new revision, which
// publish=true also publishes as a version.
func (s *Service) updateStateMachine(_ context.Context, in map[string]any) (any, error) {
	arn := str(in, "stateMachineArn")
	_, hasDef := in["definition"]
	_, hasRole := in["roleArn"]
	if !hasDef && !hasRole && in["loggingConfiguration"] == nil && in["tracingConfiguration"] == nil {
		return nil, apiErr("MissingRequiredParameter", "Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified")
	}
	if hasRole {
		if err := checkRoleARN(str(in, "roleArn")); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.Count(arn, ":") != 6 {
		return nil, apiErr("ValidationException", "UpdateStateMachine takes the unqualified state machine ARN, not '%s'", arn)
	}
	sm, err := s.userMachineLocked(arn)
	if err != nil {
		return nil, err
	}
	next, err := updated(sm, in)
	if err != nil {
		return nil, err
	}
	now := s.engine.Clock().Now()
	next.Updated = now
	if !bytes.Equal(next.Definition, sm.Definition) || next.RoleARN != sm.RoleARN {
		next.RevisionID = intrinsic.NewUUID()
	}
	out := map[string]any{"updateDate": epoch(now), "revisionId": next.RevisionID}
	if publish, _ := in["publish"].(bool); publish {
		out["stateMachineVersionArn"] = s.publishLocked(next, str(in, "versionDescription"), now).arn(next)
	}
	if err := s.persist(next); err != nil {
		return nil, err
	}
	s.machines[arn] = next
	return out, nil
}

// updated returns a copy of sm with the definition, role, logging and tracing in sets.
func updated(sm *StateMachine, in map[string]any) (*StateMachine, error) {
	next := *sm
	if _, ok := in["definition"]; ok {
		def := []byte(str(in, "definition"))
		m, err := parseDefinition(def, sm.Type)
		if err != nil {
			return nil, err
		}
		next.machine, next.Definition = m, def
	}
	if _, ok := in["roleArn"]; ok {
		next.RoleARN = str(in, "roleArn")
	}
	if l := raw(in, "loggingConfiguration"); l != nil {
		next.Logging = l
	}
	if t := raw(in, "tracingConfiguration"); t != nil {
		next.Tracing = t
	}
	return &next, nil
}

// deleteStateMachine is DeleteStateMachine: the machine, its versions and aliases go; running
// executions finish on the definition they started with. Deleting a machine that does not
// exist succeeds, as on AWS.
func (s *Service) deleteStateMachine(_ context.Context, in map[string]any) (any, error) {
	arn := str(in, "stateMachineArn")
	s.mu.Lock()
	defer s.mu.Unlock()
	if strings.Count(arn, ":") != 6 {
		return nil, apiErr("ValidationException", "DeleteStateMachine takes the unqualified state machine ARN; delete a version with DeleteStateMachineVersion: '%s'", arn)
	}
	sm, ok := s.machines[arn]
	if !ok {
		return map[string]any{}, nil
	}
	if _, err := s.userMachineLocked(arn); err != nil {
		return nil, err
	}
	if err := s.forget(sm.Name); err != nil {
		return nil, err
	}
	delete(s.machines, arn)
	return map[string]any{}, nil
}

// describeStateMachineOp is DescribeStateMachine.
func (s *Service) describeStateMachineOp(_ context.Context, in map[string]any) (any, error) {
	return s.describeStateMachine(in)
}

// describeStateMachine describes the machine or version in's stateMachineArn names, as
// DescribeStateMachine does (an alias ARN is refused, as on AWS).
func (s *Service) describeStateMachine(in map[string]any) (map[string]any, error) {
	arn := str(in, "stateMachineArn")
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := strings.Split(arn, ":")
	sm, err := s.machineLocked(strings.Join(parts[:min(7, len(parts))], ":"))
	if err != nil {
		return nil, apiErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	d := map[string]any{"stateMachineArn": sm.ARN, "name": sm.Name, "status": "ACTIVE", "definition": string(sm.Definition),
		"roleArn": sm.RoleARN, "type": sm.Type, "creationDate": epoch(sm.Created),
		"loggingConfiguration": orObject(sm.Logging, map[string]any{"level": "OFF", "includeExecutionData": false}),
		"tracingConfiguration": orObject(sm.Tracing, map[string]any{"enabled": false})}
	if sm.RevisionID != "" {
		d["revisionId"] = sm.RevisionID
	}
	if len(parts) == 8 {
		n, err := strconv.Atoi(parts[7])
		v := sm.version(n)
		if err != nil || v == nil {
			return nil, apiErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
		}
		d["stateMachineArn"], d["definition"], d["roleArn"], d["creationDate"], d["revisionId"] = arn, string(v.Definition), v.RoleARN, epoch(v.Created), v.RevisionID
		if v.Description != "" {
			d["description"] = v.Description
		}
	}
	return d, nil
}

// orObject returns b decoded, or def when b is empty.
func orObject(b json.RawMessage, def map[string]any) any {
	var v any
	if len(b) == 0 || json.Unmarshal(b, &v) != nil {
		return def
	}
	return v
}

// listStateMachines is ListStateMachines, sorted by name and paginated.
func (s *Service) listStateMachines(_ context.Context, in map[string]any) (any, error) {
	all := s.StateMachines()
	items, next, err := paginate(in, all)
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, len(items))
	for _, m := range items {
		list = append(list, map[string]any{"stateMachineArn": m.ARN, "name": m.Name, "type": m.Type, "creationDate": epoch(m.Created)})
	}
	return withToken(map[string]any{"stateMachines": list}, next), nil
}
