// Package awsevent is how kiln local's stand-ins send the events AWS services send to
// EventBridge on their own (source aws.*): CloudWatch's alarm state changes, Step Functions'
// execution status changes, SageMaker's job, package and endpoint state changes. Each
// stand-in takes a [Sink]; the stack gives every one the same sink, its default bus.
package awsevent

import (
	"context"
	"encoding/json"
	"time"
)

// Event is one event a service sends: its source (aws.cloudwatch, aws.states, ...), detail
// type, the ARNs it concerns, its detail as JSON, and its time (zero is the bus's clock).
type Event struct {
	Source     string
	DetailType string
	Resources  []string
	Detail     json.RawMessage
	Time       time.Time
}

// Sink takes a service's events to the bus.
type Sink interface {
	PutAWSEvent(ctx context.Context, ev Event) error
}

// SinkFunc is a function as a [Sink].
type SinkFunc func(ctx context.Context, ev Event) error

// PutAWSEvent calls f.
func (f SinkFunc) PutAWSEvent(ctx context.Context, ev Event) error { return f(ctx, ev) }
