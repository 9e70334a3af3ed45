// Command request-approval is the request-approval Lambda: it wires the handler in
// internal/handlers/requestapproval to the AWS SDK and the Lambda runtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	h := &requestapproval.Handler{
		S3:        s3.NewFromConfig(env.AWS, func(o *s3.Options) { o.UsePathStyle = lambdaenv.PathStyleS3() }),
		Bucket:    os.Getenv(topology.EnvArtifactsBucket),
		SNS:       sns.NewFromConfig(env.AWS),
		TopicARN:  os.Getenv(topology.EnvTopicARN),
		SageMaker: sagemaker.NewFromConfig(env.AWS),
		Clock:     time.Now,
		Log:       env.Log,
	}
	lambda.Start(h.Handle)
}
