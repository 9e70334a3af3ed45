// Command evaluate is the evaluate Lambda: it wires the handler in internal/handlers/evaluate
// to the AWS SDK and the Lambda runtime.
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"

	"github.com/kiln-dev/kiln/internal/handlers/evaluate"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	objects := s3.NewFromConfig(env.AWS, func(o *s3.Options) { o.UsePathStyle = lambdaenv.PathStyleS3() })
	h := &evaluate.Handler{
		S3:        objects,
		List:      objects,
		Bucket:    os.Getenv(topology.EnvArtifactsBucket),
		SageMaker: sagemaker.NewFromConfig(env.AWS),
		Policy:    env.Policy(),
		Stage:     os.Getenv(topology.EnvStage),
		Log:       env.Log,
	}
	lambda.Start(h.Handle)
}
