// Package evaluate is the evaluate Lambda's handler: it reads the training job's evaluation
// report out of the job's output.tar.gz, copies the report and the drift baseline to their
// places in the artifacts bucket, and checks the candidate against the policy's gate and
// against the model now in production (the latest Approved package in the registry).
//
// A candidate that fails is the named error ModelRejectedError, which the pipeline catches;
// a missing or unreadable report is EvaluationReportError. A Handler holds no mutable state
// and is safe for concurrent use.
package evaluate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"

	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// ObjectsAPI is the part of the S3 client the handler uses.
type ObjectsAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// RegistryAPI is the part of the SageMaker client the handler uses to find the champion.
type RegistryAPI interface {
	ListModelPackages(ctx context.Context, params *sagemaker.ListModelPackagesInput, optFns ...func(*sagemaker.Options)) (*sagemaker.ListModelPackagesOutput, error)
	DescribeModelPackage(ctx context.Context, params *sagemaker.DescribeModelPackageInput, optFns ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error)
}

var (
	_ ObjectsAPI  = (*s3.Client)(nil)
	_ RegistryAPI = (*sagemaker.Client)(nil)
)

// Handler evaluates trained candidates.
type Handler struct {
	// S3 reads the job's output and writes the copies into Bucket (KILN_ARTIFACTS_BUCKET).
	S3     ObjectsAPI
	Bucket string
	// List lists the training data under the model's data prefix when a job wrote no drift
	// baseline, so the handler computes one; nil makes such a job an EvaluationReportError.
	List ListAPI
	// SageMaker finds the champion in the stage's model package group.
	SageMaker RegistryAPI
	// Policy holds each model's gate; Stage is the stage this function serves (KILN_STAGE):
	// a request for another stage is refused (an empty Stage accepts any).
	Policy *policy.Policy
	Stage  string
	// Log receives one line per evaluation.
	Log *slog.Logger
}

// Handle evaluates the candidate req names and returns the passing Evaluation, or an error
// through lambdaerr.Wrap: ModelRejectedError for a candidate that fails the gate,
// EvaluationReportError for a report (the candidate's or the champion's) that is missing or
// lacks the metric, a plain error for a bad request or an AWS failure.
func (h *Handler) Handle(ctx context.Context, req statemachines.EvaluateRequest) (statemachines.Evaluation, error) {
	ev, err := h.evaluate(ctx, req)
	log := h.Log.With(slog.String("model", req.Model), slog.String("stage", req.Stage), slog.String("trainingJob", req.TrainingJobName))
	var rejected *ModelRejectedError
	switch {
	case errors.As(err, &rejected):
		log.WarnContext(ctx, "candidate rejected", slog.String("metric", rejected.Metric), slog.Float64("value", rejected.Value),
			slog.Float64("threshold", rejected.Threshold), slog.String("reason", rejected.Error()))
	case err != nil:
		log.ErrorContext(ctx, "evaluation failed", slog.String("error", err.Error()))
	default:
		log.InfoContext(ctx, "candidate passed", slog.String("metric", ev.Metric), slog.Float64("value", ev.Value),
			slog.Float64("threshold", ev.Threshold), slog.String("reason", ev.Reason), slog.String("reportS3Uri", ev.ReportS3URI))
	}
	return ev, lambdaerr.Wrap(err)
}

func (h *Handler) evaluate(ctx context.Context, req statemachines.EvaluateRequest) (statemachines.Evaluation, error) {
	m, err := h.check(req)
	if err != nil {
		return statemachines.Evaluation{}, err
	}
	src, err := parseS3URI(req.OutputS3URI)
	if err != nil {
		return statemachines.Evaluation{}, fmt.Errorf("evaluate %s: outputS3Uri: %w", req.TrainingJobName, err)
	}
	src.key = strings.TrimSuffix(src.key, "/")
	if src.key != "" {
		src.key += "/"
	}
	src.key += req.TrainingJobName + "/output/output.tar.gz"
	files, err := h.readOutput(ctx, src)
	if err != nil {
		return statemachines.Evaluation{}, err
	}
	if _, ok := files[statisticsFile]; !ok {
		computed, err := h.computeBaseline(ctx, m)
		if err != nil {
			return statemachines.Evaluation{}, err
		}
		files[statisticsFile], files[constraintsFile] = computed[statisticsFile], computed[constraintsFile]
	}
	value, err := Metric(files[reportFile], m.Gate.Metric)
	if err != nil {
		return statemachines.Evaluation{}, &EvaluationReportError{URI: src.String() + "!" + reportFile, Problem: err.Error()}
	}
	champion, known, err := h.champion(ctx, topology.PackageGroup(req.Stage, req.Model), m.Gate.Metric)
	if err != nil {
		return statemachines.Evaluation{}, err
	}
	verdict := judge(m.Gate, value, champion, known)
	if !verdict.passed {
		return statemachines.Evaluation{}, &ModelRejectedError{Metric: m.Gate.Metric, Value: value, Threshold: m.Gate.Threshold,
			Champion: champion, Delta: verdict.delta, RelativeDelta: verdict.relative, Why: verdict.why}
	}
	copies, err := h.copyOut(ctx, req, files)
	if err != nil {
		return statemachines.Evaluation{}, err
	}
	return statemachines.Evaluation{
		Passed: true, Metric: m.Gate.Metric, Value: value, Threshold: m.Gate.Threshold, Champion: champion,
		Delta: verdict.delta, RelativeDelta: verdict.relative, Reason: verdict.why,
		ReportS3URI: copies[reportFile],
		Baseline: statemachines.Baseline{
			StatisticsS3URI: copies[statisticsFile], ConstraintsS3URI: copies[constraintsFile],
		},
		CustomerMetadata: metadata(m.Gate, value, champion, verdict, req),
	}, nil
}

