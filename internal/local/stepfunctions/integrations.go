package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
)

// SageMaker is what the sagemaker integrations need from the SageMaker stand-in;
// *sagemaker.Service satisfies it. Errors carry the AWS code through ErrorCode() string.
type SageMaker interface {
	// Call runs an operation on its JSON input and returns its JSON output.
	Call(ctx context.Context, op string, input []byte) ([]byte, error)
	// CreateTrainingJob starts a training job.
	CreateTrainingJob(ctx context.Context, input []byte) ([]byte, error)
	// WaitTrainingJob waits for the job to end and returns its DescribeTrainingJob output.
	WaitTrainingJob(ctx context.Context, name string) ([]byte, error)
}

// S3 is what the aws-sdk:s3 integration needs from the local S3; *s3.Store satisfies it.
type S3 interface {
	Put(bucket, key string, body []byte, contentType string) (etag string, err error)
	Get(bucket, key string) ([]byte, error)
	ContentType(bucket, key string) string
}

// SNSPublish publishes one message to a topic and returns its message id; subject and
// attributes are optional.
type SNSPublish func(ctx context.Context, topicARN, subject, message string, attributes map[string]string) (string, error)

// Integrations are the services the Task resources reach; nil ones are not registered (a
// Task naming them fails with States.TaskFailed saying no handler is registered).
type Integrations struct {
	// Lambda invokes a function by name or ARN (see lambda.Registry.StepFunctions).
	Lambda asl.LambdaFunc
	// SageMaker backs sagemaker:* and aws-sdk:sagemaker:*.
	SageMaker SageMaker
	// S3 backs aws-sdk:s3:putObject and aws-sdk:s3:getObject; NotFound tells a missing
	// object or bucket from other failures.
	S3 S3
	// NotFound reports whether an S3 error is a missing key or bucket.
	NotFound func(error) bool
	// SNS backs sns:publish.
	SNS SNSPublish
}

// Register adds the integrations' handlers to r. states:startExecution is registered by the
// service itself.
func (in Integrations) Register(r *asl.Resources) {
	if in.Lambda != nil {
		lh := asl.LambdaHandler(in.Lambda)
		wrapped := func(ctx context.Context, req *asl.TaskRequest) (any, error) {
			out, err := lh(ctx, req)
			if err != nil {
				return nil, err
			}
			if req.Pattern == asl.PatternWaitForTaskToken {
				// The function got the token; the task waits for the callback.
				return nil, nil
			}
			return out, nil
		}
		r.Handle("lambda:invoke", wrapped)
		r.Handle("lambda:function", wrapped)
	}
	if in.SageMaker != nil {
		r.Handle("sagemaker:*", in.sagemakerOptimized)
		r.Handle("aws-sdk:sagemaker:*", in.sagemakerSDK)
	}
	if in.S3 != nil {
		r.Handle("aws-sdk:s3:putObject", in.s3Put)
		r.Handle("aws-sdk:s3:getObject", in.s3Get)
	}
	if in.SNS != nil {
		r.Handle("sns:publish", in.snsPublish)
	}
}

type coder interface{ ErrorCode() string }

func errorCode(err error) string {
	var c coder
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return ""
}

// exceptionName returns the Java SDK v2 exception class name of an AWS error code, which is
// what Step Functions reports: ResourceNotFound -> ResourceNotFoundException.
func exceptionName(code string) string {
	if strings.HasSuffix(code, "Exception") {
		return code
	}
	return code + "Exception"
}

// sagemakerError names err as Step Functions names SageMaker errors: a ValidationException
// is SageMaker.AmazonSageMakerException from an optimized integration and
// SageMaker.SageMakerException from an aws-sdk one; other codes are SageMaker.<Code>Exception.
func sagemakerError(err error, optimized bool) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	code := errorCode(err)
	name := "SageMaker." + exceptionName(code)
	switch {
	case code == "" || code == "InternalFailure":
		name = "SageMaker.SageMakerException"
		if optimized {
			name = "SageMaker.AmazonSageMakerException"
		}
	case code == "ValidationException" && optimized:
		name = "SageMaker.AmazonSageMakerException"
	case code == "ValidationException":
		name = "SageMaker.SageMakerException"
	}
	msg := err.Error()
	var c interface{ ErrorMessage() string }
	if errors.As(err, &c) {
		msg = c.ErrorMessage()
	}
	return asl.Fail(name, sagemakerCause(msg, code, optimized))
}

