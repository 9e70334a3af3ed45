package logs

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// operation answers one CloudWatch Logs operation from its JSON request body.
type operation func(s *Service, body []byte) (any, error)

// operations are the operations the stand-in serves, by name.
var operations = map[string]operation{
	"FilterLogEvents":    decoded((*Service).filterLogEvents),
	"GetLogEvents":       decoded((*Service).getLogEvents),
	"DescribeLogGroups":  decoded((*Service).describeLogGroups),
	"DescribeLogStreams": decoded((*Service).describeLogStreams),
}

// decoded adapts fn to an operation that decodes its input first; a body that is not the
// operation's JSON is a SerializationException.
func decoded[In any](fn func(*Service, In) (any, error)) operation {
	return func(s *Service, body []byte) (any, error) {
		var in In
		if len(body) > 0 {
			if err := json.Unmarshal(body, &in); err != nil {
				return nil, &APIError{Code: "SerializationException", Message: "the request body does not decode: " + err.Error()}
			}
		}
		return fn(s, in)
	}
}

// served lists the operations' names, sorted, for error messages.
func served() string {
	names := make([]string, 0, len(operations))
	for n := range operations {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// ServeHTTP answers the CloudWatch Logs operations over the JSON 1.1 protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if !ok || r.Method != http.MethodPost {
		writeError(w, &APIError{Code: "UnknownOperationException", Message: "expected POST with X-Amz-Target: " + TargetPrefix + "<Operation>"})
		return
	}
	op := operations[name]
	if op == nil {
		writeError(w, &APIError{Code: "UnknownOperationException",
			Message: "kiln local does not emulate the CloudWatch Logs operation " + name + " (it serves " + served() + ")"})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, &APIError{Code: "SerializationException", Message: "read the request body: " + err.Error()})
		return
	}
	out, err := op(s, body)
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", awserr.RequestID())
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, err error) {
	var e *APIError
	if !errors.As(err, &e) {
		e = &APIError{Code: "ServiceUnavailableException", Message: err.Error()}
	}
	status := http.StatusBadRequest
	if e.Code == "ServiceUnavailableException" {
		status = http.StatusInternalServerError
	}
	awserr.Write(w, awserr.JSON11, status, e.Code, e.Message)
}

// groupIn names a log group as the operations take it: by name or by identifier (the name
// or the group's ARN).
type groupIn struct {
	LogGroupName       string
	LogGroupIdentifier string
}

// name returns the group's name; both or neither given is an InvalidParameterException.
func (g groupIn) name() (string, error) {
	switch {
	case g.LogGroupName != "" && g.LogGroupIdentifier != "":
		return "", &APIError{Code: "InvalidParameterException", Message: "LogGroup name and LogGroup ARN are mutually exclusive parameters."}
	case g.LogGroupName != "":
		return g.LogGroupName, nil
	case g.LogGroupIdentifier != "":
		id := strings.TrimSuffix(g.LogGroupIdentifier, ":*")
		if _, after, ok := strings.Cut(id, ":log-group:"); ok {
			return after, nil
		}
		return id, nil
	}
	return "", &APIError{Code: "InvalidParameterException", Message: "Either LogGroupName or LogGroupIdentifier must be specified."}
}

type filterIn struct {
	groupIn
	FilterPattern       string
	StartTime, EndTime  int64
	LogStreamNames      []string
	LogStreamNamePrefix string
	NextToken           string
	Limit               int
	Interleaved         bool // accepted and ignored: results are always interleaved
}

// filterLogEvents answers FilterLogEvents; nextToken and eventId are the events' Seq.
func (s *Service) filterLogEvents(in filterIn) (any, error) {
	group, err := in.name()
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != "" {
		return nil, &APIError{Code: "InvalidParameterException", Message: "logStreamNames and logStreamNamePrefix are mutually exclusive parameters."}
	}
	q := Query{Group: group, Pattern: in.FilterPattern, Start: in.StartTime, End: in.EndTime, Streams: in.LogStreamNames,
		StreamPrefix: in.LogStreamNamePrefix, Limit: in.Limit}
	if in.NextToken != "" {
		if q.After, err = strconv.ParseUint(in.NextToken, 10, 64); err != nil {
			return nil, &APIError{Code: "InvalidParameterException", Message: "The specified nextToken is invalid."}
		}
	}
	events, more, err := s.Filter(q)
	if err != nil {
		return nil, err
	}
	list := make([]any, 0, len(events))
	for _, ev := range events {
		list = append(list, map[string]any{"logStreamName": ev.Stream, "timestamp": ev.Timestamp, "ingestionTime": ev.Ingestion,
			"message": ev.Message, "eventId": strconv.FormatUint(ev.Seq, 10)})
	}
	out := map[string]any{"events": list, "searchedLogStreams": []any{}}
	if more {
		out["nextToken"] = strconv.FormatUint(events[len(events)-1].Seq, 10)
	}
	return out, nil
}
