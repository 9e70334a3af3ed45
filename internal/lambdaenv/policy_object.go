package lambdaenv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// GetObjectAPI is the S3 call that reads the policy object; *s3.Client satisfies it.
type GetObjectAPI interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

var _ GetObjectAPI = (*s3.Client)(nil)

// MaxPolicyObject bounds the policy object a function reads: 4 MiB, about a thousand times
// the shipped policy, so a wrong URI cannot fill a function's memory.
const MaxPolicyObject = 4 << 20

// ErrPolicyTooLarge is returned for a policy object over [MaxPolicyObject].
var ErrPolicyTooLarge = errors.New("the policy object is larger than 4 MiB")

// ReadPolicy reads the policy object at uri (s3://bucket/key), checks it as policy.Parse does
// and resolves its images' placeholders for env (topology.ResolveImages). Errors name the URI.
// It is what a function does once per cold start; it keeps no state and is safe concurrently.
func ReadPolicy(ctx context.Context, api GetObjectAPI, uri string, env topology.Env) (*policy.Policy, error) {
	bucket, key, err := splitS3URI(uri)
	if err != nil {
		return nil, err
	}
	out, err := api.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("read policy object %s: %w", uri, err)
	}
	defer out.Body.Close()
	doc, err := io.ReadAll(io.LimitReader(out.Body, MaxPolicyObject+1))
	if err != nil {
		return nil, fmt.Errorf("read policy object %s: %w", uri, err)
	}
	if len(doc) > MaxPolicyObject {
		return nil, fmt.Errorf("read policy object %s: %w", uri, ErrPolicyTooLarge)
	}
	p, err := policy.Parse(doc)
	if err != nil {
		return nil, fmt.Errorf("policy object %s:\n%w", uri, err)
	}
	resolved, err := topology.ResolveImages(p, env)
	if err != nil {
		return nil, fmt.Errorf("policy object %s: %w", uri, err)
	}
	return resolved, nil
}

// splitS3URI returns the bucket and key of s3://bucket/key.
func splitS3URI(uri string) (bucket, key string, err error) {
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "s3" || u.Host == "" || strings.TrimPrefix(u.Path, "/") == "" {
		return "", "", fmt.Errorf("read policy object: %q is not an s3://bucket/key URI", uri)
	}
	return u.Host, strings.TrimPrefix(u.Path, "/"), nil
}

// RuntimeEnv returns where the function runs, from its environment: the stage (KILN_STAGE),
// the account (KILN_ACCOUNT, which the stack sets) and the region (the runtime's AWS_REGION,
// as the SDK configuration holds it). A missing account or region is an error naming it.
func RuntimeEnv(region string) (topology.Env, error) {
	account := os.Getenv(topology.EnvAccount)
	switch {
	case account == "":
		return topology.Env{}, fmt.Errorf("runtime environment: %s is not set", topology.EnvAccount)
	case region == "":
		return topology.Env{}, errors.New("runtime environment: no region (AWS_REGION is not set)")
	}
	return topology.Env{Stage: os.Getenv(topology.EnvStage), Account: account, Region: region,
		Partition: topology.PartitionOf(region)}, nil
}

// loadPolicy returns the policy a deployed function runs under: the policy object named by
// KILN_POLICY_OBJECT; without it (a function run by hand) KILN_POLICY or the embedded
// default, images resolved for the local account when KILN_ACCOUNT is unset.
func (e Env) loadPolicy(ctx context.Context) (*policy.Policy, error) {
	uri := os.Getenv(topology.EnvPolicyObject)
	if uri == "" {
		p, err := policy.Load()
		if err != nil {
			return nil, err
		}
		env := topology.Local(os.Getenv(topology.EnvStage))
		if os.Getenv(topology.EnvAccount) != "" {
			if env, err = RuntimeEnv(e.AWS.Region); err != nil {
				return nil, err
			}
		}
		return topology.ResolveImages(p, env)
	}
	env, err := RuntimeEnv(e.AWS.Region)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(e.AWS, func(o *s3.Options) { o.UsePathStyle = PathStyleS3() })
	return ReadPolicy(ctx, client, uri, env)
}
