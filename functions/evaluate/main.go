// Command evaluate is the evaluate Lambda: it wires the handler in internal/handlers/evaluate
// to the AWS SDK and the Lambda runtime.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/kiln-dev/kiln/internal/handlers/evaluate"
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
	local := os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	h := &evaluate.Handler{
		S3:        s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
		Bucket:    os.Getenv(topology.EnvArtifactsBucket),
		SageMaker: sagemaker.NewFromConfig(cfg),
		Policy:    pol,
		Stage:     os.Getenv(topology.EnvStage),
		Log:       log,
	}
	lambda.Start(h.Handle)
}
