package stepfunctions

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	kilnarn "github.com/kiln-dev/kiln/internal/arn"
	"github.com/kiln-dev/kiln/internal/asl/intrinsic"

	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
)

// target is what a state machine ARN names: the machine itself, one of its versions, or an
// alias (resolved to the version it routes this execution to), and the mock test case named
// by a "#TestCase" suffix.
type target struct {
	sm         *StateMachine
	machine    *asl.Machine
	versionARN string
	aliasARN   string
	testCase   string
}

// resolveLocked resolves arn (s.mu held): arn:…:stateMachine:NAME, NAME:VERSION or NAME:ALIAS,
// each optionally followed by #TestCase when the service has a mock file.
func (s *Service) resolveLocked(arn string) (target, error) {
	var t target
	if i := strings.LastIndexByte(arn, '#'); i >= 0 && s.opts.Mocks != nil {
		arn, t.testCase = arn[:i], arn[i+1:]
	}
	base, qualifier := arn, ""
	if parts := strings.Split(arn, ":"); len(parts) == 8 {
		base, qualifier = strings.Join(parts[:7], ":"), parts[7]
	}
	sm, err := s.machineLocked(base)
	if err != nil {
		return t, err
	}
	t.sm, t.machine = sm, sm.machine
	if qualifier == "" {
		return t, nil
	}
	if n, err := strconv.Atoi(qualifier); err == nil {
		v := sm.version(n)
		if v == nil {
			return t, apiErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
		}
		t.machine, t.versionARN = v.machine, arn
		return t, nil
	}
	a, ok := sm.Aliases[qualifier]
	if !ok {
		return t, apiErr("StateMachineDoesNotExist", "State Machine Does Not Exist: '%s'", arn)
	}
	t.aliasARN, t.versionARN = arn, s.route(a)
	n, _ := strconv.Atoi(t.versionARN[strings.LastIndexByte(t.versionARN, ':')+1:])
	if v := sm.version(n); v != nil {
		t.machine = v.machine
	}
	return t, nil
}

// route picks the version of an alias for one execution, by the routing weights.
func (s *Service) route(a *Alias) string {
	if len(a.Routing) == 1 {
		return a.Routing[0].VersionARN
	}
	s.rngMu.Lock()
	roll := s.rng.IntN(100)
	s.rngMu.Unlock()
	for _, r := range a.Routing {
		if roll < r.Weight {
			return r.VersionARN
		}
		roll -= r.Weight
	}
	return a.Routing[len(a.Routing)-1].VersionARN
}

// StartExecution starts an execution of the machine smARN (a machine, version or alias ARN,
// with an optional #TestCase of the mock file) named name (empty: a generated UUID) with input
// (empty: {}). With the name of a running execution and the same input it returns that
// execution, as AWS does; with a different input, or the name of a finished execution, it
// fails with ExecutionAlreadyExists. An EXPRESS machine's execution is not recorded.
func (s *Service) StartExecution(ctx context.Context, smARN, name string, input []byte) (*Execution, error) {
	return s.start(smARN, name, input, "", false)
}

// start is StartExecution; reuseFinished (for nested executions) returns a finished
// execution of the same name and input instead of failing.
func (s *Service) start(smARN, name string, input []byte, parent string, reuseFinished bool) (*Execution, error) {
	in, err := compactJSON(input)
	if err != nil {
		return nil, apiErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	if name == "" {
		name = intrinsic.NewUUID()
	}
	if !validName(name) {
		return nil, apiErr("InvalidName", "Invalid Name: '%s'", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return nil, apiErr("ServiceUnavailable", "the local stack is shutting down")
	}
	t, err := s.resolveLocked(smARN)
	if err != nil {
		return nil, err
	}
	if t.sm.Type == TypeExpress {
		return s.startExpressLocked(t, name, in)
	}
	arn := kilnarn.Execution(t.sm.ARN, name)
	if old, err := s.record(arn); err == nil {
		same := bytes.Equal(old.Input, in)
		if same && (old.Status == asl.StatusRunning || reuseFinished) {
			return old, nil
		}
		return nil, apiErr("ExecutionAlreadyExists", "Execution Already Exists: '%s'", arn)
	}
	rec := &Execution{ARN: arn, StateMachineARN: t.sm.ARN, Name: name, Status: asl.StatusRunning, Input: in,
		StartDate: s.engine.Clock().Now(), Parent: parent, VersionARN: t.versionARN, AliasARN: t.aliasARN, TestCase: t.testCase}
	if err := s.useTestCase(rec); err != nil {
		return nil, err
	}
	if err := s.put(rec); err != nil {
		return nil, err
	}
	x, err := s.engine.Start(s.ctx, t.machine, asl.StartInput{Name: name, Input: in, StateMachineARN: t.sm.ARN,
		ExecutionARN: arn, RoleARN: t.sm.RoleARN})
	if err != nil {
		_ = s.opts.DB.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketExecutions).Delete([]byte(arn)) })
		return nil, apiErr("InvalidExecutionInput", "%v", err)
	}
	rec.StartDate = x.StartDate()
	s.track(x)
	s.emitStatusLocked(rec)
	return rec, nil
}

