package asl

import (
	"context"
	"fmt"
)

// NestedExecutions returns a handler for "states:startExecution" that runs child executions
// on the same engine, for hosts without their own (the CLI, tests). lookup finds a machine by
// its ARN. Request-response returns {ExecutionArn, StartDate}; .sync and .sync:2 wait for the
// child and return its DescribeExecution output (Input and Output as JSON text for .sync, as
// JSON values for .sync:2) and fail with States.TaskFailed when the child does not succeed;
// .waitForTaskToken starts the child and waits for the callback.
func NestedExecutions(lookup func(arn string) (*Machine, bool)) TaskHandler {
	return func(ctx context.Context, req *TaskRequest) (any, error) {
		p, _ := req.Parameters.(map[string]any)
		arn, _ := p["StateMachineArn"].(string)
		m, ok := lookup(arn)
		if !ok {
			return nil, Fail("StepFunctions.StateMachineDoesNotExistException", fmt.Sprintf("State Machine Does Not Exist: '%s'", arn))
		}
		var input []byte
		switch in := p["Input"].(type) {
		case nil:
		case string:
			input = []byte(in)
		default:
			b, err := marshalJSON(in)
			if err != nil {
				return nil, Fail("StepFunctions.InvalidExecutionInputException", err.Error())
			}
			input = b
		}
		name, _ := p["Name"].(string)
		x, err := req.Engine.Start(ctx, m, StartInput{Name: name, Input: input, StateMachineARN: arn})
		if err != nil {
			return nil, Fail("StepFunctions.InvalidExecutionInputException", err.Error())
		}
		start := x.StartDate().UTC().Format(timeLayout)
		switch req.Pattern {
		case PatternRequestResponse:
			return map[string]any{"ExecutionArn": x.ARN(), "StartDate": start}, nil
		case PatternWaitForTaskToken:
			return nil, nil
		}
		resume := req.Idle()
		r, werr := x.Wait(ctx)
		resume()
		if werr != nil {
			x.Stop("States.Aborted", "the parent task ended")
			return nil, werr
		}
		out := map[string]any{
			"ExecutionArn": x.ARN(), "Name": x.Name(), "StateMachineArn": arn, "Status": string(r.Status),
			"StartDate": start, "StopDate": r.StopDate.UTC().Format(timeLayout),
		}
		in2, _ := decodeJSON(x.Input())
		if req.Pattern == PatternSync2 {
			out["Input"] = in2
		} else {
			out["Input"] = string(x.Input())
		}
		out["InputDetails"] = map[string]any{"Included": true}
		if r.Status == StatusSucceeded {
			if req.Pattern == PatternSync2 {
				o, _ := decodeJSON(r.Output)
				out["Output"] = o
			} else {
				out["Output"] = string(r.Output)
			}
			out["OutputDetails"] = map[string]any{"Included": true}
			return out, nil
		}
		out["Error"], out["Cause"] = r.Error, r.Cause
		return nil, Fail(ErrTaskFailed, jsonText(out))
	}
}
