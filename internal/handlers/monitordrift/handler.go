// Package monitordrift is the handler of the monitor-drift Lambda: kiln's own drift job for an
// endpoint, run on a schedule. It reads the endpoint's deployment record and baseline, the
// data captured during a time window, compares them with [drift.Compare], writes
// constraint_violations.json and the window's statistics.json under
// monitoring/<endpoint>/<window end>/, and publishes one feature_baseline_drift_<feature>
// metric per feature in Model Monitor's namespace (names from internal/topology:
// DriftMetricNamespace, DriftMetric, DriftSchedule), so the same alarms work with and without
// SageMaker Model Monitor.
package monitordrift

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/internal/drift"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/s3uri"
	"github.com/kiln-dev/kiln/internal/topology"
)

// S3API is the part of the S3 client the drift job uses.
type S3API interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	ListObjectsV2(ctx context.Context, params *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// CloudWatchAPI is the part of the CloudWatch client the drift job uses.
type CloudWatchAPI interface {
	PutMetricData(ctx context.Context, params *cloudwatch.PutMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error)
}

var (
	_ S3API         = (*s3.Client)(nil)
	_ CloudWatchAPI = (*cloudwatch.Client)(nil)
)

// DefaultMinRows is the fewest captured rows a window needs before anything is published.
const DefaultMinRows = 30

// DefaultWindowMinutes is the window used when the input names none.
const DefaultWindowMinutes = 60

// MaxWindowMinutes bounds windowMinutes: seven days.
const MaxWindowMinutes = 7 * 24 * 60

// Statuses of a [Summary].
const (
	StatusCompleted        = "Completed"
	StatusInsufficientData = "InsufficientData"
	// StatusNoDeployment says the endpoint has no deployment record yet (the stage has not
	// deployed it, or not yet): there is nothing to compare, which is not a failure — an error
	// here would be retried and dead-lettered every hour until the first deploy.
	StatusNoDeployment = "NoDeployment"
)

// DeploymentKey returns the key of an endpoint's deployment record in the artifacts bucket.
func DeploymentKey(endpoint string) string { return "deployments/" + endpoint + "/current.json" }

// CapturePrefix returns the key prefix of an endpoint's captured data (SageMaker's layout:
// datacapture/<endpoint>/<variant>/YYYY/MM/DD/HH/<file>.jsonl).
func CapturePrefix(endpoint string) string { return "datacapture/" + endpoint + "/" }

// ReportPrefix returns where the job writes a window's files: monitoring/<endpoint>/<end>/, the
// end in compact RFC 3339 (20261122T180000Z).
func ReportPrefix(endpoint string, end time.Time) string {
	return "monitoring/" + endpoint + "/" + end.UTC().Format("20060102T150405Z") + "/"
}

// Handler runs the drift job. Its fields are its dependencies; MinRows 0 means
// [DefaultMinRows]. A Handler is safe for concurrent use when its clients are.
type Handler struct {
	S3         S3API
	CloudWatch CloudWatchAPI
	Clock      func() time.Time
	Log        *slog.Logger
	// Bucket is the artifacts bucket holding deployments/, datacapture/ and monitoring/.
	Bucket string
	// MinRows is the fewest captured rows needed to compare and publish.
	MinRows int
	// Events announces each check ("kiln Drift Checked") on the stage's kiln bus; nil announces none.
	Events *opsevents.Publisher
}

// Input is the job's event, as an EventBridge Scheduler target input:
// {"endpointName": "abalone-prod", "windowMinutes": 60}. WindowMinutes 0 means
// [DefaultWindowMinutes]; the window ends at the handler's clock.
type Input struct {
	EndpointName  string `json:"endpointName"`
	WindowMinutes int    `json:"windowMinutes"`
}

// Deployment is the deployment record at deployments/<endpoint>/current.json; the drift job
// reads Baseline and passes the rest through to its logs.
type Deployment struct {
	EndpointName       string           `json:"endpointName"`
	EndpointConfigName string           `json:"endpointConfigName"`
	ModelPackageArn    string           `json:"modelPackageArn"`
	DeployedAt         string           `json:"deployedAt"`
	Baseline           BaselineLocation `json:"baseline"`
	Model              string           `json:"model,omitempty"`
	Stage              string           `json:"stage,omitempty"`
}

// BaselineLocation names the baseline files of the deployed model.
type BaselineLocation struct {
	StatisticsS3URI  string `json:"statisticsS3Uri"`
	ConstraintsS3URI string `json:"constraintsS3Uri"`
}

// Summary is what the job returns. Status is [StatusCompleted], [StatusInsufficientData] or
// [StatusNoDeployment] (for both, Message says why and nothing was written or published).
type Summary struct {
	EndpointName     string    `json:"endpointName"`
	Status           string    `json:"status"`
	Message          string    `json:"message,omitempty"`
	WindowStart      time.Time `json:"windowStart"`
	WindowEnd        time.Time `json:"windowEnd"`
	CaptureFiles     int       `json:"captureFiles"`
	Records          int       `json:"records"`
	Rows             int       `json:"rows"`
	MalformedLines   int       `json:"malformedLines"`
	Violations       int       `json:"violations"`
	DriftedFeatures  []string  `json:"driftedFeatures"`
	MaxDistance      float64   `json:"maxDistance"`
	MetricsPublished int       `json:"metricsPublished"`
	ViolationsS3URI  string    `json:"violationsS3Uri,omitempty"`
	StatisticsS3URI  string    `json:"statisticsS3Uri,omitempty"`
	// Model and Stage come from the deployment record; Features is each baseline feature's
	// distance against its threshold (for a Completed window).
	Model    string                `json:"model,omitempty"`
	Stage    string                `json:"stage,omitempty"`
	Features []drift.FeatureResult `json:"features,omitempty"`
}

// Handle runs the job for one event: an [Input], or an EventBridge event whose detail is one.
// Failures a workflow may match come back named through lambdaerr ([InvalidInputError]); an
// endpoint not deployed yet is a [StatusNoDeployment] summary, not an error.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (Summary, error) {
	in, err := ParseInput(event)
	if err != nil {
		h.logger().Warn("reject drift job input", "err", err)
		return Summary{}, lambdaerr.Wrap(err)
	}
	sum, err := h.Run(ctx, in)
	if err != nil {
		h.logger().Error("drift job", "endpointName", in.EndpointName, "err", err)
		return sum, lambdaerr.Wrap(err)
	}
	return sum, nil
}

