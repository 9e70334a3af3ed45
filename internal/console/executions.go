package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// maxExecutionsPerMachine bounds how many executions of one workflow the list shows.
const maxExecutionsPerMachine = 200

// ExecutionSummary is one row of the executions page.
type ExecutionSummary struct {
	ARN      string     `json:"arn"`
	Name     string     `json:"name"`
	Workflow string     `json:"workflow"`
	Status   string     `json:"status"`
	Model    string     `json:"model,omitempty"`
	Trigger  string     `json:"trigger,omitempty"`
	Start    time.Time  `json:"start"`
	Stop     *time.Time `json:"stop,omitempty"`
}

// executionInput is what the list reads from an execution's input: the model and why it ran
// (a pipeline's trigger.reason; a deploy run has a releaseId and is started by a pipeline).
type executionInput struct {
	Model   string `json:"model"`
	Trigger struct {
		Reason string `json:"reason"`
	} `json:"trigger"`
	ReleaseID string `json:"releaseId"`
}

func (h *Handler) listExecutions(r *http.Request) (any, error) {
	ctx := r.Context()
	var machines []sfntypes.StateMachineListItem
	p := sfn.NewListStateMachinesPaginator(h.SFN, &sfn.ListStateMachinesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list state machines: %w", err)
		}
		machines = append(machines, page.StateMachines...)
	}
	rows := []ExecutionSummary{}
	for _, m := range machines {
		n := 0
		ep := sfn.NewListExecutionsPaginator(h.SFN, &sfn.ListExecutionsInput{StateMachineArn: m.StateMachineArn, MaxResults: 100})
		for ep.HasMorePages() && n < maxExecutionsPerMachine {
			page, err := ep.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list executions of %s: %w", aws.ToString(m.StateMachineArn), err)
			}
			for _, e := range page.Executions {
				n++
				row := ExecutionSummary{ARN: aws.ToString(e.ExecutionArn), Name: aws.ToString(e.Name),
					Workflow: aws.ToString(m.Name), Status: string(e.Status), Start: aws.ToTime(e.StartDate), Stop: e.StopDate}
				in, err := h.input(r, row.ARN, e.Status)
				if err != nil {
					return nil, err
				}
				row.Model, row.Trigger = in.Model, in.Trigger.Reason
				if row.Trigger == "" && in.ReleaseID != "" {
					row.Trigger = "pipeline"
				}
				rows = append(rows, row)
			}
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Start.After(rows[j].Start) })
	return map[string]any{"executions": rows}, nil
}

// input returns the fields the list shows from an execution's input, described once and
// kept when the execution has stopped (a stopped execution's input never changes).
func (h *Handler) input(r *http.Request, arn string, status sfntypes.ExecutionStatus) (executionInput, error) {
	if v, ok := h.cache.Load(arn); ok {
		return v.(executionInput), nil
	}
	d, err := h.SFN.DescribeExecution(r.Context(), &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return executionInput{}, fmt.Errorf("describe execution %s: %w", arn, err)
	}
	var in executionInput
	_ = json.Unmarshal([]byte(aws.ToString(d.Input)), &in) // an input of another shape shows no model
	if status != sfntypes.ExecutionStatusRunning {
		h.cache.Store(arn, in)
	}
	return in, nil
}

// ExecutionDetail is everything the execution page draws.
type ExecutionDetail struct {
	ARN        string          `json:"arn"`
	Name       string          `json:"name"`
	Workflow   string          `json:"workflow"`
	MachineARN string          `json:"stateMachineArn"`
	Status     string          `json:"status"`
	Start      time.Time       `json:"start"`
	Stop       *time.Time      `json:"stop,omitempty"`
	Input      string          `json:"input,omitempty"`
	Output     string          `json:"output,omitempty"`
	Error      string          `json:"error,omitempty"`
	Cause      string          `json:"cause,omitempty"`
	Definition json.RawMessage `json:"definition"`
	// States holds what happened in each state that was entered, by name.
	States map[string]*StateRun `json:"states"`
	// Events is the history, oldest first, each in a compact form.
	Events []EventRow `json:"events"`
}

func (h *Handler) getExecution(r *http.Request) (any, error) {
	ctx := r.Context()
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		return nil, badRequest("the arn query parameter names the execution")
	}
	d, err := h.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describe execution %s: %w", arn, err)
	}
	m, err := h.SFN.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return nil, fmt.Errorf("describe state machine of %s: %w", arn, err)
	}
	var events []sfntypes.HistoryEvent
	hp := sfn.NewGetExecutionHistoryPaginator(h.SFN, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn), MaxResults: 1000})
	for hp.HasMorePages() {
		page, err := hp.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("get history of %s: %w", arn, err)
		}
		events = append(events, page.Events...)
	}
	def := json.RawMessage(aws.ToString(m.Definition))
	if !json.Valid(def) {
		return nil, fmt.Errorf("describe state machine of %s: the definition is not JSON", arn)
	}
	out := ExecutionDetail{ARN: arn, Name: aws.ToString(d.Name), Workflow: aws.ToString(m.Name), MachineARN: aws.ToString(d.StateMachineArn),
		Status: string(d.Status), Start: aws.ToTime(d.StartDate), Stop: d.StopDate,
		Input: aws.ToString(d.Input), Output: aws.ToString(d.Output), Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause),
		Definition: def, States: Runs(events, string(d.Status)), Events: Rows(events)}
	return out, nil
}
