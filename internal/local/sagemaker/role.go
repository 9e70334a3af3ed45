package sagemaker

import "context"

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
