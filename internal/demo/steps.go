package demo

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	kilnevents "github.com/kiln-dev/kiln/events"
	abalonedata "github.com/kiln-dev/kiln/examples/abalone/data"
	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/local/sagemaker"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// prepare builds the sample programs, seeds the first InitialRows rows of the data and
// opens the stack.
func (d *demo) prepare(ctx context.Context) error {
	data, err := loadDataset(abalonedata.CSV)
	if err != nil {
		return err
	}
	d.data = data
	// Hold the folder before touching it: a kiln local serving it keeps its state.
	lock, err := stack.LockDir(d.o.Dir, "kiln demo")
	if err != nil {
		if errors.Is(err, stack.ErrDirInUse) {
			return fmt.Errorf("%w; the demo empties its state folder, so it will not run there: stop that process, or run the demo elsewhere with kiln demo --dir /tmp/kiln-demo", err)
		}
		return err
	}
	handed := false
	defer func() {
		if !handed {
			_ = lock.Close()
		}
	}()
	if err := resetDir(d.o.Dir); err != nil {
		return err
	}
	t0 := time.Now()
	images, docker, did, err := d.runtime(ctx)
	if err != nil {
		return err
	}
	d.p.line("  %s in %s", did, since(t0))
	uri, err := d.writeData("abalone-part-1.csv", d.data.rows[:InitialRows])
	if err != nil {
		return err
	}
	d.p.line("  seeded %d abalone rows (Nash et al. 1994, UCI, CC BY 4.0) at %s", InitialRows, uri)
	st, err := stack.Open(stack.Options{
		Dir: d.o.Dir, Addr: d.o.Addr, Stage: Stage, Policy: d.pol, Images: images, Docker: docker, Lock: lock,
		Clock: &d.clock, Log: d.o.Log, Observer: d.observer(), IAM: d.iam,
	})
	if err != nil {
		return err // the deferred Close releases the lock (Close is idempotent)
	}
	handed = true // the stack owns the lock now
	d.st = st
	if err := st.Start(ctx); err != nil {
		return err
	}
	d.p.line("  local stack on %s: Step Functions, SageMaker, S3, EventBridge, CloudWatch, SNS", st.Endpoint())
	prod := d.pol.Stages[Stage].Deployment
	d.p.line("  stage %s: %s deployment, %d%% canary, %ds between steps, %ds bake, manual approval",
		Stage, prod.Strategy, prod.StepPercent, prod.WaitSeconds, prod.BakeSeconds)
	return nil
}

// pushRequest returns the sample GitHub push (events/github-push.json, a function-URL request)
// re-signed with the local stack's webhook secret, and the commit it pushes.
func (d *demo) pushBody() ([]byte, string, error) {
	raw, err := kilnevents.Sample("github-push.json")
	if err != nil {
		return nil, "", err
	}
	var req events.LambdaFunctionURLRequest
	if err := decodeJSON("the sample push request", raw, &req); err != nil {
		return nil, "", err
	}
	var push struct {
		After string `json:"after"`
	}
	if err := decodeJSON("the sample push body", []byte(req.Body), &push); err != nil {
		return nil, "", err
	}
	return []byte(req.Body), push.After, nil
}

// deliver posts a push to the webhook's function URL as GitHub would, signed with the
// stack's secret, and returns the status and the function's message.
func (d *demo) deliver(ctx context.Context, body []byte, delivery string) (int, string, error) {
	secret, err := d.st.WebhookSecret()
	if err != nil {
		return 0, "", err
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.st.FunctionURL(topology.Webhook), bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/kiln-demo")
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-GitHub-Delivery", delivery)
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", fmt.Errorf("deliver the push: %w", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var msg struct {
		Message string `json:"message"`
	}
	_ = json.Unmarshal(b, &msg)
	d.p.line("  webhook answered %d: %s", resp.StatusCode, msg.Message)
	return resp.StatusCode, msg.Message, nil
}

// decision waits for the governor's next decision.
func (d *demo) decision(ctx context.Context) (governor.Decision, error) {
	select {
	case dec := <-d.decisions:
		return dec, nil
	case <-time.After(30 * time.Second):
		return governor.Decision{}, errors.New("the governor decided nothing within 30s")
	case <-ctx.Done():
		return governor.Decision{}, ctx.Err()
	}
}

