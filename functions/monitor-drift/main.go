// Command monitor-drift is the drift job's Lambda: it only wires the monitordrift handler to
// real AWS clients. Environment: KILN_ARTIFACTS_BUCKET (the artifacts bucket); AWS_ENDPOINT_URL
// points the clients at kiln local (S3 then uses path-style addressing).
package main

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	log := lambdacontext.NewLogger()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error("load aws config", "err", err)
		os.Exit(1)
	}
	h := &monitordrift.Handler{
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = os.Getenv("AWS_ENDPOINT_URL") != ""
		}),
		CloudWatch: cloudwatch.NewFromConfig(cfg),
		Clock:      time.Now,
		Log:        log,
		Bucket:     os.Getenv(topology.EnvArtifactsBucket),
	}
	lambda.Start(h.Handle)
}
