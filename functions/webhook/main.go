// Command webhook is the webhook Lambda behind a function URL: it wires the handler in
// internal/handlers/webhook to the AWS SDK and the Lambda runtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	h := &webhook.Handler{
		Secrets:   secretsmanager.NewFromConfig(env.AWS),
		SecretARN: os.Getenv(topology.EnvWebhookSecretARN),
		S3:        s3.NewFromConfig(env.AWS, func(o *s3.Options) { o.UsePathStyle = lambdaenv.PathStyleS3() }),
		Bucket:    os.Getenv(topology.EnvArtifactsBucket),
		Events:    eventbridge.NewFromConfig(env.AWS),
		BusName:   os.Getenv(topology.EnvBusName),
		Clock:     time.Now,
		Log:       env.Log,
	}
	lambda.Start(h.Handle)
}
