package monitordrift

import "fmt"

// NoDeploymentError says the endpoint has no deployment record, so there is no baseline to
// compare with: the endpoint was never deployed by kiln, or its record was removed.
type NoDeploymentError struct {
	EndpointName, Bucket, Key string
}

// Error names the endpoint and the missing object.
func (e *NoDeploymentError) Error() string {
	return fmt.Sprintf("no deployment record for endpoint %s: s3://%s/%s does not exist", e.EndpointName, e.Bucket, e.Key)
}

// ErrorName returns "NoDeploymentError", the name Retry and Catch match.
func (e *NoDeploymentError) ErrorName() string { return "NoDeploymentError" }

// InvalidInputError says the job's event cannot be used; Reason names the problem.
type InvalidInputError struct {
	Reason string
}

// Error gives the reason.
func (e *InvalidInputError) Error() string { return "invalid drift job input: " + e.Reason }

// ErrorName returns "InvalidInputError".
func (e *InvalidInputError) ErrorName() string { return "InvalidInputError" }
