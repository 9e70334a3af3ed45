package jsonata

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEval(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"an input field is read through $states", `$states.input.a`, `{"a": 1}`, `1`},
		{"a nested input field is read", `$states.input.o.p`, `{"o": {"p": "x"}}`, `"x"`},
		{"the context object is read through $states", `$states.context.Execution.Name`, ``, `"run-1"`},
		{"a variable is read by name", `$total + 1`, ``, `4`},
		{"a variable's fields are read", `$cfg.tags[1]`, ``, `"b"`},
		{"a JSON null in the input stays null", `$states.input.a`, `{"a": null}`, `null`},
		{"a null variable stays null", `$nothing`, ``, `null`},
		{"a null in the input exists", `$exists($states.input.a)`, `{"a": null}`, `true`},
		{"a null's type is null", `$type($states.input.a)`, `{"a": null}`, `"null"`},
		{"nulls inside arrays are kept", `$states.input.a`, `{"a": [1, null, {"b": null}]}`, `[1, null, {"b": null}]`},
		{"an object constructor builds an object", `{"n": $states.input.n * 2, "s": $uppercase($name), "z": null}`, `{"n": 21}`, `{"n": 42, "s": "KILN", "z": null}`},
		{"integer results are plain numbers", `$count($states.input.a)`, `{"a": [1, 2, 3]}`, `3`},
		{"string splits become arrays of strings", `$split("a,b,c", ",")`, ``, `["a","b","c"]`},
		{"a mapped array keeps its order", `$states.input.a.($ * 10)`, `{"a": [1, 2, 3]}`, `[10, 20, 30]`},
		{"a filter selects elements", `$states.input.a[$ > 1]`, `{"a": [1, 2, 3]}`, `[2, 3]`},
		{"a one-element result is a singleton", `$states.input.a[$ > 2]`, `{"a": [1, 2, 3]}`, `3`},
		{"function application passes the left side first", `"abcdef" ~> $substring(1, 2)`, ``, `"bc"`},
		{"chained applications apply in order", `$states.input.a ~> $map(function($v){$v * 2}) ~> $sum()`, `{"a": [1, 2, 3]}`, `12`},
		{"a conditional picks a branch", `$states.input.n > 5 ? "big" : "small"`, `{"n": 9}`, `"big"`},
		{"string concatenation converts numbers", `"v" & $total`, ``, `"v3"`},
		{"a missing field is undefined", `$states.input.missing`, `{}`, `undefined`},
		{"an unknown variable is undefined", `$unknown`, ``, `undefined`},
		{"$ at the top level is undefined", `$`, `{"a": 1}`, `undefined`},
		{"adding a string fails with T2001", `$states.input.s + 1`, `{"s": "x"}`, `error: T2001: The left side of the "+" operator must evaluate to a number`},
		{"a wrong argument type fails with T0410", `$abs("x")`, ``, `error: T0410: Argument 1 of function "abs" does not match function signature`},
		{"too many arguments fail with T0410", `$uppercase("a", "b")`, ``, `error: T0410: Argument 2 of function "uppercase"`},
		{"calling a non-function fails with T1006", `$count2(1)`, ``, `error: T1006: Attempted to invoke a non-function`},
		{"$eval is disabled as on AWS", `$eval("1+1")`, ``, `error: T1006`},
		{"$assert passes a true condition", `($assert(true, "no"); 1)`, ``, `1`},
		{"$assert fails with its message", `$assert(false, "threshold not met")`, ``, `error: D3141: threshold not met`},
		{"$error raises the given message", `$error("boom")`, ``, `error: boom`},
		{"dividing by zero fails", `1/0`, ``, `error: D1001`},
		{"a function value has no JSON form", `function($x){$x}`, ``, `error: evaluated to a function`},
	})
}

func TestUndefinedCauseMatchesAWS(t *testing.T) {
	_, err := MustCompile(`$states.input.missing`).Eval(map[string]any{"input": map[string]any{}}, nil)
	var je *Error
	require.ErrorAs(t, err, &je)
	require.Equal(t, "The JSONata expression '$states.input.missing' specified for the field 'Output/v' returned nothing (undefined).", je.Cause("Output/v"))
	require.Equal(t, "States.QueryEvaluationError", je.ErrorName())
}

func TestFailureCauseMatchesAWS(t *testing.T) {
	_, err := MustCompile(`$abs("x")`).Eval(nil, nil)
	var je *Error
	require.ErrorAs(t, err, &je)
	require.Equal(t, `The JSONata expression '$abs("x")' specified for the field 'Arguments/n' threw an error during evaluation. T0410: Argument 1 of function "abs" does not match function signature`, je.Cause("Arguments/n"))
	require.False(t, errors.Is(err, ErrUndefined))
}

func TestCompileRejectsBadSyntax(t *testing.T) {
	for _, expr := range []string{`1 +`, `"unterminated`, `{"a":}`, `a[1,2)`, ``} {
		t.Run(expr, func(t *testing.T) {
			_, err := Compile(expr)
			var je *Error
			require.ErrorAs(t, err, &je)
			require.Equal(t, expr, je.Expr)
			require.Equal(t, "States.QueryEvaluationError", je.ErrorName())
		})
	}
}

func TestCompileCachesByText(t *testing.T) {
	a := MustCompile(`$states.input.cached + 1`)
	b := MustCompile(`$states.input.cached + 1`)
	require.Same(t, a, b)
}

