package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// onApproval passes the approval function's answers to alarms (the watch) and its
// announcements of rollbacks that ended to the story.
func (d *demo) onApproval(result []byte, err error) {
	var r approval.Result
	if err != nil || json.Unmarshal(result, &r) != nil {
		return
	}
	ch := d.watches
	switch {
	case r.Outcome == approval.OutcomeWatched && r.Watch != nil && r.Watch.Breached:
	case r.Outcome == approval.OutcomeAnnounced && r.Rollback != nil:
		ch = d.announced
	default:
		return
	}
	select {
	case ch <- r:
	default:
	}
}

// announcementOf waits for the approval function to announce the end of the rollback whose
// deploy execution is executionARN (from the execution's status change), passing over others.
func (d *demo) announcementOf(ctx context.Context, executionARN string) (opsevents.Rollback, error) {
	r, err := awaitResult(ctx, d.announced, "the end of rollback "+executionARN+" was not announced",
		func(r approval.Result) bool { return r.Rollback.ExecutionARN == executionARN })
	if err != nil {
		return opsevents.Rollback{}, err
	}
	return *r.Rollback, nil
}

// awaitResult waits up to 60 s for a result on ch that match accepts, passing over the others;
// missing says what did not happen when none came.
func awaitResult(ctx context.Context, ch <-chan approval.Result, missing string, match func(approval.Result) bool) (approval.Result, error) {
	timeout := time.After(60 * time.Second)
	for {
		select {
		case r := <-ch:
			if match(r) {
				return r, nil
			}
		case <-timeout:
			return approval.Result{}, errors.New(missing + " within 60s")
		case <-ctx.Done():
			return approval.Result{}, ctx.Err()
		}
	}
}

// releaser is the stage's release operations as `kiln rollback` and `kiln history` build
// them, on the demo stack's SDK clients.
func (d *demo) releaser() *release.Releaser {
	c, env := d.st.Clients(), d.env
	return &release.Releaser{SFN: c.StepFunctions, SageMaker: c.SageMaker, S3: c.S3, SNS: c.SNS, TopicARN: topology.TopicARN(env),
		Bucket: topology.ArtifactsBucket(env), PipelineARN: topology.StateMachineARN(env, "pipeline"),
		DeployARN: topology.StateMachineARN(env, "deploy"), Policy: d.pol, Stage: Stage, Clock: d.clock.Now, Log: d.o.Log,
		PollInterval: 100 * time.Millisecond, Events: &opsevents.Publisher{Events: c.EventBridge, Bus: topology.BusName(Stage)}}
}

// watch breaches the watch after the bake: the endpoint's latency alarm goes to ALARM (set
// through CloudWatch's SetAlarmState, as one tests an alarm's actions) while the drift
// release is inside its watch window; the watch rolls the stage back to the first release.
func (d *demo) watch(ctx context.Context) error {
	alarm := topology.RollbackAlarmNames(Stage, Model)[1]
	prod := d.pol.Stages[Stage].Deployment
	d.p.line("  the stage watches %v alarms for %ds after the bake; %s goes to ALARM now", prod.WatchAlarms, prod.WatchSeconds, alarm)
	t0 := time.Now()
	if _, err := d.st.Clients().CloudWatch.SetAlarmState(ctx, &awscw.SetAlarmStateInput{AlarmName: aws.String(alarm), StateValue: cwtypes.StateValueAlarm,
		StateReason: aws.String("Threshold Crossed: p99 ModelLatency 812 ms > 500 ms (the demo's slow release)")}); err != nil {
		return fmt.Errorf("set alarm %s: %w", alarm, err)
	}
	r, err := d.breachOf(ctx, alarm)
	if err != nil {
		return err
	}
	b := r.Watch.Breach
	d.p.line("  ⚑ watch breached %.1fs into the watch of version %s: %s → %s", b.SecondsIntoWatch, versionOf(b.PackageARN), b.AlarmName, b.Action)
	if b.Action != opsevents.ActionRolledBack {
		return fmt.Errorf("the watch did not roll back: %s", b.Action)
	}
	done, err := d.announcementOf(ctx, b.RollbackExecutionARN)
	if err != nil {
		return err
	}
	if done.Status != "SUCCEEDED" {
		return fmt.Errorf("the watch's rollback ended %s: %s", done.Status, done.Cause)
	}
	d.p.line("  ↩ rolled back to version %d: from the alarm to the old release serving alone in %.1fs (deploy workflow %.1fs)",
		done.ToVersion, time.Since(t0).Seconds(), done.Seconds)
	return d.expectServing(ctx, done.ExecutionARN, 1, opsevents.WatchBreached, opsevents.RollbackCompleted)
}

// breachOf waits for the watch's answer to alarm, passing over answers to other alarms.
func (d *demo) breachOf(ctx context.Context, alarm string) (approval.Result, error) {
	return awaitResult(ctx, d.watches, "the watch did not answer the alarm",
		func(r approval.Result) bool { return r.Watch.Breach.AlarmName == alarm })
}

