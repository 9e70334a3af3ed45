package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/kiln-dev/kiln/internal/driftcheck"
	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/local/stepfunctions"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/redrive"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// frozenCommit is the commit pushed in the redrive story: a release a change freeze stops.
const frozenCommit = "9fceb02d0ae598e95dc970b74767f19372d61af8"

// driftOnDemand is a person running the drift check now, as `kiln drift run abalone --stage
// prod` does, then reading the result as `kiln status` shows it.
func (d *demo) driftOnDemand(ctx context.Context) error {
	checked := func() (int, error) {
		seen, err := d.busDetailTypes()
		n := 0
		for _, dt := range seen {
			if dt == opsevents.DriftChecked {
				n++
			}
		}
		return n, err
	}
	before, err := checked()
	if err != nil {
		return err
	}
	// Everyday traffic reaches the release serving since the rollback (the check compares
	// only what the live release served).
	rows := d.data.rows[InitialRows-300 : InitialRows]
	n, err := d.invokeRows(ctx, rows, 10)
	if err != nil {
		return err
	}
	d.p.line("  %d requests carry %d rows of everyday traffic to version 2", n, len(rows))
	if err := d.st.SageMaker().FlushCapture(ctx); err != nil {
		return err
	}
	// The window ends at the check's clock's second: the person runs it two seconds later.
	later := func() time.Time { return d.clock.Now().Add(2 * time.Second) }
	c := d.st.Clients()
	dr, err := driftcheck.Run(ctx, driftcheck.Clients{S3: c.S3, CloudWatch: c.CloudWatch, Events: c.EventBridge}, d.env, Model, 0, later)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := driftcheck.Print(&out, dr); err != nil {
		return err
	}
	d.p.line("  kiln drift run %s --stage %s:", Model, Stage)
	d.printIndented(out.String())
	if len(dr.Features) == 0 {
		return fmt.Errorf("the drift check compared no feature: %s %s", dr.Status, dr.Message)
	}
	for _, f := range dr.Features {
		if f.Threshold <= 0 || !strings.Contains(out.String(), fmt.Sprintf("%.4f", f.Distance)) {
			return fmt.Errorf("feature %s is not printed with its distance against a threshold: %+v", f.Name, f)
		}
	}
	after, err := checked()
	if err != nil {
		return err
	}
	if after != before+1 {
		return fmt.Errorf("%d new %q events on the kiln bus after the check, want 1", after-before, opsevents.DriftChecked)
	}
	d.p.line("  the kiln bus carried %s", opsevents.DriftChecked)
	return d.statusShowsDrift(ctx, dr)
}

// statusShowsDrift checks kiln status's drift part shows the check dr.
func (d *demo) statusShowsDrift(ctx context.Context, dr opsevents.Drift) error {
	var status bytes.Buffer
	if err := driftcheck.PrintLast(ctx, &status, d.st.Clients().S3); err != nil {
		return err
	}
	end := dr.WindowEnd.UTC().Format(time.RFC3339)
	for _, l := range strings.Split(status.String(), "\n") {
		if f := strings.Fields(l); len(f) > 3 && f[0] == Model && f[1] == Stage && f[2] == end {
			d.p.line("  kiln status, drift: %s", strings.Join(f, " "))
			return nil
		}
	}
	return fmt.Errorf("kiln status does not show the check of %s ending %s:\n%s", Model, end, status.String())
}

// printIndented prints text line by line under the current step.
func (d *demo) printIndented(text string) {
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		d.p.line("    %s", l)
	}
}

