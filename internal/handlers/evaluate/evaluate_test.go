package evaluate_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/drift"
	"github.com/kiln-dev/kiln/internal/handlers/evaluate"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

var (
	bucket      = topology.ArtifactsBucket(topology.Local("prod"))
	job         = "abalone-prod-commit-4e1243bd22c6-0"
	archiveKey  = bucket + "/training/abalone/" + job + "/output/output.tar.gz"
	championARN = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/3"
	championKey = bucket + "/evaluations/abalone/abalone-prod-drift-20261101T0600-0/evaluation.json"
	statistics  = `{"version":0.0,"dataset":{"item_count":2923},"features":[{"name":"Length","inferred_type":"Fractional"}]}`
	constraints = `{"version":0.0,"features":[{"name":"Length","inferred_type":"Fractional","completeness":1.0}],"monitoring_config":{"evaluate_constraints":"Enabled","emit_metrics":"Enabled","distribution_constraints":{"comparison_threshold":0.1}}}`
)

// report is an evaluation.json in the trainer's shape with the given MSE and R².
func report(mse, r2 string) string {
	return `{"regression_metrics":{"mse":{"value":` + mse + `,"standard_deviation":0.31},"rmse":{"value":2.14,"standard_deviation":0.07},` +
		`"mae":{"value":1.52,"standard_deviation":0.04},"r2":{"value":` + r2 + `,"standard_deviation":0.02}},"test_rows":1254,"train_rows":2923}`
}

// archive is an output.tar.gz holding files, as SageMaker packs /opt/ml/output/data.
func archive(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "./", Typeflag: tar.TypeDir, Mode: 0o755}))
	for _, n := range names {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: "./" + n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(files[n]))}))
		_, err := tw.Write([]byte(files[n]))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func output(t *testing.T, mse string) []byte {
	return archive(t, map[string]string{"evaluation.json": report(mse, "0.55"), "baseline/statistics.json": statistics,
		"baseline/constraints.json": constraints, "predictions.csv": "1,2\n"})
}

type fakeS3 struct {
	objects map[string][]byte
	puts    []string
	get     func(key string) error
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	if f.get != nil {
		if err := f.get(key); err != nil {
			return nil, err
		}
	}
	b, ok := f.objects[key]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	prefix := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Prefix)
	var out []s3types.Object
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, s3types.Object{Key: aws.String(strings.TrimPrefix(k, aws.ToString(in.Bucket)+"/"))})
		}
	}
	return &s3.ListObjectsV2Output{Contents: out}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	key := aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.objects[key] = b
	f.puts = append(f.puts, key)
	return &s3.PutObjectOutput{}, nil
}

type fakeRegistry struct {
	packages []string // approved package ARNs, newest first
	metrics  map[string]string
	list     func() error
	lists    []*sagemaker.ListModelPackagesInput
}

func (f *fakeRegistry) ListModelPackages(_ context.Context, in *sagemaker.ListModelPackagesInput, _ ...func(*sagemaker.Options)) (*sagemaker.ListModelPackagesOutput, error) {
	f.lists = append(f.lists, in)
	if f.list != nil {
		if err := f.list(); err != nil {
			return nil, err
		}
	}
	out := &sagemaker.ListModelPackagesOutput{}
	for i, arn := range f.packages {
		if i == int(aws.ToInt32(in.MaxResults)) {
			out.NextToken = aws.String("more")
			break
		}
		out.ModelPackageSummaryList = append(out.ModelPackageSummaryList, smtypes.ModelPackageSummary{
			ModelPackageArn: aws.String(arn), ModelApprovalStatus: smtypes.ModelApprovalStatusApproved,
			ModelPackageGroupName: in.ModelPackageGroupName})
	}
	return out, nil
}

