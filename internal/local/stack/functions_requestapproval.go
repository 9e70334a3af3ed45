package stack

import (
	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/local/lambda"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// registerRequestApproval registers the request-approval function with its real handler.
func (s *Stack) registerRequestApproval(*policy.Policy) error {
	env := s.Env("request-approval")
	c := s.clientsFor("request-approval")
	h := &requestapproval.Handler{S3: c.S3, Bucket: env[topology.EnvArtifactsBucket],
		SNS: c.SNS, TopicARN: env[topology.EnvTopicARN], SageMaker: c.SageMaker,
		Clock: s.clock.Now, Log: s.functionLog("request-approval")}
	s.lambdas.Register("request-approval", lambda.Handler(h.Handle))
	return nil
}
