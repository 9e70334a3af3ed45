// Package logs is kiln local's stand-in for the CloudWatch Logs subset the console reads:
// each in-process Lambda's log records land in its log group (/aws/lambda/<function>) as
// the Lambda runtime's JSON log format would put them, and FilterLogEvents reads them back
// over CloudWatch Logs' JSON 1.1 protocol (X-Amz-Target: Logs_20140328.<Op>).
//
// Events are kept in the stack's bbolt database (bucket "logs.events"), so they survive a
// restart; each group keeps its newest [MaxEventsPerGroup]. Filter patterns are the term
// form only (space-separated terms, each optionally in double quotes, all of which must
// appear in the message); JSON and space-delimited patterns are refused with
// InvalidParameterException. A Service is safe for concurrent use.
package logs

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const TargetPrefix = "Logs_20140328."

// MaxEventsPerGroup is how many events a group keeps; older ones are dropped.
const MaxEventsPerGroup = 5000

var bucketEvents = []byte("logs.events")

// Event is one log event.
type Event struct {
	Group     string `json:"group"`
	Stream    string `json:"stream"`
	Timestamp int64  `json:"timestamp"` // epoch milliseconds
	Ingestion int64  `json:"ingestion"`
	Message   string `json:"message"`
}

// Service keeps log events. Build one with [New].
type Service struct {
	db    *bolt.DB
	clock func() time.Time
	mu    sync.Mutex
}

// New returns a Service keeping events in db; clock stamps ingestion (nil: time.Now).
func New(db *bolt.DB, clock func() time.Time) (*Service, error) {
	if clock == nil {
		clock = time.Now
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketEvents)
		return err
	}); err != nil {
		return nil, fmt.Errorf("open logs: %w", err)
	}
	return &Service{db: db, clock: clock}, nil
}

// Put appends one event to group's stream.
func (s *Service) Put(group, stream string, at time.Time, message string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := Event{Group: group, Stream: stream, Timestamp: at.UnixMilli(), Ingestion: s.clock().UnixMilli(), Message: message}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("put log event in %s: %w", group, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		g, err := tx.Bucket(bucketEvents).CreateBucketIfNotExists([]byte(group))
		if err != nil {
			return err
		}
		seq, _ := g.NextSequence()
		if err := g.Put(binary.BigEndian.AppendUint64(nil, seq), b); err != nil {
			return err
		}
		if seq > MaxEventsPerGroup { // keys are sequential: drop the one that fell out of the window
			return g.Delete(binary.BigEndian.AppendUint64(nil, seq-MaxEventsPerGroup))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put log event in %s: %w", group, err)
	}
	return nil
}

// Filter returns group's events between start and end (epoch ms, 0: unbounded) whose
// message matches pattern, oldest first, from offset on, at most limit (0: 10,000), and the
// offset to continue from (0 when there are no more). A missing group is an
// ResourceNotFoundException *APIError; an unsupported pattern InvalidParameterException.
func (s *Service) Filter(group, pattern string, start, end int64, offset, limit int) ([]Event, int, error) {
	terms, err := parsePattern(pattern)
	if err != nil {
		return nil, 0, err
	}
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	var out []Event
	next := 0
	err = s.db.View(func(tx *bolt.Tx) error {
		g := tx.Bucket(bucketEvents).Bucket([]byte(group))
		if g == nil {
			return &APIError{Code: "ResourceNotFoundException", Message: "The specified log group does not exist."}
		}
		i := 0
		return g.ForEach(func(_, v []byte) error {
			if next != 0 {
				return nil
			}
			var ev Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode log event in %s: %w", group, err)
			}
			if (start != 0 && ev.Timestamp < start) || (end != 0 && ev.Timestamp > end) || !matches(ev.Message, terms) {
				return nil
			}
			i++
			if i <= offset {
				return nil
			}
			if len(out) == limit {
				next = i - 1
				return nil
			}
			out = append(out, ev)
			return nil
		})
	})
	return out, next, err
}

