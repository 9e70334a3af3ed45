package stepfunctions

import (
	"context"

	"github.com/kiln-dev/kiln/internal/asl"
)

// mockLayer answers a Task of an execution started on "MACHINE_ARN#TestCase" from the mock
// file's test case, as Step Functions Local does; other executions' tasks go to the real
// integrations.
func (s *Service) mockLayer(ctx context.Context, req *asl.TaskRequest) (any, error, bool) {
	v, ok := s.tests.Load(req.ExecutionARN)
	if !ok {
		return nil, nil, false
	}
	layer := v.(func(context.Context, *asl.TaskRequest) (any, error, bool))
	return layer(ctx, req)
}
