// Command approval is the approval Lambda: it wires the handler in internal/handlers/approval
// to the AWS SDK and the Lambda runtime.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	h := &approval.Handler{
		S3:     s3.NewFromConfig(env.AWS, func(o *s3.Options) { o.UsePathStyle = lambdaenv.PathStyleS3() }),
		Bucket: os.Getenv(topology.EnvArtifactsBucket),
		SFN:    sfn.NewFromConfig(env.AWS),
		Clock:  time.Now,
		Log:    env.Log,
	}
	lambda.Start(h.Handle)
}
