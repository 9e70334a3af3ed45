package asl

import "reflect"

// Numbers lose their literal form once decoded into float64: 1.0 and 1 are the same value.
// AWS's intrinsic functions run on Java, where an input's 1.0 is a Double and prints as
// "1.0" while 1 is an integer and prints as "1", so States.JsonToString and States.Format
// show the difference. A keyOrder that records key order (a machine whose definition uses
// either function) also records which members of the objects and arrays it sees were written
// in floating-point form (with a fraction or an exponent), and the intrinsic functions'
// encoder asks it. Members it never saw (task results, JSONata values, a number copied alone
// by a payload template's path) print as integers when they are integral.

// doubleMembers lists the members of one object (keys) or array (indexes) written in
// floating-point form; it holds the container so its address is not reused meanwhile.
type doubleMembers struct {
	container any
	keys      []string
	indexes   []int
}

// containerID identifies a map or a non-empty slice by its address; ok is false otherwise.
func containerID(c any) (uintptr, bool) {
	switch x := c.(type) {
	case map[string]any:
		return reflect.ValueOf(x).Pointer(), x != nil
	case []any:
		if len(x) == 0 {
			return 0, false
		}
		return reflect.ValueOf(x).Pointer(), true
	}
	return 0, false
}

// recordDouble notes that member key (of an object) or index (of an array, key "") of
// container was written in floating-point form.
func (o *keyOrder) recordDouble(container any, key string, index int) {
	if o == nil || !o.numbers {
		return
	}
	id, ok := containerID(container)
	if !ok {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.doubles == nil {
		o.doubles = make(map[uintptr]*doubleMembers)
	}
	d := o.doubles[id]
	if d == nil {
		d = &doubleMembers{container: container}
		o.doubles[id] = d
	}
	if key != "" || index < 0 {
		d.keys = append(d.keys, key)
	} else {
		d.indexes = append(d.indexes, index)
	}
}

// isDouble reports whether member key (or index) of container was recorded in floating-point
// form, here or in a parent.
func (o *keyOrder) isDouble(container any, key string, index int) bool {
	d := o.doublesOf(container)
	return d != nil && d.has(key, index)
}

// doublesOf returns what was recorded for container, here or in a parent, or nil.
func (o *keyOrder) doublesOf(container any) *doubleMembers {
	if o == nil || !o.numbers {
		return nil
	}
	id, ok := containerID(container)
	if !ok {
		return nil
	}
	for ; o != nil; o = o.parent {
		if d := o.lockedDoubles(id); d != nil {
			return d
		}
	}
	return nil
}

func (o *keyOrder) lockedDoubles(id uintptr) *doubleMembers {
	if !o.frozen {
		o.mu.Lock()
		defer o.mu.Unlock()
	}
	return o.doubles[id]
}

func (d *doubleMembers) has(key string, index int) bool {
	if index >= 0 {
		for _, i := range d.indexes {
			if i == index {
				return true
			}
		}
		return false
	}
	return contains(d.keys, key)
}

// copyDoubles records for the object to the members of from that are still the same numbers
// in to (ResultPath copies the objects on its path).
func (o *keyOrder) copyDoubles(from, to map[string]any) {
	d := o.doublesOf(from)
	if d == nil {
		return
	}
	for _, k := range d.keys {
		if f, ok := to[k].(float64); ok && from[k] == f {
			o.recordDouble(to, k, -1)
		}
	}
}

// isDouble is the Encoder hook of the execution: nil when it records nothing.
func (x *Execution) numberForms() func(container any, key string, index int) bool {
	if x.order == nil || !x.order.numbers {
		return nil
	}
	return x.order.isDouble
}

// pathIsDouble reports whether the value path p selects from input (as f resolves it) is a
// member its container recorded in floating-point form. Indefinite paths, and paths without
// a step to a container, report false.
func (f *frame) pathIsDouble(p *jsonPath, input any) bool {
	order := f.t.x.order
	if order == nil || p.indefinite != nil || len(p.steps) == 0 {
		return false
	}
	parent := *p
	parent.steps = p.steps[:len(p.steps)-1]
	c, err := f.resolve(&parent, input)
	if err != nil {
		return false
	}
	last := p.steps[len(p.steps)-1]
	if !last.isIdx {
		return order.isDouble(c, last.key, -1)
	}
	i := last.index
	if arr, ok := c.([]any); ok && i < 0 {
		i += len(arr)
	}
	return i >= 0 && order.isDouble(c, "", i)
}