func (f *fakeRegistry) DescribeModelPackage(_ context.Context, in *sagemaker.DescribeModelPackageInput, _ ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error) {
	arn := aws.ToString(in.ModelPackageName)
	if !slices.Contains(f.packages, arn) {
		return nil, errors.New("ValidationException: model package does not exist")
	}
	out := &sagemaker.DescribeModelPackageOutput{ModelPackageArn: aws.String(arn)}
	if uri, ok := f.metrics[arn]; ok {
		out.ModelMetrics = &smtypes.ModelMetrics{ModelQuality: &smtypes.ModelQuality{Statistics: &smtypes.MetricsSource{
			ContentType: aws.String("application/json"), S3Uri: aws.String(uri)}}}
	}
	return out, nil
}

func request() statemachines.EvaluateRequest {
	return statemachines.EvaluateRequest{Model: "abalone", Stage: "prod", TrainingJobName: job,
		OutputS3URI:    "s3://" + bucket + "/training/abalone/",
		ModelArtifacts: "s3://" + bucket + "/training/abalone/" + job + "/output/model.tar.gz"}
}

func withChampion(mse string) func(*fakeS3, *fakeRegistry) {
	return func(s *fakeS3, r *fakeRegistry) {
		r.packages = []string{championARN, "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/1"}
		r.metrics = map[string]string{championARN: "s3://" + championKey}
		s.objects[championKey] = []byte(report(mse, "0.5"))
	}
}

