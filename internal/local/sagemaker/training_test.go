package sagemaker

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func trainingInput(name string, hps map[string]string) *awssm.CreateTrainingJobInput {
	return &awssm.CreateTrainingJobInput{
		TrainingJobName: aws.String(name),
		AlgorithmSpecification: &types.AlgorithmSpecification{
			TrainingImage:     aws.String(trainImage),
			TrainingInputMode: types.TrainingInputModeFile,
		},
		RoleArn:         aws.String("arn:aws:iam::000000000000:role/kiln-sagemaker"),
		HyperParameters: hps,
		InputDataConfig: []types.Channel{{
			ChannelName: aws.String("train"),
			ContentType: aws.String("text/csv"),
			DataSource: &types.DataSource{S3DataSource: &types.S3DataSource{
				S3DataType:             types.S3DataTypeS3Prefix,
				S3Uri:                  aws.String("s3://" + bucket + "/data/abalone/"),
				S3DataDistributionType: types.S3DataDistributionFullyReplicated,
			}},
		}},
		OutputDataConfig:  &types.OutputDataConfig{S3OutputPath: aws.String("s3://" + bucket + "/training/abalone/")},
		ResourceConfig:    &types.ResourceConfig{InstanceType: types.TrainingInstanceTypeMlM5Large, InstanceCount: aws.Int32(1), VolumeSizeInGB: aws.Int32(5)},
		StoppingCondition: &types.StoppingCondition{MaxRuntimeInSeconds: aws.Int32(600)},
	}
}

func untar(t *testing.T, body []byte) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(body))
	require.NoError(t, err)
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		b, _ := io.ReadAll(tr)
		if hdr.Typeflag == tar.TypeReg {
			out[hdr.Name] = string(b)
		}
	}
}

func TestTrainingJobRunsTheMappedProcessToCompleted(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1,2,3\n4,5,6\n7,8,9\n")))
	out, err := h.api.CreateTrainingJob(ctx, trainingInput("abalone-dev-commit-abc-0", map[string]string{"depth": "4"}))
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:000000000000:training-job/abalone-dev-commit-abc-0", aws.ToString(out.TrainingJobArn))

	raw, err := h.svc.WaitTrainingJob(ctx, "abalone-dev-commit-abc-0")
	require.NoError(t, err)
	var waited map[string]any
	require.NoError(t, json.Unmarshal(raw, &waited))
	assert.Equal(t, "Completed", waited["TrainingJobStatus"])

	d, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("abalone-dev-commit-abc-0")})
	require.NoError(t, err)
	assert.Equal(t, types.TrainingJobStatusCompleted, d.TrainingJobStatus)
	assert.Equal(t, types.SecondaryStatusCompleted, d.SecondaryStatus)
	var secondaries []string
	for _, tr := range d.SecondaryStatusTransitions {
		secondaries = append(secondaries, string(tr.Status))
		assert.NotNil(t, tr.EndTime, "transition %s has no end", string(tr.Status))
	}
	assert.Equal(t, []string{"Starting", "Downloading", "Training", "Uploading", "Completed"}, secondaries)
	assert.Equal(t, "s3://"+bucket+"/training/abalone/abalone-dev-commit-abc-0/output/model.tar.gz", aws.ToString(d.ModelArtifacts.S3ModelArtifacts))
	assert.Equal(t, map[string]string{"depth": "4"}, d.HyperParameters)
	assert.Equal(t, trainImage, aws.ToString(d.AlgorithmSpecification.TrainingImage))
	assert.Equal(t, time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC), d.CreationTime.UTC())
	assert.NotNil(t, d.TrainingStartTime)
	assert.NotNil(t, d.TrainingEndTime)
	assert.Nil(t, d.FailureReason)

	model, err := h.blobs.Get(ctx, bucket, "training/abalone/abalone-dev-commit-abc-0/output/model.tar.gz")
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"model.txt": "model trained on 3 rows with depth 4"}, untar(t, model))
	output, err := h.blobs.Get(ctx, bucket, "training/abalone/abalone-dev-commit-abc-0/output/output.tar.gz")
	require.NoError(t, err)
	assert.Contains(t, untar(t, output), "evaluation.json")

	jobDir := filepath.Join(h.cfg.Root, "jobs", "abalone-dev-commit-abc-0")
	hp, err := os.ReadFile(filepath.Join(jobDir, "input/config/hyperparameters.json"))
	require.NoError(t, err)
	assert.JSONEq(t, `{"depth":"4"}`, string(hp))
	logText, err := os.ReadFile(filepath.Join(jobDir, "logs/training.log"))
	require.NoError(t, err)
	assert.Contains(t, string(logText), "training done")
	assert.Contains(t, string(logText), `channels ["train"]`)
	assert.Contains(t, strings.Join(h.logs.lines, "\n"), "abalone-dev-commit-abc-0: training done")

	require.Eventually(t, func() bool { return len(h.events.of("SageMaker Training Job State Change")) == 2 }, 5*time.Second, 10*time.Millisecond)
	evs := h.events.of("SageMaker Training Job State Change")
	assert.Equal(t, "InProgress", evs[0].Detail["TrainingJobStatus"])
	assert.Equal(t, "Completed", evs[1].Detail["TrainingJobStatus"])
	assert.Equal(t, "1795341600000", evs[0].Detail["CreationTime"])

	list, err := h.api.ListTrainingJobs(ctx, &awssm.ListTrainingJobsInput{StatusEquals: types.TrainingJobStatusCompleted})
	require.NoError(t, err)
	require.Len(t, list.TrainingJobSummaries, 1)
	assert.Equal(t, "abalone-dev-commit-abc-0", aws.ToString(list.TrainingJobSummaries[0].TrainingJobName))
}

