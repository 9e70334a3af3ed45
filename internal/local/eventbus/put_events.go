package eventbus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// MaxEntrySize is the largest entry PutEvents accepts: 256 KB, counted as AWS counts it
// (Time, Source, DetailType, Detail and Resources in UTF-8 bytes).
const MaxEntrySize = 256 * 1024

// MaxEntries is the most entries one PutEvents call takes.
const MaxEntries = 10

// TimeLayout is how the envelope's time is written: RFC 3339, second precision, UTC.
const TimeLayout = "2006-01-02T15:04:05Z"

// Entry is one PutEvents request entry.
type Entry struct {
	// Source, DetailType and Detail (a JSON object's text) are required.
	Source     string
	DetailType string
	Detail     string
	// Resources are ARNs the event concerns; may be empty.
	Resources []string
	// EventBusName is the bus's name or ARN; empty means the default bus.
	EventBusName string
	// Time is the event's time; zero means the time it is put.
	Time time.Time
}

// ResultEntry is the outcome of one entry: EventID when it was accepted, else ErrorCode and
// ErrorMessage as the PutEvents API reports them.
type ResultEntry struct {
	EventID      string
	ErrorCode    string
	ErrorMessage string
}

// PutEventsResult is PutEvents' answer: one ResultEntry per entry, in order.
type PutEventsResult struct {
	FailedEntryCount int
	Entries          []ResultEntry
}

// Envelope is an EventBridge event as targets receive it (without InputPath or transformer).
type Envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       string          `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	ReplayName string          `json:"replay-name,omitempty"`
}

// event is an envelope on its way through a bus.
type event struct {
	bus       string
	id        string
	raw       []byte // the envelope's JSON
	ingestion time.Time
	replay    string
	// since is when delivery began, from which MaximumEventAge counts: the ingestion time,
	// or for a replayed event the moment of the replay.
	since time.Time
}

// PutEvents puts up to ten entries on their buses, as the PutEvents API does: each entry is
// checked on its own, a bad one is reported in its ResultEntry (and counted in
// FailedEntryCount) without affecting the others; every accepted event is archived and
// delivered asynchronously to the targets of the rules it matches (Wait waits for both). Entries whose Source
// begins with "aws." are refused (NotAuthorizedForSourceException): AWS services' events
// come in through PutAWSEvent. No entries, or more than ten, is a ValidationException.
func (s *Service) PutEvents(ctx context.Context, entries []Entry) (*PutEventsResult, error) {
	if len(entries) == 0 {
		return nil, validationError("1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	if len(entries) > MaxEntries {
		return nil, validationError("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", MaxEntries)
	}
	return s.put(ctx, entries, false)
}

// putLocal is PutEvents allowing aws.* sources, for AllowAWSSourceHeader.
func (s *Service) putLocal(ctx context.Context, entries []Entry) (*PutEventsResult, error) {
	if len(entries) == 0 || len(entries) > MaxEntries {
		return s.PutEvents(ctx, entries) // the same validation error
	}
	return s.put(ctx, entries, true)
}

// PutAWSEvent puts one event from a local stand-in of an AWS service (source aws.*), which
// PutEvents refuses. It returns the event's ID, or an *APIError describing why the entry was
// rejected.
func (s *Service) PutAWSEvent(ctx context.Context, e Entry) (string, error) {
	if !strings.HasPrefix(e.Source, "aws.") {
		return "", validationError("put AWS event: source %q does not begin with aws.", e.Source)
	}
	res, err := s.put(ctx, []Entry{e}, true)
	if err != nil {
		return "", err
	}
	r := res.Entries[0]
	if r.ErrorCode != "" {
		return "", &APIError{Code: r.ErrorCode, Message: r.ErrorMessage}
	}
	return r.EventID, nil
}

func (s *Service) put(ctx context.Context, entries []Entry, allowAWS bool) (*PutEventsResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("put events: %w", err)
	}
	s.dmu.Lock()
	closed := s.closed
	s.dmu.Unlock()
	if closed {
		return nil, &APIError{Code: "InternalException", Message: "the event bus service is closed", Status: 500}
	}
	res := &PutEventsResult{Entries: make([]ResultEntry, len(entries))}
	now := s.now()
	accepted := make([]*event, 0, len(entries))
	for i, e := range entries {
		ev, code, msg := s.envelope(e, now, allowAWS)
		if code != "" {
			res.Entries[i] = ResultEntry{ErrorCode: code, ErrorMessage: msg}
			res.FailedEntryCount++
			continue
		}
		res.Entries[i] = ResultEntry{EventID: ev.id}
		accepted = append(accepted, ev)
	}
	s.archive(accepted)
	for _, ev := range accepted {
		s.route(ev, nil)
	}
	return res, nil
}

// envelope checks one entry and builds its event, or returns the error code and message.
func (s *Service) envelope(e Entry, now time.Time, allowAWS bool) (*event, string, string) {
	switch {
	case e.Source == "":
		return nil, "InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."
	case e.DetailType == "":
		return nil, "InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."
	case e.Detail == "":
		return nil, "InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."
	}
	if entrySize(e) > MaxEntrySize {
		return nil, "InvalidArgument", fmt.Sprintf("Parameter Entry is not valid. Reason: the entry is %d bytes, more than the maximum of %d.", entrySize(e), MaxEntrySize)
	}
	detail := bytes.TrimSpace([]byte(e.Detail))
	if !json.Valid(detail) || len(detail) == 0 || detail[0] != '{' {
		return nil, "MalformedDetail", "Detail is malformed."
	}
	if !allowAWS && strings.HasPrefix(e.Source, "aws.") {
		return nil, "NotAuthorizedForSourceException", "Not authorized for the source."
	}
	name := busName(e.EventBusName)
	s.mu.RLock()
	_, ok := s.buses[name]
	s.mu.RUnlock()
	if !ok {
		return nil, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", name)
	}
	t := e.Time
	if t.IsZero() {
		t = now
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	env := Envelope{
		Version: "0", ID: s.cfg.NewID(), DetailType: e.DetailType, Source: e.Source,
		Account: s.cfg.Account, Time: t.UTC().Format(TimeLayout), Region: s.cfg.Region,
		Resources: resources, Detail: json.RawMessage(detail),
	}
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, "InvalidArgument", fmt.Sprintf("Parameter Entry is not valid. Reason: %v", err)
	}
	return &event{bus: name, id: env.ID, raw: raw, ingestion: now, since: now}, "", ""
}

// entrySize counts an entry as AWS does.
func entrySize(e Entry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if !e.Time.IsZero() {
		n += 14
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}
