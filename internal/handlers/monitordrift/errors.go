package monitordrift

// InvalidInputError says the job's event cannot be used; Reason names the problem.
type InvalidInputError struct {
	Reason string
}

// Error gives the reason.
func (e *InvalidInputError) Error() string { return "invalid drift job input: " + e.Reason }

// ErrorName returns "InvalidInputError".
func (e *InvalidInputError) ErrorName() string { return "InvalidInputError" }
