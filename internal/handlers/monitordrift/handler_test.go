package monitordrift

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/drift"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
)

// fakeS3 is an S3API made of funcs.
type fakeS3 struct {
	GetObjectFunc     func(context.Context, *s3.GetObjectInput) (*s3.GetObjectOutput, error)
	ListObjectsV2Func func(context.Context, *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error)
	PutObjectFunc     func(context.Context, *s3.PutObjectInput) (*s3.PutObjectOutput, error)
}

func (f *fakeS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return f.GetObjectFunc(ctx, in)
}

func (f *fakeS3) ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	return f.ListObjectsV2Func(ctx, in)
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	return f.PutObjectFunc(ctx, in)
}

// fakeCloudWatch is a CloudWatchAPI made of a func.
type fakeCloudWatch struct {
	PutMetricDataFunc func(context.Context, *cloudwatch.PutMetricDataInput) (*cloudwatch.PutMetricDataOutput, error)
}

func (f *fakeCloudWatch) PutMetricData(ctx context.Context, in *cloudwatch.PutMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricDataOutput, error) {
	return f.PutMetricDataFunc(ctx, in)
}

// bucket is an in-memory S3 whose listings come two entries a page, to exercise paging.
type bucket map[string][]byte // "bucket/key" → body

func (b bucket) s3() *fakeS3 {
	return &fakeS3{
		GetObjectFunc: func(_ context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
			body, ok := b[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)]
			if !ok {
				return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
			}
			return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(body))}, nil
		},
		ListObjectsV2Func: func(_ context.Context, in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
			prefix := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Prefix)
			var entries []string
			for k := range b {
				rest, ok := strings.CutPrefix(k, prefix)
				if !ok {
					continue
				}
				if d := aws.ToString(in.Delimiter); d != "" {
					if i := strings.Index(rest, d); i >= 0 {
						rest = rest[:i+len(d)]
					}
				}
				entries = append(entries, aws.ToString(in.Prefix)+rest)
			}
			slices.Sort(entries)
			entries = slices.Compact(entries)
			from, _ := strconv.Atoi(aws.ToString(in.ContinuationToken))
			to := min(from+2, len(entries))
			out := &s3.ListObjectsV2Output{IsTruncated: aws.Bool(to < len(entries))}
			if to < len(entries) {
				out.NextContinuationToken = aws.String(strconv.Itoa(to))
			}
			for _, e := range entries[from:to] {
				if strings.HasSuffix(e, "/") && in.Delimiter != nil {
					out.CommonPrefixes = append(out.CommonPrefixes, s3types.CommonPrefix{Prefix: aws.String(e)})
				} else {
					out.Contents = append(out.Contents, s3types.Object{Key: aws.String(e)})
				}
			}
			return out, nil
		},
		PutObjectFunc: func(_ context.Context, in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
			body, err := io.ReadAll(in.Body)
			if err != nil {
				return nil, err
			}
			b[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] = body
			return &s3.PutObjectOutput{}, nil
		},
	}
}

var now = time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)

// abalone returns the sample data's serving columns and rows.
func abalone(t *testing.T) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "..", "examples", "abalone", "data", "abalone.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	rows := make([][]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		rows = append(rows, r[:8])
	}
	return recs[0][:8], rows
}

// captureFile renders rows as capture records of up to three rows each, stamped from at on.
func captureFile(t *testing.T, rows [][]string, at time.Time) []byte {
	var out bytes.Buffer
	for i := 0; i < len(rows); i += 3 {
		var body strings.Builder
		for j, r := range rows[i:min(i+3, len(rows))] {
			if j > 0 {
				body.WriteString("\n")
			}
			body.WriteString(strings.Join(r, ","))
		}
		rec := drift.CaptureRecord{
			CaptureData: drift.CaptureData{
				EndpointInput:  &drift.CapturePayload{ObservedContentType: "text/csv", Mode: "INPUT", Data: body.String(), Encoding: "CSV"},
				EndpointOutput: &drift.CapturePayload{ObservedContentType: "text/csv", Mode: "OUTPUT", Data: "9.5", Encoding: "CSV"},
			},
			EventMetadata: drift.EventMetadata{EventID: fmt.Sprintf("event-%d", i), InferenceTime: at.Add(time.Duration(i) * time.Second).Format(time.RFC3339)},
			EventVersion:  "0",
		}
		line, err := json.Marshal(rec)
		require.NoError(t, err)
		out.Write(line)
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func shifted(rows [][]string, delta float64, cols ...int) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		row := slices.Clone(r)
		for _, j := range cols {
			f, _ := strconv.ParseFloat(row[j], 64)
			row[j] = strconv.FormatFloat(f+delta, 'g', -1, 64)
		}
		out[i] = row
	}
	return out
}

