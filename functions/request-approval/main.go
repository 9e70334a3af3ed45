// Command request-approval is the request-approval Lambda: it wires the handler in
// internal/handlers/requestapproval to the AWS SDK and the Lambda runtime.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	log := lambdacontext.NewLogger()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load aws config", "error", err)
		os.Exit(1)
	}
	local := os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_S3") != ""
	h := &requestapproval.Handler{
		S3:        s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
		Bucket:    os.Getenv(topology.EnvArtifactsBucket),
		SNS:       sns.NewFromConfig(cfg),
		TopicARN:  os.Getenv(topology.EnvTopicARN),
		SageMaker: sagemaker.NewFromConfig(cfg),
		Clock:     time.Now,
		Log:       log,
	}
	lambda.Start(h.Handle)
}
