package eventpattern

import "slices"

// eventState is the scratch space of one match: the flattened event, its values grouped by
// path, and the marks that deduplicate candidates. States are pooled per snapshot.
type eventState struct {
	vals    []value
	elems   []element
	cur     int32 // the array element being scanned, -1 outside arrays
	nArrays int32
	skip    []byte // open containers while skipping

	head    []int32 // first value at each path, -1 when none
	next    []int32 // next value at the same path
	present []int32 // paths holding at least one value

	gen      uint32
	seen     []uint32 // conjunction marks
	ruleSeen []uint32 // rule marks
	cands    []int32
	hits     []int32

	choices []int32 // matching values per test, for the array-consistency check
	spans   []span
	chosen  []int32
}

// span is the range of choices of one test; free means the test needs no value.
type span struct {
	lo, hi int32
	free   bool
}

func newEventState(s *snapshot) *eventState {
	head := make([]int32, s.npaths)
	for i := range head {
		head[i] = -1
	}
	return &eventState{
		head:     head,
		seen:     make([]uint32, len(s.conjs)),
		ruleSeen: make([]uint32, len(s.rules)),
	}
}

// group links the flattened values by path.
func (st *eventState) group() {
	for _, p := range st.present {
		st.head[p] = -1
	}
	st.present = st.present[:0]
	if cap(st.next) < len(st.vals) {
		st.next = make([]int32, len(st.vals), cap(st.vals))
	}
	st.next = st.next[:len(st.vals)]
	for i := len(st.vals) - 1; i >= 0; i-- {
		p := st.vals[i].path
		if st.head[p] < 0 {
			st.present = append(st.present, p)
		}
		st.next[i] = st.head[p]
		st.head[p] = int32(i)
	}
}

// nextGen advances the mark generation, clearing the marks when it wraps.
func (st *eventState) nextGen() uint32 {
	st.gen++
	if st.gen == 0 {
		clear(st.seen)
		clear(st.ruleSeen)
		st.gen = 1
	}
	return st.gen
}

// match returns the indexes of the rules that event matches, in ascending order (rules are
// sorted by name, so the names come out sorted too). The slice is the state's own: copy it
// before putting the state back.
func (s *snapshot) match(st *eventState, event []byte) ([]int32, error) {
	if err := st.flatten(event, s.root); err != nil {
		return nil, err
	}
	st.group()
	gen := st.nextGen()
	cands := st.cands[:0]
	for i := range st.vals {
		for _, c := range s.index[st.vals[i].path].lookup(&st.vals[i]) {
			if st.seen[c] != gen {
				st.seen[c] = gen
				cands = append(cands, c)
			}
		}
	}
	for _, p := range st.present {
		for _, c := range s.index[p].present {
			if st.seen[c] != gen {
				st.seen[c] = gen
				cands = append(cands, c)
			}
		}
	}
	cands = append(cands, s.always...)
	hits := st.hits[:0]
	for _, ci := range cands {
		c := &s.conjs[ci]
		if st.ruleSeen[c.rule] == gen {
			continue
		}
		if st.evalConj(c) {
			st.ruleSeen[c.rule] = gen
			hits = append(hits, c.rule)
		}
	}
	slices.Sort(hits)
	st.cands, st.hits = cands, hits
	return hits, nil
}

// evalConj reports whether every test of c holds for the grouped event. A test on a field
// without values holds only with exists:false; otherwise one of the field's values must match.
// When matching values come from arrays, the values chosen for the different tests must come
// from the same element of every array they share (see arrays.go).
func (st *eventState) evalConj(c *boundConj) bool {
	constrained := false
	st.choices = st.choices[:0]
	st.spans = st.spans[:0]
	for _, bt := range c.tests {
		h := st.head[bt.path]
		if h < 0 {
			if bt.t.existsFalse {
				st.spans = append(st.spans, span{free: true})
				continue
			}
			return false
		}
		lo := int32(len(st.choices))
		free := false
		for vi := h; vi >= 0; vi = st.next[vi] {
			v := &st.vals[vi]
			if !bt.t.matchValue(v) {
				continue
			}
			if v.elem < 0 {
				free = true
				break
			}
			st.choices = append(st.choices, vi)
		}
		hi := int32(len(st.choices))
		if free {
			st.choices = st.choices[:lo]
			st.spans = append(st.spans, span{free: true})
			continue
		}
		if hi == lo {
			return false
		}
		constrained = true
		st.spans = append(st.spans, span{lo: lo, hi: hi})
	}
	if !constrained {
		return true
	}
	return st.consistent()
}
