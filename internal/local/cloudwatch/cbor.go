package cloudwatch

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// fromCBOR converts a decoded CBOR value into plain Go values: map[string]any, []any,
// string, float64 (every number), bool, nil, []byte and time.Time (tag 1).
func fromCBOR(v cbor.Value) (any, error) {
	switch v := v.(type) {
	case cbor.Uint:
		return float64(v), nil
	case cbor.NegInt:
		return -1 - float64(v), nil
	case cbor.Float32:
		return float64(v), nil
	case cbor.Float64:
		return float64(v), nil
	case cbor.String:
		return string(v), nil
	case cbor.Slice:
		return []byte(v), nil
	case cbor.Bool:
		return bool(v), nil
	case *cbor.Nil, *cbor.Undefined:
		return nil, nil
	case cbor.List:
		out := make([]any, 0, len(v))
		for _, e := range v {
			x, err := fromCBOR(e)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case cbor.Map:
		out := make(map[string]any, len(v))
		for k, e := range v {
			x, err := fromCBOR(e)
			if err != nil {
				return nil, fmt.Errorf("member %s: %w", k, err)
			}
			out[k] = x
		}
		return out, nil
	case *cbor.Tag:
		if v.ID != 1 {
			return nil, fmt.Errorf("unsupported cbor tag %d", v.ID)
		}
		t, err := cbor.AsTime(v)
		if err != nil {
			return nil, err
		}
		return t, nil
	default:
		return nil, fmt.Errorf("unsupported cbor value %T", v)
	}
}

// toCBOR converts plain Go values into CBOR: maps and structs written by the callers as
// map[string]any, numbers as integers when integral (int) or doubles (float64), times as
// tag 1 epoch seconds. Nil map members are left out.
func toCBOR(v any) cbor.Value {
	switch v := v.(type) {
	case nil:
		return &cbor.Nil{}
	case string:
		return cbor.String(v)
	case bool:
		return cbor.Bool(v)
	case int:
		if v < 0 {
			return cbor.NegInt(uint64(-v - 1))
		}
		return cbor.Uint(uint64(v))
	case int32:
		return toCBOR(int(v))
	case float64:
		return cbor.Float64(v)
	case time.Time:
		return &cbor.Tag{ID: 1, Value: cbor.Float64(float64(v.UnixMilli()) / 1e3)}
	case []any:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			out = append(out, toCBOR(e))
		}
		return out
	case []string:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			out = append(out, cbor.String(e))
		}
		return out
	case []float64:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			out = append(out, cbor.Float64(e))
		}
		return out
	case []time.Time:
		out := make(cbor.List, 0, len(v))
		for _, e := range v {
			out = append(out, toCBOR(e))
		}
		return out
	case map[string]any:
		out := make(cbor.Map, len(v))
		for k, e := range v {
			if e == nil {
				continue
			}
			out[k] = toCBOR(e)
		}
		return out
	case map[string]float64:
		out := make(cbor.Map, len(v))
		for k, e := range v {
			out[k] = cbor.Float64(e)
		}
		return out
	default:
		panic(fmt.Sprintf("cloudwatch: no cbor encoding for %T", v))
	}
}

// args is a decoded request document with typed accessors.
type args map[string]any

func (a args) str(k string) string {
	s, _ := a[k].(string)
	return s
}

func (a args) num(k string) (float64, bool) {
	f, ok := a[k].(float64)
	return f, ok
}

func (a args) integer(k string) int {
	f, _ := a[k].(float64)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int(f)
}

func (a args) time(k string) (time.Time, bool) {
	t, ok := a[k].(time.Time)
	return t, ok
}

func (a args) list(k string) []any {
	l, _ := a[k].([]any)
	return l
}

func (a args) obj(k string) args {
	m, _ := a[k].(map[string]any)
	return args(m)
}

func (a args) strings(k string) []string {
	var out []string
	for _, e := range a.list(k) {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// dimensions reads a Dimensions list [{Name, Value}] into a map.
func (a args) dimensions(k string) map[string]string {
	out := map[string]string{}
	for _, e := range a.list(k) {
		d := args(asMap(e))
		out[d.str("Name")] = d.str("Value")
	}
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// dimensionList writes dims as the wire's sorted [{Name, Value}] list.
func dimensionList(dims map[string]string) []any {
	names := make([]string, 0, len(dims))
	for n := range dims {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]any, 0, len(names))
	for _, n := range names {
		out = append(out, map[string]any{"Name": n, "Value": dims[n]})
	}
	return out
}
