package logs

import (
	"strconv"
	"strings"
)

type getEventsIn struct {
	groupIn
	LogStreamName      string
	StartTime, EndTime int64
	NextToken          string
	Limit              int
	StartFromHead      bool
	Unmask             bool
}

// eventsToken is a GetLogEvents token: "f/<seq>" continues forward after the event seq,
// "b/<seq>" backward before it.
type eventsToken struct {
	forward bool
	seq     uint64
}

func parseEventsToken(s string) (eventsToken, error) {
	dir, num, ok := strings.Cut(s, "/")
	seq, err := strconv.ParseUint(num, 10, 64)
	if !ok || err != nil || (dir != "f" && dir != "b") {
		return eventsToken{}, &APIError{Code: "InvalidParameterException", Message: "The specified nextToken is invalid."}
	}
	return eventsToken{forward: dir == "f", seq: seq}, nil
}

// getLogEvents answers GetLogEvents for one stream: without a token the oldest events when
// startFromHead is true, else the newest; a forward token at the end of the stream comes back
// unchanged, which is how the SDKs' paginators know to stop.
func (s *Service) getLogEvents(in getEventsIn) (any, error) {
	group, err := in.name()
	if err != nil {
		return nil, err
	}
	if in.LogStreamName == "" {
		return nil, &APIError{Code: "InvalidParameterException", Message: "1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null"}
	}
	if in.Limit <= 0 || in.Limit > 10000 {
		in.Limit = 10000
	}
	var tok *eventsToken
	if in.NextToken != "" {
		t, err := parseEventsToken(in.NextToken)
		if err != nil {
			return nil, err
		}
		tok = &t
	}
	var all []Event
	err = s.scan(group, func(ev Event) bool {
		// GetLogEvents' endTime is exclusive.
		if ev.Stream == in.LogStreamName && ev.Timestamp >= in.StartTime && (in.EndTime == 0 || ev.Timestamp < in.EndTime) {
			all = append(all, ev)
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		if ok, err := s.hasStream(group, in.LogStreamName); err != nil || !ok {
			return nil, &APIError{Code: "ResourceNotFoundException", Message: "The specified log stream does not exist."}
		}
	}
	page := eventsPage(all, tok, in.StartFromHead, in.Limit)
	return page.answer(tok), nil
}

func (s *Service) hasStream(group, stream string) (bool, error) {
	found := false
	err := s.scan(group, func(ev Event) bool { found = ev.Stream == stream; return !found })
	return found, err
}

type eventsSlice struct {
	events []Event
	// before and after are the seqs just outside the page: the tokens' positions.
	before, after uint64
}

// eventsPage picks the page of all (oldest first) that tok, or startFromHead without one, asks for.
func eventsPage(all []Event, tok *eventsToken, fromHead bool, limit int) eventsSlice {
	from, to := 0, len(all)
	switch {
	case tok != nil && tok.forward:
		for from < len(all) && all[from].Seq <= tok.seq {
			from++
		}
		to = min(from+limit, len(all))
	case tok != nil:
		for to > 0 && all[to-1].Seq >= tok.seq {
			to--
		}
		from = max(0, to-limit)
	case fromHead:
		to = min(limit, len(all))
	default:
		from = max(0, len(all)-limit)
	}
	p := eventsSlice{events: all[from:to]}
	if from < to {
		p.before, p.after = all[from].Seq, all[to-1].Seq
	}
	return p
}

// answer writes the page with its tokens; an empty page keeps the position it was asked at.
func (p eventsSlice) answer(tok *eventsToken) map[string]any {
	list := make([]any, 0, len(p.events))
	for _, ev := range p.events {
		list = append(list, map[string]any{"timestamp": ev.Timestamp, "message": ev.Message, "ingestionTime": ev.Ingestion})
	}
	fwd, back := p.after, p.before
	if len(p.events) == 0 && tok != nil {
		fwd, back = tok.seq, tok.seq
	}
	return map[string]any{"events": list,
		"nextForwardToken":  "f/" + strconv.FormatUint(fwd, 10),
		"nextBackwardToken": "b/" + strconv.FormatUint(back, 10)}
}