// world is a bucket holding the deployment record, the baseline of the first 3300 rows and
// whatever capture files a case adds.
func world(t *testing.T) (bucket, [][]string) {
	header, rows := abalone(t)
	st, cons, err := drift.Baseline(header, rows[:3300], drift.Options{})
	require.NoError(t, err)
	b := bucket{}
	record, err := os.ReadFile("testdata/deployment-record.json")
	require.NoError(t, err)
	b["kiln-artifacts/deployments/abalone-prod/current.json"] = record
	stJSON, _ := json.Marshal(st)
	consJSON, _ := json.Marshal(cons)
	b["kiln-artifacts/training/pipeline-3f9c2a1-train-0/output/data/baseline/statistics.json"] = stJSON
	b["kiln-artifacts/training/pipeline-3f9c2a1-train-0/output/data/baseline/constraints.json"] = consJSON
	return b, rows
}

const capturePath = "kiln-artifacts/datacapture/abalone-prod/"

func TestHandle(t *testing.T) {
	input, err := os.ReadFile("testdata/schedule-input.json")
	require.NoError(t, err)
	envelope, err := os.ReadFile("testdata/scheduled-event.json")
	require.NoError(t, err)
	at := time.Date(2026, 11, 22, 18, 10, 0, 0, time.UTC)

	tests := []struct {
		name      string
		event     []byte
		setup     func(b bucket, rows [][]string)
		cwErr     error
		status    string
		drifted   []string
		rows      int
		malformed int
		metrics   int
		errName   string
		errText   string
	}{
		{
			name:  "rows from the training population publish eight small distances and no violation",
			event: input,
			setup: func(b bucket, rows [][]string) {
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, rows[3300:3900], at)
				b[capturePath+"Canary/2026/11/22/18/b.jsonl"] = captureFile(t, rows[3900:], at.Add(20*time.Minute))
			},
			status: StatusCompleted, drifted: []string{}, rows: 877, metrics: 8,
		},
		{
			name:  "length and diameter grown by 0.15 are the only features that drift",
			event: input,
			setup: func(b bucket, rows [][]string) {
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, shifted(rows[3300:3700], 0.15, 1, 2), at)
			},
			status: StatusCompleted, drifted: []string{"Length", "Diameter"}, rows: 400, metrics: 8,
		},
		{
			name:  "files from before the window are not read",
			event: input,
			setup: func(b bucket, rows [][]string) {
				b[capturePath+"AllTraffic/2026/11/22/17/old.jsonl"] = captureFile(t, shifted(rows[:400], 0.15, 1, 2), at.Add(-time.Hour))
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, rows[3300:3700], at)
			},
			status: StatusCompleted, drifted: []string{}, rows: 400, metrics: 8,
		},
		{
			name:  "a scheduled event envelope is read from its detail",
			event: envelope,
			setup: func(b bucket, rows [][]string) {
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, rows[3300:3700], at)
			},
			status: StatusCompleted, drifted: []string{}, rows: 400, metrics: 8,
		},
		{
			name:  "malformed capture lines are counted and the rest is compared",
			event: input,
			setup: func(b bucket, rows [][]string) {
				good := captureFile(t, rows[3300:3700], at)
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = append([]byte("{not json\n"), good...)
			},
			status: StatusCompleted, drifted: []string{}, rows: 400, malformed: 1, metrics: 8,
		},
		{
			name:  "a window with too few rows publishes nothing and says so",
			event: input,
			setup: func(b bucket, rows [][]string) {
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, rows[3300:3320], at)
			},
			status: StatusInsufficientData, drifted: []string{}, rows: 20,
		},
		{
			name:   "an endpoint not deployed yet is skipped, not failed, and publishes nothing",
			event:  []byte(`{"endpointName": "abalone-prod"}`),
			setup:  func(b bucket, _ [][]string) { delete(b, "kiln-artifacts/deployments/abalone-prod/current.json") },
			status: StatusNoDeployment, drifted: []string{},
		},
		{
			name:    "an input without an endpoint fails with InvalidInputError",
			event:   []byte(`{"windowMinutes": 60}`),
			errName: "InvalidInputError",
			errText: "endpointName is missing",
		},
		{
			name:    "a window longer than a week fails with InvalidInputError",
			event:   []byte(`{"endpointName": "abalone-prod", "windowMinutes": 20000}`),
			errName: "InvalidInputError",
			errText: "windowMinutes 20000: want 1 to 10080",
		},
		{
			name:  "a cloudwatch failure fails the job",
			event: input,
			setup: func(b bucket, rows [][]string) {
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, rows[3300:3700], at)
			},
			cwErr:   errors.New("throttled"),
			errText: "put drift metrics of abalone-prod: throttled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, rows := world(t)
			if tt.setup != nil {
				tt.setup(b, rows)
			}
			var puts []*cloudwatch.PutMetricDataInput
			h := &Handler{
				S3: b.s3(),
				CloudWatch: &fakeCloudWatch{PutMetricDataFunc: func(_ context.Context, in *cloudwatch.PutMetricDataInput) (*cloudwatch.PutMetricDataOutput, error) {
					if tt.cwErr != nil {
						return nil, tt.cwErr
					}
					puts = append(puts, in)
					return &cloudwatch.PutMetricDataOutput{}, nil
				}},
				Clock:  func() time.Time { return now },
				Bucket: "kiln-artifacts",
			}
			sum, err := h.Handle(context.Background(), tt.event)
			if tt.errText != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.errText)
				if tt.errName != "" {
					assert.Equal(t, tt.errName, lambdaerr.Name(err))
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.status, sum.Status, sum.Message)
			assert.Equal(t, tt.rows, sum.Rows)
			assert.Equal(t, tt.malformed, sum.MalformedLines)
			assert.Equal(t, tt.drifted, sum.DriftedFeatures)
			assert.Equal(t, now.Add(-time.Hour), sum.WindowStart)
			assert.Equal(t, now, sum.WindowEnd)
			assert.Equal(t, tt.metrics, sum.MetricsPublished)

			violationsKey := "kiln-artifacts/monitoring/abalone-prod/20261122T190000Z/constraint_violations.json"
			if tt.status == StatusNoDeployment {
				assert.Empty(t, puts)
				assert.NotContains(t, b, violationsKey)
				assert.Equal(t, "no deployment record s3://kiln-artifacts/deployments/abalone-prod/current.json: the endpoint has not been deployed yet, so there is nothing to compare", sum.Message)
				return
			}
			if tt.status == StatusInsufficientData {
				assert.Empty(t, puts)
				assert.NotContains(t, b, violationsKey)
				assert.Contains(t, sum.Message, "20 captured rows in the window, fewer than the 30 needed")
				return
			}
			require.Contains(t, b, violationsKey)
			assert.Contains(t, b, "kiln-artifacts/monitoring/abalone-prod/20261122T190000Z/statistics.json")
			assert.Equal(t, "s3://"+violationsKey, sum.ViolationsS3URI)
			var v drift.Violations
			require.NoError(t, json.Unmarshal(b[violationsKey], &v))
			var fromFile []string
			for _, x := range v.Violations {
				assert.Equal(t, drift.CheckBaselineDrift, x.ConstraintCheckType)
				assert.Contains(t, x.Description, "exceeds threshold: 0.1")
				fromFile = append(fromFile, x.FeatureName)
			}
			want := slices.Clone(tt.drifted)
			slices.Sort(want)
			assert.Equal(t, len(want), sum.Violations)
			if len(want) > 0 {
				assert.Equal(t, want, fromFile)
			}

			require.Len(t, puts, 1)
			assert.Equal(t, "aws/sagemaker/Endpoints/data-metrics", aws.ToString(puts[0].Namespace))
			require.Len(t, puts[0].MetricData, 8)
			for _, d := range puts[0].MetricData {
				name := strings.TrimPrefix(aws.ToString(d.MetricName), "feature_baseline_drift_")
				assert.Equal(t, "Endpoint", aws.ToString(d.Dimensions[0].Name))
				assert.Equal(t, "abalone-prod", aws.ToString(d.Dimensions[0].Value))
				assert.Equal(t, "MonitoringSchedule", aws.ToString(d.Dimensions[1].Name))
				assert.Equal(t, "kiln-drift-abalone-prod", aws.ToString(d.Dimensions[1].Value))
				assert.Equal(t, now, aws.ToTime(d.Timestamp))
				assert.Equal(t, slices.Contains(tt.drifted, name), aws.ToFloat64(d.Value) > 0.1, "%s distance %v", name, aws.ToFloat64(d.Value))
			}
		})
	}
}

func TestParseInputSamples(t *testing.T) {
	for _, name := range []string{"schedule-input.json", "scheduled-event.json"} {
		t.Run("the sample "+name+" names the endpoint and the window", func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			in, err := ParseInput(raw)
			require.NoError(t, err)
			assert.Equal(t, Input{EndpointName: "abalone-prod", WindowMinutes: 60}, in)
		})
	}
	t.Run("a missing window means sixty minutes", func(t *testing.T) {
		in, err := ParseInput([]byte(`{"endpointName":"e"}`))
		require.NoError(t, err)
		assert.Equal(t, 60, in.WindowMinutes)
	})
}

func TestDeploymentRecordSampleDecodesStrictly(t *testing.T) {
	raw, err := os.ReadFile("testdata/deployment-record.json")
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var d Deployment
	require.NoError(t, dec.Decode(&d))
	assert.Equal(t, "abalone-prod", d.EndpointName)
	assert.True(t, strings.HasSuffix(d.Baseline.ConstraintsS3URI, "/baseline/constraints.json"))
}