// parsePattern splits a term pattern into its terms.
func parsePattern(p string) ([]string, error) {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "{") || strings.HasPrefix(p, "[") {
		return nil, &APIError{Code: "InvalidParameterException", Message: "kiln local's CloudWatch Logs supports term filter patterns only, not " + p}
	}
	var terms []string
	for p != "" {
		if p[0] == '"' {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, &APIError{Code: "InvalidParameterException", Message: "Invalid filter pattern: unclosed quote in " + p}
			}
			terms = append(terms, p[1:end+1])
			p = strings.TrimSpace(p[end+2:])
			continue
		}
		t, rest, _ := strings.Cut(p, " ")
		terms = append(terms, t)
		p = strings.TrimSpace(rest)
	}
	return terms, nil
}

func matches(msg string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(msg, t) {
			return false
		}
	}
	return true
}

// APIError is a CloudWatch Logs error with its wire code.
type APIError struct {
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ServeHTTP answers FilterLogEvents over the JSON 1.1 protocol.
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), TargetPrefix)
	if !ok || r.Method != http.MethodPost {
		writeError(w, &APIError{Code: "UnknownOperationException", Message: "expected POST with X-Amz-Target: " + TargetPrefix + "<Operation>"})
		return
	}
	if op != "FilterLogEvents" {
		writeError(w, &APIError{Code: "UnknownOperationException", Message: "the operation " + op + " is not implemented by kiln local's CloudWatch Logs (it serves FilterLogEvents)"})
		return
	}
	var in struct {
		LogGroupName  string
		FilterPattern string
		StartTime     int64
		EndTime       int64
		NextToken     string
		Limit         int
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.NewDecoder(bytes.NewReader(body)).Decode(&in)
	}
	if err != nil {
		writeError(w, &APIError{Code: "SerializationException", Message: "the body is not a FilterLogEvents request: " + err.Error()})
		return
	}
	if in.LogGroupName == "" {
		writeError(w, &APIError{Code: "InvalidParameterException", Message: "logGroupName is required"})
		return
	}
	offset := 0
	if in.NextToken != "" {
		if offset, err = strconv.Atoi(in.NextToken); err != nil || offset < 0 {
			writeError(w, &APIError{Code: "InvalidParameterException", Message: "The specified nextToken is invalid."})
			return
		}
	}
	events, next, err := s.Filter(in.LogGroupName, in.FilterPattern, in.StartTime, in.EndTime, offset, in.Limit)
	if err != nil {
		writeError(w, err)
		return
	}
	out := map[string]any{"events": []any{}, "searchedLogStreams": []any{}}
	list := make([]any, 0, len(events))
	for i, ev := range events {
		list = append(list, map[string]any{"logStreamName": ev.Stream, "timestamp": ev.Timestamp, "ingestionTime": ev.Ingestion,
			"message": ev.Message, "eventId": strconv.Itoa(offset + i)})
	}
	out["events"] = list
	if next != 0 {
		out["nextToken"] = strconv.Itoa(next)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
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
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Code, "message": e.Message})
}

// Handler returns a slog.Handler that writes every record at info level or above, as one
// line of slog's JSON form, into group (stream "local"), besides passing it to next (nil: no
// one). Put failures are dropped: logging never fails the function.
func (s *Service) Handler(group string, next slog.Handler) slog.Handler {
	return &teeHandler{json: slog.NewJSONHandler(&lineWriter{svc: s, group: group}, nil), next: next}
}

// lineWriter puts each write (slog's JSON handler writes one whole line per record) as an event.
type lineWriter struct {
	svc   *Service
	group string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	_ = w.svc.Put(w.group, "local", w.svc.clock(), strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

type teeHandler struct {
	json slog.Handler
	next slog.Handler
}

func (t *teeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelInfo || (t.next != nil && t.next.Enabled(ctx, l))
}

func (t *teeHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelInfo {
		_ = t.json.Handle(ctx, r)
	}
	if t.next != nil && t.next.Enabled(ctx, r.Level) {
		return t.next.Handle(ctx, r)
	}
	return nil
}

func (t *teeHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := &teeHandler{json: t.json.WithAttrs(as)}
	if t.next != nil {
		c.next = t.next.WithAttrs(as)
	}
	return c
}

func (t *teeHandler) WithGroup(name string) slog.Handler {
	c := &teeHandler{json: t.json.WithGroup(name)}
	if t.next != nil {
		c.next = t.next.WithGroup(name)
	}
	return c
}
