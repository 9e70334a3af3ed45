package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	kilnarn "github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// Withdrawal actions.
const (
	// ActionNone: the package was neither deploying nor live; only the registry changed.
	ActionNone = "none"
	// ActionStopped: a deployment of the package was in flight and was stopped; the endpoint
	// stayed on the previous release.
	ActionStopped = "stopped"
	// ActionRolledBack: the package was live; the stage rolls back to the last Approved
	// package that was live there.
	ActionRolledBack = "rolled-back"
	// ActionOutOfService: the package was live and no earlier release existed; the
	// endpoint was deleted.
	ActionOutOfService = "out-of-service"
)

// Rejection is a model package set to Rejected, with who rejected it and why.
type Rejection struct {
	ModelPackageARN string
	// Group is the package's model package group (kiln-<stage>-<model>).
	Group string
	// ExecutionARN is the pipeline execution that produced the package; empty when unknown.
	ExecutionARN string
	By           string
	Reason       string
}

// Withdrawal says what Withdraw did.
type Withdrawal struct {
	// Action is none, stopped, rolled-back or out-of-service.
	Action string `json:"action"`
	// Stopped are the executions stopped (the pipeline, then its deploy child).
	Stopped []string `json:"stopped,omitempty"`
	// Rollback is set for rolled-back.
	Rollback *Rolled `json:"rollback,omitempty"`
	// Why says in a sentence what was found.
	Why string `json:"why"`
}

// Withdraw takes a rejected package back out of the stage: a pipeline still running for it
// is stopped (then its deploy child); when the endpoint serves the package the stage rolls
// back (Rollback) to the newest Approved package that was live there, or, with none, the
// endpoint is deleted and that is recorded and announced. A package the endpoint does not
// serve changes nothing. While the endpoint is still shifting traffic to the package it
// returns ErrStillUpdating (SageMaker accepts no new update then): the caller retries. A
// repeat finds the work done or started and changes nothing.
func (r *Releaser) Withdraw(ctx context.Context, rej Rejection) (Withdrawal, error) {
	model, ok := r.modelOfGroup(rej.Group)
	if !ok {
		return Withdrawal{Action: ActionNone, Why: fmt.Sprintf("group %s is no model's of stage %s", rej.Group, r.Stage)}, nil
	}
	by, why := orUnknown(rej.By), rej.Reason
	if strings.TrimSpace(why) == "" {
		why = "no reason given"
	}
	why = "model package " + rej.ModelPackageARN + " rejected: " + why
	var w Withdrawal
	stopped, err := r.stopRun(ctx, rej, by, why)
	if err != nil {
		return Withdrawal{}, err
	}
	w.Stopped = stopped
	endpoint := topology.EndpointName(r.Stage, model)
	var ep *sagemaker.DescribeEndpointOutput
	deadline := r.Clock().Add(r.SettleTimeout)
	for {
		ep, err = r.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
		if isMissingEndpoint(err) {
			return r.done(ctx, w, fmt.Sprintf("endpoint %s does not exist", endpoint)), nil
		}
		if err != nil {
			return Withdrawal{}, fmt.Errorf("describe endpoint %s: %w", endpoint, err)
		}
		p := ep.PendingDeploymentSummary
		if p == nil || ep.EndpointStatus == smtypes.EndpointStatusInService {
			break
		}
		serves, err := r.serves(ctx, aws.ToString(p.EndpointConfigName), rej.ModelPackageARN)
		if err != nil {
			return Withdrawal{}, err
		}
		if !serves {
			break
		}
		if !r.Clock().Before(deadline) {
			return Withdrawal{}, fmt.Errorf("withdraw %s from %s: %w (%s to %s); retry once it settles",
				rej.ModelPackageARN, endpoint, ErrStillUpdating, ep.EndpointStatus, aws.ToString(p.EndpointConfigName))
		}
		if err := r.sleep(ctx); err != nil {
			return Withdrawal{}, fmt.Errorf("wait for endpoint %s to settle: %w", endpoint, err)
		}
	}
	config := aws.ToString(ep.EndpointConfigName)
	serves, err := r.serves(ctx, config, rej.ModelPackageARN)
	if err != nil {
		return Withdrawal{}, err
	}
	if !serves {
		return r.done(ctx, w, fmt.Sprintf("endpoint %s serves %s, not the rejected package", endpoint, config)), nil
	}
	hist, err := r.History(ctx, endpoint)
	if err != nil {
		return Withdrawal{}, err
	}
	target, err := r.earlier(ctx, hist, 0, rej.ModelPackageARN)
	if errors.Is(err, ErrNoRelease) {
		return r.outOfService(ctx, w, model, endpoint, rej.ModelPackageARN, by, why)
	}
	if err != nil {
		return Withdrawal{}, err
	}
	rolled, err := r.rollbackTo(ctx, model, r.Stage, *target, rej.ModelPackageARN, config, by, why, "")
	if err != nil {
		return Withdrawal{}, err
	}
	w.Action, w.Rollback = ActionRolledBack, &rolled
	w.Why = fmt.Sprintf("endpoint %s served the rejected package; rolling back to %s", endpoint, target.ModelPackageARN)
	return w, nil
}

