package sagemaker

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func apiCode(t *testing.T, err error) string {
	t.Helper()
	require.Error(t, err)
	if c := ErrorCode(err); c != CodeInternal {
		return c
	}
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	return ae.ErrorCode()
}

func packageInput(group string) *awssm.CreateModelPackageInput {
	return &awssm.CreateModelPackageInput{
		ModelPackageGroupName:   aws.String(group),
		ModelPackageDescription: aws.String("abalone for dev"),
		ModelApprovalStatus:     types.ModelApprovalStatusPendingManualApproval,
		InferenceSpecification: &types.InferenceSpecification{
			Containers:                 []types.ModelPackageContainerDefinition{{Image: aws.String(serveImage), ModelDataUrl: aws.String("s3://" + bucket + "/training/abalone/job-1/output/model.tar.gz")}},
			SupportedContentTypes:      []string{"text/csv"},
			SupportedResponseMIMETypes: []string{"text/csv"},
		},
		ModelMetrics: &types.ModelMetrics{ModelQuality: &types.ModelQuality{Statistics: &types.MetricsSource{
			ContentType: aws.String("application/json"), S3Uri: aws.String("s3://" + bucket + "/evaluations/abalone/job-1/evaluation.json"),
		}}},
		DriftCheckBaselines: &types.DriftCheckBaselines{ModelDataQuality: &types.DriftCheckModelDataQuality{
			Statistics:  &types.MetricsSource{ContentType: aws.String("application/json"), S3Uri: aws.String("s3://" + bucket + "/baselines/abalone/job-1/statistics.json")},
			Constraints: &types.MetricsSource{ContentType: aws.String("application/json"), S3Uri: aws.String("s3://" + bucket + "/baselines/abalone/job-1/constraints.json")},
		}},
		MetadataProperties:         &types.MetadataProperties{CommitId: aws.String("abc123"), GeneratedBy: aws.String("arn:aws:states:us-east-1:000000000000:execution:kiln-dev-pipeline:abalone-dev-commit-abc")},
		CustomerMetadataProperties: map[string]string{"mse": "4.2"},
	}
}

