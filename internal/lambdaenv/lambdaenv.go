// Package lambdaenv is what every kiln Lambda's main needs before it builds its handler: the
// runtime's logger, the AWS configuration, the release policy (read once per cold start from
// the S3 object the stack writes), and the rule for S3 addressing against a local endpoint.
// The only service client it imports is S3's, for the policy object. A failure here happens at
// cold start: it is logged once and the process exits, which the Lambda service reports as an
// init error.
package lambdaenv

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/kiln-dev/kiln/internal/policy"
)

// Env is a function's start-up environment.
type Env struct {
	// Log is the Lambda runtime's structured logger (JSON, with the request id).
	Log *slog.Logger
	// AWS is the SDK configuration from the environment (AWS_ENDPOINT_URL included).
	AWS aws.Config
}

// exit is os.Exit, replaced in tests.
var exit = os.Exit

// Load returns the logger and the AWS configuration, or logs why not and exits.
func Load() Env {
	log := lambdacontext.NewLogger()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load aws config", "error", err)
		exit(1)
	}
	return Env{Log: log, AWS: cfg}
}

// Policy returns the release policy, read once at cold start from the policy object
// (KILN_POLICY_OBJECT, see [ReadPolicy]) with its images resolved for the function's account
// and region, or logs why not and exits. Call it once, in main.
func (e Env) Policy() *policy.Policy {
	p, err := e.loadPolicy(context.Background())
	if err != nil {
		e.Log.Error("load policy", "error", err)
		exit(1)
	}
	return p
}

// PathStyleS3 reports whether S3 must be addressed path-style: true when an endpoint override
// (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_S3) points the SDK at kiln local, whose S3 serves
// every bucket on one host. Use it as s3.NewFromConfig(cfg, func(o *s3.Options) {
// o.UsePathStyle = lambdaenv.PathStyleS3() }).
func PathStyleS3() bool {
	return os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
}
