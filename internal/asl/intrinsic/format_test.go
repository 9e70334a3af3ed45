package intrinsic

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFormat(t *testing.T) {
	runEvalTable(t, []evalTest{
		{"the documentation's example fills one placeholder", `States.Format('Hello, my name is {}.', $.name)`, `{"name":"Arnav"}`, `"Hello, my name is Arnav."`},
		{"a template from a path is filled too", `States.Format($.template, $.name)`, `{"name":"Arnav","template":"Hello, my name is {}."}`, `"Hello, my name is Arnav."`},
		{"a template without placeholders and no values is returned as is", `States.Format('plain')`, ``, `"plain"`},
		{"placeholders fill in order", `States.Format('{}-{}-{}', 'a', 'b', 'c')`, ``, `"a-b-c"`},
		{"integers render without a decimal point", `States.Format('{}', $.n)`, `{"n":1}`, `"1"`},
		{"fractions render as Java prints a double", `States.Format('{}', 1.1)`, ``, `"1.1"`},
		{"tiny numbers use Java's exponent notation", `States.Format('{}', 0.0001)`, ``, `"1.0E-4"`},
		{"large fractional numbers use Java's exponent notation", `States.Format('{}', 12345678.5)`, ``, `"1.23456785E7"`},
		{"null renders as the word null", `States.Format('{}', $.v)`, `{"v":null}`, `"null"`},
		{"booleans render as words", `States.Format('{} {}', true, false)`, ``, `"true false"`},
		{"an object renders as Java's map text", `States.Format('{}', $.o)`, `{"o":{"Arg1":1,"Arg2":[]}}`, `"{Arg1=1, Arg2=[]}"`},
		{"an array renders its elements bare", `States.Format('{}', $.a)`, `{"a":["x",1,null,{"k":"v"}]}`, `"[x, 1, null, {k=v}]"`},
		{"a JSON string value is inserted without quotes", `States.Format('{}', $.s)`, `{"s":"{\"Arg1\": 1}"}`, `"{\"Arg1\": 1}"`},
		{"escaped braces are literal braces", `States.Format('\{\} {} \{', 'x')`, ``, `"{} x {"`},
		{"an escaped quote and backslash are literal", `States.Format('it\'s \\ {}', 'x')`, ``, `"it's \\ x"`},
		{"a lone brace is literal text", `States.Format('a { b } {}', 'x')`, ``, `"a { b } x"`},
		{"an empty string value leaves nothing", `States.Format('[{}]', '')`, ``, `"[]"`},
		{"a nested call's value is formatted", `States.Format('n={}', States.MathAdd(1, 2))`, ``, `"n=3"`},
		{"too few values is an intrinsic failure", `States.Format('{} {}', 'a')`, ``, `error: 2 placeholder(s)`},
		{"too many values is an intrinsic failure", `States.Format('{}', 'a', 'b')`, ``, `error: 1 placeholder(s) '{}' but 2 value(s)`},
		{"a template that is not a string fails", `States.Format($.n, 1)`, `{"n":1}`, `error: must be a string template`},
		{"a backslash that escapes nothing fails at run time", `States.Format('a\n{}', 'x')`, ``, `error: escapes nothing`},
		{"a path template with an open escape fails", `States.Format($.t, 'x')`, `{"t":"a\\q{}"}`, `error: escapes nothing`},
	})
}

func TestFormatResolvesContextAndVariablePaths(t *testing.T) {
	e := MustParse(`States.Format('{}/{}', $$.Execution.Name, $myVar.x)`)
	d := doc{ctx: map[string]any{"Execution": map[string]any{"Name": "run-1"}}, vars: map[string]any{"myVar": map[string]any{"x": 7.0}}}
	var asked []string
	got, err := e.Eval(func(p string) (any, error) {
		asked = append(asked, p)
		return d.lookup(p)
	})
	require.NoError(t, err)
	require.Equal(t, "run-1/7", got)
	require.Equal(t, []string{"$$.Execution.Name", "$myVar.x"}, asked, "paths reach the lookup exactly as written")
}

func TestLookupErrorsAreReturnedUnchanged(t *testing.T) {
	sentinel := errors.New("the JSONPath '$.nope' could not be found")
	_, err := MustParse(`States.Format('{}', $.nope)`).Eval(func(string) (any, error) { return nil, sentinel })
	require.Same(t, sentinel, err)
}

func TestAnOpenEscapeInAnyLiteralFailsInItsFunction(t *testing.T) {
	_, err := MustParse(`States.Array('a\qb')`).Eval(nil)
	var ie *Error
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "States.Array", ie.Function)
	require.Equal(t, `States.Array: the string literal 'a\qb' has a backslash that escapes nothing; only \', \{, \} and \\ are escapes`, ie.Cause)
}