// TestKilnComputesTheBaselineATrainerDidNotWrite: a trainer that writes only the model and
// the evaluation report still registers with a drift baseline, computed from the training
// channel's CSV files for the policy's features, in Model Monitor's formats.
func TestKilnComputesTheBaselineATrainerDidNotWrite(t *testing.T) {
	s := &fakeS3{objects: map[string][]byte{}}
	s.objects[archiveKey] = archive(t, map[string]string{"evaluation.json": report("4.6", "0.5")})
	s.objects[bucket+"/data/abalone/part-1.csv"] = []byte("Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,VisceraWeight,ShellWeight,Rings\n" +
		"M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\nF,0.53,0.42,0.135,0.677,0.2565,0.1415,0.21,9\n")
	s.objects[bucket+"/data/abalone/part-2.csv"] = []byte("I,0.33,0.255,0.08,0.205,0.0895,0.0395,0.055,7\n")
	h := &evaluate.Handler{S3: s, List: s, Bucket: bucket, SageMaker: &fakeRegistry{}, Policy: policy.Default(), Stage: "prod", Log: slog.New(slog.DiscardHandler)}
	ev, err := h.Handle(context.Background(), request())
	require.NoError(t, err)
	key := strings.TrimPrefix(ev.Baseline.StatisticsS3URI, "s3://")
	var stats drift.Statistics
	require.NoError(t, json.Unmarshal(s.objects[key], &stats))
	assert.Equal(t, 3, stats.Dataset.ItemCount, "two files, one with a header and one by position")
	require.NotNil(t, stats.Feature("Sex"))
	assert.NotNil(t, stats.Feature("Sex").StringStatistics)
	assert.Nil(t, stats.Feature("Rings"), "the label is not a feature")
	var cons drift.Constraints
	require.NoError(t, json.Unmarshal(s.objects[strings.TrimPrefix(ev.Baseline.ConstraintsS3URI, "s3://")], &cons))
	assert.InDelta(t, 0.1, cons.Threshold(), 1e-12, "the model's drift threshold")
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*fakeS3, *fakeRegistry)
		req       func(*statemachines.EvaluateRequest)
		gate      *policy.Gate
		wantErr   string // error name; empty: passes
		wantMsg   string
		wantValue float64
		wantDelta float64
		wantRel   float64
		wantChamp bool
	}{
		{name: "a candidate within the threshold passes when nothing is in production",
			setup:     func(s *fakeS3, _ *fakeRegistry) { s.objects[archiveKey] = output(t, "4.6") },
			wantValue: 4.6, wantMsg: "regression_metrics.mse.value 4.6 is within the threshold 6 (lower is better); there is no model in production"},
		{name: "a candidate better than the champion passes with its delta",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.5")
				withChampion("5")(s, r)
			},
			wantValue: 4.5, wantDelta: -0.5, wantRel: -0.1, wantChamp: true, wantMsg: "delta -0.5 (-10.00%)"},
		{name: "a candidate slightly worse than the champion, within the allowed regression, passes",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.2")
				withChampion("4")(s, r)
			},
			wantValue: 4.2, wantDelta: 0.2, wantRel: 0.05, wantChamp: true, wantMsg: "within 5.00% of production"},
		{name: "a candidate worse than the champion by more than the allowed regression is rejected",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.6")
				withChampion("4")(s, r)
			},
			wantErr: statemachines.ErrModelRejected,
			wantMsg: "15.00% worse than production, more than the allowed 5.00%: the model in production (" + championARN + ") has 4, delta +0.6 (+15.00%) (value 4.6, threshold 6, champion " + championARN + " (4), delta +0.6)"},
		{name: "a candidate outside the threshold is rejected",
			setup:   func(s *fakeS3, _ *fakeRegistry) { s.objects[archiveKey] = output(t, "6.8") },
			wantErr: statemachines.ErrModelRejected,
			wantMsg: "model rejected: regression_metrics.mse.value 6.8 is outside the threshold 6 (lower is better) (value 6.8, threshold 6, champion none"},
		{name: "a higher-is-better metric below its threshold is rejected",
			setup:   func(s *fakeS3, _ *fakeRegistry) { s.objects[archiveKey] = output(t, "4.6") },
			gate:    &policy.Gate{Metric: "regression_metrics.r2.value", Threshold: 0.6, HigherIsBetter: true, MaxRegression: 0.05},
			wantErr: statemachines.ErrModelRejected, wantMsg: "0.55 is outside the threshold 0.6 (higher is better)"},
		{name: "a higher-is-better metric that fell further than allowed is rejected",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.6")
				withChampion("4")(s, r) // the champion's r2 is 0.5, the candidate's 0.55
				s.objects[championKey] = []byte(report("4", "0.6"))
			},
			gate:    &policy.Gate{Metric: "regression_metrics.r2.value", Threshold: 0.5, HigherIsBetter: true, MaxRegression: 0.05},
			wantErr: statemachines.ErrModelRejected, wantMsg: "8.33% worse than production"},
		{name: "a disabled comparison lets a worse candidate through within the threshold",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "5.5")
				withChampion("4")(s, r)
			},
			gate:      &policy.Gate{Metric: "regression_metrics.mse.value", Threshold: 6, MaxRegression: -1},
			wantValue: 5.5, wantDelta: 1.5, wantRel: 0.375, wantChamp: true, wantMsg: "the comparison with production is disabled"},
		{name: "a champion without a model quality report leaves nothing to compare, and says so",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.6")
				r.packages = []string{championARN}
			},
			wantValue: 4.6, wantMsg: "the model in production (" + championARN + ") has no report to compare with"},

		{name: "a missing output archive is an evaluation report error and stores nothing",
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "evaluation report s3://" + archiveKey + ": no such object"},
		{name: "an archive without evaluation.json is an evaluation report error and stores nothing",
			setup: func(s *fakeS3, _ *fakeRegistry) {
				s.objects[archiveKey] = archive(t, map[string]string{"baseline/statistics.json": statistics, "baseline/constraints.json": constraints})
			},
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "the archive lacks evaluation.json"},
		{name: "an archive without the baseline and no training data to compute one is an evaluation report error",
			setup: func(s *fakeS3, _ *fakeRegistry) {
				s.objects[archiveKey] = archive(t, map[string]string{"evaluation.json": report("4.6", "0.5")})
			},
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "the training job wrote no drift baseline and the training data has no CSV rows to compute one from (see docs/models.md)"},
		{name: "an archive with half a baseline is an evaluation report error",
			setup: func(s *fakeS3, _ *fakeRegistry) {
				s.objects[archiveKey] = archive(t, map[string]string{"evaluation.json": report("4.6", "0.5"), "baseline/statistics.json": statistics})
			},
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "the archive holds only one of baseline/statistics.json and baseline/constraints.json"},
		{name: "a report without the gate's metric is an evaluation report error",
			setup: func(s *fakeS3, _ *fakeRegistry) {
				s.objects[archiveKey] = archive(t, map[string]string{"evaluation.json": `{"regression_metrics":{"rmse":{"value":2.1}}}`,
					"baseline/statistics.json": statistics, "baseline/constraints.json": constraints})
			},
			wantErr: evaluate.ErrEvaluationReport, wantMsg: `!evaluation.json: metric regression_metrics.mse.value: no "mse" in regression_metrics`},
		{name: "a metric that is not a number is an evaluation report error",
			setup: func(s *fakeS3, _ *fakeRegistry) {
				s.objects[archiveKey] = archive(t, map[string]string{"evaluation.json": `{"regression_metrics":{"mse":{"value":"low"}}}`,
					"baseline/statistics.json": statistics, "baseline/constraints.json": constraints})
			},
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "metric regression_metrics.mse.value is low, not a number"},
		{name: "an output that is not a gzip archive is an evaluation report error",
			setup:   func(s *fakeS3, _ *fakeRegistry) { s.objects[archiveKey] = []byte(report("4.6", "0.5")) },
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "not a gzip archive"},
		{name: "a champion whose declared report is missing fails closed",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.6")
				withChampion("4")(s, r)
				delete(s.objects, championKey)
			},
			wantErr: evaluate.ErrEvaluationReport, wantMsg: "evaluation report s3://" + championKey + ": no such object"},
		{name: "a request for a model not in the policy is refused before anything is read",
			req:     func(r *statemachines.EvaluateRequest) { r.Model = "iris" },
			wantErr: "errorString", wantMsg: `evaluate request: model "iris" is not in the policy`},
		{name: "a request for another stage and without a job is refused with both problems",
			req:     func(r *statemachines.EvaluateRequest) { r.Stage, r.TrainingJobName = "dev", "" },
			wantErr: "errorString", wantMsg: `stage "dev" is not "prod", the stage this function serves; trainingJobName is empty`},
		{name: "an output URI that is not s3:// is refused",
			req:     func(r *statemachines.EvaluateRequest) { r.OutputS3URI = "/tmp/training/" },
			wantErr: "wrapError", wantMsg: `outputS3Uri: "/tmp/training/" is not an s3:// URI`},
		{name: "a registry failure is returned as is, for the workflow to see",
			setup: func(s *fakeS3, r *fakeRegistry) {
				s.objects[archiveKey] = output(t, "4.6")
				r.list = func() error { return errors.New("ThrottlingException: slow down") }
			},
			wantErr: "wrapError", wantMsg: "list approved model packages of kiln-prod-abalone: ThrottlingException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeS3{objects: map[string][]byte{}}
			r := &fakeRegistry{}
			if tc.setup != nil {
				tc.setup(s, r)
			}
			pol := policy.Default()
			if tc.gate != nil {
				cp := *pol
				cp.Models = slices.Clone(pol.Models)
				cp.Models[0].Gate = *tc.gate
				pol = &cp
			}
			h := &evaluate.Handler{S3: s, List: s, Bucket: bucket, SageMaker: r, Policy: pol, Stage: "prod", Log: slog.New(slog.DiscardHandler)}
			req := request()
			if tc.req != nil {
				tc.req(&req)
			}
			ev, err := h.Handle(context.Background(), req)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tc.wantErr, lambdaerr.Name(err))
				assert.Contains(t, message(err), tc.wantMsg)
				assert.Empty(t, s.puts, "nothing is stored")
				return
			}
			require.NoError(t, err)
			assert.True(t, ev.Passed)
			assert.Contains(t, ev.Reason, tc.wantMsg)
			assert.Equal(t, pol.Models[0].Gate.Metric, ev.Metric)
			assert.InDelta(t, tc.wantValue, ev.Value, 1e-12)
			assert.InDelta(t, tc.wantDelta, ev.Delta, 1e-12)
			assert.InDelta(t, tc.wantRel, ev.RelativeDelta, 1e-12)
			assert.Equal(t, tc.wantChamp, ev.Champion != nil && ev.Champion.Value != 0)

			base := "s3://" + bucket
			assert.Equal(t, base+"/evaluations/abalone/"+job+"/evaluation.json", ev.ReportS3URI)
			assert.Equal(t, statemachines.Baseline{
				StatisticsS3URI:  base + "/baselines/abalone/" + job + "/statistics.json",
				ConstraintsS3URI: base + "/baselines/abalone/" + job + "/constraints.json",
			}, ev.Baseline)
			assert.JSONEq(t, statistics, string(s.objects[bucket+"/baselines/abalone/"+job+"/statistics.json"]))
			assert.JSONEq(t, constraints, string(s.objects[bucket+"/baselines/abalone/"+job+"/constraints.json"]))
			assert.Contains(t, string(s.objects[bucket+"/evaluations/abalone/"+job+"/evaluation.json"]), `"regression_metrics"`)

			require.Len(t, r.lists, 1)
			assert.Equal(t, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String("kiln-prod-abalone"),
				ModelApprovalStatus: smtypes.ModelApprovalStatusApproved, SortBy: smtypes.ModelPackageSortByCreationTime,
				SortOrder: smtypes.SortOrderDescending, MaxResults: aws.Int32(1)}, r.lists[0])
			md := ev.CustomerMetadata
			assert.Equal(t, job, md["kiln:trainingJob"])
			assert.Equal(t, "commit", md["kiln:trigger"])
			assert.Equal(t, "6", md["kiln:threshold"])
			for k, v := range md {
				assert.Regexp(t, `^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`, k)
				assert.LessOrEqual(t, len(v), 256, k)
			}
		})
	}
}

