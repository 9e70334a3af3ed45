package stepfunctions

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxRequestBody bounds a request body: a 256 KiB input or output, JSON-escaped, and framing.
const maxRequestBody = 1 << 20

// MaxPayload is Step Functions' limit on an execution's input and a task's output: 262,144
// bytes of UTF-8.
const MaxPayload = 262144

// member describes one request member's type and constraints, as the Step Functions API
// reference lists them.
type member struct {
	kind string // "string", "integer", "boolean", "array" or "object"
	// arn, for an ARN member, is the resource type it must name ("stateMachine",
	// "execution"); required members must be present.
	arn      string
	required bool
	// maxLen bounds a string's length in UTF-8 bytes (0: unchecked here).
	maxLen int
	// min and max bound an integer.
	min, max float64
}

// requests lists, per operation, the members kiln's Step Functions reads.
var requests = map[string]map[string]member{
	"DescribeStateMachine":             {"stateMachineArn": {kind: "string", arn: "stateMachine", required: true}},
	"DescribeStateMachineForExecution": {"executionArn": {kind: "string", arn: "execution", required: true}},
	"StartExecution": {
		"stateMachineArn": {kind: "string", arn: "stateMachine", required: true},
		"name":            {kind: "string"},
		"input":           {kind: "string", maxLen: MaxPayload},
		"traceHeader":     {kind: "string", maxLen: 256},
	},
	"DescribeExecution": {"executionArn": {kind: "string", arn: "execution", required: true}},
	"ListExecutions": {
		"stateMachineArn": {kind: "string", arn: "stateMachine", required: true},
		"statusFilter":    {kind: "string"},
		"redriveFilter":   {kind: "string"},
		"maxResults":      {kind: "integer", min: 0, max: 1000},
		"nextToken":       {kind: "string", maxLen: 1024},
	},
	"ListStateMachines": {
		"maxResults": {kind: "integer", min: 0, max: 1000},
		"nextToken":  {kind: "string", maxLen: 1024},
	},
	"GetExecutionHistory": {
		"executionArn":         {kind: "string", arn: "execution", required: true},
		"maxResults":           {kind: "integer", min: 0, max: 1000},
		"nextToken":            {kind: "string", maxLen: 1024},
		"reverseOrder":         {kind: "boolean"},
		"includeExecutionData": {kind: "boolean"},
	},
	"StopExecution": {
		"executionArn": {kind: "string", arn: "execution", required: true},
		"error":        {kind: "string", maxLen: 256},
		"cause":        {kind: "string", maxLen: 32768},
	},
	"SendTaskSuccess": {
		"taskToken": {kind: "string", required: true, maxLen: 2048},
		"output":    {kind: "string", required: true, maxLen: MaxPayload},
	},
	"SendTaskFailure": {
		"taskToken": {kind: "string", required: true, maxLen: 2048},
		"error":     {kind: "string", maxLen: 256},
		"cause":     {kind: "string", maxLen: 32768},
	},
	"SendTaskHeartbeat": {"taskToken": {kind: "string", required: true, maxLen: 2048}},
}

// checkRequest answers as Step Functions does when a member has the wrong JSON type
// (SerializationException), breaks a constraint (ValidationException, in AWS's "1 validation
// error detected" wording) or is not an ARN of the right kind (InvalidArn). An operation it
// does not list is left to the operation.
func checkRequest(op string, in map[string]any) error {
	spec, ok := requests[op]
	if !ok {
		spec = operations[op].members
	}
	for name, m := range spec {
		v, present := in[name]
		if !present || v == nil {
			if m.required {
				return apiErr("ValidationException", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", name)
			}
			continue
		}
		switch m.kind {
		case "string":
			str, ok := v.(string)
			if !ok {
				return apiErr("SerializationException", "the member %s must be a string, not %s", name, jsonKind(v))
			}
			if m.maxLen > 0 && len(str) > m.maxLen {
				return apiErr("ValidationException", "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", name, m.maxLen)
			}
			if m.arn != "" {
				if err := checkARN(str, m.arn); err != nil {
					return err
				}
			}
		case "integer":
			f, ok := v.(float64)
			if !ok || f != math.Trunc(f) {
				return apiErr("SerializationException", "the member %s must be an integer, not %s", name, jsonKind(v))
			}
			if f < m.min {
				return apiErr("ValidationException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have value greater than or equal to %v", f, name, m.min)
			}
			if f > m.max {
				return apiErr("ValidationException", "1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have value less than or equal to %v", f, name, m.max)
			}
		case "boolean", "array", "object":
			if want := kindOf(m.kind); jsonKind(v) != want {
				return apiErr("SerializationException", "the member %s must be %s, not %s", name, want, jsonKind(v))
			}
		}
	}
	return nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// checkARN returns InvalidArn unless arn is arn:PARTITION:states:REGION:ACCOUNT:KIND:NAME
// (an execution: KIND execution, then the state machine's name and the execution's).
func checkARN(arn, kind string) error {
	parts := strings.Split(arn, ":")
	want := 7
	if kind == "execution" || kind == "stateMachine" && len(parts) == 8 {
		want = 8 // an execution, or a state machine's version or alias
	}
	ok := len(parts) == want && parts[0] == "arn" && parts[1] != "" && parts[2] == "states" && parts[3] != "" &&
		len(parts[4]) == 12 && strings.Trim(parts[4], "0123456789") == "" && parts[5] == kind
	for _, p := range parts[min(6, len(parts)):] {
		ok = ok && p != ""
	}
	if !ok {
		return apiErr("InvalidArn", "Invalid Arn: '%s' is not a %s ARN (arn:aws:states:REGION:ACCOUNT:%s)", arn, kind, arnShape(kind))
	}
	return nil
}

func arnShape(kind string) string {
	if kind == "execution" {
		return "execution:STATE_MACHINE:NAME"
	}
	return kind + ":NAME"
}

// validName reports whether name is a valid execution name: 1-80 characters, no white
// space, none of < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : /, and no control characters
// (U+0000-001F, U+007F-009F), as the StartExecution reference lists them.
func validName(name string) bool {
	if name == "" || utf8.RuneCountInString(name) > 80 || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if r <= 0x20 || r >= 0x7f && r <= 0x9f || unicode.IsSpace(r) || strings.ContainsRune(`<>{}[]?*"#%\^|~`+"`$&,;:/", r) {
			return false
		}
	}
	return true
}

// kindOf returns how jsonKind names a value of the member kind k.
func kindOf(k string) string {
	switch k {
	case "boolean":
		return "a boolean"
	case "array":
		return "an array"
	}
	return "an object"
}
