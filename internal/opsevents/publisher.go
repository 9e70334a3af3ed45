package opsevents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// PutEventsAPI is the part of the EventBridge client a Publisher uses.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, params *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ PutEventsAPI = (*eventbridge.Client)(nil)

// ErrRefused is returned when EventBridge answered but refused the entry.
var ErrRefused = errors.New("event refused by the bus")

// Publisher puts kiln's operational events on Bus. A nil Publisher, or one without a client,
// puts nothing (a caller without a bus still works).
type Publisher struct {
	Events PutEventsAPI
	Bus    string
}

// Put puts one event of detailType with detail from source; resources are ARNs it concerns.
func (p *Publisher) Put(ctx context.Context, source, detailType string, detail any, resources ...string) error {
	if p == nil || p.Events == nil {
		return nil
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", detailType, err)
	}
	out, err := p.Events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(string(b)),
		EventBusName: aws.String(p.Bus), Resources: resources,
	}}})
	if err != nil {
		return fmt.Errorf("put %s event on %s: %w", detailType, p.Bus, err)
	}
	if out.FailedEntryCount > 0 && len(out.Entries) > 0 {
		e := out.Entries[0]
		return fmt.Errorf("put %s event on %s: %w: %s %s", detailType, p.Bus, ErrRefused, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
	}
	return nil
}