func TestTrainingJobFailures(t *testing.T) {
	cases := []struct {
		name   string
		mode   string
		reason string
	}{
		{"a job whose program writes output/failure fails with that reason", "fail", "AlgorithmError: ValueError: the data has no Rings column"},
		{"a job whose program exits non-zero without a reason fails with the exit code", "crash", "exited with code 3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, newManualClock(), nil)
			ctx := context.Background()
			require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
			_, err := h.api.CreateTrainingJob(ctx, trainingInput("job-"+tc.mode, map[string]string{"mode": tc.mode}))
			require.NoError(t, err)
			_, err = h.svc.WaitTrainingJob(ctx, "job-"+tc.mode)
			require.NoError(t, err)
			d, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("job-" + tc.mode)})
			require.NoError(t, err)
			assert.Equal(t, types.TrainingJobStatusFailed, d.TrainingJobStatus)
			assert.Equal(t, types.SecondaryStatusFailed, d.SecondaryStatus)
			assert.Contains(t, aws.ToString(d.FailureReason), tc.reason)
			assert.Nil(t, d.ModelArtifacts)
			assert.Empty(t, h.blobs.keys(bucket+"/training/"))
		})
	}
}

func TestTrainingJobWithoutDataFailsWithAClientError(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	_, err := h.api.CreateTrainingJob(ctx, trainingInput("job-nodata", nil))
	require.NoError(t, err)
	raw, err := h.svc.WaitTrainingJob(ctx, "job-nodata")
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(raw, &d))
	assert.Equal(t, "Failed", d["TrainingJobStatus"])
	assert.Contains(t, d["FailureReason"], "ClientError: no objects under s3://"+bucket+"/data/abalone/")
}

func TestTrainingJobExceedingMaxRuntimeIsStopped(t *testing.T) {
	clock := newManualClock()
	h := newHarness(t, clock, nil)
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
	_, err := h.api.CreateTrainingJob(ctx, trainingInput("job-slow", map[string]string{"mode": "sleep"}))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return clock.Pending() == 1 && strings.Contains(strings.Join(h.logsSnapshot(), "\n"), sleepReady)
	}, 10*time.Second, 5*time.Millisecond)
	clock.Advance(601 * time.Second)
	_, err = h.svc.WaitTrainingJob(ctx, "job-slow")
	require.NoError(t, err)
	d, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("job-slow")})
	require.NoError(t, err)
	assert.Equal(t, types.TrainingJobStatusStopped, d.TrainingJobStatus)
	assert.Equal(t, types.SecondaryStatusMaxRuntimeExceeded, d.SecondaryStatus)
	assert.Contains(t, aws.ToString(d.SecondaryStatusTransitions[len(d.SecondaryStatusTransitions)-1].StatusMessage), "MaxRuntimeInSeconds (600)")
	model, err := h.blobs.Get(ctx, bucket, "training/abalone/job-slow/output/model.tar.gz")
	require.NoError(t, err, "a stopped job keeps what it saved")
	assert.Equal(t, map[string]string{"partial.txt": "partial"}, untar(t, model))
}

