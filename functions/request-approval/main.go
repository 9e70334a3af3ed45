// Command request-approval is the request-approval Lambda: it wires the handler in
// internal/handlers/requestapproval to the AWS SDK and the Lambda runtime.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Load()
	lambda.Start(requestapproval.New(env.Deps(nil)).Handle)
}