func (r *Releaser) sleep(ctx context.Context) error {
	d := r.PollInterval
	if d <= 0 {
		d = 5 * time.Second
	}
	if r.Sleep != nil {
		return r.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (r *Releaser) done(ctx context.Context, w Withdrawal, why string) Withdrawal {
	w.Action, w.Why = ActionNone, why
	if len(w.Stopped) > 0 {
		w.Action = ActionStopped
		w.Why = "the deployment in flight was stopped; " + why
	}
	r.Log.InfoContext(ctx, "rejected package withdrawn", slog.String("action", w.Action), slog.String("why", w.Why))
	return w
}

// stopRun stops the package's pipeline execution when it still runs, then its deploy child.
func (r *Releaser) stopRun(ctx context.Context, rej Rejection, by, why string) ([]string, error) {
	if rej.ExecutionARN == "" {
		return nil, nil
	}
	out, err := r.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(rej.ExecutionARN)})
	if isMissingExecution(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("describe execution %s: %w", rej.ExecutionARN, err)
	}
	if out.Status != sfntypes.ExecutionStatusRunning {
		return nil, nil
	}
	name := rej.ExecutionARN[strings.LastIndex(rej.ExecutionARN, ":")+1:]
	child := kilnarn.Execution(r.DeployARN, name+"-deploy")
	cause := truncate(why+" (by "+by+")", 32768)
	var stopped []string
	// The pipeline first: a child stopped first would fail the parent's Deploy state, which
	// then ends the run as a deploy failure instead of the rejection it is.
	for _, arn := range []string{rej.ExecutionARN, child} {
		d, err := r.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if isMissingExecution(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("describe execution %s: %w", arn, err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			continue
		}
		if _, err := r.SFN.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arn),
			Error: aws.String(statemachines.ErrPackageRejected), Cause: aws.String(cause)}); err != nil && !isMissingExecution(err) {
			return nil, fmt.Errorf("stop execution %s: %w", arn, err)
		}
		stopped = append(stopped, arn)
		r.Log.WarnContext(ctx, "execution stopped: its model package was rejected", slog.String("executionArn", arn), slog.String("cause", cause))
	}
	return stopped, nil
}

// serves reports whether endpoint config runs a model made from the package.
func (r *Releaser) serves(ctx context.Context, config, packageARN string) (bool, error) {
	if config == "" {
		return false, nil
	}
	c, err := r.SageMaker.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: aws.String(config)})
	if err != nil {
		return false, fmt.Errorf("describe endpoint config %s: %w", config, err)
	}
	for _, v := range c.ProductionVariants {
		m, err := r.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: v.ModelName})
		if err != nil {
			return false, fmt.Errorf("describe model %s: %w", aws.ToString(v.ModelName), err)
		}
		containers := m.Containers
		if m.PrimaryContainer != nil {
			containers = append(containers, *m.PrimaryContainer)
		}
		for _, ct := range containers {
			if samePackage(aws.ToString(ct.ModelPackageName), packageARN) {
				return true, nil
			}
		}
	}
	return false, nil
}

// outOfService deletes the endpoint (no earlier release exists), records it and says so.
func (r *Releaser) outOfService(ctx context.Context, w Withdrawal, model, endpoint, packageARN, by, why string) (Withdrawal, error) {
	if _, err := r.SageMaker.DeleteEndpoint(ctx, &sagemaker.DeleteEndpointInput{EndpointName: aws.String(endpoint)}); err != nil && !isMissingEndpoint(err) {
		return Withdrawal{}, fmt.Errorf("delete endpoint %s: %w", endpoint, err)
	}
	now := r.Clock().UTC()
	rec := Record{Kind: KindOutOfService, EndpointName: endpoint, Model: model, Stage: r.Stage,
		RequestedAt: now.Format(time.RFC3339Nano), RequestedBy: by, Reason: why, FromPackageARN: packageARN}
	if err := r.putJSON(ctx, HistoryPrefix(endpoint)+now.Format("2006-01-02T15:04:05.000Z")+"-"+KindOutOfService+".json", rec); err != nil {
		return Withdrawal{}, err
	}
	if _, err := r.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(r.Bucket), Key: aws.String(CurrentKey(endpoint))}); err != nil {
		return Withdrawal{}, fmt.Errorf("delete object s3://%s/%s: %w", r.Bucket, CurrentKey(endpoint), err)
	}
	w.Action = ActionOutOfService
	w.Why = fmt.Sprintf("endpoint %s served the rejected package and no earlier Approved release was live there: the endpoint was deleted and %s in %s serves nothing", endpoint, model, r.Stage)
	r.notify(ctx, fmt.Sprintf("kiln: %s in %s is OUT OF SERVICE", model, r.Stage), w.Why+". Asked by "+by+": "+why, "out-of-service")
	r.Log.ErrorContext(ctx, "endpoint taken out of service", slog.String("endpoint", endpoint), slog.String("requestedBy", by), slog.String("reason", why))
	return w, nil
}

func (r *Releaser) modelOfGroup(group string) (string, bool) {
	for _, m := range r.Policy.Models {
		if topology.PackageGroup(r.Stage, m.Name) == group {
			return m.Name, true
		}
	}
	return "", false
}

// samePackage compares package ARNs case-insensitively (SageMaker lower-cases ARNs).
func samePackage(a, b string) bool { return a != "" && strings.EqualFold(a, b) }

func isMissingEndpoint(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && strings.Contains(api.ErrorMessage(), "Could not find endpoint")
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
