package logs

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// GroupInfo describes one log group.
type GroupInfo struct {
	Name        string
	Created     int64 // epoch milliseconds
	StoredBytes int64
}

// Groups returns the log groups whose names start with prefix, sorted by name.
func (s *Service) Groups(prefix string) ([]GroupInfo, error) {
	var out []GroupInfo
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketGroups)
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, v = c.Next() {
			if v != nil {
				continue // not a nested bucket
			}
			g := GroupInfo{Name: string(k)}
			var m groupMeta
			if b := meta.Get(k); b != nil && json.Unmarshal(b, &m) == nil {
				g.Created = m.Created
			}
			_ = tx.Bucket(bucketEvents).Bucket(k).ForEach(func(_, v []byte) error { g.StoredBytes += int64(len(v)); return nil })
			out = append(out, g)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list log groups: %w", err)
	}
	return out, nil
}

// StreamInfo describes one log stream, from the events its group keeps.
type StreamInfo struct {
	Name                  string
	FirstEvent, LastEvent int64 // event timestamps, epoch milliseconds
	FirstIngestion        int64 // the stream's creation, as far as the kept events tell
	LastIngestion         int64
	StoredBytes           int64
}

// Streams returns group's streams whose names start with prefix, sorted by name.
func (s *Service) Streams(group, prefix string) ([]StreamInfo, error) {
	byName := map[string]*StreamInfo{}
	err := s.scan(group, func(ev Event) bool {
		if !strings.HasPrefix(ev.Stream, prefix) {
			return true
		}
		st := byName[ev.Stream]
		if st == nil {
			st = &StreamInfo{Name: ev.Stream, FirstEvent: ev.Timestamp, FirstIngestion: ev.Ingestion}
			byName[ev.Stream] = st
		}
		st.FirstEvent, st.LastEvent = min(st.FirstEvent, ev.Timestamp), max(st.LastEvent, ev.Timestamp)
		st.LastIngestion = max(st.LastIngestion, ev.Ingestion)
		st.StoredBytes += int64(len(ev.Message))
		return true
	})
	if err != nil {
		return nil, err
	}
	out := make([]StreamInfo, 0, len(byName))
	for _, st := range byName {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// arn returns the ARN of group (with ":*" as DescribeLogGroups' arn member has it, when star).
func (s *Service) arn(group string, star bool) string {
	a := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.region, s.account, group)
	if star {
		a += ":*"
	}
	return a
}

// page reads a describe operation's limit (1 to 50, default 50) and nextToken (an offset).
func page(limit int, token string) (start, n int, err error) {
	if limit < 0 || limit > 50 {
		return 0, 0, &APIError{Code: "InvalidParameterException", Message: fmt.Sprintf("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", limit)}
	}
	if limit == 0 {
		limit = 50
	}
	if token != "" {
		if start, err = strconv.Atoi(token); err != nil || start < 0 {
			return 0, 0, &APIError{Code: "InvalidParameterException", Message: "The specified nextToken is invalid."}
		}
	}
	return start, limit, nil
}

// window returns the page [start, start+n) of a list of length total and the next token.
func window(total, start, n int) (from, to int, next string) {
	from, to = min(start, total), min(start+n, total)
	if to < total {
		next = strconv.Itoa(to)
	}
	return from, to, next
}

type describeGroupsIn struct {
	LogGroupNamePrefix  string
	LogGroupNamePattern string
	Limit               int
	NextToken           string
}

// describeLogGroups answers DescribeLogGroups, by prefix or by a substring pattern.
func (s *Service) describeLogGroups(in describeGroupsIn) (any, error) {
	if in.LogGroupNamePrefix != "" && in.LogGroupNamePattern != "" {
		return nil, &APIError{Code: "InvalidParameterException", Message: "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters."}
	}
	start, n, err := page(in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	groups, err := s.Groups(in.LogGroupNamePrefix)
	if err != nil {
		return nil, err
	}
	var match []GroupInfo
	for _, g := range groups {
		if strings.Contains(strings.ToLower(g.Name), strings.ToLower(in.LogGroupNamePattern)) {
			match = append(match, g)
		}
	}
	from, to, next := window(len(match), start, n)
	list := []any{}
	for _, g := range match[from:to] {
		list = append(list, map[string]any{"logGroupName": g.Name, "creationTime": g.Created, "metricFilterCount": 0,
			"arn": s.arn(g.Name, true), "logGroupArn": s.arn(g.Name, false), "storedBytes": g.StoredBytes, "logGroupClass": "STANDARD"})
	}
	out := map[string]any{"logGroups": list}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

type describeStreamsIn struct {
	groupIn
	LogStreamNamePrefix string
	OrderBy             string
	Descending          bool
	Limit               int
	NextToken           string
}

// describeLogStreams answers DescribeLogStreams, ordered by name or by last event time.
func (s *Service) describeLogStreams(in describeStreamsIn) (any, error) {
	group, err := in.name()
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, &APIError{Code: "InvalidParameterException", Message: "Cannot order by LastEventTime with a logStreamNamePrefix."}
		}
	default:
		return nil, &APIError{Code: "InvalidParameterException", Message: "orderBy must be LogStreamName or LastEventTime, not " + in.OrderBy}
	}
	start, n, err := page(in.Limit, in.NextToken)
	if err != nil {
		return nil, err
	}
	streams, err := s.Streams(group, in.LogStreamNamePrefix)
	if err != nil {
		return nil, err
	}
	orderStreams(streams, in.OrderBy == "LastEventTime", in.Descending)
	from, to, next := window(len(streams), start, n)
	list := []any{}
	for _, st := range streams[from:to] {
		list = append(list, map[string]any{"logStreamName": st.Name, "creationTime": st.FirstIngestion,
			"firstEventTimestamp": st.FirstEvent, "lastEventTimestamp": st.LastEvent, "lastIngestionTime": st.LastIngestion,
			"arn": s.arn(group, false) + ":log-stream:" + st.Name, "storedBytes": st.StoredBytes})
	}
	out := map[string]any{"logStreams": list}
	if next != "" {
		out["nextToken"] = next
	}
	return out, nil
}

func orderStreams(streams []StreamInfo, byLastEvent, descending bool) {
	if byLastEvent {
		sort.SliceStable(streams, func(i, j int) bool { return streams[i].LastEvent < streams[j].LastEvent })
	}
	if descending {
		for i, j := 0, len(streams)-1; i < j; i, j = i+1, j-1 {
			streams[i], streams[j] = streams[j], streams[i]
		}
	}
}
