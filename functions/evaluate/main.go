// Command evaluate is the evaluate Lambda: it wires the handler in internal/handlers/evaluate
// to the AWS SDK and the Lambda runtime.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kiln-dev/kiln/internal/handlers/evaluate"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
)

func main() {
	env := lambdaenv.Load()
	lambda.Start(evaluate.New(env.Deps(env.Policy())).Handle)
}