func (h *Handler) check(req statemachines.EvaluateRequest) (policy.Model, error) {
	var problems []string
	m, ok := h.Policy.Model(req.Model)
	if !ok {
		problems = append(problems, fmt.Sprintf("model %q is not in the policy", req.Model))
	}
	if req.Stage == "" || (h.Stage != "" && req.Stage != h.Stage) {
		problems = append(problems, fmt.Sprintf("stage %q is not %q, the stage this function serves", req.Stage, h.Stage))
	}
	if req.TrainingJobName == "" {
		problems = append(problems, "trainingJobName is empty")
	}
	if req.OutputS3URI == "" {
		problems = append(problems, "outputS3Uri is empty")
	}
	if len(problems) > 0 {
		return policy.Model{}, fmt.Errorf("evaluate request: %s", strings.Join(problems, "; "))
	}
	return m, nil
}

// champion returns the latest Approved package of group and whether its metric value is
// known: nil when the group has none; known false for a package that declares no model
// quality report (no comparison is possible, and the verdict says so). A declared report
// that is missing or lacks the metric is an EvaluationReportError: the gate fails closed.
func (h *Handler) champion(ctx context.Context, group, metric string) (*statemachines.Champion, bool, error) {
	list, err := h.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{
		ModelPackageGroupName: aws.String(group),
		ModelApprovalStatus:   smtypes.ModelApprovalStatusApproved,
		SortBy:                smtypes.ModelPackageSortByCreationTime,
		SortOrder:             smtypes.SortOrderDescending,
		MaxResults:            aws.Int32(1),
	})
	if err != nil {
		return nil, false, fmt.Errorf("list approved model packages of %s: %w", group, err)
	}
	if len(list.ModelPackageSummaryList) == 0 {
		return nil, false, nil
	}
	arn := aws.ToString(list.ModelPackageSummaryList[0].ModelPackageArn)
	pkg, err := h.SageMaker.DescribeModelPackage(ctx, &sagemaker.DescribeModelPackageInput{ModelPackageName: aws.String(arn)})
	if err != nil {
		return nil, false, fmt.Errorf("describe model package %s: %w", arn, err)
	}
	uri := ""
	if mm := pkg.ModelMetrics; mm != nil && mm.ModelQuality != nil && mm.ModelQuality.Statistics != nil {
		uri = aws.ToString(mm.ModelQuality.Statistics.S3Uri)
	}
	if uri == "" {
		h.Log.WarnContext(ctx, "champion declares no model quality report; no comparison", slog.String("champion", arn))
		return &statemachines.Champion{ModelPackageARN: arn}, false, nil
	}
	loc, err := parseS3URI(uri)
	if err != nil {
		return nil, false, &EvaluationReportError{URI: uri, Problem: "champion " + arn + ": " + err.Error()}
	}
	b, err := h.get(ctx, loc, maxReportBytes)
	if err != nil {
		return nil, false, err
	}
	v, err := Metric(b, metric)
	if err != nil {
		return nil, false, &EvaluationReportError{URI: uri, Problem: "champion " + arn + ": " + err.Error()}
	}
	return &statemachines.Champion{ModelPackageARN: arn, Value: v}, true, nil
}

// metadata returns the CustomerMetadataProperties of the candidate: string values, keys in
// SageMaker's pattern (letters, digits and _.:/=+-@).
func metadata(g policy.Gate, value float64, champion *statemachines.Champion, v verdict, req statemachines.EvaluateRequest) map[string]string {
	reason, ok := governor.ReasonOfExecution(req.TrainingJobName, req.Model, req.Stage)
	if !ok {
		reason = "unknown"
	}
	md := map[string]string{
		"kiln:metric":             g.Metric,
		"kiln:" + short(g.Metric): num(value),
		"kiln:threshold":          num(g.Threshold),
		"kiln:champion":           "none",
		"kiln:championValue":      "none",
		"kiln:delta":              "none",
		"kiln:relativeDelta":      "none",
		"kiln:trainingJob":        req.TrainingJobName,
		"kiln:trigger":            reason,
	}
	if champion != nil {
		md["kiln:champion"] = champion.ModelPackageARN
		if v.compared {
			md["kiln:championValue"] = num(champion.Value)
			md["kiln:delta"] = round(v.delta)
			md["kiln:relativeDelta"] = round(v.relative)
		}
	}
	return md
}

// short returns the metric's name for a metadata key: regression_metrics.mse.value gives mse.
func short(metric string) string {
	parts := strings.Split(metric, ".")
	name := parts[len(parts)-1]
	if name == "value" && len(parts) > 1 {
		name = parts[len(parts)-2]
	}
	var b strings.Builder
	for _, r := range name {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || strings.ContainsRune("_.:/=+-@", r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// num formats a reported figure exactly; round formats a computed one (a difference) to ten
// significant digits, so 4.6-4 reads 0.6; signed adds the sign.
func num(f float64) string   { return strconv.FormatFloat(f, 'g', -1, 64) }
func round(f float64) string { return strconv.FormatFloat(f, 'g', 10, 64) }
func signed(f float64) string {
	if f >= 0 {
		return "+" + round(f)
	}
	return round(f)
}