func TestStopTrainingJobStopsTheProcess(t *testing.T) {
	clock := newManualClock()
	h := newHarness(t, clock, nil)
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
	_, err := h.api.CreateTrainingJob(ctx, trainingInput("job-stop", map[string]string{"mode": "sleep"}))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Contains(strings.Join(h.logsSnapshot(), "\n"), sleepReady)
	}, 10*time.Second, 5*time.Millisecond)
	_, err = h.api.StopTrainingJob(ctx, &awssm.StopTrainingJobInput{TrainingJobName: aws.String("job-stop")})
	require.NoError(t, err)
	_, err = h.svc.WaitTrainingJob(ctx, "job-stop")
	require.NoError(t, err)
	d, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("job-stop")})
	require.NoError(t, err)
	assert.Equal(t, types.TrainingJobStatusStopped, d.TrainingJobStatus)
	assert.Equal(t, types.SecondaryStatusStopped, d.SecondaryStatus)

	_, err = h.api.StopTrainingJob(ctx, &awssm.StopTrainingJobInput{TrainingJobName: aws.String("job-stop")})
	assert.Equal(t, "ValidationException", apiCode(t, err))
	_, err = h.api.StopTrainingJob(ctx, &awssm.StopTrainingJobInput{TrainingJobName: aws.String("job-none")})
	assert.Equal(t, "ResourceNotFound", apiCode(t, err))
}

func (h *harness) logsSnapshot() []string {
	h.logs.mu.Lock()
	defer h.logs.mu.Unlock()
	return append([]string(nil), h.logs.lines...)
}

func TestCreateTrainingJobRejectsBadInputAndChangesNothing(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
	_, err := h.api.CreateTrainingJob(ctx, trainingInput("dup", map[string]string{"mode": "fail"}))
	require.NoError(t, err)
	_, err = h.svc.WaitTrainingJob(ctx, "dup")
	require.NoError(t, err)

	valid := func() map[string]any {
		b, _ := json.Marshal(map[string]any{
			"TrainingJobName":        "job-x",
			"AlgorithmSpecification": map[string]any{"TrainingImage": trainImage, "TrainingInputMode": "File"},
			"RoleArn":                "arn:aws:iam::000000000000:role/r",
			"InputDataConfig": []any{map[string]any{"ChannelName": "train", "DataSource": map[string]any{"S3DataSource": map[string]any{
				"S3DataType": "S3Prefix", "S3Uri": "s3://" + bucket + "/data/abalone/"}}}},
			"OutputDataConfig":  map[string]any{"S3OutputPath": "s3://" + bucket + "/training/"},
			"ResourceConfig":    map[string]any{"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
			"StoppingCondition": map[string]any{"MaxRuntimeInSeconds": 60},
		})
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	cases := []struct {
		name    string
		mutate  func(m map[string]any)
		code    string
		message string
	}{
		{"a duplicate job name is ResourceInUse", func(m map[string]any) { m["TrainingJobName"] = "dup" }, "ResourceInUse", "must be unique"},
		{"a job name with a dot is refused", func(m map[string]any) { m["TrainingJobName"] = "job.1" }, "ValidationException", "regular expression"},
		{"a numeric hyperparameter is refused as AWS does", func(m map[string]any) { m["HyperParameters"] = map[string]any{"depth": 4} }, "ValidationException", "hyperParameters.depth"},
		{"an image without a local command is refused with its name", func(m map[string]any) {
			m["AlgorithmSpecification"] = map[string]any{"TrainingImage": "nope:1", "TrainingInputMode": "File"}
		}, "ValidationException", "nope:1 has no local command"},
		{"an output path that is not s3 is refused", func(m map[string]any) { m["OutputDataConfig"] = map[string]any{"S3OutputPath": "/tmp/x"} }, "ValidationException", "not an s3:// URI"},
		{"a missing stopping condition is refused", func(m map[string]any) { delete(m, "StoppingCondition") }, "ValidationException", "stoppingCondition"},
		{"a manifest channel is refused", func(m map[string]any) {
			m["InputDataConfig"] = []any{map[string]any{"ChannelName": "train", "DataSource": map[string]any{"S3DataSource": map[string]any{"S3DataType": "ManifestFile", "S3Uri": "s3://b/m"}}}}
		}, "ValidationException", "ManifestFile"},
		{"a missing role is refused", func(m map[string]any) { delete(m, "RoleArn") }, "ValidationException", "roleArn"},
		{"a string instance count names the member and its type", func(m map[string]any) {
			m["ResourceConfig"] = map[string]any{"InstanceCount": "two"}
		}, "ValidationException", "'ResourceConfig.InstanceCount' failed to satisfy constraint: Member must be of type number"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.mutate(m)
			err := h.callErr("CreateTrainingJob", m)
			assert.Equal(t, tc.code, ErrorCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.message)
		})
	}
	list, err := h.api.ListTrainingJobs(ctx, &awssm.ListTrainingJobsInput{SortBy: types.SortByStatus})
	require.NoError(t, err)
	assert.Len(t, list.TrainingJobSummaries, 1)
	_, err = h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("job-x")})
	assert.Equal(t, "ValidationException", apiCode(t, err))
}
