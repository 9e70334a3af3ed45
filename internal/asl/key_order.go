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
	m  map[uintptr]orderedKeys
	// parent is consulted for objects this one has not seen (the machine's, for an execution).
	parent *keyOrder
	// doubles are the members written in floating-point form, by container (number_form.go).
	doubles map[uintptr]*doubleMembers
}

type orderedKeys struct {
	obj  map[string]any
	keys []string
}

// newKeyOrder returns an empty keyOrder that falls back to parent; hint is the number of
// objects expected.
func newKeyOrder(parent *keyOrder, hint int) *keyOrder {
	return &keyOrder{m: make(map[uintptr]orderedKeys, hint), parent: parent}
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
	o.mu.Lock()
	o.m[mapID(obj)] = orderedKeys{obj: obj, keys: keys}
	o.mu.Unlock()
}

// recorded returns the keys recorded for obj, or nil.
func (o *keyOrder) recorded(obj map[string]any) []string {
	for ; o != nil; o = o.parent {
		o.mu.Lock()
		ok, found := o.m[mapID(obj)]
		o.mu.Unlock()
		if found {
			return ok.keys
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
		keys := o.keys(rm)
		if !contains(keys, st.key) {
			keys = append(keys, st.key)
		}
		o.record(om, keys)
		o.copyDoubles(rm, om)
		raw, out = rm[st.key], om[st.key]
	}
}