// operate is a person's rollback, as `kiln rollback abalone --stage prod --to 2` does it, then
// the history `kiln history` prints.
func (d *demo) operate(ctx context.Context) error {
	// The latency recovered: until the alarm is OK again, SageMaker would roll any update
	// back on it (it guards every release), as on AWS until the alarm's next evaluation.
	alarm := topology.RollbackAlarmNames(Stage, Model)[1]
	if _, err := d.st.Clients().CloudWatch.SetAlarmState(ctx, &awscw.SetAlarmStateInput{AlarmName: aws.String(alarm), StateValue: cwtypes.StateValueOk,
		StateReason: aws.String("the load balancer was fixed; latency is back under 500 ms")}); err != nil {
		return fmt.Errorf("set alarm %s: %w", alarm, err)
	}
	r := d.releaser()
	t0 := time.Now()
	rolled, err := r.Rollback(ctx, Model, Stage, 2, "an ML engineer", "the latency alarm was the load balancer, not version 2")
	if err != nil {
		return err
	}
	d.p.line("  kiln rollback %s --stage %s --to 2: deploy execution %s", Model, Stage, rolled.ReleaseID)
	done, err := r.Await(ctx, rolled)
	if err != nil {
		return err
	}
	if done.Status != "SUCCEEDED" {
		return fmt.Errorf("the rollback to version 2 ended %s: %s", done.Status, done.Cause)
	}
	d.p.line("  ↩ version 2 serves again %.1fs after the command", time.Since(t0).Seconds())
	if _, err := d.announcementOf(ctx, done.ExecutionARN); err != nil {
		return err
	}
	if err := d.expectServing(ctx, done.ExecutionARN, 2, opsevents.RollbackCompleted, opsevents.DriftChecked); err != nil {
		return err
	}
	return d.history(ctx, r)
}

// expectServing checks the endpoint runs the rollback's config (its model from version) and
// that the bus carried each detail type.
func (d *demo) expectServing(ctx context.Context, executionARN string, version int, detailTypes ...string) error {
	ep, err := d.endpoint(ctx)
	if err != nil {
		return err
	}
	id := executionARN[strings.LastIndex(executionARN, ":")+1:]
	if aws.ToString(ep.EndpointConfigName) != id+"-config" || !strings.Contains(id, fmt.Sprintf("-rb-v%d-", version)) {
		return fmt.Errorf("the endpoint runs %s, not the rollback's %s-config", aws.ToString(ep.EndpointConfigName), id)
	}
	seen, err := d.busDetailTypes()
	if err != nil {
		return err
	}
	for _, dt := range detailTypes {
		if !slices.Contains(seen, dt) {
			return fmt.Errorf("no %q event on the kiln bus", dt)
		}
	}
	d.p.line("  the kiln bus carried %s", strings.Join(detailTypes, ", "))
	return nil
}

// busDetailTypes returns the detail types of every event archived from the kiln bus.
func (d *demo) busDetailTypes() ([]string, error) {
	evs, err := d.st.Bus().Archived(time.Time{}, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("read the bus archive: %w", err)
	}
	var out []string
	for _, e := range evs {
		var env struct {
			DetailType string `json:"detail-type"`
		}
		if json.Unmarshal(e.Event, &env) == nil && strings.HasPrefix(env.DetailType, "kiln ") {
			out = append(out, env.DetailType)
		}
	}
	return out, nil
}

// history prints the stage's timeline and checks it answers what served when.
func (d *demo) history(ctx context.Context, r *release.Releaser) error {
	es, err := r.Timeline(ctx, Model, Stage)
	if err != nil {
		return err
	}
	d.p.line("  kiln history %s --stage %s:", Model, Stage)
	var rows [][]string
	for _, e := range es {
		who := ""
		if e.RequestedBy != "" {
			who = e.RequestedBy + ": " + truncate(e.Reason, 60)
		}
		event := e.Event
		if e.Rollback {
			event += " (rollback)"
		}
		rows = append(rows, []string{e.At.Local().Format("15:04:05"), event, fmt.Sprintf("v%d", e.Version), e.Trigger, who})
	}
	d.p.table([]string{"time", "event", "version", "trigger", "who: why"}, rows)
	last := es[len(es)-1]
	if live := release.ServedAt(es, time.Now().Add(time.Minute)); live == nil || live.Version != 2 || !live.Rollback || live.RequestedBy != "an ML engineer" {
		return fmt.Errorf("the history does not say version 2 serves again by an ML engineer's rollback: %+v", live)
	}
	if first := release.ServedAt(es, es[0].At); first == nil || first.Version != 1 || last.Event != release.EventDeployed {
		return errors.New("the history does not say version 1 served first")
	}
	return nil
}

func versionOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
