package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Alarm states.
const (
	StateOK               = "OK"
	StateAlarm            = "ALARM"
	StateInsufficientData = "INSUFFICIENT_DATA"
)

// The comparison operators of a metric alarm.
var operators = map[string]func(v, t float64) bool{
	"GreaterThanOrEqualToThreshold": func(v, t float64) bool { return v >= t },
	"GreaterThanThreshold":          func(v, t float64) bool { return v > t },
	"LessThanThreshold":             func(v, t float64) bool { return v < t },
	"LessThanOrEqualToThreshold":    func(v, t float64) bool { return v <= t },
}

// AlarmDefinition is a metric alarm as PutMetricAlarm defines it.
type AlarmDefinition struct {
	Name        string
	Description string
	Namespace   string
	MetricName  string
	Dimensions  map[string]string
	// Statistic is SampleCount, Average, Sum, Minimum, Maximum or a percentile pNN.
	Statistic          string
	PeriodSeconds      int
	EvaluationPeriods  int
	DatapointsToAlarm  int
	Threshold          float64
	ComparisonOperator string
	// TreatMissingData is missing (default), notBreaching, breaching or ignore.
	TreatMissingData string
}

// FromTopology returns the definition of a topology alarm.
func FromTopology(a topology.Alarm) AlarmDefinition {
	return AlarmDefinition{Name: a.Name, Description: "kiln " + a.Purpose + " alarm for model " + a.Model,
		Namespace: a.Namespace, MetricName: a.Metric, Dimensions: a.Dimensions, Statistic: a.Statistic,
		PeriodSeconds: a.PeriodSeconds, EvaluationPeriods: a.EvaluationPeriods, Threshold: a.Threshold,
		ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData}
}

// validate names the first problem of d.
func (d AlarmDefinition) validate() error {
	switch {
	case d.Name == "":
		return errors.New("AlarmName is required")
	case d.Namespace == "" || d.MetricName == "":
		return fmt.Errorf("alarm %s: Namespace and MetricName are required", d.Name)
	case !validStatistic(d.Statistic):
		return fmt.Errorf("alarm %s: statistic %q is not SampleCount, Average, Sum, Minimum, Maximum or pNN", d.Name, d.Statistic)
	case d.PeriodSeconds <= 0 || (d.PeriodSeconds < 60 && 60%d.PeriodSeconds != 0) || (d.PeriodSeconds >= 60 && d.PeriodSeconds%60 != 0):
		return fmt.Errorf("alarm %s: Period %d must be 10, 20, 30 or a multiple of 60", d.Name, d.PeriodSeconds)
	case d.EvaluationPeriods < 1:
		return fmt.Errorf("alarm %s: EvaluationPeriods must be at least 1", d.Name)
	case d.DatapointsToAlarm < 0 || d.DatapointsToAlarm > d.EvaluationPeriods:
		return fmt.Errorf("alarm %s: DatapointsToAlarm must be between 1 and EvaluationPeriods", d.Name)
	case operators[d.ComparisonOperator] == nil:
		return fmt.Errorf("alarm %s: ComparisonOperator %q is not supported", d.Name, d.ComparisonOperator)
	}
	switch d.TreatMissingData {
	case "", "missing", "notBreaching", "breaching", "ignore":
	default:
		return fmt.Errorf("alarm %s: TreatMissingData %q is not missing, notBreaching, breaching or ignore", d.Name, d.TreatMissingData)
	}
	return nil
}

// AlarmState is an alarm's current state.
type AlarmState struct {
	Value      string
	Reason     string
	ReasonData string
	Updated    time.Time
}

// AlarmChange is one state change of an alarm.
type AlarmChange struct {
	Alarm    AlarmDefinition
	ARN      string
	Previous AlarmState
	Current  AlarmState
}

// Event is an EventBridge event the service emits (source aws.cloudwatch).
type Event = awsevent.Event

// Options configure a [Service].
type Options struct {
	// Region and Account build alarm ARNs; defaults us-east-1 and 000000000000.
	Region, Account string
	// Clock is the time source; nil means clock.Wall.
	Clock clock.Clock
	// Events receives a "CloudWatch Alarm State Change" event for every state change (the stack
	// puts it on the default bus); nil drops them. It runs outside the service's lock.
	Events awsevent.Sink
	// Log receives emit failures; nil means slog.Default().
	Log *slog.Logger
}

type alarm struct {
	def   AlarmDefinition
	state AlarmState
	key   string // the seriesKey of its metric
	win   *alarmWindow
}

