package stepfunctions

import (
	"context"
	"time"
)

// startSyncExecution is StartSyncExecution: the EXPRESS execution runs to its end and the
// answer carries its outcome, input, output and billing details.
func (s *Service) startSyncExecution(ctx context.Context, in map[string]any) (any, error) {
	rec, err := s.StartSyncExecution(ctx, str(in, "stateMachineArn"), str(in, "name"), []byte(str(in, "input")))
	if err != nil {
		return nil, err
	}
	out := map[string]any{"executionArn": rec.ARN, "stateMachineArn": rec.StateMachineARN, "name": rec.Name,
		"startDate": epoch(rec.StartDate), "stopDate": epoch(rec.StopDate), "status": string(rec.Status),
		"input": string(rec.Input), "inputDetails": map[string]any{"included": true},
		"billingDetails": map[string]any{"billedMemoryUsedInMB": 64,
			"billedDurationInMilliseconds": max(100, (rec.StopDate.Sub(rec.StartDate)+99*time.Millisecond)/time.Millisecond/100*100)}}
	if rec.Output != nil {
		out["output"], out["outputDetails"] = string(rec.Output), map[string]any{"included": true}
	}
	if rec.Error != "" {
		out["error"] = rec.Error
	}
	if rec.Cause != "" {
		out["cause"] = rec.Cause
	}
	return out, nil
}
