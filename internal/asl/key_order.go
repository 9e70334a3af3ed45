package asl

import (
	"reflect"
	"sort"
	"sync"
)

// keyOrder remembers the document order of the keys of JSON objects, which plain Go maps
// lose. AWS keeps it, and it shows in the strings States.JsonToString and States.Format build
// from objects. A machine whose definition uses neither records nothing (no cost); one that
// does records the order of its definition's objects, of the execution input, of the objects
// its payload templates build and of the copies ResultPath makes. Objects it never saw (task
// results, JSONata values) fall back to sorted keys. A keyOrder holds the objects it records,
// so a map address is never reused while it is in use; it is safe for concurrent use.
type keyOrder struct {
	mu sync.Mutex
	// small holds the first objects recorded, scanned in order (an execution records few);
	// m holds the rest.
	small [smallOrder]orderedKeys
	n     int
	m     map[uintptr]orderedKeys
	// parent is consulted for objects this one has not seen (the machine's, for an execution).
	parent *keyOrder
	// frozen is set once nothing more is recorded (the machine's, after parsing): it is then
	// read without the lock.
	frozen bool
	// numbers is set when the floating-point form of numbers is recorded too (the definition
	// uses States.JsonToString); doubles holds them by container (number_form.go).
	numbers bool
	doubles map[uintptr]*doubleMembers
}

// smallOrder is how many objects a keyOrder records before it needs its map.
const smallOrder = 6

// orderedKeys is the recorded order of one object: keys, or (for a ResultPath copy) the keys
// of base followed by extra, worked out only when someone asks.
type orderedKeys struct {
	id    uintptr
	obj   map[string]any
	keys  []string
	base  map[string]any
	extra string
}

// newKeyOrder returns an empty keyOrder that falls back to parent; hint is the number of
// objects expected.
func newKeyOrder(parent *keyOrder, hint int) *keyOrder {
	o := &keyOrder{}
	if hint > smallOrder {
		o.m = make(map[uintptr]orderedKeys, hint-smallOrder)
	}
	o.init(parent)
	return o
}

// init makes an empty o fall back to parent.
func (o *keyOrder) init(parent *keyOrder) {
	o.parent = parent
	o.numbers = parent != nil && parent.numbers
}

// reset empties o for reuse: it forgets every object it recorded, so a map allocated later at
// a recorded object's address is not mistaken for it.
func (o *keyOrder) reset() {
	clear(o.small[:o.n])
	o.n = 0
	o.m, o.parent, o.numbers, o.doubles = nil, nil, false, nil
}

// objectKeys returns the key-order function for intrinsic functions: nil (sorted) when the
// execution records no order.
func (x *Execution) objectKeys() func(map[string]any) []string {
	if x.order == nil {
		return nil
	}
	return x.order.keys
}

// errorOutputKeys is the key order of a Catch's error output.
var errorOutputKeys = []string{"Error", "Cause"}

func mapID(m map[string]any) uintptr { return reflect.ValueOf(m).Pointer() }

// record notes that obj's keys are in the order keys gives.
func (o *keyOrder) record(obj map[string]any, keys []string) {
	if o == nil || len(obj) < 2 {
		return
	}
	o.put(orderedKeys{id: mapID(obj), obj: obj, keys: keys})
}

// recordCopy notes that obj is a copy of base with key set: base's keys, then key if new.
func (o *keyOrder) recordCopy(obj, base map[string]any, key string) {
	if o == nil || len(obj) < 2 {
		return
	}
	o.put(orderedKeys{id: mapID(obj), obj: obj, base: base, extra: key})
}

func (o *keyOrder) put(e orderedKeys) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := range o.small[:o.n] {
		if o.small[i].id == e.id {
			o.small[i] = e
			return
		}
	}
	if o.n < smallOrder && o.m[e.id].obj == nil {
		o.small[o.n] = e
		o.n++
		return
	}
	if o.m == nil {
		o.m = make(map[uintptr]orderedKeys)
	}
	o.m[e.id] = e
}

// find returns the entry recorded here for id.
func (o *keyOrder) find(id uintptr) (orderedKeys, bool) {
	if !o.frozen {
		o.mu.Lock()
		defer o.mu.Unlock()
	}
	for _, e := range o.small[:o.n] {
		if e.id == id {
			return e, true
		}
	}
	e, ok := o.m[id]
	return e, ok
}

// recorded returns the keys recorded for obj, or nil.
func (o *keyOrder) recorded(obj map[string]any) []string {
	id := mapID(obj)
	for p := o; p != nil; p = p.parent {
		if e, found := p.find(id); found {
			if e.base == nil {
				return e.keys
			}
			keys := append([]string(nil), o.keys(e.base)...)
			if !contains(keys, e.extra) {
				keys = append(keys, e.extra)
			}
			return keys
		}
	}
	return nil
}

// keys returns every key of obj: the recorded ones still present in document order, then
// any others sorted.
func (o *keyOrder) keys(obj map[string]any) []string {
	rec := o.recorded(obj)
	out := make([]string, 0, len(obj))
	seen := 0
	for _, k := range rec {
		if _, ok := obj[k]; ok && !contains(out, k) {
			out = append(out, k)
			seen++
		}
	}
	if seen == len(obj) {
		return out
	}
	var rest []string
	for k := range obj {
		if !contains(out, k) {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// recordSet records the order of the objects a ResultPath set copied on its way from raw to
// out along steps: the original keys, then the new one.
func (o *keyOrder) recordSet(raw, out any, steps []step) {
	for _, st := range steps {
		if st.isIdx {
			ra, _ := raw.([]any)
			oa, ok := out.([]any)
			if !ok {
				return
			}
			i := st.index
			if i < 0 {
				i += len(oa)
			}
			if i < 0 || i >= len(oa) || i >= len(ra) {
				return
			}
			raw, out = ra[i], oa[i]
			continue
		}
		om, ok := out.(map[string]any)
		if !ok {
			return
		}
		rm, _ := raw.(map[string]any)
		if rm != nil && mapID(rm) == mapID(om) {
			return
		}
		o.recordCopy(om, rm, st.key)
		o.copyDoubles(rm, om)
		raw, out = rm[st.key], om[st.key]
	}
}
