// Command trigger is the trigger Lambda (the retraining governor): it wires the handler in
// internal/handlers/trigger to the AWS SDK and the Lambda runtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	h := &trigger.Handler{
		SFN:         sfn.NewFromConfig(env.AWS),
		PipelineARN: os.Getenv(topology.EnvPipelineARN),
		Stage:       os.Getenv(topology.EnvStage),
		Bucket:      os.Getenv(topology.EnvArtifactsBucket),
		Policy:      env.Policy(),
		Clock:       time.Now,
		Log:         env.Log,
	}
	lambda.Start(h.Handle)
}
