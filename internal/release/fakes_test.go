package release

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// memS3 is an in-memory bucket with S3's answers for what a Releaser calls.
type memS3 struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func (m *memS3) put(key string, v any) {
	b, _ := json.Marshal(v)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objs == nil {
		m.objs = map[string][]byte{}
	}
	m.objs[key] = b
}

func (m *memS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.objs[aws.ToString(in.Key)]
	if !ok {
		return nil, &s3types.NoSuchKey{}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func (m *memS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, _ := io.ReadAll(in.Body)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objs == nil {
		m.objs = map[string][]byte{}
	}
	m.objs[aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, nil
}

func (m *memS3) DeleteObject(_ context.Context, in *s3.DeleteObjectInput, _ ...func(*s3.Options)) (*s3.DeleteObjectOutput, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objs, aws.ToString(in.Key))
	return &s3.DeleteObjectOutput{}, nil
}

func (m *memS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var keys []string
	for k := range m.objs {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := &s3.ListObjectsV2Output{}
	for _, k := range keys {
		out.Contents = append(out.Contents, s3types.Object{Key: aws.String(k)})
	}
	return out, nil
}

// fakeSageMaker answers DescribeModelPackage from status (ARN → approval status).
type fakeSageMaker struct {
	SageMakerAPI
	status map[string]string
}

func (f *fakeSageMaker) DescribeModelPackage(_ context.Context, in *sagemaker.DescribeModelPackageInput, _ ...func(*sagemaker.Options)) (*sagemaker.DescribeModelPackageOutput, error) {
	arn := aws.ToString(in.ModelPackageName)
	return &sagemaker.DescribeModelPackageOutput{ModelPackageArn: aws.String(arn), ModelApprovalStatus: smtypes.ModelApprovalStatus(f.status[arn]),
		CustomerMetadataProperties: map[string]string{"kiln:trigger": "commit"},
		MetadataProperties:         &smtypes.MetadataProperties{CommitId: aws.String("c0ffee" + arn[len(arn)-1:])},
		LastModifiedBy:             &smtypes.UserContext{UserProfileName: aws.String("ada")}, ApprovalDescription: aws.String("looks good")}, nil
}

// fakeSFN knows no execution until one is started, and reports started ones with status.
type fakeSFN struct {
	StepFunctionsAPI
	started []*sfn.StartExecutionInput
	status  sfntypes.ExecutionStatus
}

func (f *fakeSFN) DescribeExecution(_ context.Context, in *sfn.DescribeExecutionInput, _ ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	for _, s := range f.started {
		if strings.HasSuffix(aws.ToString(in.ExecutionArn), ":"+aws.ToString(s.Name)) {
			t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
			t1 := t0.Add(3 * time.Second)
			return &sfn.DescribeExecutionOutput{ExecutionArn: in.ExecutionArn, Status: f.status, StartDate: &t0, StopDate: &t1, Input: s.Input}, nil
		}
	}
	return nil, &sfntypes.ExecutionDoesNotExist{}
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.started = append(f.started, in)
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String("arn:aws:states:us-east-1:000000000000:execution:kiln-prod-deploy:" + aws.ToString(in.Name))}, nil
}

// fakeBus records the events put.
type fakeBus struct{ got []eventbridge.PutEventsInput }

func (f *fakeBus) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.got = append(f.got, *in)
	return &eventbridge.PutEventsOutput{}, nil
}

func (f *fakeBus) detailTypes() []string {
	var out []string
	for _, in := range f.got {
		for _, e := range in.Entries {
			out = append(out, aws.ToString(e.DetailType))
		}
	}
	return out
}