// Service is the CloudWatch stand-in. Create one with [New].
type Service struct {
	opts Options

	mu     sync.Mutex
	series map[string]*series
	alarms map[string]*alarm
	// byMetric indexes the alarms by the seriesKey of their metric, so a put judges only
	// the alarms on the metrics it touched.
	byMetric map[string]map[string]*alarm
	watchers []func(AlarmChange)
	history  []HistoryItem // oldest first
}

// New returns an empty service.
func New(opts Options) *Service {
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "000000000000"
	}
	if opts.Clock == nil {
		opts.Clock = clock.Wall{}
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Service{opts: opts, series: map[string]*series{}, alarms: map[string]*alarm{},
		byMetric: map[string]map[string]*alarm{}}
}

// Watch registers fn to be called, outside the lock, on every alarm state change (the
// SageMaker stand-in's rollback uses it). Watchers cannot be removed.
func (s *Service) Watch(fn func(AlarmChange)) {
	s.mu.Lock()
	s.watchers = append(s.watchers, fn)
	s.mu.Unlock()
}

// ARN returns the ARN of the alarm named name.
func (s *Service) ARN(name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.opts.Region, s.opts.Account, name)
}

// PutAlarm creates or replaces an alarm; a new alarm starts in INSUFFICIENT_DATA and is
// evaluated at once. A replaced alarm keeps its state until the next evaluation.
func (s *Service) PutAlarm(ctx context.Context, d AlarmDefinition) error {
	if err := d.validate(); err != nil {
		return fmt.Errorf("put metric alarm: %w", err)
	}
	if d.DatapointsToAlarm == 0 {
		d.DatapointsToAlarm = d.EvaluationPeriods
	}
	s.mu.Lock()
	a, ok := s.alarms[d.Name]
	if ok {
		s.unindex(a)
	} else {
		a = &alarm{state: AlarmState{Value: StateInsufficientData,
			Reason: "Unchecked: Initial alarm creation", Updated: s.opts.Clock.Now()}}
		s.alarms[d.Name] = a
	}
	a.def, a.key, a.win = d, seriesKey(d.Namespace, d.MetricName, d.Dimensions), newAlarmWindow(d)
	if s.byMetric[a.key] == nil {
		s.byMetric[a.key] = map[string]*alarm{}
	}
	s.byMetric[a.key][d.Name] = a
	verb := "created"
	if ok {
		verb = "updated"
	}
	s.remember(HistoryItem{AlarmName: d.Name, Timestamp: s.opts.Clock.Now(), Type: "ConfigurationUpdate",
		Summary: fmt.Sprintf("Alarm %q %s", d.Name, verb), Data: "{}"})
	s.mu.Unlock()
	s.evaluate(ctx, []*alarm{a})
	return nil
}

// unindex removes a from byMetric. The caller holds the lock.
func (s *Service) unindex(a *alarm) {
	m := s.byMetric[a.key]
	delete(m, a.def.Name)
	if len(m) == 0 {
		delete(s.byMetric, a.key)
	}
}

// DeleteAlarm removes an alarm; a missing one is not an error.
func (s *Service) DeleteAlarm(name string) {
	s.mu.Lock()
	if a, ok := s.alarms[name]; ok {
		s.unindex(a)
		delete(s.alarms, name)
	}
	s.mu.Unlock()
}

// AlarmState returns the state of the alarm named name and whether it exists.
func (s *Service) AlarmState(name string) (AlarmState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alarms[name]
	if !ok {
		return AlarmState{}, false
	}
	return a.state, true
}

// Alarms returns the alarm definitions with their states, sorted by name.
func (s *Service) Alarms() []AlarmChange {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AlarmChange, 0, len(s.alarms))
	for _, a := range s.alarms {
		out = append(out, AlarmChange{Alarm: a.def, ARN: s.ARN(a.def.Name), Current: a.state})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Alarm.Name < out[j].Alarm.Name })
	return out
}

// Put records one value of a metric at time at (zero: now) and evaluates the alarms; the
// endpoint router calls it for Invocations, Invocation5XXErrors and ModelLatency.
func (s *Service) Put(ctx context.Context, namespace, metric string, dims map[string]string, value float64, unit string, at time.Time) error {
	if at.IsZero() {
		at = s.opts.Clock.Now()
	}
	d := datum{name: metric, dims: dims, at: at, unit: unit,
		point: point{at: at, unit: unit, sum: value, min: value, max: value, count: 1, values: []float64{value}}}
	if namespace == "" || metric == "" {
		return errors.New("put metric data: namespace and metric name are required")
	}
	s.evaluate(ctx, s.record(namespace, []datum{d}))
	return nil
}

