package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// Limits of the governor page: how far back and how many decisions it reads.
const (
	decisionWindow = 7 * 24 * time.Hour
	maxDecisions   = 200
)

// Decision is one of the trigger's decisions as its log line records it (the trigger
// handler logs one JSON line per decision: msg "trigger started" or "trigger skipped", with
// action, rule, reason, trigger, model, stage, executionName and executionArn).
type Decision struct {
	Time          time.Time `json:"time"`
	Action        string    `json:"action"`
	Rule          string    `json:"rule,omitempty"`
	Reason        string    `json:"reason"`
	Trigger       string    `json:"trigger,omitempty"`
	Model         string    `json:"model,omitempty"`
	Stage         string    `json:"stage,omitempty"`
	ExecutionName string    `json:"executionName,omitempty"`
	ExecutionARN  string    `json:"executionArn,omitempty"`
}

// decisionFilter is a CloudWatch Logs term pattern: the lines that mention an action (the
// rest is checked by ParseDecision).
const decisionFilter = "action"

func (h *Handler) listDecisions(r *http.Request) (any, error) {
	if h.Logs == nil || h.TriggerLogGroup == "" {
		return nil, errors.New("read the governor's decisions: no CloudWatch Logs client or trigger log group configured")
	}
	now := h.Clock()
	out := []Decision{}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(h.Logs, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(h.TriggerLogGroup), FilterPattern: aws.String(decisionFilter),
		StartTime: aws.Int64(now.Add(-decisionWindow).UnixMilli()), EndTime: aws.Int64(now.Add(decisionWindow).UnixMilli())})
	for p.HasMorePages() {
		page, err := p.NextPage(r.Context())
		if err != nil {
			return nil, fmt.Errorf("filter log events of %s: %w", h.TriggerLogGroup, err)
		}
		for _, ev := range page.Events {
			d, ok := ParseDecision(aws.ToString(ev.Message))
			if !ok {
				continue
			}
			if d.Time.IsZero() {
				d.Time = time.UnixMilli(aws.ToInt64(ev.Timestamp)).UTC()
			}
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	if len(out) > maxDecisions {
		out = out[:maxDecisions]
	}
	return map[string]any{"decisions": out, "logGroup": h.TriggerLogGroup}, nil
}

// ParseDecision reads one trigger log line (slog's JSON form); ok is false for a line that
// is not a decision.
func ParseDecision(line string) (Decision, bool) {
	var v struct {
		Time time.Time `json:"time"`
		Msg  string    `json:"msg"`
		Decision
	}
	if err := json.Unmarshal([]byte(line), &v); err != nil || !strings.HasPrefix(v.Msg, "trigger ") || v.Action == "" {
		return Decision{}, false
	}
	v.Decision.Time = v.Time
	return v.Decision, true
}