// sagemakerCause renders a SageMaker error's message as Step Functions puts it in the Cause:
// the optimized integrations run on the Java SDK v1 ("(Service: AmazonSageMaker; Status Code:
// 400; Error Code: X; Request ID: ...; Proxy: null)"), the aws-sdk ones on v2 ("(Service:
// SageMaker, Status Code: 400, Request ID: ...)"). Both begin with SageMaker's own message,
// which is what a workflow's Choice may match (the deploy workflow's "Could not find endpoint").
func sagemakerCause(msg, code string, optimized bool) string {
	if optimized {
		return fmt.Sprintf("%s (Service: AmazonSageMaker; Status Code: 400; Error Code: %s; Request ID: %s; Proxy: null)", msg, code, intrinsic.NewUUID())
	}
	return fmt.Sprintf("%s (Service: SageMaker, Status Code: 400, Request ID: %s)", msg, intrinsic.NewUUID())
}

func decode(b []byte) (any, error) {
	if len(b) == 0 {
		return map[string]any{}, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// sagemakerOptimized runs sagemaker:<op>, with .sync for createTrainingJob.
func (in Integrations) sagemakerOptimized(ctx context.Context, req *asl.TaskRequest) (any, error) {
	op := strings.TrimPrefix(req.Key, "sagemaker:")
	params, err := json.Marshal(req.Parameters)
	if err != nil {
		return nil, asl.Fail(asl.ErrRuntime, "encode parameters: "+err.Error())
	}
	switch req.Pattern {
	case asl.PatternRequestResponse:
		out, err := in.SageMaker.Call(ctx, op, params)
		if err != nil {
			return nil, sagemakerError(err, true)
		}
		return decode(out)
	case asl.PatternSync:
		if op != "createTrainingJob" {
			return nil, asl.Fail(asl.ErrRuntime, "the integration sagemaker:"+op+".sync is not supported locally")
		}
	default:
		return nil, asl.Fail(asl.ErrRuntime, "the integration pattern "+string(req.Pattern)+" is not supported by sagemaker:"+op)
	}
	p, _ := req.Parameters.(map[string]any)
	name, _ := p["TrainingJobName"].(string)
	if _, err := in.SageMaker.CreateTrainingJob(ctx, params); err != nil {
		// A resumed execution re-enters the state: a job it already created is waited for,
		// as Step Functions would keep polling it.
		if errorCode(err) != "ResourceInUse" || name == "" {
			return nil, sagemakerError(err, true)
		}
	}
	resume := req.Idle()
	out, err := in.SageMaker.WaitTrainingJob(ctx, name)
	resume()
	if err != nil {
		return nil, sagemakerError(err, true)
	}
	var desc struct{ TrainingJobStatus string }
	if err := json.Unmarshal(out, &desc); err != nil {
		return nil, asl.Fail(asl.ErrRuntime, "decode DescribeTrainingJob output: "+err.Error())
	}
	if desc.TrainingJobStatus != "Completed" {
		return nil, asl.Fail(asl.ErrTaskFailed, string(out))
	}
	return decode(out)
}

// sagemakerSDK runs aws-sdk:sagemaker:<op>.
func (in Integrations) sagemakerSDK(ctx context.Context, req *asl.TaskRequest) (any, error) {
	if req.Pattern != asl.PatternRequestResponse {
		return nil, asl.Fail(asl.ErrRuntime, "aws-sdk integrations support request-response only")
	}
	op := strings.TrimPrefix(req.Key, "aws-sdk:sagemaker:")
	params, err := json.Marshal(req.Parameters)
	if err != nil {
		return nil, asl.Fail(asl.ErrRuntime, "encode parameters: "+err.Error())
	}
	out, err := in.SageMaker.Call(ctx, op, params)
	if err != nil {
		return nil, sagemakerError(err, false)
	}
	return decode(out)
}

func (in Integrations) s3Error(err error, bucket, key string) error {
	if in.NotFound != nil && in.NotFound(err) {
		return asl.Fail("S3.NoSuchKeyException", fmt.Sprintf("The specified key does not exist. (Service: S3, Status Code: 404) bucket %s key %s", bucket, key))
	}
	return asl.Fail("S3.S3Exception", err.Error())
}

// s3Put runs aws-sdk:s3:putObject: Body may be a string or any JSON value (written as JSON).
func (in Integrations) s3Put(ctx context.Context, req *asl.TaskRequest) (any, error) {
	p, _ := req.Parameters.(map[string]any)
	bucket, _ := p["Bucket"].(string)
	key, _ := p["Key"].(string)
	if bucket == "" || key == "" {
		return nil, asl.Fail("S3.S3Exception", "Bucket and Key are required")
	}
	var body []byte
	switch b := p["Body"].(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return nil, asl.Fail(asl.ErrRuntime, "encode Body: "+err.Error())
		}
		body = enc
	}
	ct, _ := p["ContentType"].(string)
	etag, err := in.S3.Put(bucket, key, body, ct)
	if err != nil {
		return nil, in.s3Error(err, bucket, key)
	}
	return map[string]any{"ETag": `"` + etag + `"`}, nil
}

// s3Get runs aws-sdk:s3:getObject: Body is returned as a string.
func (in Integrations) s3Get(ctx context.Context, req *asl.TaskRequest) (any, error) {
	p, _ := req.Parameters.(map[string]any)
	bucket, _ := p["Bucket"].(string)
	key, _ := p["Key"].(string)
	body, err := in.S3.Get(bucket, key)
	if err != nil {
		return nil, in.s3Error(err, bucket, key)
	}
	out := map[string]any{"Body": string(body), "ContentLength": float64(len(body))}
	if ct := in.S3.ContentType(bucket, key); ct != "" {
		out["ContentType"] = ct
	}
	return out, nil
}

// snsPublish runs sns:publish: Message may be a string or any JSON value (sent as JSON).
func (in Integrations) snsPublish(ctx context.Context, req *asl.TaskRequest) (any, error) {
	p, _ := req.Parameters.(map[string]any)
	topic, _ := p["TopicArn"].(string)
	subject, _ := p["Subject"].(string)
	var msg string
	switch m := p["Message"].(type) {
	case string:
		msg = m
	case nil:
	default:
		b, err := json.Marshal(m)
		if err != nil {
			return nil, asl.Fail(asl.ErrRuntime, "encode Message: "+err.Error())
		}
		msg = string(b)
	}
	attrs := map[string]string{}
	if ma, ok := p["MessageAttributes"].(map[string]any); ok {
		for k, v := range ma {
			if a, ok := v.(map[string]any); ok {
				if sv, ok := a["StringValue"].(string); ok {
					attrs[k] = sv
				}
			}
		}
	}
	id, err := in.SNS(ctx, topic, subject, msg, attrs)
	if err != nil {
		name := "SNS.InvalidParameterException"
		if strings.Contains(err.Error(), "does not exist") {
			name = "SNS.NotFoundException"
		}
		return nil, asl.Fail(name, err.Error())
	}
	return map[string]any{
		"MessageId":           id,
		"SdkHttpMetadata":     map[string]any{"HttpStatusCode": 200.0},
		"SdkResponseMetadata": map[string]any{"RequestId": intrinsic.NewUUID()},
	}, nil
}

// nestedExecution runs states:startExecution (request-response, .sync, .sync:2 and
// .waitForTaskToken) through the service, so a child is a stored execution like any other
// and a parent resumed after a restart finds the child it had started.
func (s *Service) nestedExecution(ctx context.Context, req *asl.TaskRequest) (any, error) {
	p, _ := req.Parameters.(map[string]any)
	arn, _ := p["StateMachineArn"].(string)
	name, _ := p["Name"].(string)
	var input []byte
	switch v := p["Input"].(type) {
	case nil:
	case string:
		input = []byte(v)
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return nil, asl.Fail("StepFunctions.InvalidExecutionInputException", err.Error())
		}
		input = b
	}
	if len(input) == 0 {
		input = []byte("{}")
	}
	// The child sees its parent in the input as AWS adds AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.
	rec, err := s.start(arn, name, input, req.ExecutionARN, true)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			return nil, asl.Fail("StepFunctions."+exceptionName(ae.Code), ae.Message)
		}
		return nil, err
	}
	start := float64(rec.StartDate.UnixMilli())
	switch req.Pattern {
	case asl.PatternRequestResponse:
		return map[string]any{"ExecutionArn": rec.ARN, "StartDate": start}, nil
	case asl.PatternWaitForTaskToken:
		return nil, nil
	}
	resume := req.Idle()
	done, err := s.Wait(ctx, rec.ARN)
	resume()
	if err != nil {
		return nil, err
	}
	out := map[string]any{"ExecutionArn": done.ARN, "Name": done.Name, "StateMachineArn": done.StateMachineARN,
		"Status": string(done.Status), "StartDate": start, "StopDate": float64(done.StopDate.UnixMilli()),
		"InputDetails": map[string]any{"Included": true}}
	if req.Pattern == asl.PatternSync2 {
		out["Input"], _ = decode(done.Input)
	} else {
		out["Input"] = string(done.Input)
	}
	if done.Status == asl.StatusSucceeded {
		if req.Pattern == asl.PatternSync2 {
			out["Output"], _ = decode(done.Output)
		} else {
			out["Output"] = string(done.Output)
		}
		out["OutputDetails"] = map[string]any{"Included": true}
		return out, nil
	}
	out["Error"], out["Cause"] = done.Error, done.Cause
	b, _ := json.Marshal(out)
	return nil, asl.Fail(asl.ErrTaskFailed, string(b))
}
