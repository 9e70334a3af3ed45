package eventpattern

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// matchCase is one pattern, one event and whether the pattern matches the event.
type matchCase struct {
	name    string
	pattern string
	event   string
	want    bool
}

// runMatchCases checks each case through Pattern.Match and through a Matcher holding the
// pattern, so the indexed path and the single-pattern path are held to the same answers.
func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern))
			require.NoError(t, err, "compile %s", tc.pattern)
			got, err := p.Match([]byte(tc.event))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "Pattern.Match(%s) on %s", tc.pattern, tc.event)

			m := NewMatcher()
			require.NoError(t, m.Add("rule", []byte(tc.pattern)))
			names, err := m.Match([]byte(tc.event))
			require.NoError(t, err)
			assert.Equal(t, tc.want, len(names) == 1, "Matcher.Match(%s) on %s gave %v", tc.pattern, tc.event, names)
		})
	}
}

// errorCase is a pattern EventBridge rejects, the path the error must name, and a fragment of
// the reason.
type errorCase struct {
	name    string
	pattern string
	path    string
	reason  string
}

func runErrorCases(t *testing.T, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile([]byte(tc.pattern))
			require.Error(t, err, "compile %s", tc.pattern)
			assert.Nil(t, p)
			var pe *PatternError
			require.True(t, errors.As(err, &pe), "error %v is a *PatternError", err)
			assert.Equal(t, tc.path, pe.Path, "path of %v", err)
			assert.Contains(t, pe.Reason, tc.reason)
		})
	}
}
