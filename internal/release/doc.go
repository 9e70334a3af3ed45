// Package release changes what a stage serves after the fact: it rolls a stage back to an
// earlier Approved release through the deploy workflow (so the stage's traffic shifting,
// baking and rollback alarms apply), and it withdraws a rejected model package: it stops a
// deployment of the package still in flight, rolls the stage back when the package is live,
// and takes the endpoint out of service when no earlier release exists. Every change is
// recorded in the endpoint's deployment history (deployments/<endpoint>/history/) with who
// asked for it and why, and announced on the stage's topic.
//
// One Releaser serves one stage. Its dependencies are fields (small interfaces with the AWS
// SDK's signatures); it holds no mutable state and is safe for concurrent use. Every
// operation is idempotent: a repeat finds the work done or started and changes nothing.
package release
