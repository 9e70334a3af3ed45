package intrinsic

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMathAdd(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example adds a negative step", `States.MathAdd($.value1, $.step)`, `{"value1":111,"step":-1}`, `110`},
		{"AWS's recorded case: -9 plus 3", `States.MathAdd(-9, 3)`, ``, `-6`},
		{"AWS's recorded case: each argument is rounded before adding", `States.MathAdd(1.5, 1.51)`, ``, `4`},
		{"AWS's recorded case: 1.49 and 1.5 round to 1 and 2", `States.MathAdd(1.49, 1.5)`, ``, `3`},
		{"AWS's recorded case: negative halves round up", `States.MathAdd(-1.49, -1.5)`, ``, `-2`},
		{"0.5 rounds up as in Java", `States.MathAdd(0.5, 0)`, ``, `1`},
		{"2.5 rounds up as in Java", `States.MathAdd(2.5, 0)`, ``, `3`},
		{"-2.5 rounds up to -2 as in Java", `States.MathAdd(-2.5, 0)`, ``, `-2`},
		{"the largest 32-bit integers are accepted", `States.MathAdd(2147483647, 2147483647)`, ``, `4294967294`},
		{"the smallest 32-bit integer is accepted", `States.MathAdd(-2147483648, 0)`, ``, `-2147483648`},
		{"a value beyond 32 bits fails", `States.MathAdd(2147483648, 0)`, ``, `error: between -2147483648 and 2147483647`},
		{"a string fails", `States.MathAdd('1', 2)`, ``, `error: argument 1 must be a number, got string`},
		{"null fails", `States.MathAdd(1, $.n)`, `{"n":null}`, `error: argument 2 must be a number, got null`},
	})
}

func TestMathRandom(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"a seed makes the result repeatable", `States.Array(States.MathRandom(0, 999, 3), States.MathRandom(0, 999, 3))`, ``, `[239,239]`},
		{"a one-wide range gives its start", `States.MathRandom(7, 8)`, ``, `7`},
		{"fractional bounds are rounded", `States.MathRandom(6.6, 7.5, 1)`, ``, `7`},
		{"an end not above the start fails", `States.MathRandom(5, 5)`, ``, `error: must be greater than the start`},
		{"a string bound fails", `States.MathRandom('1', 5)`, ``, `error: must be a number, got string`},
		{"a string seed fails", `States.MathRandom(1, 5, 'x')`, ``, `error: seed) must be an integer, got string`},
	})
}

func TestMathRandomUsesTheInjectedSource(t *testing.T) {
	var bounds []int64
	src := Sources{IntN: func(n int64) int64 { bounds = append(bounds, n); return n - 1 }}
	got, err := MustParse(`States.MathRandom(10, 20)`).EvalWith(nil, src)
	require.NoError(t, err)
	require.Equal(t, 19.0, got, "start plus the source's draw")
	require.Equal(t, []int64{10}, bounds, "the source is asked for end minus start")
}

func TestMathRandomStaysInRange(t *testing.T) {
	e := MustParse(`States.MathRandom(-5, 5)`)
	for i := 0; i < 200; i++ {
		got, err := e.Eval(nil)
		require.NoError(t, err)
		f := got.(float64)
		require.True(t, f >= -5 && f < 5 && f == float64(int64(f)), "got %v", f)
	}
}

func TestJavaRandomMatchesJava(t *testing.T) {
	// Values java.util.Random produces for seed 42; AWS's $random(42) is 0.7275636800328681.
	require.Equal(t, 0.7275636800328681, NewJavaRandom(42).NextDouble())
	require.Equal(t, int32(-1170105035), NewJavaRandom(42).NextInt32())
	require.Equal(t, int32(0), NewJavaRandom(42).NextInt(10))
	require.Equal(t, int32(-1155484576), NewJavaRandom(0).NextInt32())
	r := NewJavaRandom(42)
	r.NextInt32()
	require.Equal(t, int32(234785527), r.NextInt32(), "the second draw continues the sequence")
}
