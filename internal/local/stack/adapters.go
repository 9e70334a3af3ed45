package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/kiln-dev/kiln/internal/local/cloudwatch"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/s3"
	"github.com/kiln-dev/kiln/internal/local/sagemaker"
)

// blobs adapts the local S3 store to the SageMaker stand-in; with IAM on, each read and write
// is authorized under the execution role the context carries (see sagemakerS3 in iam.go).
type blobs struct {
	store *s3.Store
	authz *iam.Authorizer
}

var _ sagemaker.Blobs = blobs{}

func (b blobs) Get(ctx context.Context, bucket, key string) ([]byte, error) {
	if err := sagemakerS3(ctx, b.authz, "s3:GetObject", bucket, key); err != nil {
		return nil, err
	}
	return b.store.Get(bucket, key)
}

func (b blobs) Put(ctx context.Context, bucket, key string, body []byte) error {
	if err := sagemakerS3(ctx, b.authz, "s3:PutObject", bucket, key); err != nil {
		return err
	}
	_, err := b.store.Put(bucket, key, body, "")
	return err
}

func (b blobs) List(ctx context.Context, bucket, prefix string) ([]string, error) {
	if err := sagemakerS3(ctx, b.authz, "s3:ListBucket", bucket, prefix); err != nil {
		return nil, err
	}
	objs, err := b.store.List(bucket, prefix)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys, nil
}

// metrics and alarms adapt the CloudWatch stand-in to the SageMaker stand-in.
type metrics struct{ cw *cloudwatch.Service }

var _ sagemaker.Metrics = metrics{}

func (m metrics) Put(namespace, metric string, dims map[string]string, value float64, unit string, at time.Time) {
	_ = m.cw.Put(context.Background(), namespace, metric, dims, value, unit, at)
}

type alarms struct{ cw *cloudwatch.Service }

var _ sagemaker.Alarms = alarms{}

func (a alarms) AlarmState(name string) string {
	st, ok := a.cw.AlarmState(name)
	if !ok {
		return ""
	}
	return st.Value
}

// secretFile is the local stand-in for Secrets Manager, for the one secret kiln reads: the
// webhook secret, kept in a file (Secrets Manager itself is not emulated).
type secretFile struct {
	arn, path string
	once      sync.Once
	value     string
	err       error
}

// GetSecretValue returns the file's content for the configured ARN (or its name).
func (s *secretFile) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	id := aws.ToString(in.SecretId)
	name := s.arn[strings.LastIndex(s.arn, ":")+1:]
	if id != s.arn && id != name {
		return nil, &smtypes.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret: " + id)}
	}
	s.once.Do(func() {
		b, err := os.ReadFile(s.path)
		s.value, s.err = strings.TrimSpace(string(b)), err
	})
	if s.err != nil {
		return nil, fmt.Errorf("read webhook secret %s: %w", s.path, s.err)
	}
	return &secretsmanager.GetSecretValueOutput{ARN: aws.String(s.arn), Name: aws.String(name), SecretString: aws.String(s.value)}, nil
}

// ensureSecret creates the webhook secret file (64 hex characters, mode 0600) unless it
// exists, and returns its content.
func ensureSecret(path string, random func([]byte) error) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		s := strings.TrimSpace(string(b))
		if s == "" {
			return "", fmt.Errorf("read webhook secret %s: the file is empty", path)
		}
		return s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read webhook secret %s: %w", path, err)
	}
	if random == nil {
		return "", fmt.Errorf("read webhook secret %s: the file does not exist", path)
	}
	var raw [32]byte
	if err := random(raw[:]); err != nil {
		return "", fmt.Errorf("generate webhook secret: %w", err)
	}
	secret := fmt.Sprintf("%x", raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("write webhook secret %s: %w", path, err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("write webhook secret %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("write webhook secret %s: %w", path, err)
	}
	return secret, nil
}
