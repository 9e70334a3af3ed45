package lambdaenv

import (
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/kiln-dev/kiln/internal/policy"
)

// Deps are what a handler package's one constructor (New) builds its handler from: the
// function's environment variables (the ones the topology lists for it), the AWS
// configuration its clients are made with, and its policy, clock and logger. A function's
// main fills them from the runtime ([Env.Deps]); kiln local fills them with the local
// stack's values, so both run the same constructor.
type Deps struct {
	// Getenv returns the environment variable name ("" when unset).
	Getenv func(name string) string
	// AWS is the configuration every client is made from.
	AWS aws.Config
	// PathStyleS3 addresses S3 path-style (see [PathStyleS3]).
	PathStyleS3 bool
	// Policy is the release policy; nil for a function that does not read it.
	Policy *policy.Policy
	// Clock returns the current time.
	Clock func() time.Time
	// Log is the function's logger.
	Log *slog.Logger
}

// Deps returns the dependencies of a deployed function: the process environment, e's
// configuration and logger, the wall clock, and the policy p (nil when the function reads
// none; pass [Env.Policy] otherwise).
func (e Env) Deps(p *policy.Policy) Deps {
	return Deps{Getenv: os.Getenv, AWS: e.AWS, PathStyleS3: PathStyleS3(), Policy: p, Clock: time.Now, Log: e.Log}
}

// S3 returns an S3 client from d's configuration, path-style when d says so.
func (d Deps) S3() *s3.Client {
	return s3.NewFromConfig(d.AWS, func(o *s3.Options) { o.UsePathStyle = d.PathStyleS3 })
}

// FromMap returns a Getenv over vars, the environment kiln local gives a function.
func FromMap(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}
