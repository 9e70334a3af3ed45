package eventpattern

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWildcard(t *testing.T) {
	runMatchCases(t, []matchCase{
		{"a star matches any run in the middle", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
		{"a star matches the empty run", `{"k":[{"wildcard":"a*b"}]}`, `{"k":"ab"}`, true},
		{"the literal parts must appear in order", `{"k":[{"wildcard":"a*b*c"}]}`, `{"k":"acb"}`, false},
		{"the literal parts may repeat", `{"k":[{"wildcard":"*ab*ab"}]}`, `{"k":"xabab"}`, true},
		{"the last literal part must end the string", `{"k":[{"wildcard":"a*b"}]}`, `{"k":"abc"}`, false},
		{"the first literal part must start the string", `{"k":[{"wildcard":"a*b"}]}`, `{"k":"cab"}`, false},
		{"prefix and suffix pieces may not overlap", `{"k":[{"wildcard":"ab*ba"}]}`, `{"k":"aba"}`, false},
		{"a lone star matches any string", `{"k":[{"wildcard":"*"}]}`, `{"k":""}`, true},
		{"a lone star does not match a number", `{"k":[{"wildcard":"*"}]}`, `{"k":1}`, false},
		{"a wildcard without a star is an exact match", `{"k":[{"wildcard":"abc"}]}`, `{"k":"abc"}`, true},
		{"a wildcard without a star rejects other strings", `{"k":[{"wildcard":"abc"}]}`, `{"k":"abcd"}`, false},
		{"an escaped star matches only a star", `{"k":[{"wildcard":"a\\*b"}]}`, `{"k":"a*b"}`, true},
		{"an escaped star does not match other characters", `{"k":[{"wildcard":"a\\*b"}]}`, `{"k":"axb"}`, false},
		{"an escaped backslash matches a backslash", `{"k":[{"wildcard":"a\\\\*"}]}`, `{"k":"a\\xyz"}`, true},
		{"a wildcard is case sensitive", `{"k":[{"wildcard":"*.PNG"}]}`, `{"k":"a.png"}`, false},
		{"a middle piece found greedily still leaves room for the suffix", `{"k":[{"wildcard":"*/lib/*.so"}]}`, `{"k":"/usr/lib/x/lib/y.so"}`, true},
	})
}

func TestWildcardErrors(t *testing.T) {
	runErrorCases(t, []errorCase{
		{"two stars in a row are rejected", `{"k":[{"wildcard":"a**b"}]}`, "k[0]", "consecutive wildcard characters"},
		{"an escape of another character is rejected", `{"k":[{"wildcard":"a\\b"}]}`, "k[0]", "invalid escape"},
		{"a trailing backslash is rejected", `{"k":[{"wildcard":"a\\"}]}`, "k[0]", "invalid escape"},
		{"a wildcard that is not a string is rejected", `{"k":[{"wildcard":1}]}`, "k[0]", "wildcard takes a string"},
		{"too many wildcard characters make the rule too complex", `{"k":[{"wildcard":"` + manyStars(101) + `"}]}`, "k", "too complex"},
	})
}

func manyStars(n int) string {
	out := make([]byte, 0, 2*n)
	for range n {
		out = append(out, 'a', '*')
	}
	return string(out)
}

func TestWildcardPieces(t *testing.T) {
	cases := []struct {
		name    string
		pattern string
		pieces  []string
		stars   int
	}{
		{"a pattern without stars is one piece", "abc", []string{"abc"}, 0},
		{"a leading star leaves an empty first piece", "*abc", []string{"", "abc"}, 1},
		{"a trailing star leaves an empty last piece", "abc*", []string{"abc", ""}, 1},
		{"stars split the middle", "a*b*c", []string{"a", "b", "c"}, 2},
		{"an escaped star stays in its piece", `a\*b*c`, []string{"a*b", "c"}, 1},
		{"an escaped backslash stays in its piece", `a\\*b`, []string{`a\`, "b"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := compileWildcard(tc.pattern, "p")
			require.NoError(t, err)
			var got []string
			for _, p := range w.pieces {
				got = append(got, string(p))
			}
			assert.Equal(t, tc.pieces, got)
			assert.Equal(t, tc.stars, w.stars)
		})
	}
}