func TestRegistryVersionsPackagesAndEmitsEvents(t *testing.T) {
	clock := newManualClock()
	h := newHarness(t, clock, nil)
	ctx := context.Background()
	_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)

	var arns []string
	for i := 0; i < 3; i++ {
		out, err := h.api.CreateModelPackage(ctx, packageInput("kiln-dev-abalone"))
		require.NoError(t, err)
		arns = append(arns, aws.ToString(out.ModelPackageArn))
		clock.Advance(time.Minute)
	}
	assert.Equal(t, []string{
		"arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-dev-abalone/1",
		"arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-dev-abalone/2",
		"arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-dev-abalone/3",
	}, arns)

	d, err := h.api.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: aws.String(arns[1])})
	require.NoError(t, err)
	assert.Equal(t, int32(2), aws.ToInt32(d.ModelPackageVersion))
	assert.Equal(t, "kiln-dev-abalone", aws.ToString(d.ModelPackageGroupName))
	assert.Equal(t, types.ModelApprovalStatusPendingManualApproval, d.ModelApprovalStatus)
	assert.Equal(t, types.ModelPackageStatusCompleted, d.ModelPackageStatus)
	assert.Equal(t, time.Date(2026, 11, 22, 10, 1, 0, 0, time.UTC), d.CreationTime.UTC())
	assert.Equal(t, serveImage, aws.ToString(d.InferenceSpecification.Containers[0].Image))
	assert.Equal(t, "s3://"+bucket+"/baselines/abalone/job-1/constraints.json", aws.ToString(d.DriftCheckBaselines.ModelDataQuality.Constraints.S3Uri))
	assert.Equal(t, "abc123", aws.ToString(d.MetadataProperties.CommitId))
	assert.Equal(t, map[string]string{"mse": "4.2"}, d.CustomerMetadataProperties)

	byName, err := h.api.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: aws.String("kiln-dev-abalone/3")})
	require.NoError(t, err)
	assert.Equal(t, arns[2], aws.ToString(byName.ModelPackageArn))

	_, err = h.api.UpdateModelPackage(ctx, &awssm.UpdateModelPackageInput{
		ModelPackageArn:            aws.String(arns[1]),
		ModelApprovalStatus:        types.ModelApprovalStatusApproved,
		ApprovalDescription:        aws.String("looks good"),
		CustomerMetadataProperties: map[string]string{"approvedBy": "ana"},
	})
	require.NoError(t, err)
	d, err = h.api.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: aws.String(arns[1])})
	require.NoError(t, err)
	assert.Equal(t, types.ModelApprovalStatusApproved, d.ModelApprovalStatus)
	assert.Equal(t, "looks good", aws.ToString(d.ApprovalDescription))
	assert.Equal(t, map[string]string{"mse": "4.2", "approvedBy": "ana"}, d.CustomerMetadataProperties)
	assert.True(t, d.LastModifiedTime.After(*d.CreationTime), "got LastModifiedTime %s, CreationTime %s", d.LastModifiedTime, d.CreationTime)

	require.Eventually(t, func() bool { return len(h.events.of("SageMaker Model Package State Change")) == 4 }, 5*time.Second, 10*time.Millisecond)
	evs := h.events.of("SageMaker Model Package State Change")
	last := evs[3].Detail
	assert.Equal(t, "Approved", last["ModelApprovalStatus"])
	assert.Equal(t, arns[1], last["ModelPackageArn"])
	assert.Equal(t, "kiln-dev-abalone", last["ModelPackageGroupName"])
	assert.Equal(t, 2.0, last["ModelPackageVersion"])
	assert.Equal(t, "looks good", last["ApprovalDescription"])
	assert.Equal(t, "Completed", last["ModelPackageStatus"])
	for _, k := range []string{"ModelPackageName", "CreationTime", "LastModifiedTime", "InferenceSpecification", "ModelMetrics", "MetadataProperties", "CustomerMetadataProperties", "DriftCheckBaselines", "LastModifiedBy"} {
		assert.Contains(t, last, k)
	}
	assert.Equal(t, "PendingManualApproval", evs[0].Detail["ModelApprovalStatus"])
	assert.Equal(t, []string{arns[1]}, evs[3].Resources)

	list, err := h.api.ListModelPackages(ctx, &awssm.ListModelPackagesInput{
		ModelPackageGroupName: aws.String("kiln-dev-abalone"),
		ModelApprovalStatus:   types.ModelApprovalStatusPendingManualApproval,
		SortBy:                types.ModelPackageSortByCreationTime,
		SortOrder:             types.SortOrderDescending,
	})
	require.NoError(t, err)
	require.Len(t, list.ModelPackageSummaryList, 2)
	assert.Equal(t, arns[2], aws.ToString(list.ModelPackageSummaryList[0].ModelPackageArn))
	assert.Equal(t, arns[0], aws.ToString(list.ModelPackageSummaryList[1].ModelPackageArn))

	page1, err := h.api.ListModelPackages(ctx, &awssm.ListModelPackagesInput{ModelPackageGroupName: aws.String("kiln-dev-abalone"), MaxResults: aws.Int32(2), SortOrder: types.SortOrderAscending})
	require.NoError(t, err)
	require.Len(t, page1.ModelPackageSummaryList, 2)
	require.NotNil(t, page1.NextToken)
	page2, err := h.api.ListModelPackages(ctx, &awssm.ListModelPackagesInput{ModelPackageGroupName: aws.String("kiln-dev-abalone"), MaxResults: aws.Int32(2), SortOrder: types.SortOrderAscending, NextToken: page1.NextToken})
	require.NoError(t, err)
	require.Len(t, page2.ModelPackageSummaryList, 1)
	assert.Nil(t, page2.NextToken)
	assert.Equal(t, arns[2], aws.ToString(page2.ModelPackageSummaryList[0].ModelPackageArn))

	g, err := h.api.DescribeModelPackageGroup(ctx, &awssm.DescribeModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:sagemaker:us-east-1:000000000000:model-package-group/kiln-dev-abalone", aws.ToString(g.ModelPackageGroupArn))
	groups, err := h.api.ListModelPackageGroups(ctx, &awssm.ListModelPackageGroupsInput{})
	require.NoError(t, err)
	require.Len(t, groups.ModelPackageGroupSummaryList, 1)
}

