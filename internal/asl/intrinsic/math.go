package intrinsic

import (
	"math"
	"math/rand/v2"

	"github.com/kiln-dev/kiln/internal/asl/jsonvalue"
)

// MathAdd and MathRandom take 32-bit signed integers, as AWS's Java runtime does.
const (
	minInt32 = math.MinInt32
	maxInt32 = math.MaxInt32
)

// int32Arg returns args[i] rounded half up to an integer (as Java's Math.round does), which
// must fit in a 32-bit signed integer.
func int32Arg(name string, args []any, i int) (int64, error) {
	f, ok := number(args[i])
	if !ok {
		return 0, errorf(name, "argument %d must be a number, got %s", i+1, typeName(args[i]))
	}
	r := javaRound(f)
	if r < minInt32 || r > maxInt32 || math.IsNaN(r) {
		return 0, errorf(name, "argument %d must be an integer between %d and %d, got %s", i+1, minInt32, maxInt32, jsonvalue.FormatJava(f))
	}
	return int64(r), nil
}

// mathAdd implements States.MathAdd(a, b): the sum of two integers. A number with a fraction
// is first rounded to the nearest integer, halves upwards (1.5 gives 2, -1.5 gives -1).
func mathAdd(_ Sources, _ *Call, args []any) (any, error) {
	const name = "States.MathAdd"
	a, err := int32Arg(name, args, 0)
	if err != nil {
		return nil, err
	}
	b, err := int32Arg(name, args, 1)
	if err != nil {
		return nil, err
	}
	return float64(a + b), nil
}

// mathRandom implements States.MathRandom(start, end[, seed]): a random integer from start
// (inclusive) to end (exclusive). start and end are rounded like MathAdd's arguments and end
// must be greater than start. With a seed (truncated to an integer) the result is what Java's
// java.util.Random(seed).nextInt(end-start) gives plus start, so it repeats for a seed;
// without one it comes from Sources.IntN.
func mathRandom(src Sources, _ *Call, args []any) (any, error) {
	const name = "States.MathRandom"
	start, err := int32Arg(name, args, 0)
	if err != nil {
		return nil, err
	}
	end, err := int32Arg(name, args, 1)
	if err != nil {
		return nil, err
	}
	if end <= start {
		return nil, errorf(name, "the end (%d) must be greater than the start (%d)", end, start)
	}
	bound := end - start
	if len(args) == 3 {
		f, ok := number(args[2])
		if !ok {
			return nil, errorf(name, "argument 3 (seed) must be an integer, got %s", typeName(args[2]))
		}
		if math.IsNaN(f) || math.Abs(f) >= math.MaxInt64 {
			return nil, errorf(name, "argument 3 (seed) is out of range: %s", jsonvalue.FormatJava(f))
		}
		r := NewJavaRandom(int64(f))
		if bound > maxInt32 {
			return float64(start + r.NextLongBound(bound)), nil
		}
		return float64(start + int64(r.NextInt(int32(bound)))), nil
	}
	if src.IntN != nil {
		return float64(start + src.IntN(bound)), nil
	}
	return float64(start + rand.Int64N(bound)), nil
}

// JavaRandom is java.util.Random's linear congruential generator, bit for bit, which AWS uses
// for seeded randomness ($random(seed) in JSONata, States.MathRandom with a seed). It is not
// safe for concurrent use.
type JavaRandom struct {
	seed int64
}

const (
	javaMultiplier = 0x5DEECE66D
	javaMask       = 1<<48 - 1
)

// NewJavaRandom returns a generator seeded as new java.util.Random(seed) is.
func NewJavaRandom(seed int64) *JavaRandom {
	return &JavaRandom{seed: (seed ^ javaMultiplier) & javaMask}
}

func (r *JavaRandom) next(bits uint) int32 {
	r.seed = (r.seed*javaMultiplier + 0xB) & javaMask
	return int32(uint64(r.seed) >> (48 - bits))
}

// NextInt returns what Random.nextInt(bound) returns: an integer in [0, bound) for bound > 0.
func (r *JavaRandom) NextInt(bound int32) int32 {
	if bound <= 0 {
		panic("intrinsic: JavaRandom.NextInt bound must be positive")
	}
	x := r.next(31)
	m := bound - 1
	if bound&m == 0 {
		return int32((int64(bound) * int64(x)) >> 31)
	}
	for u := x; ; u = r.next(31) {
		x = u % bound
		if u-x+m >= 0 { // int32 arithmetic: a negative sum is Java's overflow test
			return x
		}
	}
}

// NextLongBound returns an integer in [0, bound) for bound > 0 drawn from 63-bit outputs; it is
// used only for ranges wider than Java's int.
func (r *JavaRandom) NextLongBound(bound int64) int64 {
	v := (int64(r.next(32))<<32 + int64(r.next(32))) & math.MaxInt64
	return v % bound
}

// NextDouble returns what Random.nextDouble() returns: a number in [0, 1).
func (r *JavaRandom) NextDouble() float64 {
	return float64(int64(r.next(26))<<27+int64(r.next(27))) * (1.0 / (1 << 53))
}
