package eventpattern

// maxConsistencySteps bounds the search for array-consistent choices. Past it, the search
// gives up and reports a match, the answer EventBridge gives without the consistency rule.
const maxConsistencySteps = 100000

// consistent reports whether one matching value can be chosen for every constrained test so
// that any two chosen values that sit in the same array sit in the same element of it. This is
// how EventBridge treats fields of objects inside arrays: {"a":{"b":[1],"c":[2]}} does not
// match {"a":[{"b":1,"c":3},{"b":3,"c":2}]}, because b and c matched in different elements.
func (st *eventState) consistent() bool {
	st.chosen = st.chosen[:0]
	budget := maxConsistencySteps
	return st.search(0, &budget)
}

func (st *eventState) search(t int, budget *int) bool {
	for t < len(st.spans) && st.spans[t].free {
		t++
	}
	if t == len(st.spans) {
		return true
	}
	sp := st.spans[t]
	for i := sp.lo; i < sp.hi; i++ {
		*budget--
		if *budget < 0 {
			return true
		}
		vi := st.choices[i]
		ok := true
		for _, other := range st.chosen {
			if !st.sameElements(vi, other) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		st.chosen = append(st.chosen, vi)
		if st.search(t+1, budget) {
			return true
		}
		st.chosen = st.chosen[:len(st.chosen)-1]
	}
	return false
}

// sameElements reports whether values a and b agree on the element of every array that holds
// both. Their element chains are walked up to the same depth, then in step until they meet;
// the values disagree exactly when the two elements just below the meeting point are
// different elements of one array.
func (st *eventState) sameElements(a, b int32) bool {
	ea, eb := st.vals[a].elem, st.vals[b].elem
	for ea >= 0 && eb >= 0 && st.elems[ea].depth > st.elems[eb].depth {
		ea = st.elems[ea].parent
	}
	for ea >= 0 && eb >= 0 && st.elems[eb].depth > st.elems[ea].depth {
		eb = st.elems[eb].parent
	}
	if ea == eb || ea < 0 || eb < 0 {
		return true
	}
	for {
		pa, pb := st.elems[ea].parent, st.elems[eb].parent
		if pa == pb {
			return st.elems[ea].array != st.elems[eb].array
		}
		ea, eb = pa, pb
	}
}
