package cloudwatch

import (
	"math"
	"sort"
	"strings"
	"time"
)

// retention is how long datapoints are kept.
const retention = 24 * time.Hour

// bucket is the aggregate of the datapoints of one metric within one second, the finest
// period CloudWatch offers (high-resolution metrics): every period an alarm or a query can
// ask for is a whole number of seconds aligned on whole seconds, so it is a union of buckets.
type bucket struct {
	points               int // how many datapoints were put
	count, sum, min, max float64
	unit                 string
	// values are the raw values (with repetition by count) when known, for percentiles.
	values []float64
}

// add folds one datapoint into b.
func (b *bucket) add(p point) {
	if b.points == 0 {
		b.min, b.max, b.unit = p.min, p.max, p.unit
	}
	b.points++
	b.count += p.count
	b.sum += p.sum
	b.min = math.Min(b.min, p.min)
	b.max = math.Max(b.max, p.max)
	b.values = append(b.values, p.values...)
}

// series is the datapoints of one metric (namespace, name and dimension set), kept as
// one-second buckets: putting a datapoint and dropping expired ones cost the same whatever
// the history, and a query reads only the seconds of its range.
type series struct {
	namespace, name string
	dims            map[string]string
	buckets         map[int64]*bucket // by Unix second
	// seconds are the keys of buckets in ascending order from index head (the ones before
	// head were dropped and are compacted away now and then).
	seconds []int64
	head    int
}

func newSeries(namespace, name string, dims map[string]string) *series {
	return &series{namespace: namespace, name: name, dims: dims, buckets: map[int64]*bucket{}}
}

// seriesKey identifies a metric: namespace, name and the sorted dimensions.
func seriesKey(namespace, name string, dims map[string]string) string {
	var b strings.Builder
	b.WriteString(namespace)
	b.WriteByte(0)
	b.WriteString(name)
	keys := make([]string, 0, len(dims))
	for k := range dims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(dims[k])
	}
	return b.String()
}

// second returns the Unix second that holds t.
func second(t time.Time) int64 {
	return t.Truncate(time.Second).Unix()
}

// add records p in its second's bucket. Datapoints arrive mostly in time order, so the
// new second is usually appended; an older one is inserted in place.
func (s *series) add(p point) {
	sec := second(p.at)
	b := s.buckets[sec]
	if b == nil {
		b = &bucket{}
		s.buckets[sec] = b
		live := s.seconds[s.head:]
		if n := len(live); n == 0 || live[n-1] < sec {
			s.seconds = append(s.seconds, sec)
		} else {
			i := s.head + sort.Search(n, func(i int) bool { return live[i] > sec })
			s.seconds = append(s.seconds, 0)
			copy(s.seconds[i+1:], s.seconds[i:])
			s.seconds[i] = sec
		}
	}
	b.add(p)
}

// prune drops the seconds that end at or before before.
func (s *series) prune(before time.Time) {
	cut := second(before)
	for s.head < len(s.seconds) && s.seconds[s.head] < cut {
		delete(s.buckets, s.seconds[s.head])
		s.head++
	}
	if s.head > 1024 && s.head > len(s.seconds)/2 {
		s.seconds = append(s.seconds[:0], s.seconds[s.head:]...)
		s.head = 0
	}
}

// each calls fn with every bucket in [from, to), oldest first.
func (s *series) each(from, to time.Time, fn func(sec int64, b *bucket)) {
	live := s.seconds[s.head:]
	lo, hi := second(from), to.Unix()
	if to.After(time.Unix(hi, 0)) {
		hi++ // a partial second at the end still holds datapoints before to
	}
	i := sort.Search(len(live), func(i int) bool { return live[i] >= lo })
	for ; i < len(live) && live[i] < hi; i++ {
		fn(live[i], s.buckets[live[i]])
	}
}