// waitForApproval waits until the execution waits at RequestApproval.
func (d *demo) waitForApproval(ctx context.Context, execARN string) error {
	for {
		if state, waiting := d.st.StepFunctions().Waiting(execARN); waiting && state == "RequestApproval" {
			return nil
		}
		x, err := d.st.StepFunctions().DescribeExecution(execARN)
		if err != nil {
			return err
		}
		if x.Status != "RUNNING" {
			return fmt.Errorf("execution %s ended %s before approval: %s %s", x.Name, x.Status, x.Error, x.Cause)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s to request approval: %w", x.Name, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// approveLatest approves the newest pending package as a person would in the registry (the
// state change event then reaches the approval function) and returns its ARN.
func (d *demo) approveLatest(ctx context.Context) (string, error) {
	c := d.st.Clients()
	group := topology.PackageGroup(Stage, Model)
	l, err := c.SageMaker.ListModelPackages(ctx, &awssm.ListModelPackagesInput{
		ModelPackageGroupName: aws.String(group), ModelApprovalStatus: smtypes.ModelApprovalStatusPendingManualApproval,
		SortBy: smtypes.ModelPackageSortByCreationTime, SortOrder: smtypes.SortOrderDescending,
	})
	if err != nil {
		return "", fmt.Errorf("list pending packages: %w", err)
	}
	if len(l.ModelPackageSummaryList) == 0 {
		return "", fmt.Errorf("no package in %s waits for approval", group)
	}
	arn := aws.ToString(l.ModelPackageSummaryList[0].ModelPackageArn)
	p, err := c.SageMaker.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("describe %s: %w", arn, err)
	}
	md := p.CustomerMetadataProperties
	d.p.line("  the reviewer reads version %d: mse %s (gate %s), champion %s, delta %s, commit %s",
		aws.ToInt32(p.ModelPackageVersion), num(md["kiln:mse"]), num(md["kiln:threshold"]), num(md["kiln:championValue"]), num(md["kiln:delta"]),
		short(aws.ToString(p.MetadataProperties.CommitId)))
	_, err = c.SageMaker.UpdateModelPackage(ctx, &awssm.UpdateModelPackageInput{
		ModelPackageArn:     aws.String(arn),
		ModelApprovalStatus: smtypes.ModelApprovalStatusApproved,
		ApprovalDescription: aws.String("approved in the kiln demo by an ML engineer: metrics within the gate"),
	})
	if err != nil {
		return "", fmt.Errorf("approve %s: %w", arn, err)
	}
	d.p.line("  approved %s in the model registry", arn)
	return arn, nil
}

// finish waits for an execution to succeed.
func (d *demo) finish(ctx context.Context, execARN string) error {
	x, err := d.st.StepFunctions().Wait(ctx, execARN)
	if err != nil {
		return err
	}
	if x.Status != "SUCCEEDED" {
		return fmt.Errorf("execution %s ended %s: %s %s", x.Name, x.Status, x.Error, x.Cause)
	}
	return nil
}

// endpoint returns the live endpoint's status and config.
func (d *demo) endpoint(ctx context.Context) (*awssm.DescribeEndpointOutput, error) {
	out, err := d.st.Clients().SageMaker.DescribeEndpoint(ctx, &awssm.DescribeEndpointInput{EndpointName: aws.String(topology.EndpointName(Stage, Model))})
	if err != nil {
		return nil, fmt.Errorf("describe the endpoint: %w", err)
	}
	return out, nil
}

// release runs the part of the story every release shares: wait for the approval request,
// approve, wait for the pipeline to finish, and check the endpoint serves the release.
func (d *demo) release(ctx context.Context, dec governor.Decision) error {
	if err := d.waitForApproval(ctx, dec.ExecutionARN); err != nil {
		return err
	}
	if _, err := d.approveLatest(ctx); err != nil {
		return err
	}
	if err := d.finish(ctx, dec.ExecutionARN); err != nil {
		return err
	}
	ep, err := d.endpoint(ctx)
	if err != nil {
		return err
	}
	want := dec.ExecutionName + "-config"
	if string(ep.EndpointStatus) != "InService" || aws.ToString(ep.EndpointConfigName) != want {
		return fmt.Errorf("endpoint is %s on %s, want InService on %s", ep.EndpointStatus, aws.ToString(ep.EndpointConfigName), want)
	}
	d.p.line("  endpoint %s is InService on %s", aws.ToString(ep.EndpointName), want)
	return nil
}

// push is step 1.
func (d *demo) push(ctx context.Context) error {
	body, commit, err := d.pushBody()
	if err != nil {
		return err
	}
	d.p.line("  git push to kiln-dev/abalone-model main (commit %s) reaches the webhook's function URL", short(commit))
	code, _, err := d.deliver(ctx, body, "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	if err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("the webhook answered %d to a signed push, want 200", code)
	}
	dec, err := d.decision(ctx)
	if err != nil {
		return err
	}
	if dec.Action != governor.ActionStarted || dec.Trigger != statemachines.ReasonCommit {
		return fmt.Errorf("the governor %s the push (%s), want it started", dec.Action, dec.Reason)
	}
	if err := d.release(ctx, dec); err != nil {
		return err
	}
	return d.predict(ctx)
}

// predict sends held-out rows (never trained on) to the endpoint and prints the answers.
func (d *demo) predict(ctx context.Context) error {
	rows := d.data.rows[len(d.data.rows)-5:]
	var body strings.Builder
	for _, r := range rows {
		body.WriteString(strings.Join(features(r), ",") + "\n")
	}
	rt := sagemakerruntime.NewFromConfig(d.st.Clients().Config)
	out, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{
		EndpointName: aws.String(topology.EndpointName(Stage, Model)), ContentType: aws.String("text/csv"), Body: []byte(body.String()),
	})
	if err != nil {
		return fmt.Errorf("invoke the endpoint: %w", err)
	}
	preds := strings.Fields(string(out.Body))
	if len(preds) != len(rows) {
		return fmt.Errorf("the endpoint answered %d predictions for %d rows: %q", len(preds), len(rows), out.Body)
	}
	var table [][]string
	for i, r := range rows {
		p, err := strconv.ParseFloat(preds[i], 64)
		if err != nil {
			return fmt.Errorf("the endpoint answered %q, not a number", preds[i])
		}
		table = append(table, []string{r[0], r[1], r[4], fmt.Sprintf("%.1f", p), r[len(r)-1]})
	}
	d.p.line("  the endpoint serves predictions for held-out animals:")
	d.p.table([]string{"sex", "length", "whole weight", "predicted rings", "actual rings"}, table)
	return nil
}

// redeliver is step 2.
func (d *demo) redeliver(ctx context.Context) error {
	body, _, err := d.pushBody()
	if err != nil {
		return err
	}
	before, err := d.executions(ctx, "pipeline")
	if err != nil {
		return err
	}
	d.p.line("  GitHub redelivers the same delivery:")
	code, msg, err := d.deliver(ctx, body, "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	if err != nil {
		return err
	}
	if code != http.StatusOK || !strings.Contains(msg, "duplicate") {
		return fmt.Errorf("the webhook answered %d %q to a repeated delivery, want 200 and a duplicate", code, msg)
	}
	d.p.line("  the same commit arrives again under a new delivery id (a second webhook on the repository):")
	if code, _, err = d.deliver(ctx, body, "8e5bd2a4-0f3c-4e0e-9a57-1c2b3d4e5f60"); err != nil {
		return err
	}
	if code != http.StatusOK {
		return fmt.Errorf("the webhook answered %d, want 200", code)
	}
	dec, err := d.decision(ctx)
	if err != nil {
		return err
	}
	if dec.Action != governor.ActionSkipped || dec.Rule != governor.RuleDuplicate {
		return fmt.Errorf("the governor %s the repeated push (rule %q), want it skipped as a duplicate", dec.Action, dec.Rule)
	}
	if err := d.st.Settle(ctx); err != nil {
		return err
	}
	after, err := d.executions(ctx, "pipeline")
	if err != nil {
		return err
	}
	if len(after) != len(before) {
		return fmt.Errorf("%d pipeline executions after the repeated push, want %d", len(after), len(before))
	}
	d.p.line("  still %d pipeline execution: nothing was started", len(after))
	return nil
}

// drift is step 3.
func (d *demo) drift(ctx context.Context) error {
	uri, err := d.writeData("abalone-part-2.csv", d.data.rows[InitialRows:])
	if err != nil {
		return err
	}
	d.p.line("  %d newer labelled rows land at %s", len(d.data.rows)-InitialRows, uri)

	// The fishery starts landing older animals: real rows with 13 or more rings, whose
	// sizes and weights sit well above the training data's.
	var shifted [][]string
	for _, r := range d.data.rows {
		if rings, _ := strconv.Atoi(r[len(r)-1]); rings >= 13 {
			shifted = append(shifted, r)
		}
	}
	if len(shifted) > 400 {
		shifted = shifted[:400]
	}
	n, err := d.invokeRows(ctx, shifted, 10)
	if err != nil {
		return err
	}
	d.p.line("  %d requests carry %d rows of older, larger abalone to the endpoint (captured for monitoring)", n, len(shifted))
	if err := d.st.SageMaker().FlushCapture(ctx); err != nil {
		return err
	}
	// The drift job's window ends at its clock's current second: move the stack's clock past
	// the traffic just sent, as an hourly schedule would be.
	d.clock.Skip(2 * time.Second)
	name := topology.ResourceName(Stage, "drift-"+Model)
	d.p.line("  the drift job's schedule %s fires", name)
	if _, err := d.st.Schedules().Fire(ctx, name, d.clock.Now()); err != nil {
		return fmt.Errorf("fire %s: %w", name, err)
	}
	// Every drifted feature's alarm fires; the governor starts one retraining and skips the
	// racing alarms (the same cooldown window names the same execution).
	var dec governor.Decision
	for started := false; !started; {
		if dec, err = d.decision(ctx); err != nil {
			return fmt.Errorf("wait for the governor to start a drift retraining: %w", err)
		}
		started = dec.Action == governor.ActionStarted && dec.Trigger == statemachines.ReasonDrift
	}
	if dec.Input == nil || !strings.HasSuffix(dec.Input.Training.DataS3URI, "data/abalone/") {
		return errors.New("the retraining does not train on the model's whole data prefix")
	}

	// Traffic keeps flowing while the canary shifts it; the router's history shows the split.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var served, failed atomic.Int64
	wg.Add(2)
	go func() {
		defer wg.Done()
		d.steadyTraffic(ctx, stop, &served, &failed)
	}()
	go func() {
		defer wg.Done()
		d.watchShift(ctx, stop)
	}()
	err = d.release(ctx, dec)
	close(stop)
	wg.Wait()
	if err != nil {
		return err
	}
	d.p.line("  %d requests served during the release, %d failed", served.Load(), failed.Load())
	if failed.Load() > 0 {
		return fmt.Errorf("%d requests failed during the canary", failed.Load())
	}
	hist, err := d.st.SageMaker().DeploymentHistory(topology.EndpointName(Stage, Model))
	if err != nil {
		return err
	}
	canary := false
	for _, h := range hist {
		if h.Phase == "ShiftingTraffic" && h.NewShare > 0 && h.NewShare < 1 && h.ToConfig == dec.ExecutionName+"-config" {
			canary = true
		}
	}
	if !canary {
		return errors.New("the new model took all traffic at once: no canary step in the deployment history")
	}
	return nil
}

// invokeRows sends rows to the endpoint, per rows per request, and returns the request count.
func (d *demo) invokeRows(ctx context.Context, rows [][]string, per int) (int, error) {
	rt := sagemakerruntime.NewFromConfig(d.st.Clients().Config)
	n := 0
	for i := 0; i < len(rows); i += per {
		var body strings.Builder
		for _, r := range rows[i:min(i+per, len(rows))] {
			body.WriteString(strings.Join(features(r), ",") + "\n")
		}
		if _, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{
			EndpointName: aws.String(topology.EndpointName(Stage, Model)), ContentType: aws.String("text/csv"), Body: []byte(body.String()),
		}); err != nil {
			return n, fmt.Errorf("invoke the endpoint: %w", err)
		}
		n++
	}
	return n, nil
}

