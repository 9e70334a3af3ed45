package stack

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/stepfunctions"
)

// ExecutionLogGroup returns the log group the executions of the state machine named machine
// (its full name, kiln-<stage>-pipeline) log to: /aws/vendedlogs/states/<machine>, the group
// infra gives each workflow's logging configuration (level ALL, execution data included).
func ExecutionLogGroup(machine string) string { return "/aws/vendedlogs/states/" + machine }

// ExecutionLogStream returns the stream one execution logs to: states/<machine>/<execution>.
// Step Functions names its streams itself; one stream per execution is kiln's choice, so
// `aws logs tail GROUP --log-stream-names ...` follows one run.
func ExecutionLogStream(machine, execution string) string {
	return "states/" + machine + "/" + execution
}

// machineName returns the state machine's name from its ARN (without a version or alias).
func machineName(arn string) string {
	_, name, _ := strings.Cut(arn, ":stateMachine:")
	name, _, _ = strings.Cut(name, ":")
	return name
}

// executionLogLine returns the log event Step Functions writes for one history event: id,
// type, details (the event's details member, input and output as JSON text), the previous
// event's id, the timestamp in epoch milliseconds and the execution's ARN, numbers as strings.
func executionLogLine(ev stepfunctions.HistoryEvent) (string, error) {
	b, err := json.Marshal(ev.Event)
	if err != nil {
		return "", fmt.Errorf("encode history event %d of %s: %w", ev.Event.ID, ev.ExecutionARN, err)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return "", fmt.Errorf("decode history event %d of %s: %w", ev.Event.ID, ev.ExecutionARN, err)
	}
	details := json.RawMessage(`{}`)
	for k, v := range fields {
		if strings.HasSuffix(k, "EventDetails") {
			details = v
		}
	}
	line, err := json.Marshal(struct {
		ID              string          `json:"id"`
		Type            string          `json:"type"`
		Details         json.RawMessage `json:"details"`
		PreviousEventID string          `json:"previous_event_id"`
		EventTimestamp  string          `json:"event_timestamp"`
		ExecutionARN    string          `json:"execution_arn"`
	}{strconv.FormatInt(ev.Event.ID, 10), ev.Event.Type, details, strconv.FormatInt(ev.Event.PreviousEventID, 10),
		strconv.FormatInt(ev.Event.Timestamp.UnixMilli(), 10), ev.ExecutionARN})
	if err != nil {
		return "", fmt.Errorf("encode log line of history event %d of %s: %w", ev.Event.ID, ev.ExecutionARN, err)
	}
	return string(line), nil
}

// observeExecution logs each history event to its machine's group, then hands it to the
// caller's observer.
func (s *Stack) observeExecution(ev stepfunctions.HistoryEvent) {
	if line, err := executionLogLine(ev); err != nil {
		s.log.Error("log execution event", "executionArn", ev.ExecutionARN, "err", err)
	} else if name := machineName(ev.StateMachineARN); name != "" {
		if err := s.logs.Put(ExecutionLogGroup(name), ExecutionLogStream(name, ev.ExecutionName), ev.Event.Timestamp, line); err != nil {
			s.log.Error("log execution event", "executionArn", ev.ExecutionARN, "err", err)
		}
	}
	if s.opts.Observer.Execution != nil {
		s.opts.Observer.Execution(ev)
	}
}

// createLogGroups creates the log groups infra creates: each function's and each state
// machine's, so they are listed before anything has logged.
func (s *Stack) createLogGroups() error {
	var groups []string
	for _, fn := range s.lambdas.Names() {
		groups = append(groups, "/aws/lambda/"+fn)
	}
	for _, m := range s.sfn.StateMachines() {
		groups = append(groups, ExecutionLogGroup(m.Name))
	}
	for _, g := range groups {
		if err := s.logs.CreateGroup(g); err != nil {
			return err
		}
	}
	return nil
}
