package sagemaker

import (
	"context"
	"fmt"
	"strings"
)

// roleKey carries the execution role of the job or model on whose behalf the stand-in reads
// or writes through Blobs (the authorization hook: kiln local evaluates those calls under it).
type roleKey struct{}

// WithRole returns ctx carrying roleARN, the execution role SageMaker acts under.
func WithRole(ctx context.Context, roleARN string) context.Context {
	return context.WithValue(ctx, roleKey{}, roleARN)
}

// RoleFrom returns the execution role ctx carries, or "" when SageMaker acts for no job or
// model (its own bookkeeping).
func RoleFrom(ctx context.Context) string {
	r, _ := ctx.Value(roleKey{}).(string)
	return r
}

// modelRole returns the execution role of model modelName, or "". Callers hold s.mu.
func (s *Service) modelRole(modelName string) string {
	if m, ok := s.models[modelName]; ok {
		return m.ExecutionRoleArn
	}
	return ""
}

// Preflight checks, under the execution role its context carries (see RoleFrom), what
// SageMaker does on AWS before a training job or an endpoint's fleet starts. A non-nil error
// fails the job or the endpoint with it as the reason, as a denied pull fails them on AWS.
// Implementations must be safe for concurrent use.
type Preflight interface {
	// PullImage checks pulling image from its registry.
	PullImage(ctx context.Context, image string) error
	// WriteCapture checks writing captured data under uri (an s3:// URI ending in "/"),
	// encrypted with the KMS key kmsKey ("" for the bucket's default encryption).
	WriteCapture(ctx context.Context, uri, kmsKey string) error
}

// pullImage checks pulling image under role; nil without a Preflight.
func (s *Service) pullImage(ctx context.Context, role, image string) error {
	if s.cfg.Preflight == nil {
		return nil
	}
	if err := s.cfg.Preflight.PullImage(WithRole(ctx, role), image); err != nil {
		return fmt.Errorf("pull image %s: %w", image, err)
	}
	return nil
}

// preflightVariant checks, under the variant's model's execution role, pulling its image and,
// when config captures data, writing the captured data of the variant: Model Monitor writes
// DestinationS3Uri/ENDPOINT/VARIANT/yyyy/mm/dd/hh/… under that role. The capture check is
// made once per fleet, not per request; the evaluator's decision cache makes a repeat free.
func (s *Service) preflightVariant(ctx context.Context, endpoint string, cfg *endpointConfig, p variantPlan) error {
	if s.cfg.Preflight == nil {
		return nil
	}
	if err := s.pullImage(ctx, p.role, p.image); err != nil {
		return err
	}
	d := cfg.DataCaptureConfig
	if !d.Enabled() {
		return nil
	}
	uri := strings.TrimSuffix(d.DestinationS3Uri, "/") + "/" + endpoint + "/" + p.variant + "/"
	if err := s.cfg.Preflight.WriteCapture(WithRole(ctx, p.role), uri, d.KmsKeyID); err != nil {
		return fmt.Errorf("write captured data to %s: %w", uri, err)
	}
	return nil
}
