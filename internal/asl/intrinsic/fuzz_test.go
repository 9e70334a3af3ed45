package intrinsic

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error it returns is a positioned
// *SyntaxError inside the input, and that an accepted expression evaluates without panicking
// and re-parses from its String form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`States.Format('Hello {}', $.name)`,
		`States.Array($.a[?(@.b == 'x, y')], $$.Execution.Id, $v.x, 1.5e3, -2, true, null)`,
		`States.JsonMerge($.a, States.StringToJson('{"k":1}'), false)`,
		`States.Format('\{\} \' \\ {}', States.UUID())`,
		`States.ArrayRange(1, 9, 2)`,
		`States.Hash('x', 'SHA-1')`,
		`States.MathRandom(1, 10, 3)`,
		`States.Array(`, `States.`, `$`, ``,
	} {
		f.Add(s)
	}
	lookup := func(path string) (any, error) {
		return map[string]any{"name": "n", "a": []any{1.0, "x"}}, nil
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("position %d outside the %d-byte input", se.Pos, len(s))
			}
			return
		}
		if !strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "States.") {
			t.Fatalf("accepted %q, which is not a call", s)
		}
		_, _ = e.Eval(lookup)
		if _, err := Parse(e.Root().String()); err != nil {
			t.Fatalf("String form %q of %q does not parse: %v", e.Root().String(), s, err)
		}
	})
}
