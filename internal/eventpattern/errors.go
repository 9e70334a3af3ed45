package eventpattern

import "fmt"

// PatternError reports why an event pattern is not valid and where: Path is the dotted JSON
// path of the offending field inside the pattern ("detail.state", "$or[1].source"), empty for
// a problem with the whole pattern.
type PatternError struct {
	Path   string
	Reason string
}

// Error returns the problem in the shape "event pattern is not valid: at PATH: REASON".
func (e *PatternError) Error() string {
	if e.Path == "" {
		return "event pattern is not valid: " + e.Reason
	}
	return fmt.Sprintf("event pattern is not valid: at %s: %s", e.Path, e.Reason)
}

// EventError reports that an event is not a JSON object this package can match.
type EventError struct {
	Offset int
	Reason string
}

// Error returns the problem in the shape "event is not valid JSON at byte N: REASON".
func (e *EventError) Error() string {
	return fmt.Sprintf("event is not valid JSON at byte %d: %s", e.Offset, e.Reason)
}
