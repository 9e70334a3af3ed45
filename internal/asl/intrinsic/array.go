package intrinsic

import (
	"math"

	"github.com/kiln-dev/kiln/internal/asl/jsonvalue"
)

// MaxArrayRange is the most elements States.ArrayRange may produce.
const MaxArrayRange = 1000

// array implements States.Array(values...): a JSON array of the values in order.
func array(_ Sources, _ *Call, args []any) (any, error) {
	out := make([]any, len(args))
	copy(out, args)
	return out, nil
}

// arrayArg returns args[i] as an array or an *Error naming the function and the argument.
func arrayArg(name string, args []any, i int) ([]any, error) {
	a, ok := args[i].([]any)
	if !ok {
		return nil, errorf(name, "argument %d must be an array, got %s", i+1, typeName(args[i]))
	}
	return a, nil
}

// integerArg returns args[i] as an integer; a number with a fraction is an error.
func integerArg(name string, args []any, i int) (int64, error) {
	f, ok := number(args[i])
	if !ok {
		return 0, errorf(name, "argument %d must be an integer, got %s", i+1, typeName(args[i]))
	}
	if f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, errorf(name, "argument %d must be an integer, got %s", i+1, jsonvalue.FormatJava(f))
	}
	return int64(f), nil
}

// roundedArg returns args[i] rounded half up to an integer, as AWS rounds the numbers given
// to States.ArrayRange.
func roundedArg(name string, args []any, i int) (int64, error) {
	f, ok := number(args[i])
	if !ok {
		return 0, errorf(name, "argument %d must be an integer, got %s", i+1, typeName(args[i]))
	}
	r := javaRound(f)
	if math.IsNaN(r) || math.Abs(r) > 1<<53 {
		return 0, errorf(name, "argument %d is out of range: %s", i+1, jsonvalue.FormatJava(f))
	}
	return int64(r), nil
}

// truncatedArg returns argument i as an integer, its fraction dropped (toward zero), as
// States.ArrayPartition does on AWS.
func truncatedArg(name string, args []any, i int) (int64, error) {
	f, ok := number(args[i])
	if !ok {
		return 0, errorf(name, "argument %d must be an integer, got %s", i+1, typeName(args[i]))
	}
	r := math.Trunc(f)
	if math.IsNaN(r) || math.Abs(r) > 1<<53 {
		return 0, errorf(name, "argument %d is out of range: %s", i+1, jsonvalue.FormatJava(f))
	}
	return int64(r), nil
}

// arrayPartition implements States.ArrayPartition(array, size): the array cut into chunks of
// size elements, the last chunk holding the rest. The size is truncated to an integer (2.6
// is 2, 0.6 is 0, as recorded on AWS), which must be above zero.
func arrayPartition(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.ArrayPartition"
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	size, err := truncatedArg(name, args, 1)
	if err != nil {
		return nil, err
	}
	if size <= 0 {
		return nil, errorf(name, "the chunk size must be greater than 0, got %d", size)
	}
	out := make([]any, 0, (int64(len(a))+size-1)/size)
	for i := int64(0); i < int64(len(a)); i += size {
		end := min(i+size, int64(len(a)))
		chunk := make([]any, end-i)
		copy(chunk, a[i:end])
		out = append(out, chunk)
	}
	return out, nil
}

// arrayContains implements States.ArrayContains(array, value): whether any element equals
// value (deep equality; numbers compare by value).
func arrayContains(_ Sources, _ *Call, args []any) (any, error) {
	a, err := arrayArg("States.ArrayContains", args, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range a {
		if equal(e, args[1]) {
			return true, nil
		}
	}
	return false, nil
}

// arrayRange implements States.ArrayRange(first, last, step): first, first+step, ... up to and
// including last when the step lands on it. All three are rounded to integers; the step must
// not be zero and the result may hold at most MaxArrayRange elements. A step pointing away
// from last gives [].
func arrayRange(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.ArrayRange"
	var v [3]int64
	for i := range v {
		n, err := roundedArg(name, args, i)
		if err != nil {
			return nil, err
		}
		v[i] = n
	}
	first, last, step := v[0], v[1], v[2]
	if step == 0 {
		return nil, errorf(name, "the step must not be 0")
	}
	var count int64
	switch {
	case step > 0 && last >= first:
		count = (last-first)/step + 1
	case step < 0 && last <= first:
		count = (first-last)/(-step) + 1
	}
	if count > MaxArrayRange {
		return nil, errorf(name, "the range would have %d elements; at most %d are allowed", count, MaxArrayRange)
	}
	out := make([]any, count)
	for i := range out {
		out[i] = float64(first + int64(i)*step)
	}
	return out, nil
}

// arrayGetItem implements States.ArrayGetItem(array, index): the element at a zero-based
// integer index, which must be within the array.
func arrayGetItem(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.ArrayGetItem"
	a, err := arrayArg(name, args, 0)
	if err != nil {
		return nil, err
	}
	i, err := integerArg(name, args, 1)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= int64(len(a)) {
		return nil, errorf(name, "the index %d is out of bounds for an array of length %d", i, len(a))
	}
	return a[i], nil
}

// arrayLength implements States.ArrayLength(array): the number of elements.
func arrayLength(_ Sources, _ *Call, args []any) (any, error) {
	a, err := arrayArg("States.ArrayLength", args, 0)
	if err != nil {
		return nil, err
	}
	return float64(len(a)), nil
}

// arrayUnique implements States.ArrayUnique(array): the array without repeated elements,
// keeping the first of each in order (deep equality; numbers compare by value).
func arrayUnique(_ Sources, _ *Call, args []any) (any, error) {
	a, err := arrayArg("States.ArrayUnique", args, 0)
	if err != nil {
		return nil, err
	}
	out := make([]any, 0, len(a))
	seen := make(map[any]struct{}, len(a))
outer:
	for _, e := range a {
		if k, ok := scalarKey(e); ok {
			if _, dup := seen[k]; dup {
				continue
			}
			seen[k] = struct{}{}
			out = append(out, e)
			continue
		}
		for _, o := range out {
			if equal(o, e) {
				continue outer
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// scalarKey maps a scalar to a comparable map key (numbers normalised to float64, so 1 and
// 1.0 collide); arrays and objects report false.
func scalarKey(v any) (any, bool) {
	switch x := v.(type) {
	case nil:
		return struct{}{}, true
	case string, bool:
		return x, true
	case []any, map[string]any:
		return nil, false
	}
	if f, ok := number(v); ok {
		if f == 0 {
			f = 0 // -0 and 0 are one value
		}
		return f, true
	}
	return nil, false
}
