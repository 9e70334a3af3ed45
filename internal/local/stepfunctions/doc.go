// Package stepfunctions is the local stack's Step Functions: state machines run on kiln's ASL engine (internal/asl), behind the Step Functions API (JSON 1.0,
// X-Amz-Target: AWSStepFunctions.<Op>, camelCase members, timestamps as epoch seconds).
//
// Operations: ListStateMachines, DescribeStateMachine, DescribeStateMachineForExecution,
// StartExecution (idempotent by name and input while the execution runs, as on AWS),
// DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution, SendTaskSuccess,
// SendTaskFailure and SendTaskHeartbeat; for state machines of one's own
// Create/Update/DeleteStateMachine (persisted; STANDARD or EXPRESS), PublishStateMachineVersion,
// ListStateMachineVersions, DeleteStateMachineVersion, Create/Describe/Update/Delete/
// ListStateMachineAliases (executions start on version and alias ARNs, aliases route by
// weight), ValidateStateMachineDefinition, TestState, StartSyncExecution (EXPRESS) and
// RedriveExecution. Any other gets UnknownOperationException naming it. The built-in machines
// ([Options.Machines]: the stack provisions kiln's workflows there) are read-only over the API.
//
// StartSyncExecution and TestState are served on the same endpoint: SDKs prefix their host
// with "sync-", which a loopback endpoint cannot answer to, so disable the prefix
// (botocore: AWS_DISABLE_HOST_PREFIX_INJECTION=true; Go: smithyhttp.DisableEndpointHostPrefix).
//
// With [Options.Mocks] (kiln local --sfn-mocks FILE), StartExecution on "ARN#TestCase" answers
// the Task states from that test case of the Step Functions Local mock file.
//
// RedriveExecution continues a FAILED, TIMED_OUT or ABORTED execution from the checkpoint its
// unsuccessful top-level state took (the checkpoint of an unsuccessful execution is kept for
// it); of a Map or Parallel state only the iterations and branches that did not succeed run
// again, as on AWS.
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
