package main

import (
	"bytes"
	"context"
	"net"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/stack"
)

func run(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// freeEndpoint returns an endpoint where nothing listens.
func freeEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

func TestStatusApproveAndReject(t *testing.T) {
	dir := t.TempDir()
	st, err := stack.Open(stack.Options{Dir: dir, Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	require.NoError(t, st.Start(context.Background()))
	ctx := context.Background()

	// A registered package, as the pipeline's RegisterModel step creates it.
	pkg, err := st.Clients().SageMaker.CreateModelPackage(ctx, &sagemaker.CreateModelPackageInput{
		ModelPackageGroupName: aws.String("kiln-prod-abalone"), ModelApprovalStatus: "PendingManualApproval",
		InferenceSpecification: &smtypes.InferenceSpecification{
			Containers:                 []smtypes.ModelPackageContainerDefinition{{Image: aws.String("kiln/abalone-serve:latest"), ModelDataUrl: aws.String("s3://b/model.tar.gz")}},
			SupportedContentTypes:      []string{"text/csv"},
			SupportedResponseMIMETypes: []string{"text/csv"},
		}})
	require.NoError(t, err)

	out, err := run(t, newStatusCmd(), "--endpoint", st.Endpoint())
	require.NoError(t, err)
	assert.Contains(t, out, "kiln status from kiln local at "+st.Endpoint())
	for _, h := range []string{"EXECUTION", "MODEL PACKAGE", "ENDPOINT"} {
		assert.Contains(t, out, h)
	}

	tests := []struct {
		name    string
		cmd     *cobra.Command
		args    []string
		wantErr string
		wantOut string
	}{
		{"a reject without a reason is refused", newRejectCmd(), []string{"arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/1", "--endpoint", st.Endpoint()}, "--reason is required", ""},
		{"an argument that is not a package ARN is refused", newApproveCmd(), []string{"abalone", "--endpoint", st.Endpoint()}, "is not a model package ARN", ""},
		{"a package that does not exist is reported by the registry", newApproveCmd(), []string{"arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/99", "--endpoint", st.Endpoint()}, "does not exist", ""},
		{"no running stack is a clear error", newApproveCmd(), []string{"arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/1", "--endpoint", freeEndpoint(t)}, "no kiln local at", ""},
		{"a pending package is approved", newApproveCmd(), []string{aws.ToString(pkg.ModelPackageArn), "--endpoint", st.Endpoint()}, "", "is Approved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := run(t, tt.cmd, tt.args...)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, out, tt.wantOut)
		})
	}
	require.NoError(t, st.Close())

	// With no stack running, status reads the state directory itself.
	out, err = run(t, newStatusCmd(), "--endpoint", freeEndpoint(t), "--dir", dir)
	require.NoError(t, err)
	assert.Contains(t, out, "(no kiln local was running)")
	assert.Contains(t, out, aws.ToString(pkg.ModelPackageArn))
	assert.Contains(t, out, "Approved", "the decision was recorded")

	_, err = run(t, newStatusCmd(), "--endpoint", freeEndpoint(t), "--dir", dir+"/missing")
	assert.ErrorContains(t, err, "run kiln local or kiln demo first")
}
