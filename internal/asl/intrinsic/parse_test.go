package intrinsic

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIsIntrinsic(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"a call is intrinsic", "States.Format('x')", true},
		{"a malformed call is still intrinsic, for Parse to report", "States.Nope(", true},
		{"a path is not intrinsic", "$.a.b", false},
		{"a context path is not intrinsic", "$$.Execution.Id", false},
		{"the prefix without a call is not intrinsic", "States.Format", false},
		{"leading space is not intrinsic", " States.Array()", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, IsIntrinsic(tc.in))
		})
	}
}

func TestParseBuildsTheTree(t *testing.T) {
	e, err := Parse(`States.Format('a\{{}\}', $.x, 1.5e1, -2, true, false, null, $$.Execution.Id, $, $v, $v.f, States.UUID())`)
	require.NoError(t, err)
	root := e.Root()
	require.Equal(t, "States.Format", root.Name)
	require.Len(t, root.Args, 12)
	s := root.Args[0].(*String)
	require.Equal(t, `a{{}}`, s.Value)
	require.Equal(t, `a\{{}\}`, s.Raw)
	require.Equal(t, 14, s.Pos())
	require.Equal(t, "$.x", root.Args[1].(*Path).Path)
	require.Equal(t, 15.0, root.Args[2].(*Number).Value)
	require.Equal(t, -2.0, root.Args[3].(*Number).Value)
	require.True(t, root.Args[4].(*Bool).Value)
	require.False(t, root.Args[5].(*Bool).Value)
	require.IsType(t, &Null{}, root.Args[6])
	require.Equal(t, []string{"$.x", "$$.Execution.Id", "$", "$v", "$v.f"}, e.Paths())
	require.Equal(t, "States.UUID", root.Args[11].(*Call).Name)
	require.Equal(t, `States.Format('a\{{}\}', $.x, 1.5e1, -2, true, false, null, $$.Execution.Id, $, $v, $v.f, States.UUID())`, root.String())
}

func TestParseAcceptsThe(t *testing.T) {
	tests := []struct {
		name  string
		expr  string
		paths []string
	}{
		{"documentation's nine nested calls", `States.Format('{}.{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem(States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 1))`, []string{"$.ImageRecipe.Arn", "$.ImageRecipe.Arn"}},
		{"white space around arguments", "States.Array(  $.a ,\n\t1 )", []string{"$.a"}},
		{"bracketed paths with commas and parentheses inside", `States.Array($.a['x, y'], $.b[?(@.c == 'd)')], $[0])`, []string{"$.a['x, y']", "$.b[?(@.c == 'd)')]", "$[0]"}},
		{"a path followed directly by the closing parenthesis", `States.ArrayLength($.items)`, []string{"$.items"}},
		{"a string holding a quote and a backslash", `States.Array('it\'s \\')`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := Parse(tc.expr)
			require.NoError(t, err)
			require.Equal(t, tc.paths, e.Paths())
		})
	}
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name string
		expr string
		pos  int
		msg  string
	}{
		{"a path", "$.a", 0, `must start with "States."`},
		{"an unknown function", "States.Nope(1)", 0, "unknown intrinsic function States.Nope"},
		{"an unknown nested function", "States.Array(States.Nope())", 13, "unknown intrinsic function States.Nope"},
		{"a call without parentheses", "States.UUID", 11, "expected '(' after States.UUID"},
		{"an unclosed call", "States.Array(1", 14, "unexpected end of expression"},
		{"a missing comma", "States.Array(1 2)", 15, "expected ',' or ')'"},
		{"an empty argument", "States.Array(1,)", 15, "expected a string, number"},
		{"an unterminated string", "States.Array('abc)", 13, "unterminated string literal"},
		{"a trailing backslash", `States.Array('abc\`, 17, "unterminated string literal"},
		{"text after the call", "States.UUID() x", 14, `unexpected "x"`},
		{"a bad number", "States.Array(1.)", 13, "invalid number literal"},
		{"a number glued to a name", "States.Array(1a)", 14, `unexpected 'a'`},
		{"an unknown keyword", "States.Array(nil)", 13, "unexpected 'n'"},
		{"a double-quoted string", `States.Array("a")`, 13, "unexpected '\"'"},
		{"a dollar followed by a symbol", "States.Array($%)", 13, "invalid path"},
		{"a bracket closed by a parenthesis in a path", "States.Array($.a[0)", 18, "expected ']'"},
		{"an unclosed bracket in a path", "States.Array($.a[0", 13, "unterminated path"},
		{"too few arguments", "States.ArrayGetItem($.a)", 0, "States.ArrayGetItem takes 2 arguments, got 1"},
		{"too many arguments", "States.UUID(1)", 0, "States.UUID takes 0 arguments, got 1"},
		{"MathRandom with four arguments", "States.MathRandom(1, 2, 3, 4)", 0, "takes 2 to 3 arguments, got 4"},
		{"Format without a template", "States.Format()", 0, "takes at least 1 argument, got 0"},
		{"eleven calls in one field", "States.Array(" + strings.Repeat("States.UUID(), ", 9) + "States.UUID())", 148, "more than 10 intrinsic function calls"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.expr)
			require.Error(t, err)
			var se *SyntaxError
			require.ErrorAs(t, err, &se)
			require.Contains(t, se.Msg, tc.msg)
			require.Equal(t, tc.pos, se.Pos, "position of %q", se.Msg)
			require.Equal(t, tc.expr, se.Expr)
			require.Equal(t, "States.Runtime", se.ErrorName())
			require.Contains(t, err.Error(), "parse intrinsic at offset")
		})
	}
}

func TestTenCallsAreAllowed(t *testing.T) {
	_, err := Parse("States.Array(" + strings.Repeat("States.UUID(), ", 8) + "States.UUID())")
	require.NoError(t, err)
}

func TestErrorNamesTheFunction(t *testing.T) {
	_, err := MustParse(`States.ArrayLength(1)`).Eval(nil)
	var ie *Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "States.ArrayLength", ie.Function)
	require.Equal(t, "States.ArrayLength: argument 1 must be an array, got number", err.Error())
	require.Equal(t, "States.Runtime", ie.ErrorName())
}

func TestEvalAcceptsOtherGoNumberTypes(t *testing.T) {
	values := map[string]any{"$.i": 2, "$.i64": int64(3)}
	got, err := MustParse(`States.MathAdd($.i, $.i64)`).Eval(func(p string) (any, error) { return values[p], nil })
	require.NoError(t, err)
	require.Equal(t, 5.0, got)
}

func TestAnExpressionIsSafeForConcurrentEvaluation(t *testing.T) {
	e := MustParse(`States.Format('{}-{}', $.a, States.ArrayLength($.b))`)
	d := parseDoc(t, `{"a":"x","b":[1,2]}`)
	done := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			for j := 0; j < 200; j++ {
				v, err := e.Eval(d.lookup)
				if err == nil && v != "x-2" {
					err = &Error{Cause: "wrong value"}
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := 0; i < 8; i++ {
		require.NoError(t, <-done)
	}
}
