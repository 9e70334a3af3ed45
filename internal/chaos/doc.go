// Package chaos holds kiln's fault-injection test: it builds the real kiln binary, runs
// `kiln local` as a real process on a state folder of its own, drives the release loop
// (push → training → approval → canary → bake) through the AWS SDK, stops the process
// with SIGKILL in each phase, starts it again on the same folder and checks that nothing
// was lost, stuck, misreported or left running. It is slow (minutes) and runs with
// `make chaos` (KILN_CHAOS=1); `go test ./...` skips it.
package chaos
