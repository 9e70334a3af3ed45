package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// historyLimit is how many alarm history items the service keeps; the oldest go first.
const historyLimit = 10000

// HistoryItem is one entry of an alarm's history, as DescribeAlarmHistory lists it.
type HistoryItem struct {
	AlarmName string
	Timestamp time.Time
	// Type is ConfigurationUpdate, StateUpdate or Action.
	Type    string
	Summary string
	// Data is the item's JSON document (the old and new state of a StateUpdate).
	Data string
}

// remember appends item to the history. The caller holds the lock.
func (s *Service) remember(item HistoryItem) {
	s.history = append(s.history, item)
	if len(s.history) > historyLimit*2 {
		s.history = append(s.history[:0], s.history[len(s.history)-historyLimit:]...)
	}
}

// stateUpdate returns the history item of a state change.
func stateUpdate(ch AlarmChange) HistoryItem {
	state := func(st AlarmState) map[string]any {
		m := map[string]any{"stateValue": st.Value, "stateReason": st.Reason}
		if st.ReasonData != "" {
			var rd any
			if json.Unmarshal([]byte(st.ReasonData), &rd) == nil {
				m["stateReasonData"] = rd
			}
		}
		return m
	}
	data, _ := json.Marshal(map[string]any{"version": "1.0", "oldState": state(ch.Previous), "newState": state(ch.Current)})
	return HistoryItem{AlarmName: ch.Alarm.Name, Timestamp: ch.Current.Updated, Type: "StateUpdate",
		Summary: fmt.Sprintf("Alarm updated from %s to %s", ch.Previous.Value, ch.Current.Value), Data: string(data)}
}

// History returns the history items of the alarm named name (every alarm when empty),
// newest first.
func (s *Service) History(name string) []HistoryItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []HistoryItem
	for i := len(s.history) - 1; i >= 0; i-- {
		if name == "" || s.history[i].AlarmName == name {
			out = append(out, s.history[i])
		}
	}
	return out
}

// SetAlarmState sets the state of the alarm named name until its next evaluation, as
// CloudWatch's SetAlarmState does (to test actions); the change is reported like any other.
func (s *Service) SetAlarmState(ctx context.Context, name, value, reason, reasonData string) error {
	switch value {
	case StateOK, StateAlarm, StateInsufficientData:
	default:
		return fmt.Errorf("set alarm state %s: StateValue %q is not OK, ALARM or INSUFFICIENT_DATA", name, value)
	}
	if reasonData != "" && !json.Valid([]byte(reasonData)) {
		return fmt.Errorf("set alarm state %s: %w", name, errInvalidReasonData)
	}
	s.mu.Lock()
	a, ok := s.alarms[name]
	if !ok {
		s.mu.Unlock()
		return fmt.Errorf("set alarm state %s: %w", name, ErrNoAlarm)
	}
	next := AlarmState{Value: value, Reason: reason, ReasonData: reasonData, Updated: s.opts.Clock.Now()}
	ch := AlarmChange{Alarm: a.def, ARN: s.ARN(name), Previous: a.state, Current: next}
	a.state = next
	if ch.Previous.Value != value {
		s.remember(stateUpdate(ch))
	}
	s.mu.Unlock()
	if ch.Previous.Value != value {
		s.report(ctx, []AlarmChange{ch})
	}
	return nil
}

// ErrNoAlarm is returned for an alarm that does not exist.
var ErrNoAlarm = errors.New("no such alarm")

var errInvalidReasonData = errors.New("StateReasonData is not JSON")

func (s *Service) setAlarmState(r *http.Request, in args) (map[string]any, error) {
	name, value, reason := in.str("AlarmName"), in.str("StateValue"), in.str("StateReason")
	if name == "" || value == "" || reason == "" {
		return nil, &apiError{http.StatusBadRequest, "MissingParameter", "AlarmName, StateValue and StateReason are required"}
	}
	err := s.SetAlarmState(r.Context(), name, value, reason, in.str("StateReasonData"))
	switch {
	case err == nil:
		return map[string]any{}, nil
	case errors.Is(err, ErrNoAlarm):
		return nil, &apiError{http.StatusNotFound, "ResourceNotFound", err.Error()}
	case errors.Is(err, errInvalidReasonData):
		return nil, &apiError{http.StatusBadRequest, "InvalidFormat", err.Error()}
	}
	return nil, invalid("%v", err)
}

func (s *Service) describeAlarmHistory(in args) (map[string]any, error) {
	typ := in.str("HistoryItemType")
	switch typ {
	case "", "ConfigurationUpdate", "StateUpdate", "Action":
	default:
		return nil, invalid("HistoryItemType %q is not ConfigurationUpdate, StateUpdate or Action", typ)
	}
	from, hasFrom := in.time("StartDate")
	to, hasTo := in.time("EndDate")
	max := in.integer("MaxRecords")
	if max <= 0 || max > 100 {
		max = 100
	}
	start := 0
	if tok := in.str("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, invalid("NextToken %q is not valid", tok)
		}
		start = n
	}
	var match []HistoryItem
	for _, h := range s.History(in.str("AlarmName")) {
		if (typ != "" && h.Type != typ) || (hasFrom && h.Timestamp.Before(from)) || (hasTo && !h.Timestamp.Before(to)) {
			continue
		}
		match = append(match, h)
	}
	if in.str("ScanBy") == "TimestampAscending" {
		sort.SliceStable(match, func(i, j int) bool { return match[i].Timestamp.Before(match[j].Timestamp) })
	}
	items := []any{}
	for i := start; i < len(match) && i < start+max; i++ {
		h := match[i]
		items = append(items, map[string]any{"AlarmName": h.AlarmName, "AlarmType": "MetricAlarm", "Timestamp": h.Timestamp,
			"HistoryItemType": h.Type, "HistorySummary": h.Summary, "HistoryData": h.Data})
	}
	out := map[string]any{"AlarmHistoryItems": items}
	if start+max < len(match) {
		out["NextToken"] = strconv.Itoa(start + max)
	}
	return out, nil
}

func (s *Service) listMetrics(in args) (map[string]any, error) {
	ns, name := in.str("Namespace"), in.str("MetricName")
	type filter struct {
		name, value string
		hasValue    bool
	}
	var filters []filter
	for _, e := range in.list("Dimensions") {
		d := args(asMap(e))
		if d.str("Name") == "" {
			return nil, invalid("a dimension filter needs a Name")
		}
		_, has := d["Value"]
		filters = append(filters, filter{d.str("Name"), d.str("Value"), has})
	}
	start := 0
	if tok := in.str("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 {
			return nil, invalid("NextToken %q is not valid", tok)
		}
		start = n
	}
	s.mu.Lock()
	keys := make([]string, 0, len(s.series))
	for k, sr := range s.series {
		if len(sr.seconds) == sr.head || (ns != "" && sr.namespace != ns) || (name != "" && sr.name != name) {
			continue
		}
		ok := true
		for _, f := range filters {
			v, has := sr.dims[f.name]
			if !has || (f.hasValue && v != f.value) {
				ok = false
			}
		}
		if ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	metrics := []any{}
	const page = 500
	for i := start; i < len(keys) && i < start+page; i++ {
		sr := s.series[keys[i]]
		metrics = append(metrics, map[string]any{"Namespace": sr.namespace, "MetricName": sr.name, "Dimensions": dimensionList(sr.dims)})
	}
	s.mu.Unlock()
	out := map[string]any{"Metrics": metrics}
	if start+page < len(keys) {
		out["NextToken"] = strconv.Itoa(start + page)
	}
	return out, nil
}
