package stepfunctions

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
)

// The limits RedriveExecution enforces.
const (
	// redriveWindow is how long after it stopped an execution can be redriven.
	redriveWindow = 14 * 24 * time.Hour
	// maxRedrives is the most times one execution can be redriven.
	maxRedrives = 1000
)

// redriveStatusLocked returns DescribeExecution's redriveStatus and, when it is
// NOT_REDRIVABLE, the reason, in AWS's words (s.mu held).
func (s *Service) redriveStatusLocked(rec *Execution, now time.Time) (status, reason string) {
	switch {
	case rec.Status == asl.StatusRunning:
		return "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven"
	case rec.Status == asl.StatusSucceeded:
		return "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven"
	case now.Sub(rec.StopDate) > redriveWindow:
		return "NOT_REDRIVABLE", "Execution redrivable period exceeded"
	case rec.RedriveCount >= maxRedrives:
		return "NOT_REDRIVABLE", "Execution has exceeded the max redrive count"
	}
	if _, ok := s.checkpoint(rec.ARN); !ok {
		return "NOT_REDRIVABLE", "Execution stopped before it entered a state: there is nothing to redrive"
	}
	if _, err := s.machineLocked(rec.StateMachineARN); err != nil {
		return "NOT_REDRIVABLE", "State machine is in DELETING status"
	}
	return "REDRIVABLE", ""
}

// checkpoint returns the latest stored checkpoint of the execution arn.
func (s *Service) checkpoint(arn string) (asl.Checkpoint, bool) {
	var cp asl.Checkpoint
	found := false
	_ = s.opts.DB.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCheckpoints).Get([]byte(arn))
		found = b != nil && json.Unmarshal(b, &cp) == nil
		return nil
	})
	return cp, found
}

// lastEventID returns the id of the execution's last stored history event.
func (s *Service) lastEventID(arn string) int64 {
	var id int64
	_ = s.opts.DB.View(func(tx *bolt.Tx) error {
		if h := tx.Bucket(bucketHistory).Bucket([]byte(arn)); h != nil {
			if k, _ := h.Cursor().Last(); len(k) == 8 {
				id = int64(binary.BigEndian.Uint64(k))
			}
		}
		return nil
	})
	return id
}

// RedriveExecution restarts the FAILED, TIMED_OUT or ABORTED execution arn from its
// unsuccessful state, as Step Functions does: the states that succeeded are not run again, the
// history gains an ExecutionRedriven event, the redrive count grows by one and the status is
// RUNNING again. An execution that cannot be redriven answers ExecutionNotRedrivable with
// the reason; it returns the redrive date.
func (s *Service) RedriveExecution(arn string) (time.Time, error) {
	if isExpress(arn) {
		return time.Time{}, apiErr("ExecutionNotRedrivable", "Execution is EXPRESS and cannot be redriven: '%s'", arn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return time.Time{}, apiErr("ServiceUnavailable", "the local stack is shutting down")
	}
	rec, err := s.record(arn)
	if err != nil {
		return time.Time{}, err
	}
	now := s.engine.Clock().Now()
	status, reason := s.redriveStatusLocked(rec, now)
	if status != "REDRIVABLE" || s.live[arn] != nil {
		return time.Time{}, apiErr("ExecutionNotRedrivable", "%s: '%s'", reason, arn)
	}
	t, err := s.resolveLocked(firstNonEmpty(rec.VersionARN, rec.StateMachineARN))
	if err != nil {
		return time.Time{}, apiErr("ExecutionNotRedrivable", "State machine is in DELETING status: '%s'", arn)
	}
	cp, _ := s.checkpoint(arn)
	old := *rec
	rec.Status, rec.Output, rec.Error, rec.Cause, rec.StopDate = asl.StatusRunning, nil, "", "", time.Time{}
	rec.RedriveCount++
	rec.RedriveDate = now
	if err := s.useTestCase(rec); err != nil {
		return time.Time{}, err
	}
	if err := s.put(rec); err != nil {
		return time.Time{}, err
	}
	// The engine writes ExecutionRedriven through onEvent, which takes s.mu: release it. The
	// record already says RUNNING, so a concurrent redrive is refused meanwhile.
	s.mu.Unlock()
	x, err := s.engine.Redrive(s.ctx, t.machine, cp, asl.StartInput{Name: rec.Name, Input: rec.Input,
		StateMachineARN: rec.StateMachineARN, ExecutionARN: arn, RoleARN: t.sm.RoleARN},
		asl.Redrive{Count: rec.RedriveCount, LastEventID: s.lastEventID(arn)})
	s.mu.Lock()
	if err != nil {
		_ = s.put(&old)
		return time.Time{}, apiErr("ExecutionNotRedrivable", "%v", err)
	}
	s.track(x)
	s.emitStatusLocked(rec)
	return now, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// redriveExecution is RedriveExecution.
func (s *Service) redriveExecution(_ context.Context, in map[string]any) (any, error) {
	at, err := s.RedriveExecution(str(in, "executionArn"))
	if err != nil {
		return nil, err
	}
	return map[string]any{"redriveDate": epoch(at)}, nil
}
