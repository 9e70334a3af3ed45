// Package jsonvalue writes plain JSON values (map[string]any, []any, string, float64, bool and
// nil) as compact JSON text, in either of the two dialects Step Functions prints: the one of
// its payloads (state input and output, which match Go's encoding/json without HTML escaping)
// and the one of its intrinsic functions, which run on Java and serialise with Jackson. The
// dialects differ in how numbers are formatted and how strings are escaped; an Encoder names
// each choice explicitly. Everything here is safe for concurrent use.
package jsonvalue

import (
	"encoding/json"
	"sort"
)

// Encoder writes plain JSON values. Its zero value writes payload JSON: keys sorted, numbers
// and strings as encoding/json writes them (without HTML escaping), other Go types through
// encoding/json. An Encoder is safe for concurrent use if its functions are.
type Encoder struct {
	// Keys returns the keys of an object in the order to write them (all of them, once each);
	// nil writes them sorted. The engine's intrinsic functions use it to keep document order,
	// as AWS does.
	Keys func(map[string]any) []string
	// Numbers is how float64 values are formatted; see NumberStyle.
	Numbers NumberStyle
	// Strings is how strings and object keys are escaped; see StringStyle.
	Strings StringStyle
	// Double reports whether a number held in an object (key) or an array (index; key is then
	// "") was written in floating-point form in the JSON it came from; such a number is
	// written with AppendJavaDouble when Numbers is JavaNumbers. nil reports none.
	Double func(container any, key string, index int) bool
	// Other appends a value that is not plain JSON (an int, a json.Number, a struct); nil
	// encodes it with encoding/json.
	Other func(b []byte, v any) ([]byte, error)
}

var plain Encoder

// Append appends the compact payload JSON of v to b with the zero Encoder's choices.
func Append(b []byte, v any) ([]byte, error) { return plain.Append(b, v) }

// Append appends the compact JSON text of v to b. A number that JSON cannot hold (NaN, ±Inf)
// and a value Other (or encoding/json) rejects are errors; b is then not returned.
func (e *Encoder) Append(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		if x {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case string:
		return AppendString(b, x, e.Strings), nil
	case float64:
		return AppendNumber(b, x, e.Numbers)
	case map[string]any:
		return e.appendObject(b, x)
	case []any:
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = e.appendMember(b, el, x, "", i); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	if e.Other != nil {
		return e.Other(b, v)
	}
	enc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, enc...), nil
}

// appendObject appends x with its keys in e.Keys order, sorting them without an allocation
// for objects of up to 16 keys when e.Keys is nil.
func (e *Encoder) appendObject(b []byte, x map[string]any) ([]byte, error) {
	var arr [16]string
	keys := arr[:0]
	switch {
	case e.Keys != nil:
		keys = e.Keys(x)
	case len(x) == 1:
		for k := range x {
			keys = append(keys, k)
		}
	default:
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k, e.Strings)
		b = append(b, ':')
		var err error
		if b, err = e.appendMember(b, x[k], x, k, -1); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendMember appends v, the member key (or element index) of container, writing it in
// floating-point form when e.Double says its source did.
func (e *Encoder) appendMember(b []byte, v, container any, key string, index int) ([]byte, error) {
	if f, ok := v.(float64); ok && e.Double != nil && e.Numbers == JavaNumbers && e.Double(container, key, index) {
		return AppendJavaDouble(b, f), nil
	}
	return e.Append(b, v)
}
