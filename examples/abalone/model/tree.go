package model

import (
	"cmp"
	"slices"
	"sort"
)

// Node is one node of a regression tree, stored in a flat slice with the root at index 0.
// A node with Left == 0 is a leaf whose prediction is Value (already scaled by the learning
// rate). Otherwise a row goes to Left when its Feature is below Threshold, else to Right;
// children always come after their parent, so a tree has no cycles.
type Node struct {
	Feature   int     `json:"feature,omitempty"`
	Threshold float64 `json:"threshold,omitempty"`
	Left      int     `json:"left,omitempty"`
	Right     int     `json:"right,omitempty"`
	Value     float64 `json:"value,omitempty"`
}

// Tree is one regression tree.
type Tree struct {
	Nodes []Node `json:"nodes"`
}

// Predict returns the leaf value that x reaches. x must be as long as the model's features.
func (t *Tree) Predict(x []float64) float64 {
	i := 0
	for {
		n := &t.Nodes[i]
		if n.Left == 0 {
			return n.Value
		}
		if x[n.Feature] < n.Threshold {
			i = n.Left
		} else {
			i = n.Right
		}
	}
}

// matrix holds training features column by column, with their histogram bins.
type matrix struct {
	cols [][]float64 // [feature][row]
	bins [][]uint16  // [feature][row]: bin index, for the hist method
	cuts [][]float64 // [feature]: bin b holds values in [cuts[b-1], cuts[b])
}

func newMatrix(x [][]float64, nfeat int, maxBin int, withBins bool) *matrix {
	m := &matrix{cols: make([][]float64, nfeat)}
	for f := range nfeat {
		col := make([]float64, len(x))
		for i, row := range x {
			col[i] = row[f]
		}
		m.cols[f] = col
	}
	if !withBins {
		return m
	}
	m.bins = make([][]uint16, nfeat)
	m.cuts = make([][]float64, nfeat)
	for f, col := range m.cols {
		cuts := binCuts(col, maxBin)
		b := make([]uint16, len(col))
		for i, v := range col {
			b[i] = uint16(sort.Search(len(cuts), func(k int) bool { return cuts[k] > v }))
		}
		m.bins[f], m.cuts[f] = b, cuts
	}
	return m
}

// binCuts returns at most maxBin-1 ascending thresholds splitting col into bins: the midpoints
// between consecutive distinct values when there are at most maxBin of them, otherwise
// midpoints placed at evenly spaced quantiles.
func binCuts(col []float64, maxBin int) []float64 {
	sorted := slices.Clone(col)
	slices.Sort(sorted)
	distinct := slices.Compact(slices.Clone(sorted))
	var cuts []float64
	if len(distinct) <= maxBin {
		for k := 1; k < len(distinct); k++ {
			cuts = append(cuts, distinct[k-1]+(distinct[k]-distinct[k-1])/2)
		}
		return cuts
	}
	for b := 1; b < maxBin; b++ {
		q := sorted[b*len(sorted)/maxBin]
		k, _ := slices.BinarySearch(distinct, q)
		if k == 0 {
			continue
		}
		c := distinct[k-1] + (distinct[k]-distinct[k-1])/2
		if len(cuts) == 0 || c > cuts[len(cuts)-1] {
			cuts = append(cuts, c)
		}
	}
	return cuts
}

// builder grows one tree on gradients of squared error (hessian 1 for every row).
type builder struct {
	p     Params
	m     *matrix
	grad  []float64
	nodes []Node
	// scratch histograms for the hist method, reused across nodes
	hg, hh []float64
	// the exact method: rows presorted per feature, and a scratch side per row
	sorted [][]int
	goLeft []bool
}

type split struct {
	gain      float64
	feature   int
	threshold float64
	bin       int // hist: rows with bin <= this go left
	ok        bool
}

func (b *builder) leafValue(g, h float64) float64 {
	return -b.p.Eta * g / (h + b.p.Lambda)
}

func (b *builder) score(g, h float64) float64 {
	return g * g / (h + b.p.Lambda)
}

