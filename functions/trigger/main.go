// Command trigger is the trigger Lambda (the retraining governor): it wires the handler in
// internal/handlers/trigger to the AWS SDK and the Lambda runtime.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	log := lambdacontext.NewLogger()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load aws config", "error", err)
		os.Exit(1)
	}
	pol, err := policy.Load()
	if err != nil {
		log.Error("load policy", "error", err)
		os.Exit(1)
	}
	h := &trigger.Handler{
		SFN:         sfn.NewFromConfig(cfg),
		PipelineARN: os.Getenv(topology.EnvPipelineARN),
		Stage:       os.Getenv(topology.EnvStage),
		Bucket:      os.Getenv(topology.EnvArtifactsBucket),
		Policy:      pol,
		Clock:       time.Now,
		Log:         log,
	}
	lambda.Start(h.Handle)
}
