package stack

import (
	"context"
	"fmt"
	"sync"

	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/local/lambda"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// writePolicyObject writes the policy object as the deployed stack does: the same bytes
// (topology.PolicyDocument of the policy as given, image placeholders kept) to the same
// bucket and key (topology.PolicyObject) in the local S3. It returns the object's s3:// URI.
func (s *Stack) writePolicyObject() (string, error) {
	doc, err := topology.PolicyDocument(s.opts.Policy)
	if err != nil {
		return "", err
	}
	bucket, key := topology.PolicyObject(s.env, doc)
	if err := s.s3.EnsureBucket(bucket); err != nil {
		return "", fmt.Errorf("write policy object: create bucket %s: %w", bucket, err)
	}
	if _, err := s.s3.Put(bucket, key, doc, "application/json"); err != nil {
		return "", fmt.Errorf("write policy object s3://%s/%s: %w", bucket, key, err)
	}
	return "s3://" + bucket + "/" + key, nil
}

// withPolicy returns function short as the Lambda service runs it: its first invocation is
// the cold start, which reads the policy object through lambdaenv.ReadPolicy with the stack's
// real S3 client (over HTTP, as the deployed function reads it) and builds the handler with
// that policy; later invocations reuse it. A failed cold start fails the invocation and the
// next one tries again, as a new execution environment would. Safe for concurrent use.
func (s *Stack) withPolicy(short topology.FunctionName, build func(*policy.Policy) lambda.Func) lambda.Func {
	var (
		mu sync.Mutex
		fn lambda.Func
	)
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		mu.Lock()
		if fn == nil {
			p, err := lambdaenv.ReadPolicy(ctx, s.clientsFor(short).S3, s.Env(short)[topology.EnvPolicyObject], s.env)
			if err != nil {
				mu.Unlock()
				return nil, fmt.Errorf("init %s: %w", short, err)
			}
			fn = build(p)
		}
		h := fn
		mu.Unlock()
		return h(ctx, payload)
	}
}

// resolveImageKeys returns images keyed by the references resolved for env, as the stack's
// policy names them (a mapping written with placeholders matches its resolved image).
func resolveImageKeys(images map[string]Command, env topology.Env) (map[string]Command, error) {
	if images == nil {
		return nil, nil
	}
	out := make(map[string]Command, len(images))
	for image, c := range images {
		ref, err := topology.ResolveImage(image, env)
		if err != nil {
			return nil, err
		}
		out[ref] = c
	}
	return out, nil
}