// ParseInput decodes an [Input], directly or from the detail of an EventBridge event
// ("Scheduled Event" or any other detail-type), and checks it.
func ParseInput(event json.RawMessage) (Input, error) {
	var probe struct {
		DetailType *string         `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
	}
	if err := json.Unmarshal(event, &probe); err != nil {
		return Input{}, &InvalidInputError{Reason: "decode event: " + err.Error()}
	}
	body := []byte(event)
	if probe.DetailType != nil {
		body = probe.Detail
	}
	var in Input
	if err := json.Unmarshal(body, &in); err != nil {
		return Input{}, &InvalidInputError{Reason: "decode input: " + err.Error()}
	}
	if in.EndpointName == "" {
		return Input{}, &InvalidInputError{Reason: "endpointName is missing"}
	}
	if strings.ContainsAny(in.EndpointName, "/ ") {
		return Input{}, &InvalidInputError{Reason: fmt.Sprintf("endpointName %q may not hold '/' or spaces", in.EndpointName)}
	}
	if in.WindowMinutes == 0 {
		in.WindowMinutes = DefaultWindowMinutes
	}
	if in.WindowMinutes < 1 || in.WindowMinutes > MaxWindowMinutes {
		return Input{}, &InvalidInputError{Reason: fmt.Sprintf("windowMinutes %d: want 1 to %d", in.WindowMinutes, MaxWindowMinutes)}
	}
	return in, nil
}

// Run runs the job for a checked input and returns plain (unnamed-for-Lambda) errors.
func (h *Handler) Run(ctx context.Context, in Input) (Summary, error) {
	if h.Bucket == "" {
		return Summary{EndpointName: in.EndpointName}, errors.New("run drift job: no artifacts bucket configured (" + topology.EnvArtifactsBucket + ")")
	}
	end := h.Clock().UTC().Truncate(time.Second)
	start := end.Add(-time.Duration(in.WindowMinutes) * time.Minute)
	sum := Summary{EndpointName: in.EndpointName, WindowStart: start, WindowEnd: end, DriftedFeatures: []string{}}
	log := h.logger().With("endpointName", in.EndpointName, "windowStart", start, "windowEnd", end)

	dep, err := h.readDeployment(ctx, in.EndpointName)
	if errors.Is(err, errNoDeployment) {
		sum.Status = StatusNoDeployment
		sum.Message = fmt.Sprintf("no deployment record s3://%s/%s: the endpoint has not been deployed yet, so there is nothing to compare", h.Bucket, DeploymentKey(in.EndpointName))
		log.Info("drift job skipped: no deployment yet", "key", DeploymentKey(in.EndpointName))
		return sum, nil
	}
	if err != nil {
		return sum, err
	}
	var stats drift.Statistics
	if err := h.getJSON(ctx, dep.Baseline.StatisticsS3URI, &stats); err != nil {
		return sum, fmt.Errorf("read baseline statistics: %w", err)
	}
	var cons drift.Constraints
	if err := h.getJSON(ctx, dep.Baseline.ConstraintsS3URI, &cons); err != nil {
		return sum, fmt.Errorf("read baseline constraints: %w", err)
	}

	keys, err := h.captureKeys(ctx, in.EndpointName, start, end)
	if err != nil {
		return sum, err
	}
	var capture drift.Capture
	for _, key := range keys {
		if err := h.readCapture(ctx, key, &capture, drift.Window{From: start, To: end}); err != nil {
			return sum, err
		}
	}
	sum.CaptureFiles, sum.Records, sum.Rows, sum.MalformedLines = len(keys), capture.Records, len(capture.Rows), len(capture.Malformed)
	for _, m := range capture.Malformed {
		log.Warn("malformed capture line", "key", m.Source, "line", m.Line, "reason", m.Reason)
	}

	minRows := h.MinRows
	if minRows <= 0 {
		minRows = DefaultMinRows
	}
	if len(capture.Rows) < minRows {
		sum.Status = StatusInsufficientData
		sum.Message = fmt.Sprintf("%d captured rows in the window, fewer than the %d needed: nothing compared or published", len(capture.Rows), minRows)
		log.Info("drift job skipped", "rows", len(capture.Rows), "minRows", minRows, "captureFiles", len(keys))
		return sum, h.checked(ctx, &sum, dep)
	}

	rep, err := drift.Compare(&stats, &cons, capture.Rows)
	if err != nil {
		return sum, fmt.Errorf("compare window with baseline: %w", err)
	}
	names := make([]string, len(stats.Features))
	for i, f := range stats.Features {
		names[i] = f.Name
	}
	window, err := drift.ComputeStatistics(names, capture.Rows, drift.BucketCount)
	if err != nil {
		return sum, fmt.Errorf("compute window statistics: %w", err)
	}
	prefix := ReportPrefix(in.EndpointName, end)
	if err := h.putJSON(ctx, prefix+"constraint_violations.json", rep.ConstraintViolations()); err != nil {
		return sum, err
	}
	if err := h.putJSON(ctx, prefix+"statistics.json", window); err != nil {
		return sum, err
	}
	sum.ViolationsS3URI = "s3://" + h.Bucket + "/" + prefix + "constraint_violations.json"
	sum.StatisticsS3URI = "s3://" + h.Bucket + "/" + prefix + "statistics.json"
	sum.Violations, sum.MaxDistance = len(rep.Violations), rep.MaxDistance
	for _, f := range rep.Features {
		if f.Drifted {
			sum.DriftedFeatures = append(sum.DriftedFeatures, f.Name)
		}
	}
	sum.Features = rep.Features

	if cons.MonitoringConfig.EmitMetrics == "" || strings.EqualFold(cons.MonitoringConfig.EmitMetrics, drift.Enabled) {
		n, err := h.publish(ctx, in.EndpointName, end, rep)
		if err != nil {
			return sum, err
		}
		sum.MetricsPublished = n
	}
	sum.Status = StatusCompleted
	log.Info("drift job done", "rows", sum.Rows, "malformedLines", sum.MalformedLines, "violations", sum.Violations,
		"driftedFeatures", sum.DriftedFeatures, "maxDistance", sum.MaxDistance, "modelPackageArn", dep.ModelPackageArn)
	return sum, h.checked(ctx, &sum, dep)
}

func (h *Handler) logger() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

// errNoDeployment is readDeployment's answer when the record does not exist (S3 answers 404
// NoSuchKey for it only because the role may s3:ListBucket the deployments/ prefix; without
// that permission S3 answers 403 and the job would fail instead).
var errNoDeployment = errors.New("no deployment record")

// readDeployment reads and checks the endpoint's deployment record.
func (h *Handler) readDeployment(ctx context.Context, endpoint string) (*Deployment, error) {
	key := DeploymentKey(endpoint)
	body, err := h.get(ctx, h.Bucket, key)
	if isNotFound(err) {
		return nil, errNoDeployment
	}
	if err != nil {
		return nil, fmt.Errorf("read deployment record s3://%s/%s: %w", h.Bucket, key, err)
	}
	var dep Deployment
	if err := json.Unmarshal(body, &dep); err != nil {
		return nil, fmt.Errorf("decode deployment record s3://%s/%s: %w", h.Bucket, key, err)
	}
	for field, uri := range map[string]string{"baseline.statisticsS3Uri": dep.Baseline.StatisticsS3URI, "baseline.constraintsS3Uri": dep.Baseline.ConstraintsS3URI} {
		if _, _, err := parseS3URI(uri); err != nil {
			return nil, fmt.Errorf("check deployment record s3://%s/%s: %s: %w", h.Bucket, key, field, err)
		}
	}
	return &dep, nil
}

// captureKeys lists the capture files of every variant whose hour folder overlaps [start, end).
func (h *Handler) captureKeys(ctx context.Context, endpoint string, start, end time.Time) ([]string, error) {
	base := CapturePrefix(endpoint)
	var variants []string
	err := h.list(ctx, base, "/", func(out *s3.ListObjectsV2Output) {
		for _, p := range out.CommonPrefixes {
			variants = append(variants, aws.ToString(p.Prefix))
		}
	})
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, v := range variants {
		for hour := start.Truncate(time.Hour); hour.Before(end); hour = hour.Add(time.Hour) {
			err := h.list(ctx, v+hour.Format("2006/01/02/15/"), "", func(out *s3.ListObjectsV2Output) {
				for _, o := range out.Contents {
					keys = append(keys, aws.ToString(o.Key))
				}
			})
			if err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// list pages through a listing of the artifacts bucket.
func (h *Handler) list(ctx context.Context, prefix, delimiter string, page func(*s3.ListObjectsV2Output)) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(h.Bucket), Prefix: aws.String(prefix)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	for {
		out, err := h.S3.ListObjectsV2(ctx, in)
		if err != nil {
			return fmt.Errorf("list s3://%s/%s: %w", h.Bucket, prefix, err)
		}
		page(out)
		if !aws.ToBool(out.IsTruncated) || aws.ToString(out.NextContinuationToken) == "" {
			return nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

func (h *Handler) readCapture(ctx context.Context, key string, c *drift.Capture, w drift.Window) error {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("read capture s3://%s/%s: %w", h.Bucket, key, err)
	}
	defer out.Body.Close()
	return c.ReadCapture(key, out.Body, w)
}

func (h *Handler) get(ctx context.Context, bucket, key string) ([]byte, error) {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

func (h *Handler) getJSON(ctx context.Context, uri string, v any) error {
	bucket, key, err := parseS3URI(uri)
	if err != nil {
		return err
	}
	body, err := h.get(ctx, bucket, key)
	if err != nil {
		return fmt.Errorf("get %s: %w", uri, err)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("decode %s: %w", uri, err)
	}
	return nil
}

func (h *Handler) putJSON(ctx context.Context, key string, v any) error {
	body, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	_, err = h.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(h.Bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String("application/json"),
	})
	if err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", h.Bucket, key, err)
	}
	return nil
}

// publish puts one drift metric per compared feature and returns how many.
func (h *Handler) publish(ctx context.Context, endpoint string, at time.Time, rep *drift.Report) (int, error) {
	var data []cwtypes.MetricDatum
	for _, f := range rep.Features {
		if !f.Compared {
			continue
		}
		data = append(data, cwtypes.MetricDatum{
			MetricName: aws.String(topology.DriftMetric(f.Name)),
			Dimensions: []cwtypes.Dimension{
				{Name: aws.String("Endpoint"), Value: aws.String(endpoint)},
				{Name: aws.String("MonitoringSchedule"), Value: aws.String(topology.DriftSchedule(endpoint))},
			},
			Timestamp: aws.Time(at),
			Value:     aws.Float64(f.Distance),
			Unit:      cwtypes.StandardUnitNone,
		})
	}
	// PutMetricData takes at most 1000 data points per call.
	for chunk := range slices.Chunk(data, 1000) {
		if _, err := h.CloudWatch.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String(topology.DriftMetricNamespace), MetricData: chunk}); err != nil {
			return 0, fmt.Errorf("put drift metrics of %s: %w", endpoint, err)
		}
	}
	return len(data), nil
}

// parseS3URI splits s3://bucket/key; the key may not be empty.
func parseS3URI(uri string) (bucket, key string, err error) {
	bucket, key, err = s3uri.Parse(uri)
	if err != nil || key == "" {
		return "", "", fmt.Errorf("%q is not an s3://bucket/key URI", uri)
	}
	return bucket, key, nil
}

// isNotFound reports whether err is S3's answer for a missing object.
func isNotFound(err error) bool {
	if err == nil {
		return false
	}
	var nsk *s3types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "NoSuchKey", "NotFound", "NoSuchBucket":
			return true
		}
	}
	return false
}