func TestRepeatedFunctionApplicationGivesTheSameResult(t *testing.T) {
	// jsonata-go 1.5.4 prepends the left side to the call's arguments in the parsed tree on
	// every evaluation; kiln's fork (third_party/jsonata-go) builds a new call instead.
	e := MustCompile(`$states.input.s ~> $substring(1) ~> $uppercase()`)
	for i := 0; i < 3; i++ {
		got, err := e.Eval(map[string]any{"input": map[string]any{"s": "abc"}}, nil)
		require.NoError(t, err, "evaluation %d", i+1)
		require.Equal(t, "BC", got, "evaluation %d", i+1)
	}
}

func TestEvalLeavesItsInputsAlone(t *testing.T) {
	input := fromJSON(t, `{"a": null, "b": [null, 1], "c": {"d": null}}`)
	before := jsonOf(t, input)
	_, err := MustCompile(`[$states.input.a, $states.input.b, $states.input.c]`).Eval(map[string]any{"input": input}, map[string]any{"v": input})
	require.NoError(t, err)
	require.Equal(t, before, jsonOf(t, input))
	require.Nil(t, input.(map[string]any)["a"], "nil is not replaced by jsonata-go's null in the caller's map")
}

func TestSourcesAreInjected(t *testing.T) {
	src := Sources{
		Now:     func() time.Time { return time.Date(2026, 11, 22, 12, 30, 0, 123e6, time.UTC) },
		Float64: func() float64 { return 0.25 },
		UUID:    func() string { return "00000000-0000-4000-8000-000000000000" },
	}
	got, err := MustCompile(`[$now(), $millis(), $random(), $uuid()]`).EvalWith(nil, nil, src)
	require.NoError(t, err)
	require.Equal(t, []any{"2026-11-22T12:30:00.123Z", 1795350600123.0, 0.25, "00000000-0000-4000-8000-000000000000"}, got)
}

func TestBindingsAreShared(t *testing.T) {
	b := NewBindings(map[string]any{"input": map[string]any{"x": 2.0}}, map[string]any{"k": 10.0}, Sources{})
	sum, err := MustCompile(`$states.input.x + $k`).EvalBindings(b)
	require.NoError(t, err)
	require.Equal(t, 12.0, sum)
	prod, err := MustCompile(`$states.input.x * $k`).EvalBindings(b)
	require.NoError(t, err)
	require.Equal(t, 20.0, prod)
}

func TestStatesShadowsAVariableNamedStates(t *testing.T) {
	got, err := MustCompile(`$states.input`).Eval(map[string]any{"input": "real"}, map[string]any{"states": map[string]any{"input": "fake"}})
	require.NoError(t, err)
	require.Equal(t, "real", got)
}

func TestConcurrentEvaluationIsSafe(t *testing.T) {
	e := MustCompile(`$states.input.items ~> $map(function($v, $i){ $string($v) & "-" & $string($i) }) ~> $join(",")`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				got, err := e.Eval(map[string]any{"input": map[string]any{"items": []any{"a", "b"}}}, nil)
				if err != nil {
					errs <- err
					return
				}
				if got != "a-0,b-1" {
					errs <- errors.New("wrong result: " + got.(string))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestStringAndSingleFollowJSONata2(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"$string keeps 15 significant digits", `$string(0.1 + 0.2)`, ``, `"0.3"`},
		{"$string writes thirds as JavaScript does", `$string(1/3)`, ``, `"0.333333333333333"`},
		{"$string switches to exponents at 1e21", `$string(1e21)`, ``, `"1e+21"`},
		{"$string writes 1e20 in full", `$string(1e20)`, ``, `"100000000000000000000"`},
		{"$string writes small numbers with a short exponent", `$string(1e-7)`, ``, `"1e-7"`},
		{"$string does not escape HTML characters", `$string({"a": "<b>&"})`, ``, `"{\"a\":\"<b>&\"}"`},
		{"$string prettifies with two spaces", `$string({"a": [1]}, true)`, ``, `"{\n  \"a\": [\n    1\n  ]\n}"`},
		{"$string returns a string unchanged", `$string("x")`, ``, `"x"`},
		{"$string of a function is empty", `$string(function(){1})`, ``, `""`},
		{"$string without arguments works on the context", `$states.input.a.$string()`, `{"a": [1, 2]}`, `["1", "2"]`},
		{"$string works as a mapping function", `$map([1.5, 2], $string)`, ``, `["1.5", "2"]`},
		{"$string of undefined is undefined", `$string($states.input.none)`, `{}`, `undefined`},
		{"$single without a test returns the only element", `$single([7])`, ``, `7`},
		{"$single with a test returns the one match", `$single([1, 2, 3], function($v){ $v = 2 })`, ``, `2`},
		{"$single fails on two matches", `$single([1, 2])`, ``, `error: must be 1, got: 2`},
	})
}

func TestRecursion(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"a recursive function with a base case runs", `($f := function($n){ $n <= 0 ? 0 : 1 + $f($n - 1) }; $f(50))`, ``, `50`},
		{"a typed recursive function runs", `($f := λ($n)<n:n>{ $n <= 1 ? 1 : $n * $f($n - 1) }; $f(5))`, ``, `120`},
		{"a recursive function may return undefined", `($f := function($n){ $n <= 0 ? $states.input.none : $f($n - 1) }; $f(3))`, `{}`, `undefined`},
		{"runaway recursion fails with U1001 instead of crashing", `($f := function($n){ $f($n + 1) }; $f(0))`, ``, `error: U1001: Stack overflow error`},
		{"local variables of the function stay local", `($r := 5; $f := function(){ ($r := 1; $r) }; [$f(), $r])`, ``, `[1, 5]`},
	})
}
