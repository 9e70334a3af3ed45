package asl

import (
	"strings"
	"time"
)

// Event is one history event, shaped like an entry of GetExecutionHistory. Which detail fields
// apply depends on Type; the values Input, Output and Parameters are JSON values shared with the
// engine (never mutate them). MarshalJSON writes the AWS wire shape.
type Event struct {
	ID              int64     `json:"id"`
	PreviousEventID int64     `json:"previousEventId"`
	Timestamp       time.Time `json:"timestamp"`
	Type            string    `json:"type"`

	// Name is the state name (StateEntered/Exited, MapIteration*, MapStateStarted...).
	Name string
	// Index is the Map iteration index (MapIteration* events).
	Index int
	// Length is the number of Map items (MapStateStarted).
	Length int
	// Input is the state or execution input; Output the state, task or execution output.
	Input, Output any
	// HasInput / HasOutput tell a null Input/Output from an absent one.
	HasInput, HasOutput bool
	// Error and Cause describe a failure.
	Error, Cause string
	// Resource and ResourceType name a task's resource ("lambda", "invoke" for lambda:invoke).
	Resource, ResourceType string
	// Parameters are a scheduled task's effective parameters.
	Parameters any
	// TimeoutSeconds and HeartbeatSeconds are a scheduled task's limits (0: none).
	TimeoutSeconds, HeartbeatSeconds int64
	// RoleARN is reported in ExecutionStarted.
	RoleARN string
	// Region is a scheduled task's region (TaskScheduled).
	Region string
	// AssignedVariables are the variables a state assigned (StateExited), by name.
	AssignedVariables map[string]any
	// RedriveCount is the execution's redrive count (ExecutionRedriven).
	RedriveCount int

	// depth is 0 for events of the top-level thread, 1 inside a branch or iteration, ...
	depth int
}

// Nested reports whether the event comes from inside a Parallel branch or Map iteration.
func (e Event) Nested() bool { return e.depth > 0 }

// detailsName maps an event type to the name of its details member in GetExecutionHistory.
func detailsName(t string) string {
	switch {
	case strings.HasSuffix(t, "StateEntered"):
		return "stateEnteredEventDetails"
	case strings.HasSuffix(t, "StateExited"):
		return "stateExitedEventDetails"
	case t == "MapStateStarted":
		return "mapStateStartedEventDetails"
	case strings.HasPrefix(t, "MapIteration"):
		return "mapIteration" + strings.TrimPrefix(t, "MapIteration") + "EventDetails"
	}
	if t == "" {
		return ""
	}
	return strings.ToLower(t[:1]) + t[1:] + "EventDetails"
}

// jsonText returns v as compact JSON text, as history details carry it.
func jsonText(v any) string {
	b, err := marshalJSON(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

// MarshalJSON writes the event as GetExecutionHistory does: id, previousEventId, timestamp (epoch
// seconds with milliseconds), type, and the type's details member with input and output as
// JSON text.
func (e Event) MarshalJSON() ([]byte, error) {
	d := map[string]any{}
	if e.Name != "" {
		d["name"] = e.Name
	}
	switch {
	case strings.HasPrefix(e.Type, "MapIteration"):
		d["index"] = e.Index
	case e.Type == "MapStateStarted":
		d["length"] = e.Length
	}
	if e.HasInput {
		d["input"] = jsonText(e.Input)
		d["inputDetails"] = map[string]any{"truncated": false}
	}
	if e.HasOutput {
		d["output"] = jsonText(e.Output)
		d["outputDetails"] = map[string]any{"truncated": false}
	}
	if e.Error != "" {
		d["error"] = e.Error
	}
	if e.Cause != "" {
		d["cause"] = e.Cause
	}
	if e.Resource != "" {
		d["resource"] = e.Resource
		d["resourceType"] = e.ResourceType
	}
	if e.Parameters != nil {
		d["parameters"] = jsonText(e.Parameters)
	}
	if e.TimeoutSeconds > 0 {
		d["timeoutInSeconds"] = e.TimeoutSeconds
	}
	if e.HeartbeatSeconds > 0 {
		d["heartbeatInSeconds"] = e.HeartbeatSeconds
	}
	if e.Type == "ExecutionRedriven" {
		d["redriveCount"] = e.RedriveCount
	}
	if e.Region != "" {
		d["region"] = e.Region
	}
	if e.RoleARN != "" {
		d["roleArn"] = e.RoleARN
	}
	if len(e.AssignedVariables) > 0 {
		av := map[string]string{}
		for k, v := range e.AssignedVariables {
			av[k] = jsonText(v)
		}
		d["assignedVariables"] = av
		d["assignedVariablesDetails"] = map[string]any{"truncated": false}
	}
	out := map[string]any{
		"id":        e.ID,
		"timestamp": float64(e.Timestamp.UnixMilli()) / 1000,
		"type":      e.Type,
	}
	if e.PreviousEventID > 0 {
		out["previousEventId"] = e.PreviousEventID
	} else {
		out["previousEventId"] = 0
	}
	if len(d) > 0 {
		out[detailsName(e.Type)] = d
	}
	return marshalJSON(out)
}
