package jsonata

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		name string
		in   string
		expr string
		ok   bool
	}{
		{"a template yields its trimmed expression", "{% $states.input.a %}", "$states.input.a", true},
		{"no inner spaces are needed", "{%1+1%}", "1+1", true},
		{"new lines inside are trimmed", "{%\n  $x\n%}", "$x", true},
		{"an empty template yields an empty expression", "{%%}", "", true},
		{"a plain string is not a template", "hello", "", false},
		{"a leading space makes it a plain string", " {% 1 %}", "", false},
		{"a trailing space makes it a plain string", "{% 1 %} ", "", false},
		{"text after the closing delimiter makes it a plain string", "{% 1 %}x", "", false},
		{"an unclosed template is a plain string", "{% 1", "", false},
		{"the three characters {%} are not a template", "{%}", "", false},
		{"an empty string is not a template", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expr, ok := Template(tc.in)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.expr, expr)
		})
	}
}
