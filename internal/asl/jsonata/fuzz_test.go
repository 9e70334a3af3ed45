package jsonata

import "testing"

// FuzzCompile checks that recognising a template, compiling its expression and evaluating it
// never panic, and that failures are *Error values.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`{% $states.input.a %}`, `{% $partition([1,2,3], 2) %}`, `{% $range(0, 6, 2) %}`,
		`{% "abc" ~> $substring(1) %}`, `{% $hash("x", "SHA-1") %}`, `{% $parse('{"a":[1,null]}') %}`,
		`{% $states.input.items[price > 10].{"n": name} %}`, `{% ( $x := 1; $x + $count ) %}`,
		`{% $random(42) %}`, `{% function($a){$a} %}`, `{% %}`, `{%`, `plain`,
	} {
		f.Add(s)
	}
	states := map[string]any{"input": map[string]any{"a": 1.0, "items": []any{map[string]any{"price": 20.0, "name": "x"}, nil}}}
	vars := map[string]any{"count": 2.0}
	f.Fuzz(func(t *testing.T, s string) {
		expr, ok := Template(s)
		if !ok {
			expr = s
		}
		e, err := Compile(expr)
		if err != nil {
			if _, isErr := err.(*Error); !isErr {
				t.Fatalf("compile error %T is not an *Error", err)
			}
			return
		}
		if _, err := e.Eval(states, vars); err != nil {
			if _, isErr := err.(*Error); !isErr {
				t.Fatalf("eval error %T is not an *Error", err)
			}
		}
	})
}
