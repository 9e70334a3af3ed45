package stepfunctions

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxVersions is Step Functions' quota of versions per state machine.
const maxVersions = 1000

// arn returns the version's qualified ARN.
func (v *Version) arn(sm *StateMachine) string { return sm.VersionARN(v.Number) }

// publishLocked publishes sm's current revision as a version (s.mu held) and returns it; the
// revision already published as the latest version returns that version, as on AWS. The
// caller persists sm.
func (s *Service) publishLocked(sm *StateMachine, description string, now time.Time) *Version {
	if n := len(sm.Versions); n > 0 && sm.Versions[n-1].RevisionID == sm.RevisionID {
		return sm.Versions[n-1]
	}
	sm.NextVersion = max(sm.NextVersion, 1)
	v := &Version{Number: sm.NextVersion, Definition: sm.Definition, RoleARN: sm.RoleARN, Description: description,
		RevisionID: sm.RevisionID, Created: now, machine: sm.machine}
	sm.NextVersion++
	sm.Versions = append(append([]*Version(nil), sm.Versions...), v)
	return v
}

// splitQualified splits a qualified ARN into the machine's ARN and the qualifier; ok is false
// for an unqualified one.
func splitQualified(arn string) (base, qualifier string, ok bool) {
	i := strings.LastIndexByte(arn, ':')
	if strings.Count(arn, ":") != 7 || i < 0 {
		return arn, "", false
	}
	return arn[:i], arn[i+1:], true
}

// publishVersion is PublishStateMachineVersion.
func (s *Service) publishVersion(_ context.Context, in map[string]any) (any, error) {
	arn := str(in, "stateMachineArn")
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, err := s.userMachineLocked(arn)
	if err != nil {
		return nil, err
	}
	if rev := str(in, "revisionId"); rev != "" && rev != sm.RevisionID {
		return nil, apiErr("ConflictException", "Failed to publish the State Machine version: revisionId '%s' is not the latest revision '%s'", rev, sm.RevisionID)
	}
	n := len(sm.Versions)
	if n >= maxVersions && sm.Versions[n-1].RevisionID != sm.RevisionID {
		return nil, apiErr("ServiceQuotaExceededException", "state machine %s already has %d versions: delete some first", sm.Name, maxVersions)
	}
	next := *sm
	v := s.publishLocked(&next, str(in, "description"), s.engine.Clock().Now())
	if err := s.persist(&next); err != nil {
		return nil, err
	}
	s.machines[arn] = &next
	return map[string]any{"creationDate": epoch(v.Created), "stateMachineVersionArn": v.arn(&next)}, nil
}

// listVersions is ListStateMachineVersions, newest first.
func (s *Service) listVersions(_ context.Context, in map[string]any) (any, error) {
	s.mu.Lock()
	sm, err := s.machineLocked(str(in, "stateMachineArn"))
	var vs []*Version
	if err == nil {
		vs = append(vs, sm.Versions...)
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Number > vs[j].Number })
	items, next, err := paginate(in, vs)
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, len(items))
	for _, v := range items {
		list = append(list, map[string]any{"stateMachineVersionArn": v.arn(sm), "creationDate": epoch(v.Created)})
	}
	return withToken(map[string]any{"stateMachineVersions": list}, next), nil
}

// deleteVersion is DeleteStateMachineVersion: a version an alias routes to is refused
// (ConflictException); one that does not exist is already deleted.
func (s *Service) deleteVersion(_ context.Context, in map[string]any) (any, error) {
	arn := str(in, "stateMachineVersionArn")
	base, q, ok := splitQualified(arn)
	n, err := strconv.Atoi(q)
	if !ok || err != nil {
		return nil, apiErr("InvalidArn", "Invalid Arn: '%s' is not a state machine version ARN", arn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, ok := s.machines[base]
	if !ok || sm.version(n) == nil {
		return map[string]any{}, nil
	}
	for _, a := range sm.Aliases {
		for _, r := range a.Routing {
			if r.VersionARN == arn {
				return nil, apiErr("ConflictException", "Version to be deleted must not be referenced by an alias: alias %s routes to %s", a.Name, arn)
			}
		}
	}
	next := *sm
	next.Versions = nil
	for _, v := range sm.Versions {
		if v.Number != n {
			next.Versions = append(next.Versions, v)
		}
	}
	if err := s.persist(&next); err != nil {
		return nil, err
	}
	s.machines[base] = &next
	return map[string]any{}, nil
}