// grow builds the subtree for rows idx at depth with the hist method and returns its node index.
func (b *builder) grow(idx []int, depth int) int {
	var g float64
	for _, i := range idx {
		g += b.grad[i]
	}
	h := float64(len(idx))
	at := len(b.nodes)
	b.nodes = append(b.nodes, Node{Value: b.leafValue(g, h)})
	if depth >= b.p.MaxDepth || len(idx) < 2 {
		return at
	}
	s := b.bestHist(idx, g, h)
	if !s.ok {
		return at
	}
	left := make([]int, 0, len(idx))
	right := make([]int, 0, len(idx))
	col := b.m.cols[s.feature]
	for _, i := range idx {
		if col[i] < s.threshold {
			left = append(left, i)
		} else {
			right = append(right, i)
		}
	}
	l := b.grow(left, depth+1)
	r := b.grow(right, depth+1)
	b.nodes[at] = Node{Feature: s.feature, Threshold: s.threshold, Left: l, Right: r}
	return at
}

func (b *builder) consider(best *split, gl, hl, g, h float64, parent float64) (float64, bool) {
	hr, gr := h-hl, g-gl
	if hl < b.p.MinChildWeight || hr < b.p.MinChildWeight || hl == 0 || hr == 0 {
		return 0, false
	}
	gain := 0.5*(b.score(gl, hl)+b.score(gr, hr)-parent) - b.p.Gamma
	if gain <= 1e-12 || (best.ok && gain <= best.gain) {
		return 0, false
	}
	return gain, true
}

// presort returns, per feature, every row index ordered by (value, index): the exact method
// keeps each node's rows in this order, so no node ever sorts.
func (m *matrix) presort() [][]int {
	out := make([][]int, len(m.cols))
	for f, col := range m.cols {
		order := make([]int, len(col))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(i, j int) int {
			if c := cmp.Compare(col[i], col[j]); c != 0 {
				return c
			}
			return cmp.Compare(i, j)
		})
		out[f] = order
	}
	return out
}

// growExact builds the subtree for a node whose rows are given once per feature, each list
// sorted by that feature, and returns its node index. Children get their lists by a stable
// partition of the parent's.
func (b *builder) growExact(lists [][]int, depth int) int {
	idx := lists[0]
	var g float64
	for _, i := range idx {
		g += b.grad[i]
	}
	h := float64(len(idx))
	at := len(b.nodes)
	b.nodes = append(b.nodes, Node{Value: b.leafValue(g, h)})
	if depth >= b.p.MaxDepth || len(idx) < 2 {
		return at
	}
	s := b.bestExact(lists, g, h)
	if !s.ok {
		return at
	}
	col := b.m.cols[s.feature]
	nl := 0
	for _, i := range idx {
		b.goLeft[i] = col[i] < s.threshold
		if b.goLeft[i] {
			nl++
		}
	}
	left, right := make([][]int, len(lists)), make([][]int, len(lists))
	for f, list := range lists {
		l, r := make([]int, 0, nl), make([]int, 0, len(list)-nl)
		for _, i := range list {
			if b.goLeft[i] {
				l = append(l, i)
			} else {
				r = append(r, i)
			}
		}
		left[f], right[f] = l, r
	}
	li := b.growExact(left, depth+1)
	ri := b.growExact(right, depth+1)
	b.nodes[at] = Node{Feature: s.feature, Threshold: s.threshold, Left: li, Right: ri}
	return at
}

// bestExact tries every boundary between distinct values of every feature.
func (b *builder) bestExact(lists [][]int, g, h float64) split {
	var best split
	parent := b.score(g, h)
	for f, order := range lists {
		col := b.m.cols[f]
		var gl, hl float64
		for k := 0; k < len(order)-1; k++ {
			gl += b.grad[order[k]]
			hl++
			v, next := col[order[k]], col[order[k+1]]
			if v == next {
				continue
			}
			if gain, ok := b.consider(&best, gl, hl, g, h, parent); ok {
				best = split{gain: gain, feature: f, threshold: v + (next-v)/2, ok: true}
			}
		}
	}
	return best
}

func (b *builder) bestHist(idx []int, g, h float64) split {
	var best split
	parent := b.score(g, h)
	for f, bins := range b.m.bins {
		cuts := b.m.cuts[f]
		nb := len(cuts) + 1
		if nb < 2 {
			continue
		}
		hg, hh := b.hg[:nb], b.hh[:nb]
		clear(hg)
		clear(hh)
		for _, i := range idx {
			hg[bins[i]] += b.grad[i]
			hh[bins[i]]++
		}
		var gl, hl float64
		for k := 0; k < nb-1; k++ {
			gl += hg[k]
			hl += hh[k]
			if hh[k] == 0 {
				continue
			}
			if gain, ok := b.consider(&best, gl, hl, g, h, parent); ok {
				best = split{gain: gain, feature: f, threshold: cuts[k], bin: k, ok: true}
			}
		}
	}
	return best
}
