// Package logs is kiln local's stand-in for the CloudWatch Logs subset people read logs
// with: each in-process Lambda's log records land in its log group (/aws/lambda/<function>)
// as the Lambda runtime's JSON log format would put them, each state machine's executions in
// /aws/vendedlogs/states/<machine> (written by the stack), and DescribeLogGroups,
// DescribeLogStreams, GetLogEvents and FilterLogEvents read them back over CloudWatch Logs'
// JSON 1.1 protocol (X-Amz-Target: Logs_20140328.<Op>) — enough for `aws logs tail`, with
// and without --follow. Any other operation answers UnknownOperationException naming it.
//
// Events are kept in the stack's bbolt database (bucket "logs.events", one nested bucket per
// group keyed by a sequence number that is also the event's eventId), so they survive a
// restart; each group keeps its newest [MaxEventsPerGroup]. Streams are derived from the
// events kept. Filter patterns are the term form only (space-separated terms, each optionally
// in double quotes, all of which must appear in the message); JSON and space-delimited
// patterns are refused with InvalidParameterException. A Service is safe for concurrent use.
package logs

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	bolt "go.etcd.io/bbolt"
)

// TargetPrefix is the X-Amz-Target prefix of CloudWatch Logs operations.
const TargetPrefix = "Logs_20140328."

// MaxEventsPerGroup is how many events a group keeps; older ones are dropped.
const MaxEventsPerGroup = 5000

var (
	bucketEvents = []byte("logs.events")
	bucketGroups = []byte("logs.groups") // group name → groupMeta JSON
)

// Event is one log event.
type Event struct {
	Group     string `json:"group"`
	Stream    string `json:"stream"`
	Timestamp int64  `json:"timestamp"` // epoch milliseconds
	Ingestion int64  `json:"ingestion"`
	Message   string `json:"message"`
	// Seq is the event's place in its group (from 1), its eventId; not stored in the value.
	Seq uint64 `json:"-"`
}

type groupMeta struct {
	Created int64 `json:"created"` // epoch milliseconds
}

// Service keeps log events. Build one with [New].
type Service struct {
	db              *bolt.DB
	clock           clock.Clock
	region, account string
	mu              sync.Mutex
}

// Option configures [New].
type Option func(*Service)

// InAccount gives the groups' ARNs region and account (default us-east-1, 000000000000).
func InAccount(region, account string) Option {
	return func(s *Service) { s.region, s.account = region, account }
}

// New returns a Service keeping events in db; clk stamps ingestion (nil: clock.Wall).
func New(db *bolt.DB, clk clock.Clock, opts ...Option) (*Service, error) {
	if clk == nil {
		clk = clock.Wall{}
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketGroups); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketEvents)
		return err
	}); err != nil {
		return nil, fmt.Errorf("open logs: %w", err)
	}
	s := &Service{db: db, clock: clk, region: "us-east-1", account: "000000000000"}
	for _, o := range opts {
		o(s)
	}
	return s, nil
}

// CreateGroup creates group unless it exists, as a template's AWS::Logs::LogGroup would.
func (s *Service) CreateGroup(group string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.db.Update(func(tx *bolt.Tx) error { _, err := s.group(tx, group); return err }); err != nil {
		return fmt.Errorf("create log group %s: %w", group, err)
	}
	return nil
}

// group returns group's bucket, creating it (and recording when) if it does not exist.
func (s *Service) group(tx *bolt.Tx, group string) (*bolt.Bucket, error) {
	events := tx.Bucket(bucketEvents)
	if g := events.Bucket([]byte(group)); g != nil {
		return g, nil
	}
	meta, err := json.Marshal(groupMeta{Created: s.clock.Now().UnixMilli()})
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bucketGroups).Put([]byte(group), meta); err != nil {
		return nil, err
	}
	return events.CreateBucket([]byte(group))
}

// Put appends one event to group's stream, creating the group if needed.
func (s *Service) Put(group, stream string, at time.Time, message string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := Event{Group: group, Stream: stream, Timestamp: at.UnixMilli(), Ingestion: s.clock.Now().UnixMilli(), Message: message}
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("put log event in %s: %w", group, err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		g, err := s.group(tx, group)
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

// scan calls fn with each event kept in group, oldest first, until fn returns false. A
// missing group is a ResourceNotFoundException *APIError.
func (s *Service) scan(group string, fn func(Event) bool) error {
	return s.db.View(func(tx *bolt.Tx) error {
		g := tx.Bucket(bucketEvents).Bucket([]byte(group))
		if g == nil {
			return errNoGroup
		}
		c := g.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			var ev Event
			if err := json.Unmarshal(v, &ev); err != nil {
				return fmt.Errorf("decode log event in %s: %w", group, err)
			}
			ev.Seq = binary.BigEndian.Uint64(k)
			if !fn(ev) {
				return nil
			}
		}
		return nil
	})
}

var errNoGroup = &APIError{Code: "ResourceNotFoundException", Message: "The specified log group does not exist."}

// APIError is a CloudWatch Logs error with its wire code.
type APIError struct {
	Code    string
	Message string
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }
