// Command webhook is the webhook Lambda behind a function URL: it wires the handler in
// internal/handlers/webhook to the AWS SDK and the Lambda runtime.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Load()
	lambda.Start(webhook.New(env.Deps(nil)).Handle)
}
