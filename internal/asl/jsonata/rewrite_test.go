package jsonata

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRewriteCopiesOnlyWhatChanges(t *testing.T) {
	double := func(v any) (any, bool, error) {
		if f, ok := v.(float64); ok && f > 1 {
			return f * 2, true, nil
		}
		return v, false, nil
	}
	m := map[string]any{"a": 1.0, "b": "x"}
	out, changed, err := rewriteMap(m, double)
	require.NoError(t, err)
	assert.False(t, changed)
	m["probe"] = true
	assert.Equal(t, true, out["probe"], "an unchanged map is returned as is, not copied")

	m2 := map[string]any{"a": 2.0, "b": "x"}
	out, changed, err = rewriteMap(m2, double)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, map[string]any{"a": 4.0, "b": "x"}, out)
	assert.Equal(t, 2.0, m2["a"], "the input is never modified")

	s := []any{1.0, 3.0}
	outS, changed, err := rewriteSlice(s, double)
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, []any{1.0, 6.0}, outS)
	assert.Equal(t, []any{1.0, 3.0}, s)

	boom := errors.New("boom")
	_, _, err = rewriteSlice(s, func(any) (any, bool, error) { return nil, false, boom })
	assert.ErrorIs(t, err, boom)
}
