package cloudwatch

import (
	"math"
	"time"
)

// periodStat is an alarm's running statistic of one period: what the alarm's Statistic
// needs and nothing more, updated as datapoints arrive.
type periodStat struct {
	start                time.Time // zero: the slot holds no period
	points               int
	count, sum, min, max float64
	pct                  *runningPercentile // for a pNN statistic
}

func (p *periodStat) add(pt point) {
	if p.points == 0 {
		p.min, p.max = pt.min, pt.max
	}
	p.points++
	p.count += pt.count
	p.sum += pt.sum
	p.min = math.Min(p.min, pt.min)
	p.max = math.Max(p.max, pt.max)
	if p.pct != nil {
		for _, v := range pt.values {
			p.pct.add(v)
		}
	}
}

// value returns the alarm's statistic of the period; false when it has no datapoint (or,
// for a percentile, no raw value).
func (p *periodStat) value(statistic string) (float64, bool) {
	if p.points == 0 {
		return 0, false
	}
	switch statistic {
	case "SampleCount":
		return p.count, true
	case "Average":
		if p.count == 0 {
			return 0, false
		}
		return p.sum / p.count, true
	case "Sum":
		return p.sum, true
	case "Minimum":
		return p.min, true
	case "Maximum":
		return p.max, true
	}
	if p.pct == nil {
		return 0, false
	}
	return p.pct.value()
}

// alarmWindow holds the running statistics of the periods an alarm judges: one slot for
// each of its EvaluationPeriods, the period starting at k·Period in slot k mod
// EvaluationPeriods, so any EvaluationPeriods consecutive periods have a slot each. A slot
// is filled from the series' buckets the first time its period is judged and then kept up
// to date by every put into that period, so judging costs EvaluationPeriods look-ups and a
// put one update, whatever the history. A put into a period no slot holds changes no slot:
// the period is filled from the buckets when it is judged.
type alarmWindow struct {
	period     time.Duration
	percentile float64
	isPct      bool
	slots      []periodStat
}

func newAlarmWindow(d AlarmDefinition) *alarmWindow {
	w := &alarmWindow{period: time.Duration(d.PeriodSeconds) * time.Second, slots: make([]periodStat, d.EvaluationPeriods)}
	w.percentile, w.isPct = percentileOf(d.Statistic)
	return w
}

func (w *alarmWindow) slot(start time.Time) *periodStat {
	n := start.Unix() / int64(w.period/time.Second)
	return &w.slots[int(n%int64(len(w.slots)))]
}

// add records pt in the slot of its period if that slot holds the period.
func (w *alarmWindow) add(pt point) {
	start := periodStart(pt.at, w.period)
	if sl := w.slot(start); sl.start.Equal(start) {
		sl.add(pt)
	}
}

// stat returns the running statistic of the period beginning at start, filling its slot
// from sr (nil: no datapoints) when the slot holds another period.
func (w *alarmWindow) stat(sr *series, start time.Time) *periodStat {
	sl := w.slot(start)
	if sl.start.Equal(start) {
		return sl
	}
	*sl = periodStat{start: start}
	if w.isPct {
		sl.pct = &runningPercentile{p: w.percentile}
	}
	if sr != nil {
		sr.each(start, start.Add(w.period), func(_ int64, b *bucket) {
			sl.addBucket(b)
		})
	}
	return sl
}

// addBucket folds a whole bucket into p.
func (p *periodStat) addBucket(b *bucket) {
	if b.points == 0 {
		return
	}
	if p.points == 0 {
		p.min, p.max = b.min, b.max
	}
	p.points += b.points
	p.count += b.count
	p.sum += b.sum
	p.min = math.Min(p.min, b.min)
	p.max = math.Max(p.max, b.max)
	if p.pct != nil {
		for _, v := range b.values {
			p.pct.add(v)
		}
	}
}