// redriveRelease is a release a change freeze stops while it waits for approval; after the
// freeze `kiln redrive` continues it from RequestApproval, without training it again.
func (d *demo) redriveRelease(ctx context.Context) error {
	body, commit, err := d.pushBody()
	if err != nil {
		return err
	}
	body = bytes.ReplaceAll(body, []byte(commit), []byte(frozenCommit))
	d.p.line("  commit %s is pushed; its release waits for approval when a change freeze begins", short(frozenCommit))
	code, _, err := d.deliver(ctx, body, "0d6f1c2e-5a7b-4c3d-9e8f-a1b2c3d4e5f6")
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("the webhook answered %d to the push of %s, want 200", code, short(frozenCommit))
	}
	// The drift alarms of the check before may still reach the governor: wait for the push's answer.
	var dec governor.Decision
	for dec.Trigger != statemachines.ReasonCommit || !strings.Contains(dec.ExecutionName, short(frozenCommit)) {
		if dec, err = d.decision(ctx); err != nil {
			return err
		}
	}
	if dec.Action != governor.ActionStarted {
		return fmt.Errorf("the governor %s the push (%s), want it started", dec.Action, dec.Reason)
	}
	if err := d.waitForApproval(ctx, dec.ExecutionARN); err != nil {
		return err
	}
	c := d.st.Clients()
	if _, err := c.StepFunctions.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(dec.ExecutionARN),
		Error: aws.String("ChangeFreeze"), Cause: aws.String("the on-call stopped releases for the payment incident")}); err != nil {
		return fmt.Errorf("stop %s: %w", dec.ExecutionName, err)
	}
	rec, err := d.st.StepFunctions().Wait(ctx, dec.ExecutionARN)
	if err != nil {
		return err
	}
	if rec.Status != "ABORTED" {
		return fmt.Errorf("the stopped run ended %s, want ABORTED", rec.Status)
	}
	if err := d.repushPointsToRedrive(ctx, dec.ExecutionName); err != nil {
		return err
	}
	return d.redriveAfterFreeze(ctx, dec)
}

// repushPointsToRedrive asks the governor, with the facts its trigger function gathers,
// what a re-push of the frozen commit would do, and checks its answer names kiln redrive.
func (d *demo) repushPointsToRedrive(ctx context.Context, name string) error {
	push, err := d.archivedPush(frozenCommit)
	if err != nil {
		return err
	}
	g := governor.Governor{Policy: d.pol, Stage: Stage, Bucket: topology.ArtifactsBucket(d.env)}
	now := d.clock.Now().UTC()
	plan, skipped := g.Plan(push, now)
	if skipped != nil {
		return fmt.Errorf("the governor would skip a re-push of %s: %s", short(frozenCommit), skipped.Reason)
	}
	xs, err := d.executions(ctx, "pipeline")
	if err != nil {
		return err
	}
	facts := governor.Facts{Attempt: 1}
	for _, x := range xs {
		e := governor.Execution{Name: x.Name, Status: x.Status, StartedAt: x.Start}
		facts.Executions = append(facts.Executions, e)
		if x.Name == name {
			facts.Existing = &e
		}
	}
	dec := g.Decide(plan, facts, now)
	want := "kiln redrive " + name + " --stage " + Stage
	_, hint, found := strings.Cut(dec.Reason, "; to continue")
	if !found || !strings.Contains(hint, want) {
		return fmt.Errorf("the governor's answer to a re-push does not point to %q: %s", want, dec.Reason)
	}
	d.p.line("  the governor's answer to a re-push: to continue %s", truncate(strings.TrimSpace(hint), 140))
	return nil
}

// archivedPush returns the Git Push event of commit as the kiln bus carried it.
func (d *demo) archivedPush(commit string) ([]byte, error) {
	evs, err := d.st.Bus().Archived(time.Time{}, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("read the bus archive: %w", err)
	}
	for _, e := range evs {
		if bytes.Contains(e.Event, []byte(`"detail-type":"Git Push"`)) && bytes.Contains(e.Event, []byte(commit)) {
			return e.Event, nil
		}
	}
	return nil, fmt.Errorf("no Git Push event of %s on the bus", short(commit))
}

// redriveAfterFreeze redrives the stopped run as kiln redrive NAME does, approves it and
// checks it finished from RequestApproval and that the default bus carried the redrive.
func (d *demo) redriveAfterFreeze(ctx context.Context, dec governor.Decision) error {
	arn, err := redrive.ExecutionARN(dec.ExecutionName, d.env, false)
	if err != nil {
		return err
	}
	r, err := redrive.Execution(ctx, d.st.Clients().StepFunctions, arn)
	if err != nil {
		return err
	}
	d.p.line("  the freeze ends; kiln redrive %s --stage %s:", dec.ExecutionName, Stage)
	d.p.line("    %s", r)
	if err := d.waitForNewRequest(ctx, arn); err != nil {
		return err
	}
	if _, err := d.approveLatest(ctx); err != nil {
		return err
	}
	if err := d.finish(ctx, arn); err != nil {
		return err
	}
	entered, err := d.enteredAfterRedrive(arn)
	if err != nil {
		return err
	}
	if len(entered) == 0 || entered[0] != "RequestApproval" || slices.Contains(entered, "StartTraining") {
		return fmt.Errorf("the redriven run entered %v, want RequestApproval first and no training", entered)
	}
	d.p.line("  the redriven run went on from RequestApproval (%s); nothing before it ran again", strings.Join(entered, " → "))
	return d.busCarriedRedrive(ctx, arn)
}

