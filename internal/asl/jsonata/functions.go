package jsonata

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"math"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/blues/jsonata-go/jlib"
	"github.com/blues/jsonata-go/jtypes"

	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
)

// function is a JSONata function written against jsonata-go's Callable interface, so it sees
// undefined arguments (an invalid reflect.Value) and can return undefined itself.
type function struct {
	name   string
	params int
	call   func(args []reflect.Value) (reflect.Value, error)
}

// Name returns the function's name without the "$".
func (f *function) Name() string { return f.name }

// ParamCount returns how many arguments higher-order functions pass it.
func (f *function) ParamCount() int { return f.params }

// Call runs the function.
func (f *function) Call(args []reflect.Value) (reflect.Value, error) { return f.call(args) }

var undefined reflect.Value

// arg returns argument i as a plain JSON value and whether it is defined.
func arg(args []reflect.Value, i int) (any, bool, error) {
	if i >= len(args) || !args[i].IsValid() {
		return nil, false, nil
	}
	v := args[i]
	for v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil, false, nil
	}
	out, err := plainReflect(v)
	return out, true, err
}

// surplus fails a call with more arguments than the function takes, naming the first extra one.
func surplus(name string, args []reflect.Value, max int) error {
	for i := max; i < len(args); i++ {
		if args[i].IsValid() {
			return signatureError(name, i+1)
		}
	}
	return nil
}

// value wraps a plain JSON result for jsonata-go.
func value(v any) reflect.Value { return reflect.ValueOf(toJSONata(v)) }

// towardZero truncates a numeric argument to an integer, as AWS does for these functions.
func towardZero(name string, v any, i int) (int64, error) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, signatureError(name, i+1)
	}
	return int64(math.Trunc(f)), nil
}

// partition implements $partition(array, size): the array cut into chunks of size elements
// (size truncated toward zero). Undefined for a missing or empty array or a size of 0; the
// whole array as one chunk when size is missing; an error for a negative size.
func partition(args []reflect.Value) (reflect.Value, error) {
	const name = "partition"
	if err := surplus(name, args, 2); err != nil {
		return undefined, err
	}
	a, ok, err := arg(args, 0)
	if err != nil || !ok {
		return undefined, err
	}
	arr, isArr := a.([]any)
	if !isArr {
		return undefined, &codedError{"T0412", `Argument 1 of function "partition" must be an array of undefined`}
	}
	if len(arr) == 0 {
		return undefined, nil
	}
	s, ok, err := arg(args, 1)
	if err != nil {
		return undefined, err
	}
	if !ok {
		return value([]any{arr}), nil
	}
	size, err := towardZero(name, s, 1)
	if err != nil {
		return undefined, err
	}
	if size < 0 {
		return undefined, &codedError{"D3137", "Second argument must be zero or greater"}
	}
	if size == 0 {
		return undefined, nil
	}
	out := make([]any, 0, (int64(len(arr))+size-1)/size)
	for i := int64(0); i < int64(len(arr)); i += size {
		end := min(i+size, int64(len(arr)))
		chunk := make([]any, end-i)
		copy(chunk, arr[i:end])
		out = append(out, chunk)
	}
	return value(out), nil
}

// rangeFunc implements $range(start, end, step): start, start+step, ... up to and including end
// when the step lands on it, every argument truncated toward zero. Undefined for a missing or
// zero step or one pointing away from end; a single number when start equals end, with or
// without a step ($range(1, 1) is 1, as AWS answers).
func rangeFunc(args []reflect.Value) (reflect.Value, error) {
	const name = "range"
	if err := surplus(name, args, 3); err != nil {
		return undefined, err
	}
	var n [3]int64
	for i := 0; i < 3; i++ {
		v, ok, err := arg(args, i)
		if err != nil {
			return undefined, err
		}
		if !ok {
			if i == 2 {
				if n[0] == n[1] {
					// A sequence of one number is that number, whatever the step.
					return value(float64(n[0])), nil
				}
				return undefined, nil
			}
			return undefined, signatureError(name, i+1)
		}
		if n[i], err = towardZero(name, v, i); err != nil {
			return undefined, err
		}
	}
	start, end, step := n[0], n[1], n[2]
	if start == end {
		// A sequence of one number is that number, whatever the step (zero included).
		return value(float64(start)), nil
	}
	if step == 0 || step > 0 && start > end || step < 0 && start < end {
		return undefined, nil
	}
	count := (end-start)/step + 1
	if count > maxSequence {
		return undefined, &codedError{"D2014", "The size of the sequence allocated by $range must not exceed 1e7"}
	}
	out := make([]any, count)
	for i := range out {
		out[i] = float64(start + int64(i)*step)
	}
	return value(out), nil
}

// maxSequence bounds $range as jsonata-go bounds its range operator.
const maxSequence = 10_000_000

var hashes = map[string]func() hash.Hash{
	"MD5": md5.New, "SHA-1": sha1.New, "SHA-256": sha256.New, "SHA-384": sha512.New384, "SHA-512": sha512.New,
}

// hashFunc implements $hash(value, algorithm): the lower-case hex digest of the string's UTF-8
// bytes with MD5, SHA-1, SHA-256, SHA-384 or SHA-512. Undefined when the algorithm is missing.
func hashFunc(args []reflect.Value) (reflect.Value, error) {
	const name = "hash"
	if err := surplus(name, args, 2); err != nil {
		return undefined, err
	}
	v, ok, err := arg(args, 0)
	if err != nil {
		return undefined, err
	}
	s, isString := v.(string)
	if !ok || !isString {
		return undefined, signatureError(name, 1)
	}
	a, ok, err := arg(args, 1)
	if err != nil || !ok {
		return undefined, err
	}
	alg, isString := a.(string)
	if !isString {
		return undefined, signatureError(name, 2)
	}
	newHash, known := hashes[alg]
	if !known {
		return undefined, &codedError{"D3137", "Hash algorithm '" + alg + "' must be one of SHA-1, SHA-384, SHA-256, SHA-512, MD5"}
	}
	h := newHash()
	h.Write([]byte(s))
	return reflect.ValueOf(hex.EncodeToString(h.Sum(nil))), nil
}

