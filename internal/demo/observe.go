package demo

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/local/cloudwatch"
	"github.com/kiln-dev/kiln/internal/local/sns"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/local/stepfunctions"
	"github.com/kiln-dev/kiln/internal/topology"
)

// observer prints what the stack does as it happens: state transitions with their time since
// the execution started, a summary of each training job's log, notifications, alarm changes
// and the governor's decisions.
func (d *demo) observer() stack.Observer {
	return stack.Observer{
		Execution:    d.onHistory,
		TrainingLog:  d.onTrainingLine,
		Notification: d.onNotification,
		Alarm:        d.onAlarm,
		Invocation:   d.onInvocation,
	}
}

// workflowOf returns the short workflow name (pipeline, deploy) of a state machine ARN.
func workflowOf(stateMachineARN string) string {
	return strings.TrimPrefix(stateMachineARN[strings.LastIndex(stateMachineARN, ":")+1:], "kiln-"+Stage+"-")
}

func (d *demo) onHistory(ev stepfunctions.HistoryEvent) {
	d.mu.Lock()
	start, ok := d.execStart[ev.ExecutionARN]
	if !ok || ev.Event.Type == "ExecutionStarted" {
		start = ev.Event.Timestamp
		d.execStart[ev.ExecutionARN] = start
		d.entered[ev.ExecutionARN] = map[string]bool{}
	}
	seen := d.entered[ev.ExecutionARN]
	first := false
	if strings.HasSuffix(ev.Event.Type, "StateEntered") && !seen[ev.Event.Name] {
		seen[ev.Event.Name] = true
		first = true
	}
	d.mu.Unlock()

	at := ev.Event.Timestamp.Sub(start).Seconds()
	wf := workflowOf(ev.StateMachineARN)
	switch {
	case ev.Event.Type == "ExecutionStarted":
		d.p.line("  │ %s %s started", wf, ev.ExecutionName)
	case first:
		d.p.line("  │ %-8s → %-22s +%5.2fs", wf, ev.Event.Name, at)
	case ev.Event.Type == "ExecutionSucceeded":
		d.p.line("  │ %s %s SUCCEEDED in %.2fs", wf, ev.ExecutionName, at)
	case ev.Event.Type == "ExecutionFailed" || ev.Event.Type == "ExecutionAborted" || ev.Event.Type == "ExecutionTimedOut":
		d.p.line("  │ %s %s %s: %s %s", wf, ev.ExecutionName, ev.Event.Type, ev.Event.Error, ev.Event.Cause)
	case strings.HasSuffix(ev.Event.Type, "Failed") && ev.Event.Error != "":
		d.p.line("  │ %-8s ! %s: %s", wf, ev.Event.Error, truncate(ev.Event.Cause, 140))
	}
}

// onTrainingLine prints the first lines of a job, every 40th round and the final metrics.
func (d *demo) onTrainingLine(job, line string) {
	show := strings.HasPrefix(line, "read ") || strings.HasPrefix(line, "training on") || strings.HasPrefix(line, "test ")
	if strings.HasPrefix(line, "[") {
		if end := strings.Index(line, "]"); end > 0 {
			if n, err := strconv.Atoi(line[1:end]); err == nil && (n == 1 || n%40 == 0) {
				show = true
			}
		}
	}
	if show {
		d.p.line("  │   train %s: %s", job, strings.ReplaceAll(line, "\t", " "))
	}
}

func (d *demo) onNotification(m sns.Message) {
	kind := ""
	if a, ok := m.Attributes["kind"]; ok {
		kind = a.StringValue
	}
	if a, ok := m.Attributes["outcome"]; ok {
		kind = a.StringValue
	}
	d.p.line("  ✉ notification (%s): %s", kind, m.Subject)
}

func (d *demo) onAlarm(c cloudwatch.AlarmChange) {
	if c.Current.Value == c.Previous.Value || (c.Current.Value != "ALARM" && c.Previous.Value != "ALARM") {
		return
	}
	d.p.line("  ⚠ alarm %s: %s → %s", c.Alarm.Name, c.Previous.Value, c.Current.Value)
}

// onInvocation prints the governor's decisions and hands them to the checks.
func (d *demo) onInvocation(function string, _ []byte, result []byte, err error) {
	if function == topology.ResourceName(Stage, string(topology.MonitorDrift)) {
		d.onDriftJob(result, err)
		return
	}
	if function == topology.ResourceName(Stage, string(topology.Approval)) {
		d.onApproval(result, err)
		return
	}
	if function != topology.ResourceName(Stage, string(topology.Trigger)) {
		return
	}
	if err != nil {
		d.p.line("  ✗ trigger failed: %v", err)
		return
	}
	var dec governor.Decision
	if json.Unmarshal(result, &dec) != nil {
		return
	}
	if dec.Action == governor.ActionStarted {
		d.p.line("  ⚙ governor: started %s (%s)", dec.ExecutionName, dec.Reason)
	} else {
		d.p.line("  ⚙ governor: skipped (rule %s): %s", dec.Rule, dec.Reason)
	}
	select {
	case d.decisions <- dec:
	default:
	}
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// since formats a duration in seconds with one decimal.
func since(t time.Time) string { return strconv.FormatFloat(time.Since(t).Seconds(), 'f', 1, 64) + "s" }

// onDriftJob prints what the drift job found.
func (d *demo) onDriftJob(result []byte, err error) {
	if err != nil {
		d.p.line("  ✗ drift job failed: %v", err)
		return
	}
	var sum monitordrift.Summary
	if json.Unmarshal(result, &sum) != nil {
		return
	}
	d.p.line("  ⌁ drift job: %d captured rows in %d files, %d violations, largest distance %.3f (threshold %.2f); drifted: %s",
		sum.Rows, sum.CaptureFiles, sum.Violations, sum.MaxDistance, d.threshold(), strings.Join(sum.DriftedFeatures, ", "))
	if sum.ViolationsS3URI != "" {
		d.p.line("    report: %s", sum.ViolationsS3URI)
	}
}

func (d *demo) threshold() float64 {
	m, _ := d.pol.Model(Model)
	return m.DriftThreshold
}

// num renders a metric stored as a string with three decimals ("none" when absent).
func num(s string) string {
	if s == "" {
		return "none"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}
