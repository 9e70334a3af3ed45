package stack

import (
	"net/http"

	"github.com/kiln-dev/kiln/internal/local/lambda"
	"github.com/kiln-dev/kiln/internal/local/scheduler"
	"github.com/kiln-dev/kiln/internal/topology"
)

// lambdaAPI serves Lambda's API over the stack's in-process functions, each described with
// the environment and log group it runs with.
func (s *Stack) lambdaAPI() http.Handler {
	return &lambda.API{Registry: s.lambdas, Env: s.Env, LogGroup: s.LogGroup, Started: s.opened, Since: s.functionLogSince}
}

// schedulerAPI serves EventBridge Scheduler's read operations over the stack's schedules.
func (s *Stack) schedulerAPI() http.Handler {
	return &scheduler.API{Source: s.schedules, Env: s.env, Created: s.opened}
}

// functionLogSince gives the Lambda API the lines function short logs from now on.
func (s *Stack) functionLogSince(short topology.FunctionName) func() string {
	return s.logs.Since(s.LogGroup(short))
}
