package cloudwatch

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// point is one datapoint: a single value (Values holds it) or a statistic set.
type point struct {
	at       time.Time
	unit     string
	sum, min float64
	max      float64
	count    float64
	// values are the raw values (with repetition by count) when known, for percentiles.
	values []float64
}

// stats aggregates the buckets of one period for a query.
type stats struct {
	points               int
	count, sum, min, max float64
	values               []float64
}

// merge folds the bucket b into s.
func (s *stats) merge(b *bucket) {
	if b.points == 0 {
		return
	}
	if s.points == 0 {
		s.min, s.max = b.min, b.max
	}
	s.points += b.points
	s.count += b.count
	s.sum += b.sum
	s.min = math.Min(s.min, b.min)
	s.max = math.Max(s.max, b.max)
	s.values = append(s.values, b.values...)
}

// validStatistic reports whether name is a statistic the service computes.
func validStatistic(name string) bool {
	switch name {
	case "SampleCount", "Average", "Sum", "Minimum", "Maximum":
		return true
	}
	return percentile.MatchString(name)
}

// value computes statistic name of s: SampleCount, Average, Sum, Minimum, Maximum or pNN
// (nearest rank over the raw values; ok is false when the period has none). The values
// are sorted in place.
func (s stats) value(name string) (float64, bool) {
	switch name {
	case "SampleCount":
		return s.count, true
	case "Average":
		if s.count == 0 {
			return 0, false
		}
		return s.sum / s.count, true
	case "Sum":
		return s.sum, true
	case "Minimum":
		return s.min, true
	case "Maximum":
		return s.max, true
	}
	p, ok := percentileOf(name)
	if !ok {
		return 0, false
	}
	return percentileValue(p, s.values)
}

// datum is one decoded MetricDatum.
type datum struct {
	name  string
	dims  map[string]string
	at    time.Time
	unit  string
	point point
}

// parseDatum reads one MetricDatum: Value, Values with Counts, or StatisticValues.
func parseDatum(d args, now time.Time) (datum, error) {
	out := datum{name: d.str("MetricName"), dims: d.dimensions("Dimensions"), unit: d.str("Unit")}
	if out.name == "" {
		return out, errors.New("MetricName is required")
	}
	out.at = now
	if t, ok := d.time("Timestamp"); ok {
		out.at = t
	}
	p := point{at: out.at, unit: out.unit}
	switch {
	case d["StatisticValues"] != nil:
		sv := d.obj("StatisticValues")
		p.count, _ = sv.num("SampleCount")
		p.sum, _ = sv.num("Sum")
		p.min, _ = sv.num("Minimum")
		p.max, _ = sv.num("Maximum")
		if p.count <= 0 {
			return out, fmt.Errorf("metric %s: StatisticValues.SampleCount must be positive", out.name)
		}
	case d["Values"] != nil:
		vals, counts := d.list("Values"), d.list("Counts")
		if len(counts) > 0 && len(counts) != len(vals) {
			return out, fmt.Errorf("metric %s: Values and Counts differ in length", out.name)
		}
		first := true
		for i, e := range vals {
			v, _ := e.(float64)
			c := 1.0
			if len(counts) > 0 {
				c, _ = counts[i].(float64)
			}
			if first {
				p.min, p.max, first = v, v, false
			}
			p.min, p.max = math.Min(p.min, v), math.Max(p.max, v)
			p.sum += v * c
			p.count += c
			for n := 0; n < int(c) && n < 10000; n++ {
				p.values = append(p.values, v)
			}
		}
		if p.count == 0 {
			return out, fmt.Errorf("metric %s: Values is empty", out.name)
		}
	default:
		v, ok := d.num("Value")
		if !ok {
			return out, fmt.Errorf("metric %s: one of Value, Values or StatisticValues is required", out.name)
		}
		p = point{at: out.at, unit: out.unit, sum: v, min: v, max: v, count: 1, values: []float64{v}}
	}
	if math.IsNaN(p.sum) || math.IsInf(p.sum, 0) {
		return out, fmt.Errorf("metric %s: the value is not a finite number", out.name)
	}
	out.point = p
	return out, nil
}

// periodStart returns the start of the period of length period that holds t.
func periodStart(t time.Time, period time.Duration) time.Time {
	return t.Truncate(period)
}