func TestCustomerMetadataRecordsTheComparison(t *testing.T) {
	s := &fakeS3{objects: map[string][]byte{archiveKey: output(t, "4.5")}}
	r := &fakeRegistry{}
	withChampion("5")(s, r)
	h := &evaluate.Handler{S3: s, Bucket: bucket, SageMaker: r, Policy: policy.Default(), Stage: "prod", Log: slog.New(slog.DiscardHandler)}
	ev, err := h.Handle(context.Background(), request())
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"kiln:metric": "regression_metrics.mse.value", "kiln:mse": "4.5", "kiln:threshold": "6",
		"kiln:champion": championARN, "kiln:championValue": "5", "kiln:delta": "-0.5", "kiln:relativeDelta": "-0.1",
		"kiln:trainingJob": job, "kiln:trigger": "commit",
	}, ev.CustomerMetadata)
	assert.Equal(t, &statemachines.Champion{ModelPackageARN: championARN, Value: 5}, ev.Champion)
}

// message returns the error's message as the workflow sees it (the Lambda runtime's error
// value prints itself with %#v, quoting the message).
func message(err error) string {
	return lambdaerr.Message(err)
}

func TestMetric(t *testing.T) {
	tests := []struct {
		name, report, path string
		want               float64
		wantErr            string
	}{
		{name: "a nested value is read by its dotted path", report: report("4.61", "0.5"), path: "regression_metrics.mse.value", want: 4.61},
		{name: "a top-level number is read", report: `{"accuracy": 0.93}`, path: "accuracy", want: 0.93},
		{name: "a missing segment is named", report: `{"a":{"b":1}}`, path: "a.c", wantErr: `metric a.c: no "c" in a`},
		{name: "a path through a number is refused", report: `{"a":1}`, path: "a.b", wantErr: "metric a.b: a is not an object"},
		{name: "a report that is not JSON is refused", report: `mse=4`, path: "mse", wantErr: "not valid JSON"},
		{name: "an array is not a number", report: `{"a":[1]}`, path: "a", wantErr: "metric a is [1], not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := evaluate.Metric([]byte(tc.report), tc.path)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