// steadyTraffic sends one ordinary row every 25 ms until stop.
func (d *demo) steadyTraffic(ctx context.Context, stop <-chan struct{}, served, failed *atomic.Int64) {
	rt := sagemakerruntime.NewFromConfig(d.st.Clients().Config)
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-time.After(25 * time.Millisecond):
		}
		row := d.data.rows[i%InitialRows]
		_, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{
			EndpointName: aws.String(topology.EndpointName(Stage, Model)), ContentType: aws.String("text/csv"),
			Body: []byte(strings.Join(features(row), ",") + "\n"),
		})
		if err != nil {
			failed.Add(1)
			continue
		}
		served.Add(1)
	}
}

// watchShift prints each new step of the endpoint's deployment history as it happens.
func (d *demo) watchShift(ctx context.Context, stop <-chan struct{}) {
	shown := 0
	endpoint := topology.EndpointName(Stage, Model)
	for {
		hist, err := d.st.SageMaker().DeploymentHistory(endpoint)
		if err == nil {
			for _, h := range hist[min(shown, len(hist)):] {
				d.p.line("  ⇄ traffic: %-16s %s", h.Phase, split(h))
			}
			shown = max(shown, len(hist))
		}
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// split renders a deployment step's traffic split, old and new config.
func split(h sagemaker.DeploymentStep) string {
	var parts []string
	for _, w := range h.Weights {
		parts = append(parts, fmt.Sprintf("%s %3.0f%%", w.Config, w.Share*100))
	}
	if len(parts) == 0 {
		return h.Message
	}
	return strings.Join(parts, " | ")
}

// executions lists a workflow's executions, newest first.
func (d *demo) executions(ctx context.Context, workflow string) ([]*stepfunctionsExecution, error) {
	out, err := d.st.Clients().StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(topology.StateMachineARN(d.env, workflow)),
	})
	if err != nil {
		return nil, fmt.Errorf("list %s executions: %w", workflow, err)
	}
	var xs []*stepfunctionsExecution
	for _, x := range out.Executions {
		xs = append(xs, &stepfunctionsExecution{
			ARN: aws.ToString(x.ExecutionArn), Name: aws.ToString(x.Name), Status: string(x.Status),
			Start: aws.ToTime(x.StartDate), Stop: aws.ToTime(x.StopDate), Workflow: workflow,
		})
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].Start.Before(xs[j].Start) })
	return xs, nil
}

// stepfunctionsExecution is the summary row of one execution.
type stepfunctionsExecution struct {
	ARN, Name, Status, Workflow string
	Start, Stop                 time.Time
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
