// Package stepfunctions is the local stack's Step Functions: the state machines of the
// topology run on kiln's ASL engine (internal/asl), behind the Step Functions API (JSON 1.0,
// X-Amz-Target: AWSStepFunctions.<Op>, camelCase members, timestamps as epoch seconds).
//
// Operations: ListStateMachines, DescribeStateMachine, DescribeStateMachineForExecution,
// StartExecution (idempotent by name and input while the execution runs, as on AWS),
// DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution, SendTaskSuccess,
// SendTaskFailure and SendTaskHeartbeat. Any other gets UnknownOperationException naming it.
//
// Task resources are wired to the other local services: Lambda (lambda:invoke, also
// .waitForTaskToken, and bare function ARNs), the SageMaker stand-in (sagemaker:* including
// createTrainingJob.sync, and aws-sdk:sagemaker:*), the local S3 (aws-sdk:s3:putObject and
// getObject), SNS (sns:publish) and nested executions (states:startExecution, .sync, .sync:2).
//
// Executions, their history, their latest checkpoint and the task tokens they wait on live in
// the stack's bbolt database (buckets sfn.*). When the process stops while an execution runs,
// the execution stays RUNNING; the next [Open] resumes it from its checkpoint, so an execution
// waiting for an approval token survives a restart and finishes when the token is sent.
//
// A Service is safe for concurrent use.
package stepfunctions