// parseFunc implements $parse(jsonString): the JSON value the string holds. Undefined for a
// missing argument; an error for a non-string, and "D3137: Invalid JSON" (AWS's words) for
// text that is not exactly one JSON value or repeats a key.
func parseFunc(args []reflect.Value) (reflect.Value, error) {
	const name = "parse"
	if err := surplus(name, args, 1); err != nil {
		return undefined, err
	}
	v, ok, err := arg(args, 0)
	if err != nil || !ok {
		return undefined, err
	}
	s, isString := v.(string)
	if !isString {
		return undefined, signatureError(name, 1)
	}
	parsed, err := parseJSON(s)
	if err != nil {
		return undefined, &codedError{"D3137", "Invalid JSON"}
	}
	return value(parsed), nil
}

// randomFunc returns $random([seed]): a number in [0, 1), from java.util.Random(seed) when
// seeded (seed truncated toward zero), as AWS does, else from src.
func randomFunc(src Sources) *function {
	return &function{name: "random", params: 1, call: func(args []reflect.Value) (reflect.Value, error) {
		if err := surplus("random", args, 1); err != nil {
			return undefined, err
		}
		v, ok, err := arg(args, 0)
		if err != nil {
			return undefined, err
		}
		if ok {
			seed, err := towardZero("random", v, 0)
			if err != nil {
				return undefined, err
			}
			return reflect.ValueOf(intrinsic.NewJavaRandom(seed).NextDouble()), nil
		}
		if src.Float64 != nil {
			return reflect.ValueOf(src.Float64()), nil
		}
		return reflect.ValueOf(rand.Float64()), nil
	}}
}

// uuidFunc returns $uuid(): a version 4 UUID from src, or from crypto/rand.
func uuidFunc(src Sources) *function {
	return &function{name: "uuid", params: 0, call: func(args []reflect.Value) (reflect.Value, error) {
		if err := surplus("uuid", args, 0); err != nil {
			return undefined, err
		}
		if src.UUID != nil {
			return reflect.ValueOf(src.UUID()), nil
		}
		return reflect.ValueOf(intrinsic.NewUUID()), nil
	}}
}

// clockFuncs returns $now([picture[, timezone]]) and $millis() fixed at t, the start of the
// evaluation, as JSONata defines them.
func clockFuncs(t time.Time) (now, millis *function) {
	ms := t.UnixMilli()
	pair := new([2]function)
	now, millis = &pair[0], &pair[1]
	*now = function{name: "now", params: 2, call: func(args []reflect.Value) (reflect.Value, error) {
		var picture, tz jtypes.OptionalString
		for i, opt := range []*jtypes.OptionalString{&picture, &tz} {
			v, ok, err := arg(args, i)
			if err != nil {
				return undefined, err
			}
			if !ok {
				continue
			}
			s, isString := v.(string)
			if !isString {
				return undefined, signatureError("now", i+1)
			}
			*opt = jtypes.NewOptionalString(s)
		}
		s, err := jlib.FromMillis(ms, picture, tz)
		if err != nil {
			return undefined, err
		}
		return reflect.ValueOf(s), nil
	}}
	*millis = function{name: "millis", params: 0, call: func([]reflect.Value) (reflect.Value, error) {
		return reflect.ValueOf(float64(ms)), nil
	}}
	return now, millis
}

// assertFunc implements JSONata 1.8's $assert(condition, message), absent from jsonata-go: an
// error carrying message (or "$assert() statement failed") unless condition is true.
func assertFunc(args []reflect.Value) (reflect.Value, error) {
	c, ok, err := arg(args, 0)
	if err != nil {
		return undefined, err
	}
	b, isBool := c.(bool)
	if !ok || !isBool {
		return undefined, &codedError{"T0410", `Argument 1 of function "assert" does not match function signature`}
	}
	if b {
		return undefined, nil
	}
	msg := "$assert() statement failed"
	if m, ok, _ := arg(args, 1); ok {
		if s, isString := m.(string); isString {
			msg = s
		}
	}
	return undefined, &codedError{"D3141", msg}
}

// defaultRandom and defaultUUID are $random and $uuid with the default sources.
var (
	defaultRandom = reflect.ValueOf(randomFunc(Sources{}))
	defaultUUID   = reflect.ValueOf(uuidFunc(Sources{}))
)

// staticFunctions are the functions that do not depend on an evaluation's sources.
var staticFunctions = map[string]reflect.Value{
	"partition": reflect.ValueOf(&function{name: "partition", params: 2, call: partition}),
	"range":     reflect.ValueOf(&function{name: "range", params: 3, call: rangeFunc}),
	"hash":      reflect.ValueOf(&function{name: "hash", params: 2, call: hashFunc}),
	"parse":     reflect.ValueOf(&function{name: "parse", params: 1, call: parseFunc}),
	"assert":    reflect.ValueOf(&function{name: "assert", params: 2, call: assertFunc}),
	"string":    reflect.ValueOf(&contextFunction{function: function{name: "string", params: 1, call: stringFunc}}),
	"single":    reflect.ValueOf(&function{name: "single", params: 2, call: singleFunc}),
	// AWS disables $eval; an unbound name called as a function fails with T1006 as there.
	"eval": undefined,
}
