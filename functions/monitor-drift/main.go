// Command monitor-drift is the drift job's Lambda: it wires the handler in
// internal/handlers/monitordrift to the AWS SDK and the Lambda runtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	h := &monitordrift.Handler{
		S3:         s3.NewFromConfig(env.AWS, func(o *s3.Options) { o.UsePathStyle = lambdaenv.PathStyleS3() }),
		CloudWatch: cloudwatch.NewFromConfig(env.AWS),
		Bucket:     os.Getenv(topology.EnvArtifactsBucket),
		Clock:      time.Now,
		Log:        env.Log,
		Events:     &opsevents.Publisher{Events: eventbridge.NewFromConfig(env.AWS), Bus: os.Getenv(topology.EnvBusName)},
	}
	lambda.Start(h.Handle)
}
