// Package console is kiln's web console, served by `kiln local` at /console/: the executions
// of every workflow, each execution's state machine drawn as a graph and coloured by what
// happened, the model registry with approve and reject, the endpoints' traffic, deployments and
// drift, and the retraining governor's recent decisions.
//
// The console reads nothing from kiln's database. A small Go backend under /console/api/
// calls the stack's own AWS endpoint with the real aws-sdk-go-v2 clients (Step Functions,
// SageMaker, CloudWatch, CloudWatch Logs) and shapes the answers for the pages, so pointing
// the same clients at an AWS account would show that account. The pages themselves are
// static files embedded in the binary ([Assets]); the JavaScript bundle (web/dist/console.js)
// is built from web/src by esbuild with the @dagrejs/dagre layout library, both pinned in
// package.json, and committed; TestBundleIsReproducible rebuilds it and compares.
//
// A [Handler] is safe for concurrent use.
package console
