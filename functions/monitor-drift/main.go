// Command monitor-drift is the drift job's Lambda: it wires the handler in
// internal/handlers/monitordrift to the AWS SDK and the Lambda runtime.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Load()
	lambda.Start(monitordrift.New(env.Deps(nil)).Handle)
}