// record stores data and returns the alarms on the metrics it touched, each once. Its cost
// does not depend on the history: a datapoint goes into its second's bucket and into the
// running statistics of the alarms on its metric.
func (s *Service) record(namespace string, data []datum) []*alarm {
	s.mu.Lock()
	defer s.mu.Unlock()
	cut := s.opts.Clock.Now().Add(-retention)
	var touched []*alarm
	seen := map[string]bool{}
	for _, d := range data {
		k := seriesKey(namespace, d.name, d.dims)
		sr, ok := s.series[k]
		if !ok {
			dims := make(map[string]string, len(d.dims))
			for n, v := range d.dims {
				dims[n] = v
			}
			sr = newSeries(namespace, d.name, dims)
			s.series[k] = sr
		}
		sr.prune(cut)
		if d.point.at.Before(cut) {
			continue
		}
		sr.add(d.point)
		for _, a := range s.byMetric[k] {
			a.win.add(d.point)
			if !seen[a.def.Name] {
				seen[a.def.Name] = true
				touched = append(touched, a)
			}
		}
	}
	return touched
}

// Statistics returns the values of statistic for the metric in each period of length period
// in [from, to), oldest first, leaving out periods without data.
func (s *Service) Statistics(namespace, metric string, dims map[string]string, statistic string, period time.Duration, from, to time.Time) ([]time.Time, []float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sr := s.series[seriesKey(namespace, metric, dims)]
	if sr == nil || period <= 0 {
		return nil, nil
	}
	first := periodStart(from, period)
	if !first.Before(to) {
		return nil, nil
	}
	end := periodStart(to.Add(-time.Nanosecond), period).Add(period)
	var ts []time.Time
	var vs []float64
	var cur time.Time
	var st stats
	flush := func() {
		if st.points == 0 {
			return
		}
		if v, ok := st.value(statistic); ok {
			ts = append(ts, cur)
			vs = append(vs, v)
		}
	}
	sr.each(first, end, func(sec int64, b *bucket) {
		start := periodStart(time.Unix(sec, 0).In(from.Location()), period)
		if !start.Equal(cur) {
			flush()
			cur, st = start, stats{}
		}
		st.merge(b)
	})
	flush()
	return ts, vs
}

// Evaluate judges every alarm at the current time and reports state changes.
func (s *Service) Evaluate(ctx context.Context) {
	s.mu.Lock()
	all := make([]*alarm, 0, len(s.alarms))
	for _, a := range s.alarms {
		all = append(all, a)
	}
	s.mu.Unlock()
	s.evaluate(ctx, all)
}

// evaluate judges the alarms at the current time and reports state changes. An alarm
// deleted or replaced meanwhile is judged on its current definition or skipped.
func (s *Service) evaluate(ctx context.Context, alarms []*alarm) {
	if len(alarms) == 0 {
		return
	}
	now := s.opts.Clock.Now()
	var changes []AlarmChange
	s.mu.Lock()
	for _, a := range alarms {
		if s.alarms[a.def.Name] != a {
			continue
		}
		v := s.judge(a, now)
		if v.value == a.state.Value {
			continue
		}
		next := v.state(a.def, now)
		ch := AlarmChange{Alarm: a.def, ARN: s.ARN(a.def.Name), Previous: a.state, Current: next}
		a.state = next
		s.remember(stateUpdate(ch))
		changes = append(changes, ch)
	}
	s.mu.Unlock()
	s.report(ctx, changes)
}

// report tells the watchers and the event bus of changes, in alarm name order. The caller
// does not hold the lock.
func (s *Service) report(ctx context.Context, changes []AlarmChange) {
	if len(changes) == 0 {
		return
	}
	s.mu.Lock()
	watchers := slices.Clone(s.watchers)
	s.mu.Unlock()
	sort.Slice(changes, func(i, j int) bool { return changes[i].Alarm.Name < changes[j].Alarm.Name })
	for _, ch := range changes {
		for _, w := range watchers {
			w(ch)
		}
		if s.opts.Events == nil {
			continue
		}
		if err := s.opts.Events.PutAWSEvent(ctx, s.event(ch)); err != nil {
			s.opts.Log.Error("emit alarm state change", "alarmName", ch.Alarm.Name, "state", ch.Current.Value, "err", err)
		}
	}
}

// Run evaluates the alarms every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.Evaluate(ctx)
		}
	}
}

// verdict is the outcome of judging an alarm: its state value and what the reason says.
type verdict struct {
	value       string
	breaching   int
	missing     int
	recent      []float64 // newest first
	recentTimes []time.Time
}

