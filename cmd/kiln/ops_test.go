package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// seedReleases registers v1 (Approved) and v2 (Rejected after it went live) in a running
// stack and writes the deploy workflow's records of both, as two releases would have left them.
func seedReleases(t *testing.T, st *stack.Stack) (v1, v2 string, t0 time.Time) {
	t.Helper()
	ctx := context.Background()
	c := st.Clients()
	var arns []string
	for _, status := range []smtypes.ModelApprovalStatus{smtypes.ModelApprovalStatusApproved, smtypes.ModelApprovalStatusRejected} {
		pkg, err := c.SageMaker.CreateModelPackage(ctx, &sagemaker.CreateModelPackageInput{
			ModelPackageGroupName: aws.String("kiln-prod-abalone"), ModelApprovalStatus: smtypes.ModelApprovalStatusPendingManualApproval,
			MetadataProperties:         &smtypes.MetadataProperties{CommitId: aws.String("4e1243bd22c66e76c2ba9eddc1f91394e57f9f83")},
			CustomerMetadataProperties: map[string]string{"kiln:trigger": "commit"},
			InferenceSpecification: &smtypes.InferenceSpecification{
				Containers:                 []smtypes.ModelPackageContainerDefinition{{Image: aws.String("kiln/abalone-serve:latest"), ModelDataUrl: aws.String("s3://b/model.tar.gz")}},
				SupportedContentTypes:      []string{"text/csv"},
				SupportedResponseMIMETypes: []string{"text/csv"},
			}})
		require.NoError(t, err)
		_, err = c.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{ModelPackageArn: pkg.ModelPackageArn,
			ModelApprovalStatus: smtypes.ModelApprovalStatusApproved, ApprovalDescription: aws.String("metrics within the gate")})
		require.NoError(t, err)
		if status == smtypes.ModelApprovalStatusRejected {
			_, err = c.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{ModelPackageArn: pkg.ModelPackageArn,
				ModelApprovalStatus: status, ApprovalDescription: aws.String("under-predicts old animals")})
			require.NoError(t, err)
		}
		arns = append(arns, aws.ToString(pkg.ModelPackageArn))
	}
	t0 = time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	endpoint := topology.EndpointName("prod", "abalone")
	for i, arn := range arns {
		at := t0.Add(time.Duration(i) * time.Hour)
		rec := release.Record{EndpointName: endpoint, ModelPackageARN: arn, ReleaseID: "abalone-prod-commit-" + string(rune('a'+i)),
			Model: "abalone", Stage: "prod", Strategy: "CANARY", DeployedAt: at.Format(time.RFC3339Nano)}
		b, err := json.Marshal(rec)
		require.NoError(t, err)
		_, err = c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(topology.ArtifactsBucket(st.TopologyEnv())),
			Key: aws.String(release.HistoryPrefix(endpoint) + at.Format(time.RFC3339Nano) + ".json"), Body: bytes.NewReader(b)})
		require.NoError(t, err)
	}
	return arns[0], arns[1], t0
}

func TestHistoryRollbackAndDriftRunThroughTheRunningStack(t *testing.T) {
	st, err := stack.Open(stack.Options{Dir: t.TempDir(), Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	require.NoError(t, st.Start(context.Background()))
	t.Cleanup(func() { _ = st.Close() })
	_, v2, t0 := seedReleases(t, st)
	ep := st.Endpoint()

	tests := []struct {
		name    string
		args    []string
		build   func() *cobra.Command
		wantErr string
		wantOut []string
	}{
		{name: "history lists each release with its trigger, commit and approver", build: newHistoryCmd,
			args: []string{"abalone", "--stage", "prod", "--endpoint", ep}, wantOut: []string{"TIME", "v1", "2026-12-05T10:00:00Z", "v2", "live", "commit", "4e1243bd22c6", "kiln-local: metrics within the gate"}},
		{name: "history at a time answers what served then", build: newHistoryCmd,
			args: []string{"abalone", "--stage", "prod", "--endpoint", ep, "--at", t0.Add(30 * time.Minute).Format(time.RFC3339)}, wantOut: []string{"served version 1"}},
		{name: "history before the first release says nothing served", build: newHistoryCmd,
			args: []string{"abalone", "--stage", "prod", "--endpoint", ep, "--at", "2020-01-01T00:00:00Z"}, wantOut: []string{"nothing served abalone in prod"}},
		{name: "history as JSON carries every field", build: newHistoryCmd,
			args: []string{"abalone", "--stage", "prod", "--endpoint", ep, "-o", "json"}, wantOut: []string{`"event": "deployed"`, `"version": 2`, `"commit": "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83"`}},
		{name: "history with a time that is no time is refused", build: newHistoryCmd,
			args: []string{"abalone", "--stage", "prod", "--endpoint", ep, "--at", "yesterday"}, wantErr: "not an RFC 3339 time"},
		{name: "history of a stage the policy lacks is refused", build: newHistoryCmd,
			args: []string{"abalone", "--stage", "qa", "--endpoint", ep}, wantErr: `no stage "qa"`},
		{name: "a rollback to a rejected package is refused and changes nothing", build: newRollbackCmd,
			args: []string{"abalone", "--stage", "prod", "--to", "2", "--reason", "try again", "--endpoint", ep}, wantErr: v2 + " is Rejected"},
		{name: "a rollback to a version never live is refused", build: newRollbackCmd,
			args: []string{"abalone", "--stage", "prod", "--to", "9", "--reason", "x", "--endpoint", ep}, wantErr: "version 9 was never live"},
		{name: "a rollback without a reason is refused", build: newRollbackCmd,
			args: []string{"abalone", "--stage", "prod", "--endpoint", ep}, wantErr: "--reason is required"},
		{name: "a rollback with no stack running says so", build: newRollbackCmd,
			args: []string{"abalone", "--stage", "prod", "--reason", "x", "--endpoint", freeEndpoint(t)}, wantErr: "no kiln local at"},
		{name: "a drift run on an endpoint without a deployment record says there is nothing to compare", build: newDriftRunCmd,
			args: []string{"abalone", "--stage", "staging", "--endpoint", ep}, wantOut: []string{"NoDeployment", "nothing to compare"}},
		{name: "a drift run of a model not in the policy is refused", build: newDriftRunCmd,
			args: []string{"iris", "--stage", "prod", "--endpoint", ep}, wantErr: `model "iris" is not in the policy`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, tc.build(), tc.args...)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err, out)
			for _, w := range tc.wantOut {
				assert.Contains(t, out, w)
			}
		})
	}

	// The refusals changed nothing: the history still holds exactly the two releases.
	out, err := run(t, newHistoryCmd(), "abalone", "--stage", "prod", "--endpoint", ep, "-o", "json")
	require.NoError(t, err)
	var es []release.Entry
	require.NoError(t, json.Unmarshal([]byte(out), &es))
	assert.Len(t, es, 2)
}
