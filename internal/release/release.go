package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	kilnarn "github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// StepFunctionsAPI is the part of the Step Functions client a Releaser uses.
type StepFunctionsAPI interface {
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	StopExecution(ctx context.Context, params *sfn.StopExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StopExecutionOutput, error)
}

// SageMakerAPI is the part of the SageMaker client a Releaser uses.
type SageMakerAPI interface {
	DescribeEndpoint(ctx context.Context, params *sagemaker.DescribeEndpointInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointOutput, error)
	DescribeEndpointConfig(ctx context.Context, params *sagemaker.DescribeEndpointConfigInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeEndpointConfigOutput, error)
	DescribeModel(ctx context.Context, params *sagemaker.DescribeModelInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeModelOutput, error)
	DescribeModelPackage(ctx context.Context, params *sagemaker.DescribeModelPackageInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error)
	DeleteEndpoint(ctx context.Context, params *sagemaker.DeleteEndpointInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DeleteEndpointOutput, error)
}

// ObjectsAPI is the part of the S3 client a Releaser uses for deployment records.
type ObjectsAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	DeleteObject(ctx context.Context, params *s3.DeleteObjectInput, optFns ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
	ListObjectsV2(ctx context.Context, params *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// PublishAPI is the part of the SNS client a Releaser uses.
type PublishAPI interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

var (
	_ StepFunctionsAPI = (*sfn.Client)(nil)
	_ SageMakerAPI     = (*sagemaker.Client)(nil)
	_ ObjectsAPI       = (*s3.Client)(nil)
	_ PublishAPI       = (*sns.Client)(nil)
)

// Named errors.
var (
	// ErrNoRelease: the stage never served the version asked for (or nothing at all).
	ErrNoRelease = errors.New("no such release")
	// ErrNotApproved: the package to roll back to is not Approved in the registry.
	ErrNotApproved = errors.New("the model package is not Approved")
	// ErrStillUpdating: the endpoint is still shifting traffic to the package being
	// withdrawn; SageMaker accepts no other update until it settles. Retry later.
	ErrStillUpdating = errors.New("the endpoint is still updating")
	// ErrInvalid: the request itself is wrong (unknown model, other stage, no reason).
	ErrInvalid = errors.New("invalid release request")
)

// Releaser rolls one stage back and withdraws rejected packages from it.
type Releaser struct {
	SFN       StepFunctionsAPI
	SageMaker SageMakerAPI
	S3        ObjectsAPI
	// SNS announces every change on TopicARN; nil publishes nothing.
	SNS      PublishAPI
	TopicARN string
	// Bucket is the stage's artifacts bucket (deployment records).
	Bucket string
	// PipelineARN and DeployARN are the stage's workflows.
	PipelineARN string
	DeployARN   string
	// Policy and Stage give the stage's deployment request (strategy, alarms, instances).
	Policy *policy.Policy
	Stage  string
	// Clock stamps change records.
	Clock func() time.Time
	// SettleTimeout is how long Withdraw waits for an update still shifting traffic to the
	// rejected package to settle (SageMaker accepts no other update meanwhile), polling
	// every PollInterval (default 5 s) through Sleep (default: real time, ending early with
	// ctx). 0 does not wait: Withdraw returns ErrStillUpdating at once.
	SettleTimeout time.Duration
	PollInterval  time.Duration
	Sleep         func(ctx context.Context, d time.Duration) error
	// Log receives one line per change.
	Log *slog.Logger
	// Events puts kiln's operational events (rollback completed, watch breached) on the
	// stage's kiln bus; nil puts none.
	Events *opsevents.Publisher
}

// Rolled says what a rollback did.
type Rolled struct {
	// ReleaseID is the rollback's deploy execution name (and model name).
	ReleaseID    string `json:"releaseId"`
	ExecutionARN string `json:"executionArn"`
	// ToPackageARN is the package the stage goes back to; FromPackageARN the one it leaves.
	ToPackageARN   string `json:"toPackageArn"`
	FromPackageARN string `json:"fromPackageArn,omitempty"`
	// AlreadyStarted is true when a repeat found the same rollback already started.
	AlreadyStarted bool `json:"alreadyStarted"`
	// Model, Stage, RequestedBy and Reason repeat the request, for the completion event.
	Model       string `json:"model,omitempty"`
	Stage       string `json:"stage,omitempty"`
	RequestedBy string `json:"requestedBy,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Rollback puts the stage's endpoint of model back on the package of version toVersion (0:
// the newest Approved package that was live there before the current one) by starting the
// deploy workflow with it, records who and why in the deployment history and announces it.
// A repeat while the same rollback exists starts nothing. A version the stage never served,
// or a package that is not Approved, is refused and changes nothing.
func (r *Releaser) Rollback(ctx context.Context, model, stage string, toVersion int, who, why string) (Rolled, error) {
	if err := r.check(model, stage, who, why); err != nil {
		return Rolled{}, err
	}
	endpoint := topology.EndpointName(stage, model)
	hist, err := r.History(ctx, endpoint)
	if err != nil {
		return Rolled{}, err
	}
	live := lastDeployment(hist)
	var from string
	if live != nil {
		from = live.ModelPackageARN
	}
	target, err := r.earlier(ctx, hist, toVersion, from)
	if err != nil {
		return Rolled{}, fmt.Errorf("roll back %s in %s: %w", model, stage, err)
	}
	replaced := ""
	if live != nil {
		replaced = live.EndpointConfigName
	}
	return r.rollbackTo(ctx, model, stage, *target, from, replaced, who, why, "")
}

func (r *Releaser) check(model, stage, who, why string) error {
	if stage != r.Stage {
		return fmt.Errorf("%w: this releaser serves stage %s, not %q", ErrInvalid, r.Stage, stage)
	}
	if _, ok := r.Policy.Model(model); !ok {
		return fmt.Errorf("%w: model %q is not in the policy", ErrInvalid, model)
	}
	if strings.TrimSpace(who) == "" || strings.TrimSpace(why) == "" {
		return fmt.Errorf("%w: a rollback needs who asks for it and why", ErrInvalid)
	}
	return nil
}

// earlier finds the deployment to go back to: of version toVersion, or (0) the newest
// deployment of another package than from whose package is still Approved.
func (r *Releaser) earlier(ctx context.Context, hist []Record, toVersion int, from string) (*Record, error) {
	for i := len(hist) - 1; i >= 0; i-- {
		rec := hist[i]
		if rec.Kind != "" || rec.ModelPackageARN == "" {
			continue
		}
		if toVersion > 0 && versionOf(rec.ModelPackageARN) != toVersion {
			continue
		}
		if toVersion == 0 && samePackage(rec.ModelPackageARN, from) {
			continue
		}
		status, err := r.approval(ctx, rec.ModelPackageARN)
		if err != nil {
			return nil, err
		}
		if status != statusApproved {
			if toVersion > 0 {
				return nil, fmt.Errorf("%w: %s is %s", ErrNotApproved, rec.ModelPackageARN, status)
			}
			continue
		}
		return &rec, nil
	}
	if toVersion > 0 {
		return nil, fmt.Errorf("%w: version %d was never live", ErrNoRelease, toVersion)
	}
	return nil, fmt.Errorf("%w: no earlier Approved package was live", ErrNoRelease)
}

const statusApproved = "Approved"

func (r *Releaser) approval(ctx context.Context, arn string) (string, error) {
	out, err := r.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return "", fmt.Errorf("describe model package %s: %w", arn, err)
	}
	return string(out.ModelApprovalStatus), nil
}

// rollbackTo starts the deploy workflow with target's package under a name derived from
// the deployment it replaces and the target, so a repeat finds the same execution.
// replaced is the endpoint config being replaced: one per release, so the name is unique.
// skipAlarm, when set, is left out of the deployment's rollback alarms: the watch rolls back
// because that alarm fired, and SageMaker would otherwise roll the rollback itself back.
func (r *Releaser) rollbackTo(ctx context.Context, model, stage string, target Record, from, replaced, who, why, skipAlarm string) (Rolled, error) {
	m, _ := r.Policy.Model(model)
	sum := sha256.Sum256([]byte(replaced + "|" + target.ModelPackageARN))
	id := fmt.Sprintf("%s-%s-rb-v%d-%s", model, stage, versionOf(target.ModelPackageARN), hex.EncodeToString(sum[:4]))
	res := Rolled{ReleaseID: id, ToPackageARN: target.ModelPackageARN, FromPackageARN: from, Model: model, Stage: stage, RequestedBy: who, Reason: why}
	arn := kilnarn.Execution(r.DeployARN, id)
	if _, err := r.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)}); err == nil {
		res.ExecutionARN, res.AlreadyStarted = arn, true
		return res, nil
	} else if !isMissingExecution(err) {
		return Rolled{}, fmt.Errorf("describe execution %s: %w", arn, err)
	}
	in := statemachines.DeployInput{
		ReleaseID: id, Model: model, Stage: stage, ModelPackageARN: target.ModelPackageARN, Baseline: target.Baseline,
		Deploy:   governor.BuildInput(r.Policy, stage, r.Bucket, m, governor.Trigger{}).Deploy,
		Rollback: &statemachines.RollbackRequest{FromPackageARN: from, RequestedBy: who, Reason: why},
	}
	if skipAlarm != "" {
		in.Deploy.DeploymentConfig = r.Policy.Stages[stage].Deployment.DeploymentConfig(without(topology.RollbackAlarmNames(stage, model), skipAlarm))
	}
	b, err := json.Marshal(in)
	if err != nil {
		return Rolled{}, fmt.Errorf("encode deploy input %s: %w", id, err)
	}
	out, err := r.SFN.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(r.DeployARN), Name: aws.String(id), Input: aws.String(string(b))})
	var exists *sfntypes.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		res.ExecutionARN, res.AlreadyStarted = arn, true
		return res, nil
	}
	if err != nil {
		return Rolled{}, fmt.Errorf("start execution %s: %w", id, err)
	}
	res.ExecutionARN = aws.ToString(out.ExecutionArn)
	now := r.Clock().UTC()
	endpoint := topology.EndpointName(stage, model)
	rec := Record{Kind: KindRollback, EndpointName: endpoint, ModelPackageARN: target.ModelPackageARN, ReleaseID: id,
		Model: model, Stage: stage, Baseline: target.Baseline, ExecutionARN: res.ExecutionARN,
		RequestedAt: now.Format(time.RFC3339Nano), RequestedBy: who, Reason: why, FromPackageARN: res.FromPackageARN}
	if err := r.putJSON(ctx, HistoryPrefix(endpoint)+now.Format("2006-01-02T15:04:05.000Z")+"-"+KindRollback+"-"+id+".json", rec); err != nil {
		return Rolled{}, err
	}
	msg := fmt.Sprintf("%s in %s rolls back to %s (was %s), asked by %s: %s. Deploy execution %s applies the stage's guardrails.",
		model, stage, target.ModelPackageARN, orNone(res.FromPackageARN), who, why, res.ExecutionARN)
	r.notify(ctx, fmt.Sprintf("kiln: %s in %s rolls back to version %d", model, stage, versionOf(target.ModelPackageARN)), msg, "rolled-back")
	r.Log.WarnContext(ctx, "rollback started", slog.String("model", model), slog.String("stage", stage),
		slog.String("toPackageArn", target.ModelPackageARN), slog.String("fromPackageArn", res.FromPackageARN),
		slog.String("requestedBy", who), slog.String("reason", why), slog.String("executionArn", res.ExecutionARN))
	return res, nil
}

func (r *Releaser) notify(ctx context.Context, subject, message, outcome string) {
	if r.SNS == nil || r.TopicARN == "" {
		return
	}
	if len(subject) > 100 {
		subject = subject[:100]
	}
	_, err := r.SNS.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(r.TopicARN), Subject: aws.String(subject), Message: aws.String(message),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"outcome": {DataType: aws.String("String"), StringValue: aws.String(outcome)}}})
	if err != nil {
		// The change is made and recorded; a lost notification must not undo or repeat it.
		r.Log.WarnContext(ctx, "notification not published", slog.String("subject", subject), slog.String("error", err.Error()))
	}
}

// lastDeployment returns the newest deployment record (not a change record), nil when none.
// A later out-of-service record means nothing is live.
func lastDeployment(hist []Record) *Record {
	for i := len(hist) - 1; i >= 0; i-- {
		switch hist[i].Kind {
		case "":
			return &hist[i]
		case KindOutOfService:
			return nil
		}
	}
	return nil
}

// versionOf returns the version at the end of a model package ARN (…/<group>/<version>).
func versionOf(arn string) int {
	i := strings.LastIndex(arn, "/")
	n := 0
	for _, c := range arn[i+1:] {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func isMissingExecution(err error) bool {
	var missing *sfntypes.ExecutionDoesNotExist
	return errors.As(err, &missing)
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// without returns names less drop.
func without(names []string, drop string) []string {
	var out []string
	for _, n := range names {
		if n != drop {
			out = append(out, n)
		}
	}
	return out
}