// judge computes the state value of a at now from the running statistics of its last
// EvaluationPeriods periods. The caller holds the lock.
func (s *Service) judge(a *alarm, now time.Time) verdict {
	d := a.def
	period := time.Duration(d.PeriodSeconds) * time.Second
	sr := s.series[a.key]
	cmp := operators[d.ComparisonOperator]
	var v verdict
	newest := periodStart(now, period)
	for i := 0; i < d.EvaluationPeriods; i++ {
		start := newest.Add(-time.Duration(i) * period)
		x, ok := a.win.stat(sr, start).value(d.Statistic)
		if !ok {
			v.missing++
			if d.TreatMissingData == "breaching" {
				v.breaching++
			}
			continue
		}
		v.recent = append(v.recent, x)
		v.recentTimes = append(v.recentTimes, start)
		if cmp(x, d.Threshold) {
			v.breaching++
		}
	}
	switch {
	case v.missing == d.EvaluationPeriods && (d.TreatMissingData == "" || d.TreatMissingData == "missing"):
		v.value = StateInsufficientData
	case v.breaching >= d.DatapointsToAlarm:
		v.value = StateAlarm
	default:
		v.value = StateOK
	}
	return v
}

// state writes the verdict on d as an alarm state with its reason, as CloudWatch words it.
func (v verdict) state(d AlarmDefinition, now time.Time) AlarmState {
	st := AlarmState{Value: v.value, Updated: now}
	switch v.value {
	case StateInsufficientData:
		st.Reason = fmt.Sprintf("Insufficient Data: %d datapoints were unknown.", v.missing)
	case StateAlarm:
		st.Reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s was %s the threshold (%s).",
			v.breaching, d.EvaluationPeriods, formatValues(v.recent, v.recentTimes), opWord(d.ComparisonOperator), formatNumber(d.Threshold))
	default:
		st.Reason = fmt.Sprintf("Threshold Crossed: %d out of the last %d datapoints %s was not %s the threshold (%s).",
			len(v.recent)-v.breaching, d.EvaluationPeriods, formatValues(v.recent, v.recentTimes), opWord(d.ComparisonOperator), formatNumber(d.Threshold))
	}
	rd := map[string]any{"version": "1.0", "queryDate": formatTime(now), "statistic": d.Statistic,
		"period": d.PeriodSeconds, "threshold": d.Threshold, "evaluatedDatapoints": evaluated(v.recent, v.recentTimes)}
	if len(v.recentTimes) > 0 {
		rd["startDate"] = formatTime(v.recentTimes[len(v.recentTimes)-1])
		rd["recentDatapoints"] = v.recent
	}
	b, _ := json.Marshal(rd)
	st.ReasonData = string(b)
	return st
}

func evaluated(vs []float64, ts []time.Time) []any {
	out := []any{}
	for i := range vs {
		out = append(out, map[string]any{"timestamp": formatTime(ts[i]), "sampleCount": 1, "value": vs[i]})
	}
	return out
}

func opWord(op string) string {
	switch op {
	case "GreaterThanOrEqualToThreshold":
		return "greater than or equal to"
	case "GreaterThanThreshold":
		return "greater than"
	case "LessThanThreshold":
		return "less than"
	default:
		return "less than or equal to"
	}
}

func formatNumber(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%g", f), ".0") }

func formatValues(vs []float64, ts []time.Time) string {
	parts := make([]string, len(vs))
	for i := range vs {
		parts[i] = fmt.Sprintf("%s (%s)", formatNumber(vs[i]), ts[i].UTC().Format("02/01/06 15:04:05"))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// formatTime writes t as the alarm event does: 2019-10-02T17:04:40.989+0000.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// event builds the "CloudWatch Alarm State Change" event of ch.
func (s *Service) event(ch AlarmChange) Event {
	state := func(st AlarmState) map[string]any {
		m := map[string]any{"value": st.Value, "reason": st.Reason, "timestamp": formatTime(st.Updated)}
		if st.ReasonData != "" {
			m["reasonData"] = st.ReasonData
		}
		return m
	}
	d := ch.Alarm
	detail := map[string]any{
		"alarmName":     d.Name,
		"state":         state(ch.Current),
		"previousState": state(ch.Previous),
		"configuration": map[string]any{
			"description": d.Description,
			"metrics": []any{map[string]any{
				"id": "m1",
				"metricStat": map[string]any{
					"metric": map[string]any{"namespace": d.Namespace, "name": d.MetricName, "dimensions": d.Dimensions},
					"period": d.PeriodSeconds,
					"stat":   d.Statistic,
				},
				"returnData": true,
			}},
		},
	}
	b, _ := json.Marshal(detail)
	return Event{Source: "aws.cloudwatch", DetailType: "CloudWatch Alarm State Change",
		Resources: []string{ch.ARN}, Detail: b, Time: ch.Current.Updated}
}
