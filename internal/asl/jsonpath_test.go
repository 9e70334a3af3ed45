package asl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPathGet(t *testing.T) {
	doc := map[string]any{
		"a":     map[string]any{"b": []any{10.0, 20.0, 30.0}},
		"x.y":   "dotted",
		"items": []any{map[string]any{"n": 1.0}, map[string]any{"n": 5.0}},
		"null":  nil,
		"a'b":   "quote",
		`c"d`:   "double",
		`e\f`:   "backslash",
		"g]h":   "bracket",
	}
	cases := []struct {
		name, path string
		want       any
		missing    bool
	}{
		{"the root selects everything", "$", doc, false},
		{"dots walk objects and brackets index arrays", "$.a.b[1]", 20.0, false},
		{"a negative index counts from the end", "$.a.b[-1]", 30.0, false},
		{"a quoted key may hold dots", "$['x.y']", "dotted", false},
		{"an escaped single quote in a bracket key is the quote", `$['a\'b']`, "quote", false},
		{"an escaped double quote in a bracket key is the quote", `$["c\"d"]`, "double", false},
		{"an escaped backslash in a bracket key is one backslash", `$['e\\f']`, "backslash", false},
		{"a closing bracket inside a quoted key is part of the key", `$['g]h']`, "bracket", false},
		{"a unicode escape in a bracket key is the character", `$['a\u0027b']`, "quote", false},
		{"a present null is found", "$.null", nil, false},
		{"a missing key is not found", "$.nope", nil, true},
		{"an index past the end is not found", "$.a.b[3]", nil, true},
		{"a wildcard gives a list", "$.items[*].n", []any{1.0, 5.0}, false},
		{"a filter gives a list", "$.items[?(@.n > 2)].n", []any{5.0}, false},
		{"an indefinite path matching nothing gives an empty list", "$.items[*].zzz", []any{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := parsePath(c.path, false)
			require.NoError(t, err)
			got, err := p.get(doc)
			if c.missing {
				assert.ErrorIs(t, err, errPathNotFound)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestPathSetCopiesOnlyThePath(t *testing.T) {
	in := map[string]any{"keep": map[string]any{"k": 1.0}, "a": map[string]any{"old": true}}
	p, err := parsePath("$.a.b.c", true)
	require.NoError(t, err)
	out, err := p.set(in, "v")
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"keep": map[string]any{"k": 1.0}, "a": map[string]any{"old": true, "b": map[string]any{"c": "v"}}}, out)
	assert.Equal(t, map[string]any{"old": true}, in["a"], "the input is unchanged")
	_, err = p.set(map[string]any{"a": "scalar"}, "v")
	assert.Error(t, err, "a scalar on the path is a ResultPath match failure")
}

func TestReferencePathsRejectIndefiniteSyntax(t *testing.T) {
	for _, s := range []string{"$.a[*]", "$..a", "$.a[0:2]", "$.a[?(@.b)]", "$.*"} {
		_, err := parsePath(s, true)
		assert.Error(t, err, s)
	}
	for _, s := range []string{"$", "$.a", "$$.Execution.Id", "$var.x[0]", "$['a b']"} {
		_, err := parsePath(s, true)
		assert.NoError(t, err, s)
	}
}
