// Command trigger is the trigger Lambda (the retraining governor): it wires the handler in
// internal/handlers/trigger to the AWS SDK and the Lambda runtime.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Load()
	lambda.Start(trigger.New(env.Deps(env.Policy())).Handle)
}
