package stepfunctions

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/asl"
)

type codeErr struct{ code, msg string }

func (e *codeErr) Error() string        { return e.code + ": " + e.msg }
func (e *codeErr) ErrorCode() string    { return e.code }
func (e *codeErr) ErrorMessage() string { return e.msg }

type fakeSageMaker struct {
	callErr   error
	jobStatus string
	created   []string
}

func (f *fakeSageMaker) Call(_ context.Context, op string, _ []byte) ([]byte, error) {
	if f.callErr != nil {
		return nil, f.callErr
	}
	return []byte(`{"Op":"` + op + `"}`), nil
}

func (f *fakeSageMaker) CreateTrainingJob(_ context.Context, in []byte) ([]byte, error) {
	f.created = append(f.created, string(in))
	if len(f.created) > 1 {
		return nil, &codeErr{"ResourceInUse", "job exists"}
	}
	return []byte(`{"TrainingJobArn":"arn"}`), nil
}

func (f *fakeSageMaker) WaitTrainingJob(_ context.Context, name string) ([]byte, error) {
	return []byte(`{"TrainingJobName":"` + name + `","TrainingJobStatus":"` + f.jobStatus + `"}`), nil
}

func run(t *testing.T, in Integrations, resource string, params any) (any, error) {
	t.Helper()
	r := asl.NewResources()
	in.Register(r)
	key, pattern := asl.ResourceKey(resource)
	h, ok := r.Lookup(key)
	require.True(t, ok, "no handler for %s", key)
	return h(context.Background(), &asl.TaskRequest{Resource: resource, Key: key, Pattern: pattern, Parameters: params})
}

func TestSageMakerErrorNames(t *testing.T) {
	tests := []struct {
		name     string
		resource string
		err      error
		want     string
	}{
		{"a validation error from an aws-sdk call is SageMakerException", "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
			&codeErr{"ValidationException", "Could not find endpoint"}, "SageMaker.SageMakerException"},
		{"a validation error from an optimized call is AmazonSageMakerException", "arn:aws:states:::sagemaker:createEndpoint",
			&codeErr{"ValidationException", "bad"}, "SageMaker.AmazonSageMakerException"},
		{"a missing resource is ResourceNotFoundException", "arn:aws:states:::aws-sdk:sagemaker:describeModelPackage",
			&codeErr{"ResourceNotFound", "no"}, "SageMaker.ResourceNotFoundException"},
		{"a resource in use is ResourceInUseException", "arn:aws:states:::sagemaker:createModel",
			&codeErr{"ResourceInUse", "exists"}, "SageMaker.ResourceInUseException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, Integrations{SageMaker: &fakeSageMaker{callErr: tt.err}}, tt.resource, map[string]any{})
			var tf *asl.TaskFailure
			require.True(t, errors.As(err, &tf), "got %v", err)
			assert.Equal(t, tt.want, tf.Name)
		})
	}
	// The cause begins with SageMaker's message in both SDK generations' shapes.
	_, err := run(t, Integrations{SageMaker: &fakeSageMaker{callErr: &codeErr{"ValidationException", `Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/e".`}}},
		"arn:aws:states:::aws-sdk:sagemaker:describeEndpoint", map[string]any{})
	var tf *asl.TaskFailure
	require.True(t, errors.As(err, &tf))
	assert.Regexp(t, `^Could not find endpoint "arn:aws:sagemaker:us-east-1:000000000000:endpoint/e"\. \(Service: SageMaker, Status Code: 400, Request ID: [0-9a-f-]{36}\)$`, tf.Cause)
	_, err = run(t, Integrations{SageMaker: &fakeSageMaker{callErr: &codeErr{"ValidationException", "Could not find endpoint configuration."}}},
		"arn:aws:states:::sagemaker:createEndpoint", map[string]any{})
	require.True(t, errors.As(err, &tf))
	assert.Regexp(t, `^Could not find endpoint configuration\. \(Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: [0-9a-f-]{36}; Proxy: null\)$`, tf.Cause)

	out, err := run(t, Integrations{SageMaker: &fakeSageMaker{}}, "arn:aws:states:::aws-sdk:sagemaker:createModelPackage", map[string]any{})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Op": "createModelPackage"}, out)
}

func TestTrainingJobSync(t *testing.T) {
	sm := &fakeSageMaker{jobStatus: "Completed"}
	out, err := run(t, Integrations{SageMaker: sm}, "arn:aws:states:::sagemaker:createTrainingJob.sync", map[string]any{"TrainingJobName": "j-0"})
	require.NoError(t, err)
	assert.Equal(t, "Completed", out.(map[string]any)["TrainingJobStatus"])

	_, err = run(t, Integrations{SageMaker: sm}, "arn:aws:states:::sagemaker:createTrainingJob.sync", map[string]any{"TrainingJobName": "j-0"})
	require.NoError(t, err, "a job that already exists (a resumed execution) is waited for")

	sm = &fakeSageMaker{jobStatus: "Failed"}
	_, err = run(t, Integrations{SageMaker: sm}, "arn:aws:states:::sagemaker:createTrainingJob.sync", map[string]any{"TrainingJobName": "j-1"})
	var tf *asl.TaskFailure
	require.True(t, errors.As(err, &tf))
	assert.Equal(t, asl.ErrTaskFailed, tf.Name)
	assert.JSONEq(t, `{"TrainingJobName":"j-1","TrainingJobStatus":"Failed"}`, tf.Cause, "the cause is the Describe output")
}

type memS3 map[string][]byte

func (m memS3) Put(b, k string, body []byte, _ string) (string, error) {
	m[b+"/"+k] = body
	return "abc", nil
}
func (m memS3) Get(b, k string) ([]byte, error) {
	v, ok := m[b+"/"+k]
	if !ok {
		return nil, errors.New("not found")
	}
	return v, nil
}
func (m memS3) ContentType(string, string) string { return "application/json" }

func TestS3AndSNS(t *testing.T) {
	store := memS3{}
	var published []string
	in := Integrations{S3: store, NotFound: func(err error) bool { return err.Error() == "not found" },
		SNS: func(_ context.Context, topic, subject, msg string, _ map[string]string) (string, error) {
			published = append(published, topic+"|"+subject+"|"+msg)
			return "m-1", nil
		}}
	out, err := run(t, in, "arn:aws:states:::aws-sdk:s3:putObject", map[string]any{"Bucket": "b", "Key": "deployments/e/current.json", "Body": map[string]any{"a": 1.0}})
	require.NoError(t, err)
	assert.Equal(t, `"abc"`, out.(map[string]any)["ETag"])
	assert.JSONEq(t, `{"a":1}`, string(store["b/deployments/e/current.json"]), "a JSON body is written as JSON")

	out, err = run(t, in, "arn:aws:states:::aws-sdk:s3:getObject", map[string]any{"Bucket": "b", "Key": "deployments/e/current.json"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":1}`, out.(map[string]any)["Body"].(string))

	_, err = run(t, in, "arn:aws:states:::aws-sdk:s3:getObject", map[string]any{"Bucket": "b", "Key": "missing"})
	var tf *asl.TaskFailure
	require.True(t, errors.As(err, &tf))
	assert.Equal(t, "S3.NoSuchKeyException", tf.Name)

	out, err = run(t, in, "arn:aws:states:::sns:publish", map[string]any{"TopicArn": "t", "Subject": "s", "Message": map[string]any{"status": "ok"}})
	require.NoError(t, err)
	assert.Equal(t, "m-1", out.(map[string]any)["MessageId"])
	assert.Equal(t, []string{`t|s|{"status":"ok"}`}, published)
}
