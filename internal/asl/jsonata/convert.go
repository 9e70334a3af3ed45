package jsonata

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"

	"github.com/blues/jsonata-go/jtypes"
)

// null is how jsonata-go represents JSON null; a nil interface is undefined to it.
var null *any

// toJSONata prepares a plain JSON value for jsonata-go: nil becomes jsonata-go's null (inside
// objects and arrays too) and json.Number becomes float64. Containers are copied only when
// something inside them changes, so a value without nulls is passed through as is.
func toJSONata(v any) any {
	out, _ := prepare(v)
	return out
}

func prepare(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return null, true
	case map[string]any:
		out, changed, _ := rewriteMap(x, prepareElem)
		return out, changed
	case []any:
		out, changed, _ := rewriteSlice(x, prepareElem)
		return out, changed
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String(), true
		}
		return f, true
	}
	return v, false
}

// prepareElem is prepare in the shape the rewrite helpers take.
func prepareElem(v any) (any, bool, error) {
	out, changed := prepare(v)
	return out, changed, nil
}

// rewriteMap applies f to every value of m. It returns m itself when f changed nothing, and
// otherwise a copy holding f's results, so unchanged trees are never copied. The first error
// stops the walk.
func rewriteMap(m map[string]any, f func(any) (any, bool, error)) (map[string]any, bool, error) {
	var out map[string]any
	for k, e := range m {
		pe, changed, err := f(e)
		if err != nil {
			return nil, false, err
		}
		if !changed {
			continue
		}
		if out == nil {
			out = make(map[string]any, len(m))
			for k2, e2 := range m {
				out[k2] = e2
			}
		}
		out[k] = pe
	}
	if out == nil {
		return m, false, nil
	}
	return out, true, nil
}

// rewriteSlice is rewriteMap for arrays.
func rewriteSlice(s []any, f func(any) (any, bool, error)) ([]any, bool, error) {
	var out []any
	for i, e := range s {
		pe, changed, err := f(e)
		if err != nil {
			return nil, false, err
		}
		if !changed {
			continue
		}
		if out == nil {
			out = make([]any, len(s))
			copy(out, s)
		}
		out[i] = pe
	}
	if out == nil {
		return s, false, nil
	}
	return out, true, nil
}

// errFunctionResult is returned when an expression's value is a function, which has no JSON form.
var errFunctionResult = errors.New("the expression evaluated to a function, which has no JSON value")

// fromJSONata converts what jsonata-go returns into plain JSON values: map[string]any, []any,
// string, float64, bool and nil. Integers become float64, jsonata-go's null becomes nil and a
// non-finite number becomes the string JavaScript names it by ("Infinity", "NaN"), as AWS
// writes it. Containers are copied only when something inside them changes.
func fromJSONata(v any) (any, error) {
	out, _, err := plain(v)
	return out, err
}

func plain(v any) (any, bool, error) {
	switch x := v.(type) {
	case nil:
		return nil, false, nil
	case string, bool:
		return x, false, nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nonFinite(x), true, nil
		}
		return x, false, nil
	case int:
		return float64(x), true, nil
	case int64:
		return float64(x), true, nil
	case *any:
		if x == nil {
			return nil, true, nil
		}
		out, _, err := plain(*x)
		return out, true, err
	case map[string]any:
		return rewriteMap(x, plain)
	case []any:
		return rewriteSlice(x, plain)
	case jtypes.Callable:
		return nil, false, errFunctionResult
	}
	out, err := plainReflect(reflect.ValueOf(v))
	return out, true, err
}

// plainReflect converts the less common shapes jsonata-go produces ([]string, other int
// kinds, typed maps, pointers) through reflection.
func plainReflect(rv reflect.Value) (any, error) {
	switch rv.Kind() {
	case reflect.Invalid:
		return nil, nil
	case reflect.Interface, reflect.Pointer:
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Type().Implements(jtypes.TypeCallable) {
			return nil, errFunctionResult
		}
		return plainReflect(rv.Elem())
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nonFinite(f), nil
		}
		return f, nil
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			e, err := plainReflect(rv.Index(i))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case reflect.Map:
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			e, err := plainReflect(it.Value())
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(it.Key().Interface())] = e
		}
		return out, nil
	case reflect.Struct:
		if rv.Type().Implements(jtypes.TypeCallable) || reflect.PointerTo(rv.Type()).Implements(jtypes.TypeCallable) {
			return nil, errFunctionResult
		}
	}
	return nil, fmt.Errorf("the expression evaluated to a %s, which has no JSON value", rv.Type())
}

func nonFinite(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case f > 0:
		return "Infinity"
	}
	return "-Infinity"
}
