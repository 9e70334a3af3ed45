package cloudwatch

import (
	"container/heap"
	"math"
	"regexp"
	"sort"
	"strconv"
)

var percentile = regexp.MustCompile(`^p(\d{1,2}(\.\d{1,10})?|100)$`)

// percentileOf returns p of a statistic pNN and whether name is one.
func percentileOf(name string) (float64, bool) {
	m := percentile.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	p, err := strconv.ParseFloat(m[1], 64)
	return p, err == nil
}

// nearestRank returns the 1-based rank of percentile p among n values: ceil(p/100·n), at
// least 1. Every percentile of the service goes through it, so a query and an alarm agree.
func nearestRank(p float64, n int) int {
	rank := int(math.Ceil(p / 100 * float64(n)))
	return max(rank, 1)
}

// percentileValue returns percentile p of values (nearest rank); values is sorted in place.
func percentileValue(p float64, values []float64) (float64, bool) {
	if len(values) == 0 {
		return 0, false
	}
	sort.Float64s(values)
	return values[nearestRank(p, len(values))-1], true
}

// runningPercentile keeps one percentile of a growing multiset of values exactly (nearest
// rank), at O(log n) a value: the values at or below the rank sit in a max-heap whose top is
// the answer, the rest in a min-heap, and each addition moves at most one value across.
// An alarm keeps one per period it judges, so a put never re-sorts the period's values.
type runningPercentile struct {
	p     float64
	lower maxHeap // the rank smallest values
	upper minHeap
}

func (r *runningPercentile) add(v float64) {
	if r.lower.Len() > 0 && v <= r.lower.f[0] {
		heap.Push(&r.lower, v)
	} else {
		heap.Push(&r.upper, v)
	}
	k := nearestRank(r.p, r.lower.Len()+r.upper.Len())
	for r.lower.Len() > k {
		heap.Push(&r.upper, heap.Pop(&r.lower))
	}
	for r.lower.Len() < k && r.upper.Len() > 0 {
		heap.Push(&r.lower, heap.Pop(&r.upper))
	}
}

// value returns the percentile, false when no value was added.
func (r *runningPercentile) value() (float64, bool) {
	if r.lower.Len() == 0 {
		return 0, false
	}
	return r.lower.f[0], true
}

type minHeap struct{ f []float64 }

func (h *minHeap) Len() int           { return len(h.f) }
func (h *minHeap) Less(i, j int) bool { return h.f[i] < h.f[j] }
func (h *minHeap) Swap(i, j int)      { h.f[i], h.f[j] = h.f[j], h.f[i] }
func (h *minHeap) Push(x any)         { h.f = append(h.f, x.(float64)) }
func (h *minHeap) Pop() any {
	v := h.f[len(h.f)-1]
	h.f = h.f[:len(h.f)-1]
	return v
}

type maxHeap struct{ minHeap }

func (h *maxHeap) Less(i, j int) bool { return h.f[i] > h.f[j] }