func TestRegistryRejectsBadInputAndChangesNothing(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)

	cases := []struct {
		name    string
		call    func() error
		code    string
		message string
	}{
		{"a package into a missing group is a validation error naming the group", func() error {
			_, err := h.api.CreateModelPackage(ctx, packageInput("kiln-dev-nope"))
			return err
		}, "ValidationException", "kiln-dev-nope does not exist"},
		{"a second group with the same name is refused", func() error {
			_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
			return err
		}, "ValidationException", "already exists"},
		{"a group name with an underscore is refused", func() error {
			_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("bad_name")})
			return err
		}, "ValidationException", "regular expression"},
		{"a package without an inference container is refused", func() error {
			return h.callErr("CreateModelPackage", map[string]any{
				"ModelPackageGroupName":  "kiln-dev-abalone",
				"InferenceSpecification": map[string]any{"Containers": []any{}, "SupportedContentTypes": []string{"text/csv"}},
			})
		}, "ValidationException", "Containers"},
		{"describing a missing package is a validation error", func() error {
			_, err := h.api.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: aws.String("kiln-dev-abalone/9")})
			return err
		}, "ValidationException", "does not exist"},
		{"an unknown approval status is refused", func() error {
			_, err := h.api.UpdateModelPackage(ctx, &awssm.UpdateModelPackageInput{ModelPackageArn: aws.String("kiln-dev-abalone/1"), ModelApprovalStatus: "Maybe"})
			return err
		}, "ValidationException", "enum value set"},
		{"updating a missing package is a validation error", func() error {
			_, err := h.api.UpdateModelPackage(ctx, &awssm.UpdateModelPackageInput{ModelPackageArn: aws.String("arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-dev-abalone/7"), ModelApprovalStatus: types.ModelApprovalStatusApproved})
			return err
		}, "ValidationException", "does not exist"},
		{"describing a missing group is a validation error", func() error {
			_, err := h.api.DescribeModelPackageGroup(ctx, &awssm.DescribeModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-nope")})
			return err
		}, "ValidationException", "does not exist"},
		{"a bad sort order is refused", func() error {
			_, err := h.api.ListModelPackages(ctx, &awssm.ListModelPackagesInput{SortOrder: "Sideways"})
			return err
		}, "ValidationException", "sortOrder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			assert.Equal(t, tc.code, apiCode(t, err))
			assert.Contains(t, err.Error(), tc.message)
		})
	}
	list, err := h.api.ListModelPackages(ctx, &awssm.ListModelPackagesInput{})
	require.NoError(t, err)
	assert.Empty(t, list.ModelPackageSummaryList)
	assert.Empty(t, h.events.of("SageMaker Model Package State Change"))
}

func TestUnknownOperationsAreNamedNotIgnored(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	_, err := h.api.CreateProcessingJob(context.Background(), &awssm.CreateProcessingJobInput{
		ProcessingJobName: aws.String("x"), RoleArn: aws.String("arn:aws:iam::000000000000:role/x"),
		AppSpecification: &types.AppSpecification{ImageUri: aws.String("img")},
		ProcessingResources: &types.ProcessingResources{ClusterConfig: &types.ProcessingClusterConfig{
			InstanceCount: aws.Int32(1), InstanceType: types.ProcessingInstanceTypeMlM5Large, VolumeSizeInGB: aws.Int32(1),
		}},
	})
	assert.Equal(t, "UnknownOperationException", apiCode(t, err))
	assert.Contains(t, err.Error(), "CreateProcessingJob")

	_, err = h.svc.Call(context.Background(), "createFeatureGroup", []byte(`{}`))
	assert.Equal(t, "UnknownOperationException", ErrorCode(err))
	assert.Contains(t, err.Error(), "createFeatureGroup")
}

func TestCallAcceptsStepFunctionsOperationNames(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	out, err := h.svc.Call(context.Background(), "createModelPackageGroup", []byte(`{"ModelPackageGroupName":"g1"}`))
	require.NoError(t, err)
	assert.JSONEq(t, `{"ModelPackageGroupArn":"arn:aws:sagemaker:us-east-1:000000000000:model-package-group/g1"}`, string(out))
	_, err = h.svc.Call(context.Background(), "describeEndpoint", []byte(`{"EndpointName":"kiln-dev-abalone"}`))
	assert.Equal(t, "ValidationException", ErrorCode(err))
	_, err = h.svc.Call(context.Background(), "createModelPackageGroup", []byte(`{"ModelPackageGroupName":`))
	assert.Equal(t, "ValidationException", ErrorCode(err))
	assert.Contains(t, err.Error(), "not valid JSON")
}

func TestWireErrorShapeIsAWSJSON(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	req := httptestRequest(t, h, "SageMaker.DescribeEndpoint", `{"EndpointName":"missing"}`)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, "application/x-amz-json-1.1", resp.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"__type":"ValidationException","message":"Could not find endpoint \"arn:aws:sagemaker:us-east-1:000000000000:endpoint/missing\"."}`, string(body))

	req = httptestRequest(t, h, "SageMaker.CreateNotebookInstance", `{}`)
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	assert.Equal(t, 400, resp.StatusCode)
	assert.Contains(t, string(body), `"__type":"UnknownOperationException"`)
	assert.Contains(t, string(body), "CreateNotebookInstance")
}

func httptestRequest(t *testing.T, h *harness, target, body string) *http.Request {
	t.Helper()
	endpoint := h.api.Options().BaseEndpoint
	req, err := http.NewRequest(http.MethodPost, aws.ToString(endpoint)+"/", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", target)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return req
}
