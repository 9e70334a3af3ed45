// Command webhook is the webhook Lambda behind a function URL: it wires the handler in
// internal/handlers/webhook to the AWS SDK and the Lambda runtime.
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kiln-dev/kiln/internal/handlers/webhook"
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
	h := &webhook.Handler{
		Secrets:   secretsmanager.NewFromConfig(cfg),
		SecretARN: os.Getenv(topology.EnvWebhookSecretARN),
		S3:        s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
		Bucket:    os.Getenv(topology.EnvArtifactsBucket),
		Events:    eventbridge.NewFromConfig(cfg),
		BusName:   os.Getenv(topology.EnvBusName),
		Clock:     time.Now,
		Log:       log,
	}
	lambda.Start(h.Handle)
}
