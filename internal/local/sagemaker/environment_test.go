package sagemaker

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireValidation asserts err is SageMaker's ValidationException whose message holds want.
func requireValidation(t *testing.T, err error, want ...string) {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "got %v, want a ValidationException", err)
	assert.Equal(t, "ValidationException", ae.ErrorCode())
	for _, w := range want {
		assert.Contains(t, ae.ErrorMessage(), w)
	}
}

func TestCreateModelRefusesAnEnvironmentThatChangesHowTheProgramLoads(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	uri := h.putModel(t, "env", "m")
	cases := []struct {
		name    string
		env     map[string]string
		refused string // "" when accepted
		because string
	}{
		{"a preloaded library by a relative path is refused", map[string]string{"LD_PRELOAD": "../../s3/kiln/evil.so"}, "LD_PRELOAD", "dynamic loader"},
		{"a library search path is refused", map[string]string{"LD_LIBRARY_PATH": "/tmp"}, "LD_LIBRARY_PATH", "dynamic loader"},
		{"macOS's insert-libraries is refused", map[string]string{"DYLD_INSERT_LIBRARIES": "x.dylib"}, "DYLD_INSERT_LIBRARIES", "dynamic loader"},
		{"the program search path is refused", map[string]string{"PATH": "/tmp"}, "PATH", "executable"},
		{"a Python module path is refused", map[string]string{"PYTHONPATH": "/tmp"}, "PYTHONPATH", "imports"},
		{"Node's options are refused", map[string]string{"NODE_OPTIONS": "--require /tmp/x.js"}, "NODE_OPTIONS", "--require"},
		{"glibc's converter path is refused", map[string]string{"GCONV_PATH": "/tmp"}, "GCONV_PATH", "converters"},
		{"a lower-case loader variable is refused too", map[string]string{"ld_preload": "x.so"}, "ld_preload", "dynamic loader"},
		{"kiln's model directory is refused", map[string]string{"SM_MODEL_DIR": "/tmp/elsewhere"}, "SM_MODEL_DIR", "kiln sets it"},
		{"SageMaker's port contract is refused", map[string]string{"SAGEMAKER_BIND_TO_PORT": "80"}, "SAGEMAKER_BIND_TO_PORT", "kiln sets it"},
		{"a name that is not a variable name is refused", map[string]string{"PATH=/tmp:": "x"}, "PATH=/tmp:", "regular expression"},
		{"the first offending name in order is named", map[string]string{"PATH": "/tmp", "LD_AUDIT": "x"}, "LD_AUDIT", "dynamic loader"},
		{"an ordinary setting is accepted", map[string]string{"MODEL_THRESHOLD": "0.5", "PYTHONUNBUFFERED": "1"}, "", ""},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := "env-" + string(rune('a'+i))
			_, err := h.api.CreateModel(ctx, &awssm.CreateModelInput{
				ModelName:        aws.String(name),
				ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/kiln-sagemaker"),
				PrimaryContainer: &types.ContainerDefinition{Image: aws.String(serveImage), ModelDataUrl: aws.String(uri), Environment: tc.env},
			})
			if tc.refused == "" {
				require.NoError(t, err)
				return
			}
			requireValidation(t, err, "ontainer.Environment", tc.refused, tc.because)
			_, err = h.api.DescribeModel(ctx, &awssm.DescribeModelInput{ModelName: aws.String(name)})
			require.Error(t, err, "a refused model was stored")
		})
	}
}

func TestCreateTrainingJobRefusesKilnsContractVariables(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
	for _, v := range []string{"SM_MODEL_DIR", "SM_OUTPUT_DATA_DIR", "SM_CHANNEL_TRAIN", "TRAINING_JOB_NAME", "LD_PRELOAD", "BASH_ENV"} {
		in := trainingInput("env-job", nil)
		in.Environment = map[string]string{v: "/tmp/outside"}
		_, err := h.api.CreateTrainingJob(ctx, in)
		requireValidation(t, err, "Environment may not set "+v)
	}
	_, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("env-job")})
	require.Error(t, err, "a refused training job was stored")
}

func TestAModelPackageContainerMayNotSetLoaderVariables(t *testing.T) {
	err := CheckEnvironment("InferenceSpecification.Containers.1.Environment", map[string]string{"PERL5OPT": "-Mevil"}, 1024, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "PERL5OPT")
	h := newHarness(t, newManualClock(), nil)
	_, err = h.api.CreateModelPackageGroup(context.Background(), &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("g")})
	require.NoError(t, err)
	_, err = h.api.CreateModelPackage(context.Background(), &awssm.CreateModelPackageInput{
		ModelPackageGroupName: aws.String("g"),
		InferenceSpecification: &types.InferenceSpecification{
			Containers:                 []types.ModelPackageContainerDefinition{{Image: aws.String(serveImage), Environment: map[string]string{"RUBYOPT": "-revil"}}},
			SupportedContentTypes:      []string{"text/csv"},
			SupportedResponseMIMETypes: []string{"text/csv"},
		},
	})
	requireValidation(t, err, "RUBYOPT", "Containers.1.Environment")
}

func TestAContainerRuntimeAcceptsWhatTheProcessRuntimeRefuses(t *testing.T) {
	assert.NoError(t, CheckEnvironment("Environment", map[string]string{"LD_PRELOAD": "x.so", "SM_MODEL_DIR": "/opt/ml/model"}, 512, true))
	assert.Error(t, CheckEnvironment("Environment", map[string]string{"A-B": "x"}, 512, true), "a malformed name is refused by every runtime")
}

// A job whose runtime claims isolation but whose image runs as a local process (or a job
// stored before the check) still cannot move kiln's paths: the contract is applied last.
func TestKilnsContractVariablesWinWhenTheProcessStarts(t *testing.T) {
	h := newHarness(t, newManualClock(), func(c *Config) { c.IsolatedEnvironment = func(string) bool { return true } })
	ctx := context.Background()
	outside := t.TempDir()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n2\n")))
	in := trainingInput("contract-wins", nil)
	in.Environment = map[string]string{"SM_MODEL_DIR": outside, "SM_OUTPUT_DATA_DIR": outside, "KILN_SM_HELPER": "serve"}
	_, err := h.api.CreateTrainingJob(ctx, in)
	require.NoError(t, err)
	_, err = h.svc.WaitTrainingJob(ctx, "contract-wins")
	require.NoError(t, err)
	d, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("contract-wins")})
	require.NoError(t, err)
	require.Equal(t, types.TrainingJobStatusCompleted, d.TrainingJobStatus, "failure: %s", aws.ToString(d.FailureReason))
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, entries, "the training process wrote outside its job directory")
	model, err := h.blobs.Get(ctx, bucket, "training/abalone/contract-wins/output/model.tar.gz")
	require.NoError(t, err)
	assert.Equal(t, "model trained on 2 rows with depth ", untar(t, model)["model.txt"])
}
