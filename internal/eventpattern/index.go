package eventpattern

import (
	"maps"
	"slices"
	"sync"
)

// boundTest is a field test bound to the path number of one snapshot.
type boundTest struct {
	path int32
	t    *fieldTest
}

// boundConj is a conjunction of one rule, bound to a snapshot's path numbers.
type boundConj struct {
	rule  int32
	tests []boundTest
}

// pathIndex finds the conjunctions worth evaluating from the values found at one path: those
// keyed on an exact value there, and those that only need some value there.
type pathIndex struct {
	strs    map[string][]int32
	few     []string  // the strings, once sealed with at most fewStrings of them, else nil
	fewIDs  [][]int32 // the conjunctions of each string in few
	nums    map[int64][]int32
	texts   map[string][]int32 // numbers outside the numeric range, by literal text
	lits    [3][]int32         // true, false, null
	present []int32
}

// snapshot is an immutable, indexed set of rules. Matchers swap whole snapshots, so a match
// never sees a half-built index.
type snapshot struct {
	names  []string
	rules  []*rule
	root   *pathNode
	npaths int
	conjs  []boundConj
	index  []pathIndex
	always []int32
	pool   sync.Pool
}

// countKey identifies an exact value at a path, for choosing which field keys a conjunction.
type countKey struct {
	path int32
	k    kind
	num  int64
	s    string
	text bool // a number outside the numeric range, keyed by its literal text
}

func exactKey(path int32, m valueMatcher) countKey {
	switch x := m.(type) {
	case exactString:
		return countKey{path: path, k: kindString, s: x.s}
	case exactNumber:
		if x.numOK {
			return countKey{path: path, k: kindNumber, num: x.num}
		}
		return countKey{path: path, k: kindNumber, s: x.text, text: true}
	case exactLiteral:
		return countKey{path: path, k: x.k}
	}
	panic("eventpattern: exactKey on a non-exact matcher")
}

// buildSnapshot indexes rules, which must be sorted by name. Each conjunction is filed under
// the exact values of its most selective exact field (the one whose values the fewest other
// conjunctions share); without an exact field, under the presence of a field that needs a
// value; and only when every field may be absent, in the list checked for every event.
func buildSnapshot(names []string, rules []*rule) *snapshot {
	s := &snapshot{names: names, rules: rules, root: newPathNode()}
	pathID := func(segs []string) int32 {
		n := s.root.insert(segs)
		if n.id < 0 {
			n.id = int32(s.npaths)
			s.npaths++
		}
		return n.id
	}
	for ri, r := range rules {
		for _, c := range r.conjs {
			bc := boundConj{rule: int32(ri), tests: make([]boundTest, len(c.tests))}
			for ti, t := range c.tests {
				bc.tests[ti] = boundTest{path: pathID(t.segs), t: t}
			}
			s.conjs = append(s.conjs, bc)
		}
	}
	s.index = make([]pathIndex, s.npaths)
	freq := map[countKey]int{}
	for _, c := range s.conjs {
		for _, bt := range c.tests {
			if bt.t.exact {
				for _, a := range bt.t.alts {
					freq[exactKey(bt.path, a)]++
				}
			}
		}
	}
	for ci, c := range s.conjs {
		best, bestCost := -1, 0
		presence := -1
		for ti, bt := range c.tests {
			if bt.t.exact {
				cost := 0
				for _, a := range bt.t.alts {
					cost += freq[exactKey(bt.path, a)]
				}
				if best < 0 || cost < bestCost {
					best, bestCost = ti, cost
				}
			} else if !bt.t.existsFalse && presence < 0 {
				presence = ti
			}
		}
		id := int32(ci)
		switch {
		case best >= 0:
			bt := c.tests[best]
			ix := &s.index[bt.path]
			for _, a := range bt.t.alts {
				ix.add(exactKey(bt.path, a), id)
			}
		case presence >= 0:
			ix := &s.index[c.tests[presence].path]
			ix.present = appendUnique(ix.present, id)
		default:
			s.always = append(s.always, id)
		}
	}
	for i := range s.index {
		s.index[i].seal()
	}
	s.pool.New = func() any { return newEventState(s) }
	return s
}

// fewStrings is how many exact strings a path may have for lookup to compare them one by one
// instead of hashing: a path like source or detail-type usually holds one to three.
const fewStrings = 4

// seal moves a path's exact strings from the map to a short list when there are few of them;
// comparing a value with each (its length first) is cheaper than hashing it. add must not be
// called after seal.
func (ix *pathIndex) seal() {
	if len(ix.strs) == 0 || len(ix.strs) > fewStrings {
		return
	}
	for _, k := range slices.Sorted(maps.Keys(ix.strs)) {
		ix.few = append(ix.few, k)
		ix.fewIDs = append(ix.fewIDs, ix.strs[k])
	}
	ix.strs = nil
}

// add files conjunction id under an exact value.
func (ix *pathIndex) add(k countKey, id int32) {
	switch k.k {
	case kindString:
		if ix.strs == nil {
			ix.strs = map[string][]int32{}
		}
		ix.strs[k.s] = appendUnique(ix.strs[k.s], id)
	case kindNumber:
		if k.text {
			if ix.texts == nil {
				ix.texts = map[string][]int32{}
			}
			ix.texts[k.s] = appendUnique(ix.texts[k.s], id)
			return
		}
		if ix.nums == nil {
			ix.nums = map[int64][]int32{}
		}
		ix.nums[k.num] = appendUnique(ix.nums[k.num], id)
	default:
		i := int(k.k - kindTrue)
		ix.lits[i] = appendUnique(ix.lits[i], id)
	}
}

// lookup returns the conjunctions filed under the exact value v.
func (ix *pathIndex) lookup(v *value) []int32 {
	switch v.kind {
	case kindString:
		if ix.strs != nil {
			return ix.strs[string(v.str)]
		}
		for i, k := range ix.few {
			if k == string(v.str) {
				return ix.fewIDs[i]
			}
		}
		return nil
	case kindNumber:
		if v.numOK {
			if ix.nums == nil {
				return nil
			}
			return ix.nums[v.num]
		}
		if ix.texts == nil {
			return nil
		}
		return ix.texts[string(v.str)]
	default:
		return ix.lits[v.kind-kindTrue]
	}
}

func appendUnique(list []int32, id int32) []int32 {
	if n := len(list); n > 0 && list[n-1] == id {
		return list
	}
	return append(list, id)
}