// expressARN returns the ARN of an EXPRESS execution: arn:…:express:MACHINE:NAME:UUID.
func expressARN(sm *StateMachine, name string) string {
	return strings.Replace(sm.ARN, ":stateMachine:", ":express:", 1) + ":" + name + ":" + intrinsic.NewUUID()
}

// isExpress reports whether arn is an EXPRESS execution's (their history is not recorded).
func isExpress(arn string) bool { return strings.Contains(arn, ":express:") }

// startExpressLocked starts an EXPRESS execution (s.mu held): it runs on the engine like any
// other but, as on AWS, leaves no record to describe or list.
func (s *Service) startExpressLocked(t target, name string, in []byte) (*Execution, error) {
	arn := expressARN(t.sm, name)
	rec := &Execution{ARN: arn, StateMachineARN: t.sm.ARN, Name: name, Status: asl.StatusRunning, Input: in, TestCase: t.testCase}
	if err := s.useTestCase(rec); err != nil {
		return nil, err
	}
	x, err := s.engine.Start(s.ctx, t.machine, asl.StartInput{Name: name, Input: in, StateMachineARN: t.sm.ARN,
		ExecutionARN: arn, RoleARN: t.sm.RoleARN})
	if err != nil {
		s.tests.Delete(arn)
		return nil, apiErr("InvalidExecutionInput", "%v", err)
	}
	rec.StartDate = x.StartDate()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-x.Done()
		s.tests.Delete(arn)
	}()
	return rec, nil
}

// StartSyncExecution runs an execution of the EXPRESS machine smARN to its end and returns its
// record (nothing is stored); a STANDARD machine answers StateMachineTypeNotSupported.
func (s *Service) StartSyncExecution(ctx context.Context, smARN, name string, input []byte) (*Execution, error) {
	in, err := compactJSON(input)
	if err != nil {
		return nil, apiErr("InvalidExecutionInput", "Invalid State Machine Execution Input: '%v'", err)
	}
	if name == "" {
		name = intrinsic.NewUUID()
	}
	if !validName(name) {
		return nil, apiErr("InvalidName", "Invalid Name: '%s'", name)
	}
	s.mu.Lock()
	t, err := s.resolveLocked(smARN)
	closing := s.closing
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if closing {
		return nil, apiErr("ServiceUnavailable", "the local stack is shutting down")
	}
	if t.sm.Type != TypeExpress {
		return nil, apiErr("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine: '%s' is %s", t.sm.ARN, t.sm.Type)
	}
	rec := &Execution{ARN: expressARN(t.sm, name), StateMachineARN: t.sm.ARN, Name: name, Input: in, TestCase: t.testCase}
	if err := s.useTestCase(rec); err != nil {
		return nil, err
	}
	defer s.tests.Delete(rec.ARN)
	_, r, err := s.engine.Run(ctx, t.machine, asl.StartInput{Name: name, Input: in, StateMachineARN: t.sm.ARN,
		ExecutionARN: rec.ARN, RoleARN: t.sm.RoleARN})
	if err != nil {
		return nil, apiErr("InvalidExecutionInput", "%v", err)
	}
	rec.Status, rec.Output, rec.Error, rec.Cause, rec.StartDate, rec.StopDate = r.Status, r.Output, r.Error, r.Cause, r.StartDate, r.StopDate
	return rec, nil
}

// useTestCase installs the mock file's layer for rec's test case, if it names one.
func (s *Service) useTestCase(rec *Execution) error {
	if rec.TestCase == "" {
		return nil
	}
	name := rec.StateMachineARN[strings.LastIndexByte(rec.StateMachineARN, ':')+1:]
	layer, err := s.opts.Mocks.Layer(name, rec.TestCase)
	if err != nil {
		return apiErr("ValidationException", "%v", fmt.Errorf("test case %s of %s: %w", rec.TestCase, name, err))
	}
	s.tests.Store(rec.ARN, layer)
	return nil
}
