package stepfunctions

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/kiln-dev/kiln/internal/asl"
)

// maxDiagnostics is ValidateStateMachineDefinition's default maxResults.
const maxDiagnostics = 100

// pathIndex matches an array index in an engine path ("Retry[0]").
var pathIndex = regexp.MustCompile(`\[(\d+)\]`)

// location turns the engine's path of a problem ("States.Train.Retry[0].BackoffRate") into
// the JSON pointer Step Functions reports ("/States/Train/Retry/0/BackoffRate").
func location(path string) string {
	if path == "" {
		return ""
	}
	return "/" + strings.ReplaceAll(pathIndex.ReplaceAllString(path, ".$1"), ".", "/")
}

// diagnosticCode names a problem as Step Functions' diagnostics do.
func diagnosticCode(msg string) string {
	switch {
	case strings.Contains(msg, "not valid JSON"):
		return "INVALID_JSON_DESCRIPTION"
	case strings.Contains(msg, "Express state machine"):
		return "SCHEMA_VALIDATION_FAILED"
	case strings.Contains(msg, "not a state") || strings.Contains(msg, "no state named") || strings.Contains(msg, "does not exist"):
		return "MISSING_TRANSITION_TARGET"
	case strings.Contains(msg, "unreachable") || strings.Contains(msg, "not reachable"):
		return "UNREACHABLE_STATE"
	}
	return "SCHEMA_VALIDATION_FAILED"
}

// validateDefinition is ValidateStateMachineDefinition: result OK or FAIL and one diagnostic
// {severity, code, message, location} a problem, at most maxResults (truncated says so). The
// engine reports errors only, so severity WARNING filters nothing out.
func (s *Service) validateDefinition(_ context.Context, in map[string]any) (any, error) {
	typ, err := checkType(str(in, "type"))
	if err != nil {
		return nil, err
	}
	switch str(in, "severity") {
	case "", "ERROR", "WARNING":
	default:
		return nil, apiErr("ValidationException", "1 validation error detected: Value '%s' at 'severity' failed to satisfy constraint: Member must satisfy enum value set: [ERROR, WARNING]", str(in, "severity"))
	}
	limit := maxDiagnostics
	if v, ok := in["maxResults"].(float64); ok && v > 0 {
		limit = int(v)
	}
	def := []byte(str(in, "definition"))
	var problems asl.ValidationErrors
	if _, err := asl.Parse(def); err != nil && !errors.As(err, &problems) {
		problems = asl.ValidationErrors{{Message: err.Error()}}
	}
	if typ == TypeExpress {
		for _, p := range expressProblems(def) {
			path, msg, _ := strings.Cut(p, ": ")
			problems = append(problems, asl.ValidationError{Path: strings.ReplaceAll(strings.TrimPrefix(path, "/"), "/", "."), Message: msg})
		}
	}
	diags := make([]any, 0, min(len(problems), limit))
	for i, p := range problems {
		if i == limit {
			break
		}
		d := map[string]any{"severity": "ERROR", "code": diagnosticCode(p.Message), "message": p.Message}
		if loc := location(p.Path); loc != "" {
			d["location"] = loc
		}
		diags = append(diags, d)
	}
	result := "OK"
	if len(problems) > 0 {
		result = "FAIL"
	}
	return map[string]any{"result": result, "diagnostics": diags, "truncated": len(problems) > limit}, nil
}
