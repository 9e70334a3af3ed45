package requestapproval

import (
	"fmt"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/statemachines"
)

// maxSubject is SNS's limit on a subject (ASCII, no line breaks).
const maxSubject = 100

// Subject returns the notification's subject: at most 100 printable ASCII characters.
func Subject(req statemachines.ApprovalRequest) string {
	s := fmt.Sprintf("kiln: approve %s for %s?", req.Model, req.Stage)
	if req.Approval.Mode == "auto" {
		s = fmt.Sprintf("kiln: %s for %s auto-approved", req.Model, req.Stage)
	}
	var b strings.Builder
	for _, r := range s {
		if r >= 0x20 && r < 0x7f && b.Len() < maxSubject {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Message returns the notification's body: what to decide, the evaluation with its deltas
// against production, and the lineage, in plain text.
func Message(req statemachines.ApprovalRequest) string {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	ev, tr, job := req.Evaluation, req.Trigger, req.TrainingJob
	if req.Approval.Mode == "auto" {
		line("The %s stage approves automatically: model package %s was approved and the %s pipeline continues.", req.Stage, req.ModelPackageARN, req.Model)
	} else {
		line("A new %s model for %s waits for approval.", req.Model, req.Stage)
		line("Approve or reject model package %s in the SageMaker model registry", req.ModelPackageARN)
		line("(or: kiln approve %s / kiln reject %s).", req.ModelPackageARN, req.ModelPackageARN)
		if req.Approval.TimeoutSeconds > 0 {
			line("The pipeline waits %s at most.", time.Duration(req.Approval.TimeoutSeconds)*time.Second)
		}
	}
	line("")
	line("Evaluation")
	line("  %s: %s (threshold %s)", orNone(ev.Metric), num(ev.Value), num(ev.Threshold))
	if c := ev.Champion; c != nil {
		line("  in production: %s, %s", c.ModelPackageARN, num(c.Value))
		line("  delta against production: %s (%+.2f%%)", signed(ev.Delta), 100*ev.RelativeDelta)
	} else {
		line("  in production: nothing yet")
	}
	if ev.Reason != "" {
		line("  verdict: %s", ev.Reason)
	}
	line("  report: %s", orNone(ev.ReportS3URI))
	line("")
	line("Lineage")
	line("  trigger: %s (source %s, event %s, at %s)", orNone(tr.Reason), orNone(tr.Source), orNone(tr.EventID), orNone(tr.Time))
	line("  commit: %s on branch %s of %s", orNone(tr.Commit), orNone(tr.Branch), orNone(tr.Repository))
	line("  data: %s", orNone(req.DataS3URI))
	if tr.DataKey != "" && tr.DataKey != "none" {
		line("  new data: %s", tr.DataKey)
	}
	if tr.Alarm != "" && tr.Alarm != "none" {
		line("  drift alarm: %s", tr.Alarm)
	}
	line("  training job: %s (%s)", orNone(job.TrainingJobName), orNone(job.TrainingJobArn))
	line("  model artifacts: %s", orNone(job.ModelArtifacts))
	line("  execution: %s", req.ExecutionARN)
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
