// Package arn builds the Step Functions ARNs kiln derives rather than reads: an execution's
// ARN from its state machine's. It is pure and safe for concurrent use.
package arn

import "strings"

// Execution returns the ARN of execution name of the state machine stateMachineARN:
// arn:P:states:R:A:stateMachine:M becomes arn:P:states:R:A:execution:M:name, as Step
// Functions names a standard workflow's executions. Name "*" gives the IAM resource pattern
// of all of them. An ARN that is not a state machine's is returned with ":name" appended.
func Execution(stateMachineARN, name string) string {
	return strings.Replace(stateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}
