// Command approval is the approval Lambda: it wires the handler in internal/handlers/approval
// (and the release operations it uses to take a rejected model back) to the AWS SDK and the
// Lambda runtime.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/release"
)

func main() {
	env := lambdaenv.Load()
	d := env.Deps(env.Policy())
	lambda.Start(approval.New(d, release.New(d)).Handle)
}