// waitForNewRequest waits until the redriven RequestApproval has asked for approval again
// (its task was submitted after the redrive), so the approval completes the new token.
func (d *demo) waitForNewRequest(ctx context.Context, arn string) error {
	for {
		types, err := d.typesAfterRedrive(arn)
		if err != nil {
			return err
		}
		if slices.Contains(types, "TaskSubmitted") {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the redriven run to request approval: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// historyAfterRedrive returns the run's history events after its ExecutionRedriven event.
func (d *demo) historyAfterRedrive(arn string) ([]struct{ Type, Name string }, error) {
	raw, err := d.st.StepFunctions().History(arn)
	if err != nil {
		return nil, err
	}
	var out []struct{ Type, Name string }
	redriven := false
	for _, b := range raw {
		var ev struct {
			Type    string `json:"type"`
			Entered *struct {
				Name string `json:"name"`
			} `json:"stateEnteredEventDetails"`
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, fmt.Errorf("decode a history event of %s: %w", arn, err)
		}
		if redriven {
			e := struct{ Type, Name string }{Type: ev.Type}
			if ev.Entered != nil {
				e.Name = ev.Entered.Name
			}
			out = append(out, e)
		}
		redriven = redriven || ev.Type == "ExecutionRedriven"
	}
	return out, nil
}

func (d *demo) typesAfterRedrive(arn string) ([]string, error) {
	evs, err := d.historyAfterRedrive(arn)
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out, err
}

func (d *demo) enteredAfterRedrive(arn string) ([]string, error) {
	evs, err := d.historyAfterRedrive(arn)
	var out []string
	for _, e := range evs {
		if strings.HasSuffix(e.Type, "StateEntered") {
			out = append(out, e.Name)
		}
	}
	return out, err
}

// busCarriedRedrive checks the default bus carried the run's Step Functions status changes:
// RUNNING, ABORTED, RUNNING with redriveCount 1, SUCCEEDED.
func (d *demo) busCarriedRedrive(ctx context.Context, arn string) error {
	if err := d.st.Settle(ctx); err != nil {
		return err
	}
	evs, err := d.st.Bus().Archived(time.Time{}, time.Time{})
	if err != nil {
		return fmt.Errorf("read the bus archive: %w", err)
	}
	var seen []string
	for _, e := range evs {
		var env struct {
			Source     string `json:"source"`
			DetailType string `json:"detail-type"`
			Detail     struct {
				ExecutionARN string `json:"executionArn"`
				Status       string `json:"status"`
				RedriveCount int    `json:"redriveCount"`
			} `json:"detail"`
		}
		if json.Unmarshal(e.Event, &env) != nil || e.Bus != "default" || env.Source != stepfunctions.StatusChangeSource ||
			env.DetailType != stepfunctions.StatusChangeDetailType || env.Detail.ExecutionARN != arn {
			continue
		}
		s := env.Detail.Status
		if env.Detail.RedriveCount > 0 {
			s += fmt.Sprintf(" (redriveCount %d)", env.Detail.RedriveCount)
		}
		seen = append(seen, s)
	}
	want := []string{"RUNNING", "ABORTED", "RUNNING (redriveCount 1)", "SUCCEEDED (redriveCount 1)"}
	if !slices.Equal(seen, want) {
		return fmt.Errorf("the default bus carried %v for the run, want %v", seen, want)
	}
	d.p.line("  the default bus carried %s: %s", stepfunctions.StatusChangeDetailType, strings.Join(seen, " → "))
	return nil
}
